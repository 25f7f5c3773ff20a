"""The questionnaire (问卷): what each column of the survey table asked, in English and Chinese.

The survey table of the data contract (:mod:`crmlab.schema`) stores the answers
under codes (``adv_1`` ... ``quality_4``, ``overall_satisfaction``, ``recommend``,
...). :func:`instrument` returns the questionnaire behind the codes: the construct
each question measures, its wording in both languages and its answer scale, so a
lesson can show students the instrument before analysing it. A real extract mapped
to the contract should use the same wording or document its own.

The wording follows the retailer's four dimensions of the course's survey report
(宣传, 价格, 服务, 质量) plus overall impression, the recommend question of the Net
Promoter Score and the competitor comparison.

Examples
--------
>>> from crmlab.analysis.survey import instrument
>>> q = instrument()
>>> q.loc["service_2", ["construct", "wording_en", "scale"]].tolist()
['service', 'Delivery arrives on time', '1-5']
>>> instrument(lang="zh").loc["recommend", "wording"]
'您有多大可能向亲友推荐苏宁？'
"""

from __future__ import annotations

import pandas as pd

from ...i18n import check_lang

__all__ = ["QUESTIONS", "SCALES", "instrument"]

#: code -> (construct, English wording, Chinese wording, scale code)
QUESTIONS: dict[str, tuple[str, str, str, str]] = {
    "adv_1": ("advertising", "Suning's advertising tells me what I need to know", "苏宁的广告宣传信息充分", "1-5"),
    "adv_2": ("advertising", "Suning's promotions are attractive", "苏宁的促销活动有吸引力", "1-5"),
    "adv_3": ("advertising", "I notice Suning's promotions in time", "我能及时了解苏宁的促销信息", "1-5"),
    "adv_4": ("advertising", "Promotion and coupon terms are clear", "促销和优惠券规则（如有效期）清楚明白", "1-5"),
    "price_1": ("price", "Prices are reasonable for the quality", "商品价格与质量相符", "1-5"),
    "price_2": ("price", "Prices are competitive with online rivals", "价格与京东、天猫等相比有竞争力", "1-5"),
    "price_3": ("price", "Member prices and points are worthwhile", "会员价和积分优惠实在", "1-5"),
    "price_4": ("price", "Suning keeps its price promises", "苏宁遵守价格承诺", "1-5"),
    "service_1": ("service", "Store staff are helpful and knowledgeable", "店员热情专业", "1-5"),
    "service_2": ("service", "Delivery arrives on time", "送货准时", "1-5"),
    "service_3": ("service", "Installation is timely and professional", "安装及时、专业", "1-5"),
    "service_4": ("service", "Complaints are handled well", "投诉处理令人满意", "1-5"),
    "service_5": ("service", "After-sales service is reliable", "售后服务可靠", "1-5"),
    "quality_1": ("quality", "Products are genuine", "商品保证正品", "1-5"),
    "quality_2": ("quality", "Product quality is reliable", "商品质量可靠", "1-5"),
    "quality_3": ("quality", "The product range meets my needs", "商品种类齐全", "1-5"),
    "quality_4": ("quality", "Products match their description", "商品与描述相符", "1-5"),
    "overall_satisfaction": ("overall", "Overall, how satisfied are you with Suning?", "总体而言，您对苏宁满意吗？",
                             "satisfaction"),
    "recommend": ("loyalty", "How likely are you to recommend Suning to friends or family?",
                  "您有多大可能向亲友推荐苏宁？", "0-10"),
    "competitor": ("competition", "Which other retailer do you also buy electronics from?",
                   "您还在哪家零售商购买家电数码产品？", "competitor"),
    "competitor_comparison": ("competition", "Compared with that retailer, Suning is ...",
                              "与该零售商相比，苏宁……", "comparison"),
    "survey_channel": ("fieldwork", "Where the questionnaire was answered (recorded by the interviewer)",
                       "填写问卷的渠道（由调查员记录）", "channel"),
    "comment": ("feedback", "Anything else you would like to tell us?", "您还有什么意见或建议？", "text"),
    "wallet_share": ("wallet", "Of all the money you spent on electronics and home appliances in the last 12 months, "
                               "roughly what share was spent at Suning (stores, website and app)?",
                     "过去12个月您在家电数码产品上的全部花费中，大约有多少比例花在了苏宁（门店、网站和手机客户端）？",
                     "share"),
    "stores_visited": ("wallet", "In the last month, how many different electronics retailers (stores or "
                                 "websites/apps, Suning included) did you visit?",
                       "过去一个月，您光顾过几家不同的家电数码零售商（门店或网站/客户端，包括苏宁）？", "stores"),
}

#: scale code -> (English, Chinese) description of the answer options
SCALES: dict[str, tuple[str, str]] = {
    "1-5": ("1 = strongly disagree ... 5 = strongly agree", "1 = 非常不同意 …… 5 = 非常同意"),
    "satisfaction": ("1 = very dissatisfied ... 5 = very satisfied", "1 = 非常不满意 …… 5 = 非常满意"),
    "0-10": ("0 = not at all likely ... 10 = extremely likely", "0 = 完全不可能 …… 10 = 非常可能"),
    "competitor": ("Gome / JD / Tmall", "国美 / 京东 / 天猫"),
    "comparison": ("better / about the same / worse", "更好 / 差不多 / 更差"),
    "channel": ("store / app", "门店 / 手机客户端"),
    "text": ("free text (optional)", "开放式回答（选填）"),
    "share": ("0%, 10%, 20%, ... 100%", "0%、10%、20% …… 100%"),
    "stores": ("1, 2, 3, 4, 5, 6 or more", "1、2、3、4、5、6家及以上"),
}


def instrument(lang: str | None = None) -> pd.DataFrame:
    """The questionnaire behind the survey table: one row per question.

    Parameters
    ----------
    lang : {"en", "zh"} or None, default None
        None: both languages side by side (``wording_en``, ``wording_zh``,
        ``answers_en``, ``answers_zh``); ``"en"`` or ``"zh"``: one ``wording`` and
        one ``answers`` column in that language.

    Returns
    -------
    DataFrame
        Indexed by ``item`` (the column code of the survey table), in questionnaire
        order, with ``construct`` (``advertising``, ``price``, ``service``, ``quality``
        for the 17 Likert items; ``overall``, ``loyalty``, ``competition``,
        ``fieldwork``, ``feedback``, ``wallet`` for the others; the two ``wallet``
        questions, share of wallet 钱包份额 and stores visited, are optional columns
        of the contract), the wording, ``scale`` (a code:
        ``1-5``, ``satisfaction``, ``0-10``, ...) and the answer options.

    Examples
    --------
    >>> q = instrument("en")
    >>> q.columns.tolist()
    ['construct', 'wording', 'scale', 'answers']
    >>> q["construct"].value_counts()["service"]
    np.int64(5)
    >>> instrument("zh").loc["adv_4", "wording"]
    '促销和优惠券规则（如有效期）清楚明白'
    """
    rows = [{"item": code, "construct": c, "wording_en": en, "wording_zh": zh, "scale": sc,
             "answers_en": SCALES[sc][0], "answers_zh": SCALES[sc][1]} for code, (c, en, zh, sc) in QUESTIONS.items()]
    out = pd.DataFrame(rows).set_index("item")
    if lang is None:
        return out
    lang = check_lang(lang)
    return pd.DataFrame({"construct": out["construct"], "wording": out[f"wording_{lang}"], "scale": out["scale"],
                         "answers": out[f"answers_{lang}"]})
