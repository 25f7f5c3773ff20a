"""Sentences and figure titles of lesson 01 (the satisfaction survey), in English and Chinese.

Findings are claims (:mod:`crmlab.analysis.claims`): a claim ``ID`` has the
sentences ``ID.up`` / ``ID.down`` / ``ID.unclear`` (or ``ID.leader`` /
``ID.unclear``); its figure title is the claim ``ID.title`` built from the same
estimate, so a title can only say what the interval supports.

Examples
--------
>>> from crmlab.analysis.claims import directional
>>> from crmlab.notebook.texts.survey import MESSAGES
>>> directional("survey.nps", (27.1, 22.1, 32.1), MESSAGES, n=760).text
'The NPS is positive: +27.1 points (95% bootstrap CI +22.1 to +32.1, n = 760).'
>>> directional("survey.top2box.title", (0.63, 0.61, 0.65), MESSAGES, null=0.5, lang="zh").text
'大多数回答为 4 或 5'
"""

from __future__ import annotations

from ...i18n import Messages, interval_phrase

__all__ = ["MESSAGES", "DIMENSIONS"]

#: The survey dimensions whose relative-weight share is a claim (``survey.rw_share.<dimension>``).
DIMENSIONS = ("advertising", "price", "service", "quality")

_CI = interval_phrase(".2f")


def _share_claims() -> dict[str, dict[str, str]]:
    out = {}
    for d in DIMENSIONS:
        out[f"survey.rw_share.{d}.up"] = {
            "en": "Relative weight of {dimension}: {estimate:.0%} of the explained variance ({level:.0%} bootstrap CI "
                  "{ci_low:.0%} to {ci_high:.0%}), more than an equal share ({equal:.0%}).",
            "zh": "{dimension}的相对权重：占解释方差的 {estimate:.0%}（{level:.0%} bootstrap 置信区间 {ci_low:.0%} 至 "
                  "{ci_high:.0%}），高于平均份额（{equal:.0%}）。"}
        out[f"survey.rw_share.{d}.down"] = {
            "en": "Relative weight of {dimension}: {estimate:.0%} of the explained variance ({level:.0%} bootstrap CI "
                  "{ci_low:.0%} to {ci_high:.0%}), less than an equal share ({equal:.0%}).",
            "zh": "{dimension}的相对权重：占解释方差的 {estimate:.0%}（{level:.0%} bootstrap 置信区间 {ci_low:.0%} 至 "
                  "{ci_high:.0%}），低于平均份额（{equal:.0%}）。"}
        out[f"survey.rw_share.{d}.unclear"] = {
            "en": "Relative weight of {dimension}: {estimate:.0%} of the explained variance ({level:.0%} bootstrap CI "
                  "{ci_low:.0%} to {ci_high:.0%}); the data cannot tell whether it is more or less than an equal share "
                  "({equal:.0%}).",
            "zh": "{dimension}的相对权重：占解释方差的 {estimate:.0%}（{level:.0%} bootstrap 置信区间 {ci_low:.0%} 至 "
                  "{ci_high:.0%}）；数据无法判断它高于还是低于平均份额（{equal:.0%}）。"}
    return out


def _sample_claims() -> dict[str, dict[str, str]]:
    what = {"store_shoppers": ({"en": "customers who buy mostly in stores", "zh": "主要在门店购买的客户"}),
            "repeat_buyers": ({"en": "repeat buyers (two or more orders)", "zh": "重复购买的客户（两单及以上）"})}
    out = {}
    for key, w in what.items():
        out[f"survey.sample.{key}.up"] = {
            "en": "Over-represented among the respondents: " + w["en"] + ", {respondents:.0%} of the respondents vs "
                  "{base:.0%} of the customer base ({estimate:+.1%}, {level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}).",
            "zh": "受访者中" + w["zh"] + "比例偏高：受访者中占 {respondents:.0%}，客户总体中占 {base:.0%}"
                  "（{estimate:+.1%}，{level:.0%} 置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）。"}
        out[f"survey.sample.{key}.down"] = {
            "en": "Under-represented among the respondents: " + w["en"] + ", {respondents:.0%} of the respondents vs "
                  "{base:.0%} of the customer base ({estimate:+.1%}, {level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}).",
            "zh": "受访者中" + w["zh"] + "比例偏低：受访者中占 {respondents:.0%}，客户总体中占 {base:.0%}"
                  "（{estimate:+.1%}，{level:.0%} 置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）。"}
        out[f"survey.sample.{key}.unclear"] = {
            "en": w["en"][0].upper() + w["en"][1:] + ": {respondents:.0%} of the respondents vs {base:.0%} of the "
                  "customer base ({estimate:+.1%}, {level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}); the data cannot "
                  "tell whether they are over- or under-represented.",
            "zh": w["zh"] + "：受访者中占 {respondents:.0%}，客户总体中占 {base:.0%}（{estimate:+.1%}，{level:.0%} "
                  "置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）；数据无法判断其比例是偏高还是偏低。"}
    return out


MESSAGES = Messages({
    # data
    "responses": {"en": "{n:,} responses; dimensions and items:", "zh": "共 {n:,} 份问卷；维度与题项："},
    # 1. skewed answers
    "survey.top2box.up": {
        "en": "Most item answers are 4 or 5: {estimate:.0%} of all answers ({level:.0%} CI {ci_low:.0%} to "
              "{ci_high:.0%}, respondents as clusters).",
        "zh": "大多数题项回答为 4 或 5：占全部回答的 {estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 "
              "{ci_high:.0%}，按受访者聚类）。"},
    "survey.top2box.down": {
        "en": "Fewer than half of the item answers are 4 or 5: {estimate:.0%} ({level:.0%} CI {ci_low:.0%} to "
              "{ci_high:.0%}, respondents as clusters).",
        "zh": "回答为 4 或 5 的题项不到一半：{estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 "
              "{ci_high:.0%}，按受访者聚类）。"},
    "survey.top2box.unclear": {
        "en": "{estimate:.0%} of the item answers are 4 or 5 ({level:.0%} CI {ci_low:.0%} to {ci_high:.0%}, "
              "respondents as clusters): the data cannot tell whether that is a majority.",
        "zh": "{estimate:.0%} 的题项回答为 4 或 5（{level:.0%} 置信区间 {ci_low:.0%} 至 {ci_high:.0%}，"
              "按受访者聚类）：数据无法判断是否过半。"},
    "survey.top2box.title.up": {"en": "Most answers are 4 or 5", "zh": "大多数回答为 4 或 5"},
    "survey.top2box.title.down": {"en": "Most answers are 3 or lower", "zh": "大多数回答为 3 或更低"},
    "survey.top2box.title.unclear": {"en": "About half of the answers are 4 or 5", "zh": "约一半回答为 4 或 5"},
    "answers.x": {"en": "answer (1 = strongly disagree, 5 = strongly agree)", "zh": "回答（1 = 非常不同意，5 = 非常同意）"},
    "answers.y": {"en": "share of all item answers", "zh": "占全部题项回答的比例"},
    # 2. reliability and factors
    "survey.reliability.up": {
        "en": "Every scale reaches the usual bar of {bar:.2f}: the least reliable, {dimension}, has Cronbach's "
              "alpha {estimate:.2f} (" + _CI["en"] + ", Feldt).",
        "zh": "每个量表都达到常用标准 {bar:.2f}：信度最低的{dimension}维度克朗巴哈系数为 {estimate:.2f}（"
              + _CI["zh"] + "，Feldt 法）。"},
    "survey.reliability.down": {
        "en": "The {dimension} scale falls short of the usual bar of {bar:.2f}: Cronbach's alpha {estimate:.2f} ("
              + _CI["en"] + ", Feldt).",
        "zh": "{dimension}量表未达到常用标准 {bar:.2f}：克朗巴哈系数为 {estimate:.2f}（" + _CI["zh"] + "，Feldt 法）。"},
    "survey.reliability.unclear": {
        "en": "The least reliable scale, {dimension}, has Cronbach's alpha {estimate:.2f} (" + _CI["en"]
              + ", Feldt): the data cannot tell whether it reaches {bar:.2f}.",
        "zh": "信度最低的{dimension}量表克朗巴哈系数为 {estimate:.2f}（" + _CI["zh"]
              + "，Feldt 法）：数据无法判断它是否达到 {bar:.2f}。"},
    "factors": {
        "en": "Factorability: KMO {kmo:.2f}. Kaiser criterion: {n_kaiser} eigenvalue(s) above 1 for {n_dims} "
              "dimensions. {n_own} of {n_items} items load most on the factor of their own dimension.",
        "zh": "因子分析适用性：KMO = {kmo:.2f}。Kaiser 准则：{n_kaiser} 个特征值大于 1（共 {n_dims} 个维度）。"
              "{n_items} 个题项中有 {n_own} 个在本维度的因子上载荷最高。"},
    # 3. key drivers
    "r2": {"en": "R² = {r2:.3f} on {n} complete responses", "zh": "R² = {r2:.3f}（{n} 份完整问卷）"},
    "survey.drivers.leader": {
        "en": "The strongest driver of overall satisfaction is {leader}: {leader_estimate:.0%} of the explained "
              "variance, ahead of {runner_up} ({runner_up_estimate:.0%}) by {estimate:.2f} ({level:.0%} bootstrap CI "
              "{ci_low:.2f} to {ci_high:.2f}).",
        "zh": "{leader}对整体满意度的影响最大：占解释方差的 {leader_estimate:.0%}，比{runner_up}"
              "（{runner_up_estimate:.0%}）高 {estimate:.2f}（{level:.0%} bootstrap 置信区间 {ci_low:.2f} 至 "
              "{ci_high:.2f}）。"},
    "survey.drivers.unclear": {
        "en": "The largest shares of the explained variance are those of {leader} ({leader_estimate:.0%}) and "
              "{runner_up} ({runner_up_estimate:.0%}); at this sample size the data cannot tell which drives overall "
              "satisfaction more (lead {estimate:.2f}, {level:.0%} bootstrap CI {ci_low:.2f} to {ci_high:.2f}).",
        "zh": "{leader}（占解释方差的 {leader_estimate:.0%}）和{runner_up}（{runner_up_estimate:.0%}）的份额最大；"
              "在这一样本量下，数据无法判断哪一个对整体满意度的影响更大（差距 {estimate:.2f}，{level:.0%} "
              "bootstrap 置信区间 {ci_low:.2f} 至 {ci_high:.2f}）。"},
    "survey.drivers.title.leader": {"en": "The strongest driver of overall satisfaction: {leader}",
                                    "zh": "{leader}对整体满意度的影响最大"},
    "survey.drivers.title.unclear": {"en": "Strongest driver: {leader} or {runner_up}? The data cannot tell",
                                     "zh": "{leader}还是{runner_up}？数据无法判断哪一个更重要"},
    "drivers.x": {"en": "dimension", "zh": "维度"},
    "drivers.y": {"en": "share of explained variance (relative weight, 95% CI)",
                  "zh": "解释方差的份额（相对权重，95% 置信区间）"},
    **_share_claims(),
    # 4. IPA
    "ipa.title": {"en": "Where to act: importance vs performance", "zh": "改进重点：重要性与表现"},
    "ipa.x": {"en": "importance (share of explained variance)", "zh": "重要性（解释方差的份额）"},
    "ipa.y": {"en": "performance (mean score, 1-5)", "zh": "表现（平均得分，1-5）"},
    "ipa.possible_overkill": {"en": "possible overkill", "zh": "可能过度投入"},
    "ipa.keep_up": {"en": "keep up the good work", "zh": "继续保持"},
    "ipa.low_priority": {"en": "low priority", "zh": "次要改进"},
    "ipa.concentrate": {"en": "concentrate here", "zh": "重点改进"},
    # 5. NPS
    "survey.nps.up": {
        "en": "The NPS is positive: {estimate:+.1f} points ({level:.0%} bootstrap CI {ci_low:+.1f} to {ci_high:+.1f}, "
              "n = {n}).",
        "zh": "净推荐值为正：{estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}，"
              "n = {n}）。"},
    "survey.nps.down": {
        "en": "The NPS is negative: {estimate:+.1f} points ({level:.0%} bootstrap CI {ci_low:+.1f} to {ci_high:+.1f}, "
              "n = {n}).",
        "zh": "净推荐值为负：{estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}，"
              "n = {n}）。"},
    "survey.nps.unclear": {
        "en": "The NPS is {estimate:+.1f} points ({level:.0%} bootstrap CI {ci_low:+.1f} to {ci_high:+.1f}, n = {n}): "
              "the data cannot tell whether promoters outnumber detractors.",
        "zh": "净推荐值为 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}，"
              "n = {n}）：数据无法判断推荐者是否多于贬损者。"},
    # 6. groups
    "kruskal": {"en": "Overall satisfaction by competitor: Kruskal-Wallis p = {p:.3f}",
                "zh": "按竞争对手分组的整体满意度：Kruskal-Wallis 检验 p = {p:.3f}"},
    # 7. satisfaction and later inactivity
    "survey.churn_gap.up": {
        "en": "Dissatisfied customers (overall satisfaction 1-2) are more often inactive in the next {window} days: "
              "{share_low:.0%} of {n_low} vs {share_high:.0%} of {n_high} satisfied ones (4-5), a gap of "
              "{estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}, Newcombe; chi-square p = {p:.3f}).",
        "zh": "不满意的客户（整体满意度 1-2）在随后 {window} 天内更常没有购买：{n_low} 人中 {share_low:.0%}，"
              "满意的客户（4-5）{n_high} 人中 {share_high:.0%}，相差 {estimate:+.1%}（{level:.0%} 置信区间 "
              "{ci_low:+.1%} 至 {ci_high:+.1%}，Newcombe 法；卡方检验 p = {p:.3f}）。"},
    "survey.churn_gap.down": {
        "en": "Dissatisfied customers (overall satisfaction 1-2) are less often inactive in the next {window} days: "
              "{share_low:.0%} of {n_low} vs {share_high:.0%} of {n_high} satisfied ones (4-5), a gap of "
              "{estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}, Newcombe; chi-square p = {p:.3f}).",
        "zh": "不满意的客户（整体满意度 1-2）在随后 {window} 天内反而较少没有购买：{n_low} 人中 {share_low:.0%}，"
              "满意的客户（4-5）{n_high} 人中 {share_high:.0%}，相差 {estimate:+.1%}（{level:.0%} 置信区间 "
              "{ci_low:+.1%} 至 {ci_high:+.1%}，Newcombe 法；卡方检验 p = {p:.3f}）。"},
    "survey.churn_gap.unclear": {
        "en": "No order in the next {window} days: {share_low:.0%} of {n_low} dissatisfied customers (overall "
              "satisfaction 1-2) vs {share_high:.0%} of {n_high} satisfied ones (4-5), a gap of {estimate:+.1%} "
              "({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}, Newcombe; chi-square p = {p:.3f}): at this sample "
              "size the data cannot tell whether dissatisfied customers leave more often.",
        "zh": "随后 {window} 天内没有购买的比例：不满意的客户（整体满意度 1-2）{n_low} 人中 {share_low:.0%}，"
              "满意的客户（4-5）{n_high} 人中 {share_high:.0%}，相差 {estimate:+.1%}（{level:.0%} 置信区间 "
              "{ci_low:+.1%} 至 {ci_high:+.1%}，Newcombe 法；卡方检验 p = {p:.3f}）：在这一样本量下，数据无法判断"
              "不满意的客户是否更容易流失。"},
    "survey.churn_gap.title.up": {"en": "Dissatisfied customers are more often inactive later",
                                  "zh": "不满意的客户之后更常不再购买"},
    "survey.churn_gap.title.down": {"en": "Dissatisfied customers are less often inactive later",
                                    "zh": "不满意的客户之后反而较少不再购买"},
    "survey.churn_gap.title.unclear": {"en": "Satisfaction and later inactivity: no clear link at this sample size",
                                       "zh": "满意度与之后不再购买：在这一样本量下没有明确关系"},
    "survey.competitor_churn.up": {
        "en": "Respondents who rate Suning worse than their other retailer are more often inactive in the next "
              "{window} days: {share_low:.0%} of {n_low} vs {share_high:.0%} of {n_high} who rate it better, a gap of "
              "{estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}, Newcombe; chi-square p = {p:.3f}).",
        "zh": "认为苏宁比其常去的另一家零售商更差的受访者，在随后 {window} 天内更常没有购买：{n_low} 人中 "
              "{share_low:.0%}，认为更好的 {n_high} 人中 {share_high:.0%}，相差 {estimate:+.1%}（{level:.0%} 置信区间 "
              "{ci_low:+.1%} 至 {ci_high:+.1%}，Newcombe 法；卡方检验 p = {p:.3f}）。"},
    "survey.competitor_churn.down": {
        "en": "Respondents who rate Suning worse than their other retailer are less often inactive in the next "
              "{window} days: {share_low:.0%} of {n_low} vs {share_high:.0%} of {n_high} who rate it better, a gap of "
              "{estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}, Newcombe; chi-square p = {p:.3f}).",
        "zh": "认为苏宁比其常去的另一家零售商更差的受访者，在随后 {window} 天内反而较少没有购买：{n_low} 人中 "
              "{share_low:.0%}，认为更好的 {n_high} 人中 {share_high:.0%}，相差 {estimate:+.1%}（{level:.0%} 置信区间 "
              "{ci_low:+.1%} 至 {ci_high:+.1%}，Newcombe 法；卡方检验 p = {p:.3f}）。"},
    "survey.competitor_churn.unclear": {
        "en": "No order in the next {window} days: {share_low:.0%} of {n_low} respondents who rate Suning worse than "
              "their other retailer vs {share_high:.0%} of {n_high} who rate it better, a gap of {estimate:+.1%} "
              "({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}, Newcombe; chi-square p = {p:.3f}): the data cannot "
              "tell whether the competitor answer predicts leaving.",
        "zh": "随后 {window} 天内没有购买的比例：认为苏宁比另一家零售商更差的 {n_low} 人中 {share_low:.0%}，认为更好的 "
              "{n_high} 人中 {share_high:.0%}，相差 {estimate:+.1%}（{level:.0%} 置信区间 {ci_low:+.1%} 至 "
              "{ci_high:+.1%}，Newcombe 法；卡方检验 p = {p:.3f}）：数据无法判断对竞争对手的评价能否预测流失。"},
    "churn.x": {"en": "overall satisfaction (1-5)", "zh": "整体满意度（1-5）"},
    "churn.y": {"en": "share with no order in the next {window} days (95% CI)",
                "zh": "随后 {window} 天内没有购买的比例（95% 置信区间）"},
    # 0. the questionnaire
    "construct.advertising": {"en": "advertising", "zh": "宣传"},
    "construct.price": {"en": "price", "zh": "价格"},
    "construct.service": {"en": "service", "zh": "服务"},
    "construct.quality": {"en": "quality", "zh": "质量"},
    "construct.overall": {"en": "overall satisfaction", "zh": "整体满意度"},
    "construct.loyalty": {"en": "recommendation (NPS)", "zh": "推荐意愿（净推荐值）"},
    "construct.competition": {"en": "competitor", "zh": "竞争对手"},
    "construct.fieldwork": {"en": "fieldwork", "zh": "调查实施"},
    "construct.feedback": {"en": "open feedback", "zh": "开放式意见"},
    "construct.wallet": {"en": "share of wallet", "zh": "钱包份额"},
    # 6. sampling bias
    "sample.sizes": {
        "en": "Sampling frame: {n_frame:,} customers with an order before the fieldwork began ({start}); "
              "{n_resp:,} of them answered ({rate:.0%}); {n_outside} responses are anonymous or outside the frame.",
        "zh": "抽样框：调查开始（{start}）前下过订单的客户共 {n_frame:,} 人，其中 {n_resp:,} 人作答（{rate:.0%}）；"
              "另有 {n_outside} 份问卷为匿名或不在抽样框内。"},
    **_sample_claims(),
    "survey.channel_gap.up": {
        "en": "Respondents interviewed in a store are more likely to recommend: NPS {nps_a:+.1f} (n = {n_a}) vs "
              "{nps_b:+.1f} in the app (n = {n_b}), a difference of {estimate:+.1f} points ({level:.0%} bootstrap CI "
              "{ci_low:+.1f} to {ci_high:+.1f}).",
        "zh": "在门店作答的受访者更愿意推荐：净推荐值 {nps_a:+.1f}（n = {n_a}），手机客户端为 {nps_b:+.1f}"
              "（n = {n_b}），相差 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）。"},
    "survey.channel_gap.down": {
        "en": "Respondents interviewed in a store are less likely to recommend: NPS {nps_a:+.1f} (n = {n_a}) vs "
              "{nps_b:+.1f} in the app (n = {n_b}), a difference of {estimate:+.1f} points ({level:.0%} bootstrap CI "
              "{ci_low:+.1f} to {ci_high:+.1f}).",
        "zh": "在门店作答的受访者推荐意愿更低：净推荐值 {nps_a:+.1f}（n = {n_a}），手机客户端为 {nps_b:+.1f}"
              "（n = {n_b}），相差 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）。"},
    "survey.channel_gap.unclear": {
        "en": "NPS {nps_a:+.1f} among store respondents (n = {n_a}) vs {nps_b:+.1f} among app respondents "
              "(n = {n_b}), a difference of {estimate:+.1f} points ({level:.0%} bootstrap CI {ci_low:+.1f} to "
              "{ci_high:+.1f}): the data cannot tell whether the answering channel goes with a different NPS.",
        "zh": "门店作答者的净推荐值为 {nps_a:+.1f}（n = {n_a}），手机客户端作答者为 {nps_b:+.1f}（n = {n_b}），"
              "相差 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）：数据无法判断"
              "作答渠道不同时净推荐值是否不同。"},
    # 7. city tiers
    "survey.tier_gap.up": {
        "en": "Customers in tier-1 and tier-2 cities are more likely to recommend than those in tier-3 to 5 cities: "
              "NPS {nps_a:+.1f} (n = {n_a}) vs {nps_b:+.1f} (n = {n_b}), a difference of {estimate:+.1f} points "
              "({level:.0%} bootstrap CI {ci_low:+.1f} to {ci_high:+.1f}).",
        "zh": "一、二线城市的客户比三至五线城市的客户更愿意推荐：净推荐值 {nps_a:+.1f}（n = {n_a}）对 {nps_b:+.1f}"
              "（n = {n_b}），相差 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）。"},
    "survey.tier_gap.down": {
        "en": "Customers in tier-1 and tier-2 cities are less likely to recommend than those in tier-3 to 5 cities: "
              "NPS {nps_a:+.1f} (n = {n_a}) vs {nps_b:+.1f} (n = {n_b}), a difference of {estimate:+.1f} points "
              "({level:.0%} bootstrap CI {ci_low:+.1f} to {ci_high:+.1f}).",
        "zh": "一、二线城市的客户推荐意愿低于三至五线城市的客户：净推荐值 {nps_a:+.1f}（n = {n_a}）对 {nps_b:+.1f}"
              "（n = {n_b}），相差 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）。"},
    "survey.tier_gap.unclear": {
        "en": "NPS {nps_a:+.1f} in tier-1 and tier-2 cities (n = {n_a}) vs {nps_b:+.1f} in tier-3 to 5 cities "
              "(n = {n_b}), a difference of {estimate:+.1f} points ({level:.0%} bootstrap CI {ci_low:+.1f} to "
              "{ci_high:+.1f}): the data cannot tell whether the NPS differs between large and smaller cities.",
        "zh": "一、二线城市的净推荐值为 {nps_a:+.1f}（n = {n_a}），三至五线城市为 {nps_b:+.1f}（n = {n_b}），"
              "相差 {estimate:+.1f} 分（{level:.0%} bootstrap 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）：数据无法判断"
              "大城市与较小城市的净推荐值是否不同。"},
    "survey.tier_gap.title.up": {"en": "NPS by city tier: higher in tier-1/2 cities",
                                 "zh": "各城市等级的净推荐值：一、二线城市更高"},
    "survey.tier_gap.title.down": {"en": "NPS by city tier: lower in tier-1/2 cities",
                                   "zh": "各城市等级的净推荐值：一、二线城市更低"},
    "survey.tier_gap.title.unclear": {"en": "NPS by city tier: no clear difference between large and smaller cities",
                                      "zh": "各城市等级的净推荐值：大城市与较小城市之间没有明确差异"},
    "tier.1": {"en": "tier 1", "zh": "一线"},
    "tier.2": {"en": "tier 2", "zh": "二线"},
    "tier.3": {"en": "tier 3", "zh": "三线"},
    "tier.4": {"en": "tier 4", "zh": "四线"},
    "tier.5": {"en": "tier 5", "zh": "五线"},
    "tier.x": {"en": "city tier", "zh": "城市等级"},
    "tier.y": {"en": "NPS (points, 95% CI)", "zh": "净推荐值（分，95% 置信区间）"},
    "tier.all": {"en": "all respondents", "zh": "全部受访者"},
    "kruskal.tier": {"en": "Overall satisfaction by city tier: Kruskal-Wallis p = {p:.3f}",
                     "zh": "按城市等级分组的整体满意度：Kruskal-Wallis 检验 p = {p:.3f}"},
    # 8. competitors
    "survey.competitor.up": {
        "en": "Against {competitor}, more respondents rate Suning better than worse: {better:.0%} better, "
              "{worse:.0%} worse, net {estimate:+.0%} ({level:.0%} CI {ci_low:+.0%} to {ci_high:+.0%}, n = {n}).",
        "zh": "与{competitor}相比，认为苏宁更好的受访者多于认为更差的：更好 {better:.0%}，更差 {worse:.0%}，"
              "净比例 {estimate:+.0%}（{level:.0%} 置信区间 {ci_low:+.0%} 至 {ci_high:+.0%}，n = {n}）。"},
    "survey.competitor.down": {
        "en": "Against {competitor}, more respondents rate Suning worse than better: {better:.0%} better, "
              "{worse:.0%} worse, net {estimate:+.0%} ({level:.0%} CI {ci_low:+.0%} to {ci_high:+.0%}, n = {n}).",
        "zh": "与{competitor}相比，认为苏宁更差的受访者多于认为更好的：更好 {better:.0%}，更差 {worse:.0%}，"
              "净比例 {estimate:+.0%}（{level:.0%} 置信区间 {ci_low:+.0%} 至 {ci_high:+.0%}，n = {n}）。"},
    "survey.competitor.unclear": {
        "en": "Against {competitor}: {better:.0%} rate Suning better, {worse:.0%} worse, net {estimate:+.0%} "
              "({level:.0%} CI {ci_low:+.0%} to {ci_high:+.0%}, n = {n}): the data cannot tell whether Suning is "
              "seen as better or worse.",
        "zh": "与{competitor}相比：{better:.0%} 认为苏宁更好，{worse:.0%} 认为更差，净比例 {estimate:+.0%}"
              "（{level:.0%} 置信区间 {ci_low:+.0%} 至 {ci_high:+.0%}，n = {n}）：数据无法判断苏宁被认为更好还是更差。"},
    "competitor.title": {"en": "Suning compared with the competitor each respondent also uses",
                         "zh": "受访者将苏宁与其同时使用的竞争对手相比"},
    "competitor.x": {"en": "competitor the respondent also uses", "zh": "受访者同时使用的竞争对手"},
    "competitor.y": {"en": "better minus worse (95% CI)", "zh": "更好减更差（95% 置信区间）"},
    # exercises: formative hints (never the expected value)
    "ex.float": {"en": "Store a single number (a float).", "zh": "请存入一个数（浮点数）。"},
    "ex.alpha_range": {"en": "Cronbach's alpha of a scale whose items agree lies between 0 and 1: check the "
                             "formula (k/(k-1), variances of the items and of the row sums).",
                       "zh": "题项一致的量表，克朗巴哈系数应在 0 与 1 之间：请检查公式（k/(k-1)、各题项的方差与行总和的方差）。"},
    "ex.alpha_all_items": {"en": "This is the alpha of all five service items: leave service_4 out.",
                           "zh": "这是全部五个服务题项的 α：请去掉 service_4。"},
    "ex.nps_range": {"en": "The NPS is in points, between -100 and +100.", "zh": "净推荐值以分表示，范围为 -100 至 +100。"},
    "ex.nps_points": {"en": "Looks like a share: multiply by 100 to get points.", "zh": "这看起来是比例：乘以 100 换算为分。"},
    "ex.nps_everyone": {"en": "This is the NPS of all respondents: keep only overall satisfaction 4 or 5.",
                        "zh": "这是全部受访者的净推荐值：只保留整体满意度为 4 或 5 的受访者。"},
    "ex.nps_cutoff": {"en": "Check the cut-offs: detractors answer 0 to 6 (6 included), promoters 9 or 10.",
                      "zh": "请检查分界点：贬损者为 0 至 6 分（含 6 分），推荐者为 9 或 10 分。"},
    "ex.driver_name": {"en": "top_driver_recommend must be one of: {names}.",
                       "zh": "top_driver_recommend 必须是以下之一：{names}。"},
    "ex.driver_index": {"en": "recommend_shares needs one value per dimension, indexed by the dimension names.",
                        "zh": "recommend_shares 需要每个维度一个值，并以维度名称为索引。"},
    "ex.driver_negative": {"en": "A share of explained variance is never negative: regression coefficients are not "
                                 "relative weights.",
                           "zh": "解释方差的份额不会为负：回归系数不是相对权重。"},
    "ex.driver_sum": {"en": "The shares should add up to 1: divide the relative weights by their sum (R²).",
                      "zh": "份额相加应等于 1：请用相对权重除以它们的总和（R²）。"},
    "ex.weights_respondents": {"en": "This is the unweighted NPS: weight each tier by its share of the customer base, "
                                     "not of the respondents.",
                               "zh": "这是未加权的净推荐值：应按各城市等级在客户总体中的比例加权，而不是按其在受访者中的比例。"},
    "ex.driver_consistent": {"en": "top_driver_recommend should be the dimension with the largest share.",
                             "zh": "top_driver_recommend 应当是份额最大的维度。"},
    # 10. comments
    "comments.n": {"en": "{n} respondents ({share:.0%}) left a comment. Some comments of the dissatisfied (1-2):",
                   "zh": "{n} 位受访者（{share:.0%}）填写了意见。不满意（1-2 分）的受访者的部分意见："},
    "theme.delivery": {"en": "delivery", "zh": "配送"},
    "theme.installation": {"en": "installation", "zh": "安装"},
    "theme.price": {"en": "price", "zh": "价格"},
    "theme.coupon": {"en": "coupon", "zh": "优惠券"},
    "theme.customer service": {"en": "customer service", "zh": "客服与投诉"},
    "theme.competitor": {"en": "competitor", "zh": "竞争对手"},
    "theme.praise": {"en": "praise", "zh": "表扬"},
    # result
    "ranking": {"en": "Ranking of the point estimates of the driver shares: {ranking}",
                "zh": "驱动因素份额点估计的排序：{ranking}"},
    # truth check
    "truth.nps": {"en": "NPS (truth: expected NPS of the respondents)", "zh": "净推荐值（真值：受访者的期望净推荐值）"},
    "truth.share": {"en": "share of explained variance: {dimension}", "zh": "解释方差份额：{dimension}"},
    "truth.lead": {"en": "lead of {leader} over {runner_up}", "zh": "{leader}领先{runner_up}的差距"},
    "truth.ranking": {"en": "driver ranking (relative-weight shares)", "zh": "驱动因素排序（相对权重份额）"},
    "truth.churn_gap": {"en": "inactivity gap, dissatisfied minus satisfied (truth: expected from the latent purchase "
                              "rates and lifetimes)",
                        "zh": "不再购买比例之差：不满意减满意（真值：由潜在购买率与客户寿命推算的期望值）"},
    "truth.structural": {"en": "structural weights of the latent dimensions (not estimated here)",
                         "zh": "潜在维度的结构权重（本课未估计）"},
    "truth.covers": {"en": "CI should cover", "zh": "置信区间应覆盖真值"},
    "truth.same": {"en": "same order", "zh": "顺序相同"},
    "truth.reference": {"en": "for reference", "zh": "仅供参考"},
    "truth.sample.store_shoppers": {"en": "store shoppers, respondents minus base (truth: random response)",
                                    "zh": "门店购物者比例：受访者减总体（真值：随机作答）"},
    "truth.sample.repeat_buyers": {"en": "repeat buyers, respondents minus base (truth: random response)",
                                   "zh": "重复购买者比例：受访者减总体（真值：随机作答）"},
    "truth.channel_gap": {"en": "NPS, store minus app respondents (truth: expected from latent attitudes)",
                          "zh": "净推荐值：门店减手机客户端作答者（真值：由潜在态度推算的期望值）"},
    "truth.tier_gap": {"en": "NPS, tier-1/2 minus tier-3 to 5 cities (truth: expected from latent attitudes)",
                       "zh": "净推荐值：一、二线减三至五线城市（真值：由潜在态度推算的期望值）"},
    "truth.competitor": {"en": "net share rating Suning better than {competitor} (truth: expected)",
                         "zh": "认为苏宁优于{competitor}的净比例（真值：期望值）"},
    "truth.competitor_churn": {"en": "inactivity gap, rate Suning worse minus better than the competitor (truth: "
                                     "expected from the latent purchase rates and lifetimes)",
                               "zh": "不再购买比例之差：认为苏宁更差减更好（真值：由潜在购买率与客户寿命推算的期望值）"},
    "truth.none": {"en": "No truth file with these data: nothing to check against.",
                   "zh": "这份数据没有真值文件：无可核对。"},
})
