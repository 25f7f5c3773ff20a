"""Sentences, figure titles and labels of lesson 07 (the multichannel customer and the lifecycle), in English and Chinese.

Every sentence that states something about the data is a claim template
(:mod:`crmlab.analysis.claims`): ``<id>.up`` / ``.down`` / ``.unclear``; the
notebook fills in the run's estimate and interval. The other entries are
labels, table headers, figure titles, the lines that print numbers and the
hints of the exercise checks.

Examples
--------
>>> from crmlab.notebook.texts.lifecycle import MESSAGES
>>> MESSAGES("type.multichannel", "zh")
'多渠道'
>>> MESSAGES("lifecycle.winnable.down", "en", estimate=0.25, ci_low=0.22, ci_high=0.28, level=0.95, n=1400)
'Fewer than half of the 1,400 lapsed customers are still alive by the model: 25.0% (95% interval 22.0% to 28.0%) - the winnable share.'
"""

from __future__ import annotations

from ...i18n import Messages, estimate_phrase

__all__ = ["MESSAGES"]

_PCT = estimate_phrase("+.0%")
_PP = estimate_phrase("+.1%")
_SHARE = estimate_phrase(".1%", word="interval")


def _claim(claim_id: str, up: tuple[str, str], down: tuple[str, str], unclear: tuple[str, str],
           number: dict[str, str]) -> dict:
    """up / down / unclear sentences, each followed by the estimate and its interval."""
    return {f"{claim_id}.{key}": {"en": en + " " + number["en"] + ".", "zh": zh + number["zh"] + "。"}
            for key, (en, zh) in (("up", up), ("down", down), ("unclear", unclear))}


MESSAGES = Messages({
    "data.summary": {"en": "{customers:,} customers, {buyers:,} with a counted order; {orders:,} counted orders "
                           "from {first} to {last}; {stores} stores.",
                     "zh": "{customers:,} 位客户，其中 {buyers:,} 位有计入的订单；{first} 至 {last} 共 {orders:,} 个计入的订单；"
                           "{stores} 家门店。"},
    # channel types and labels
    "type.store_only": {"en": "store only", "zh": "仅门店"},
    "type.web_only": {"en": "web only", "zh": "仅网站"},
    "type.app_only": {"en": "app only", "zh": "仅手机客户端"},
    "type.multichannel": {"en": "multichannel", "zh": "多渠道"},
    "system.unified": {"en": "unified view", "zh": "统一视图"},
    "system.store": {"en": "store system", "zh": "门店系统"},
    "system.web": {"en": "web system", "zh": "网站系统"},
    "system.app": {"en": "app system", "zh": "手机客户端系统"},
    "col.n": {"en": "customers", "zh": "客户数"},
    "col.mean": {"en": "mean", "zh": "均值"},
    "col.ci_low": {"en": "CI low", "zh": "置信下限"},
    "col.ci_high": {"en": "CI high", "zh": "置信上限"},
    "col.n_customers": {"en": "customers", "zh": "客户数"},
    "col.spend_per_customer": {"en": "spend per customer (yuan)", "zh": "人均消费（元）"},
    "col.n_lapsed": {"en": "lapsed", "zh": "已沉睡"},
    "col.lapsed_share": {"en": "share lapsed", "zh": "沉睡比例"},
    "col.new_customers": {"en": "new customers", "zh": "新客户"},
    "col.returning_customers": {"en": "returning customers", "zh": "老客户"},
    "col.new_revenue": {"en": "revenue from new (yuan)", "zh": "新客户收入（元）"},
    "col.returning_revenue": {"en": "revenue from returning (yuan)", "zh": "老客户收入（元）"},
    "col.returning_share": {"en": "returning share", "zh": "老客户占比"},
    "col.channel_type": {"en": "channel type", "zh": "渠道类型"},
    "col.system": {"en": "system", "zh": "系统"},
    "col.format": {"en": "store format", "zh": "门店类型"},
    "col.city_tier": {"en": "city tier", "zh": "城市级别"},
    "col.year": {"en": "year", "zh": "年份"},
    "value.spend": {"en": "spend per customer (yuan)", "zh": "人均消费（元）"},
    "value.n_orders": {"en": "orders per customer", "zh": "人均订单数"},
    "value.spend_per_order": {"en": "spend per order (yuan)", "zh": "单均消费（元）"},
    "group.tier": {"en": "tier {tier}", "zh": "{tier}线城市"},
    "toy.print": {"en": "by hand: {types}; package: {pkg}", "zh": "手算：{types}；程序包：{pkg}"},
    # figures
    "value.title": {"en": "Spend per customer and per order by channel type, with 95% intervals",
                    "zh": "各渠道类型的人均消费与单均消费（含95%置信区间）"},
    "value.ylabel": {"en": "yuan", "zh": "元"},
    "mix.title": {"en": "Category shares of store sales by store format", "zh": "各类型门店销售额的品类构成"},
    "mix.tier_title": {"en": "Category shares of sales by the customer's city tier", "zh": "按客户所在城市级别的销售额品类构成"},
    "mix.xlabel": {"en": "share of sales", "zh": "销售额占比"},
    "silo.title": {"en": "Share of customers called lapsed: each channel's system vs the unified view",
                   "zh": "被判为沉睡客户的比例：各渠道系统与统一视图"},
    "silo.ylabel": {"en": "share lapsed (no order in 365 days)", "zh": "沉睡比例（365天内无订单）"},
    "silo.print": {"en": "The {system} calls {lapsed:,} of its {n:,} customers lapsed; {elsewhere:,} of them "
                         "({share:.1%}) bought in another channel in the last {days} days.",
                   "zh": "{system}将其 {n:,} 位客户中的 {lapsed:,} 位判为沉睡；其中 {elsewhere:,} 位（{share:.1%}）"
                         "在最近 {days} 天内在其他渠道购买过。"},
    "silo.count": {"en": "The three systems count {silo:,} \"customers\"; the unified view {unified:,} people.",
                   "zh": "三个系统合计 {silo:,} 位“客户”；统一视图中实际是 {unified:,} 人。"},
    "heat.title": {"en": "Share of each signup-quarter cohort with an order in each quarter after signup",
                   "zh": "各注册季度队列在注册后各季度有订单的客户比例"},
    "heat.xlabel": {"en": "quarter after signup", "zh": "注册后第几个季度"},
    "heat.ylabel": {"en": "signup quarter", "zh": "注册季度"},
    "curve.title": {"en": "Retention curves by signup channel, with 95% intervals",
                    "zh": "按注册渠道的留存曲线（含95%置信区间）"},
    "curve.xlabel": {"en": "quarter after signup", "zh": "注册后第几个季度"},
    "curve.ylabel": {"en": "share with a counted order", "zh": "有计入订单的客户比例"},
    "revenue.title": {"en": "Revenue by year: new and returning customers", "zh": "各年收入：新客户与老客户"},
    "revenue.ylabel": {"en": "revenue (million yuan)", "zh": "收入（百万元）"},
    "revenue.new": {"en": "new customers (acquisition)", "zh": "新客户（客户获取）"},
    "revenue.returning": {"en": "returning customers (retention)", "zh": "老客户（客户保留）"},
    "winback.print": {"en": "{lapsed:,} of {n:,} customers ({share:.1%}) are lapsed (last counted order at least "
                            "{days} days before {as_of}); they spent {value:,.0f} yuan in total.",
                      "zh": "{n:,} 位客户中有 {lapsed:,} 位（{share:.1%}）已沉睡（最后一个计入的订单在 {as_of} 之前至少 "
                            "{days} 天）；他们过去共消费 {value:,.0f} 元。"},
    "winback.bgnbd": {"en": "The original BG/NBD would say {estimate:.1%}: it gives every one-time buyer "
                            "P(alive) = 1 ({once:.0%} of the lapsed bought on one day only).",
                      "zh": "原始 BG/NBD 模型会给出 {estimate:.1%}：它认为所有只买过一次的客户都“活着”（P(alive) = 1），"
                            "而沉睡客户中有 {once:.0%} 只在一天购买过。"},
    "winback.title": {"en": "P(alive) of lapsed customers (modified BG/NBD)", "zh": "沉睡客户的存活概率（修正 BG/NBD）"},
    "winback.xlabel": {"en": "P(alive)", "zh": "存活概率 P(alive)"},
    "winback.ylabel": {"en": "lapsed customers", "zh": "沉睡客户数"},
    "result.header": {"en": "Findings of this run:", "zh": "本次运行的发现："},
    # exercise hints (never the expected value)
    "hint.share": {"en": "Expected a share between 0 and 1 (a float), not a percentage or a count.",
                   "zh": "应为 0 到 1 之间的比例（浮点数），而不是百分数或人数。"},
    "hint.other_channel": {"en": "This equals the store system's number: the question asks about the web system.",
                           "zh": "这与门店系统的结果相同：题目问的是网站系统。"},
    "hint.denominator_lapsed": {"en": "Divide by all of the web system's customers, not only by those it calls "
                                      "lapsed.",
                                "zh": "分母应是网站系统的全部客户，而不只是它判为沉睡的客户。"},
    "hint.period": {"en": "Periods here are half-years (182 days); this looks like a quarter's retention.",
                    "zh": "这里的时期是半年（182天）；你的结果看起来像是按季度计算的留存。"},
    "hint.cohort": {"en": "Use only customers who signed up on the web (customers.signup_channel).",
                    "zh": "只用通过网站注册的客户（customers.signup_channel）。"},
    "hint.subgroup": {"en": "This is the mean over all lapsed customers; the question asks about the repeat "
                            "buyers among them (frequency >= 1).",
                      "zh": "这是全部沉睡客户的均值；题目问的是其中的重复购买者（frequency >= 1）。"},
    "hint.model": {"en": "Use the modified BG/NBD (model='mbgnbd').", "zh": "请使用修正的 BG/NBD（model='mbgnbd'）。"},
    # claims
    **_claim("lifecycle.multichannel_raw",
             ("Multichannel customers spend more in total than single-channel customers:",
              "多渠道客户的总消费高于单渠道客户："),
             ("Multichannel customers spend less in total than single-channel customers:",
              "多渠道客户的总消费低于单渠道客户："),
             ("These data cannot tell whether multichannel customers spend more in total:",
              "数据不足以判断多渠道客户的总消费是否更高："), _PCT),
    **_claim("lifecycle.multichannel_adjusted",
             ("At the same number of orders, multichannel customers still spend more:",
              "在订单数相同的情况下，多渠道客户的消费仍然更高："),
             ("At the same number of orders, multichannel customers spend less:",
              "在订单数相同的情况下，多渠道客户的消费更低："),
             ("At the same number of orders, these data cannot tell whether multichannel customers spend more:",
              "在订单数相同的情况下，数据不足以判断多渠道客户的消费是否更高："), _PCT),
    **_claim("lifecycle.silo_store",
             ("The store system calls customers lapsed who still buy online: it overstates its lapsed share by",
              "门店系统把仍在线上购买的客户判为沉睡：它高估沉睡比例"),
             ("The store system understates its lapsed share by",
              "门店系统低估沉睡比例"),
             ("These data cannot tell whether the store system misjudges lapsed customers:",
              "数据不足以判断门店系统是否误判了沉睡客户："), _PP),
    **_claim("lifecycle.retention_app_minus_store",
             ("Customers who signed up in the app keep buying more often in their second quarter than store signups:",
              "通过手机客户端注册的客户在注册后第二个季度继续购买的比例高于门店注册的客户："),
             ("Customers who signed up in the app keep buying less often in their second quarter than store signups:",
              "通过手机客户端注册的客户在注册后第二个季度继续购买的比例低于门店注册的客户："),
             ("These data cannot tell whether app and store signups differ in second-quarter retention:",
              "数据不足以判断手机客户端与门店注册的客户在第二个季度的留存是否不同："), _PP),
    **_claim("lifecycle.returning_share",
             ("More than half of the last year's revenue came from returning customers:",
              "最近一年的收入中，一半以上来自老客户："),
             ("Less than half of the last year's revenue came from returning customers:",
              "最近一年的收入中，来自老客户的不到一半："),
             ("These data cannot tell whether returning customers brought more or less than half of the last "
              "year's revenue:", "数据不足以判断最近一年的收入中来自老客户的是否超过一半："), _SHARE),
    "lifecycle.winnable.up": {
        "en": "More than half of the {n:,} lapsed customers are still alive by the model: " + _SHARE["en"]
              + " - the winnable share.",
        "zh": "按模型估计，{n:,} 位沉睡客户中一半以上仍然“活着”：" + _SHARE["zh"] + "——这就是可挽回的比例。"},
    "lifecycle.winnable.down": {
        "en": "Fewer than half of the {n:,} lapsed customers are still alive by the model: " + _SHARE["en"]
              + " - the winnable share.",
        "zh": "按模型估计，{n:,} 位沉睡客户中仍然“活着”的不到一半：" + _SHARE["zh"] + "——这就是可挽回的比例。"},
    "lifecycle.winnable.unclear": {
        "en": "These data cannot tell whether more or fewer than half of the {n:,} lapsed customers are still "
              "alive: " + _SHARE["en"] + ".",
        "zh": "数据不足以判断 {n:,} 位沉睡客户中仍然“活着”的是否超过一半：" + _SHARE["zh"] + "。"},
    # section 6: up-sell and share of wallet
    "move.up": {"en": "up a tier", "zh": "升档"},
    "move.same": {"en": "same tier", "zh": "同档"},
    "move.down": {"en": "down a tier", "zh": "降档"},
    "col.move": {"en": "next purchase in the category", "zh": "同品类的下一次购买"},
    "col.share": {"en": "share", "zh": "比例"},
    "col.sd": {"en": "SD", "zh": "标准差"},
    "col.group": {"en": "NPS group", "zh": "净推荐值分组"},
    "nps.detractor": {"en": "detractors (0-6)", "zh": "贬损者（0-6）"},
    "nps.passive": {"en": "passives (7-8)", "zh": "被动者（7-8）"},
    "nps.promoter": {"en": "promoters (9-10)", "zh": "推荐者（9-10）"},
    "upsell.print": {"en": "{pairs:,} repeat purchases in the same category by {customers:,} customers; "
                           "{moved:,} of them changed tier (the drift is estimated from these).",
                     "zh": "{customers:,} 位客户在同一品类中有 {pairs:,} 次重复购买；其中 {moved:,} 次换了价格档次（升级趋势由这些购买估计）。"},
    "upsell.skipped": {"en": "Too few repeat purchases in the same category for the up-sell model.",
                       "zh": "同一品类的重复购买太少，无法估计购买升级模型。"},
    "wallet.title": {"en": "Stated share of wallet by NPS group, with 95% intervals",
                     "zh": "各净推荐值分组自报的钱包份额（含95%置信区间）"},
    "wallet.ylabel": {"en": "stated share of 3C spending at Suning (%)", "zh": "自报在苏宁的3C支出占比（%）"},
    "wallet.missing": {"en": "This survey has no share-of-wallet questions (wallet_share, stores_visited): skipped.",
                       "zh": "该问卷没有钱包份额相关题目（wallet_share、stores_visited），跳过本部分。"},
    "hint.upsell_sign": {"en": "Log-odds per year: positive means moving up becomes more likely with time.",
                         "zh": "每年的对数优势：为正表示随时间推移升档的可能性增大。"},
    **_claim("lifecycle.upsell_drift",
             ("Customers move up a price tier more often the longer they have been buying (log-odds per year):",
              "客户购买时间越长，在同一品类中升档的可能性越大（每年的对数优势）："),
             ("Customers move down a price tier more often the longer they have been buying (log-odds per year):",
              "客户购买时间越长，在同一品类中降档的可能性越大（每年的对数优势）："),
             ("These data cannot tell whether customers drift up or down the price tiers over time (log-odds per "
              "year):", "数据不足以判断客户是否随时间在价格档次上升级或降级（每年的对数优势）："),
             {"en": "{estimate:+.2f} ({level:.0%} CI {ci_low:+.2f} to {ci_high:+.2f})",
              "zh": "{estimate:+.2f}（{level:.0%} 置信区间 {ci_low:+.2f} 至 {ci_high:+.2f}）"}),
    **_claim("lifecycle.wallet_mean",
             ("Respondents say Suning gets more than half of their 3C spending:",
              "受访者表示其3C支出的一半以上给了苏宁："),
             ("Respondents say Suning gets less than half of their 3C spending - low loyalty:",
              "受访者表示给苏宁的3C支出不到一半——忠诚度较低："),
             ("These data cannot tell whether respondents give Suning more or less than half of their 3C spending:",
              "数据不足以判断受访者给苏宁的3C支出是否超过一半："),
             {"en": "{estimate:.1f}% on average ({level:.0%} CI {ci_low:.1f}% to {ci_high:.1f}%)",
              "zh": "平均 {estimate:.1f}%（{level:.0%} 置信区间 {ci_low:.1f}% 至 {ci_high:.1f}%）"}),
    **_claim("lifecycle.stores_3plus",
             ("More respondents visited three or more 3C retailers last month than the course's 51%:",
              "上个月光顾过3家及以上3C零售商的受访者比例高于课程中的51%："),
             ("Fewer respondents visited three or more 3C retailers last month than the course's 51%:",
              "上个月光顾过3家及以上3C零售商的受访者比例低于课程中的51%："),
             ("These data cannot tell whether the share visiting three or more 3C retailers differs from the "
              "course's 51%:", "数据不足以判断光顾3家及以上3C零售商的比例是否与课程中的51%不同："), _SHARE),
    **_claim("lifecycle.wallet_promoters",
             ("Promoters say they give Suning a larger share of their spending than detractors:",
              "推荐者自报给苏宁的支出份额高于贬损者："),
             ("Promoters say they give Suning a smaller share of their spending than detractors:",
              "推荐者自报给苏宁的支出份额低于贬损者："),
             ("These data cannot tell whether promoters and detractors differ in their stated share of wallet:",
              "数据不足以判断推荐者与贬损者自报的钱包份额是否不同："),
             {"en": "{estimate:+.1f} percentage points ({level:.0%} CI {ci_low:+.1f} to {ci_high:+.1f})",
              "zh": "{estimate:+.1f} 个百分点（{level:.0%} 置信区间 {ci_low:+.1f} 至 {ci_high:+.1f}）"}),
})
