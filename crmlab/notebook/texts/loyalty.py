"""Sentences, figure titles and labels of lesson 04 (loyalty programme), in English and Chinese.

Every sentence that states something about the data is a claim template
(:mod:`crmlab.analysis.claims`): ``<id>.up`` / ``.down`` / ``.unclear``; the
notebook fills in the run's estimate and interval. The other entries are
labels, figure titles and the lines that print numbers.

Examples
--------
>>> from crmlab.notebook.texts.loyalty import MESSAGES
>>> print(MESSAGES("loyalty.launch_itt.unclear", "en", estimate=0.05, ci_low=-0.2, ci_high=0.4, level=0.95))
... # doctest: +NORMALIZE_WHITESPACE
The data at this size cannot tell whether launching the card changed the orders of a city's customers:
intention-to-treat effect +5.0% (95% CI -20.0% to +40.0%).
>>> MESSAGES("fig.estimators.xlabel", "zh")
'估计方法'
"""

from __future__ import annotations

from ...i18n import Messages, estimate_phrase

__all__ = ["MESSAGES"]

_PCT = estimate_phrase("+.1%")
_PP = estimate_phrase("+.2f")
_N = estimate_phrase(".0f", after={"en": " members", "zh": " 位会员"})
_X = estimate_phrase(".1f", after={"en": " times", "zh": " 倍"})


def _claim(cid: str, up: dict, down: dict, unclear: dict, tail: dict) -> dict:
    """The three sentences of a directional claim, each followed by ``tail`` (estimate and interval)."""
    return {f"{cid}.{k}": {lang: v[lang] + tail[lang] + ("." if lang == "en" else "。") for lang in ("en", "zh")}
            for k, v in (("up", up), ("down", down), ("unclear", unclear))}


MESSAGES = Messages({
    # ------------------------------------------------------------------ data
    "data.summary": {"en": "{customers:,} customers x months = {rows:,} rows; {members:,} members",
                     "zh": "{customers:,} 位客户 × 月份 = {rows:,} 行；会员 {members:,} 位"},
    "data.waves": {"en": "programme launch dates (members per launch wave): {waves}",
                   "zh": "会员卡上线日期（各批次城市的会员人数）：{waves}"},
    # ------------------------------------------------------------------ naive and selection
    **_claim("loyalty.naive_lift",
             {"en": "Members place more orders per month than non-members after the launch: ",
              "zh": "上线后，会员每月的订单数多于非会员："},
             {"en": "Members place fewer orders per month than non-members after the launch: ",
              "zh": "上线后，会员每月的订单数少于非会员："},
             {"en": "The data at this size cannot tell whether members order more than non-members: ",
              "zh": "以目前的数据量无法判断会员的订单是否多于非会员："}, _PCT),
    "naive.print": {"en": "{members:,} members vs {nonmembers:,} non-members; spend per customer-month {spend:+.0%}",
                    "zh": "{members:,} 位会员对比 {nonmembers:,} 位非会员；每客户每月消费额 {spend:+.0%}"},
    **_claim("loyalty.selection",
             {"en": "Members already ordered more than never-members in the six months before they joined: ",
              "zh": "会员在入会前六个月的订单就已多于从未入会的客户："},
             {"en": "Members ordered less than never-members in the six months before they joined: ",
              "zh": "会员在入会前六个月的订单少于从未入会的客户："},
             {"en": "The data at this size cannot tell whether members ordered more than never-members before "
                    "they joined: ",
              "zh": "以目前的数据量无法判断会员入会前的订单是否多于从未入会的客户："}, _PCT),
    "fig.before.title": {"en": "Orders per customer-month before joining: members vs never-members",
                         "zh": "入会前每客户每月订单数：会员与从未入会的客户"},
    "fig.before.members": {"en": "members, 6 months before joining", "zh": "会员（入会前 6 个月）"},
    "fig.before.never": {"en": "never members", "zh": "从未入会的客户"},
    "fig.before.ylabel": {"en": "orders per customer-month", "zh": "每客户每月订单数"},
    # ------------------------------------------------------------------ enrolment DiD
    **_claim("loyalty.enrolment_did",
             {"en": "Members' orders in months {m0}-{m1} after enrolment are above the imputed counterfactual: ",
              "zh": "入会后第 {m0}-{m1} 个月，会员的订单高于推算的反事实水平："},
             {"en": "Members' orders in months {m0}-{m1} after enrolment are below the imputed counterfactual: ",
              "zh": "入会后第 {m0}-{m1} 个月，会员的订单低于推算的反事实水平："},
             {"en": "The data at this size cannot tell whether members' orders in months {m0}-{m1} after enrolment "
                    "differ from the imputed counterfactual: ",
              "zh": "以目前的数据量无法判断入会后第 {m0}-{m1} 个月会员的订单是否不同于推算的反事实水平："}, _PCT),
    "did.print": {"en": "{members:,} members with a baseline month; {controls:,} never-members in the model; lapse "
                        "slope: expected orders x {lapse:.2f} per year in which a customer may have lapsed unseen",
                  "zh": "有基期月份的会员 {members:,} 位；模型中从未入会的客户 {controls:,} 位；流失斜率：客户可能已悄悄"
                        "流失的每一年，期望订单乘以 {lapse:.2f}"},
    "pretrend.print": {"en": "pre-trend test (model without the lapse slope): chi2 = {chi2:.1f} on {df} df, p = {p:.3f}; pre-enrolment "
                             "coefficients {lo:+.2f} .. {hi:+.2f}",
                       "zh": "入会前趋势检验（不含流失斜率的模型）：卡方 = {chi2:.1f}，自由度 {df}，p = {p:.3f}；入会前各月系数 "
                             "{lo:+.2f} .. {hi:+.2f}"},
    "pretrend.rejects": {
        "en": "The pre-trend test REJECTS parallel trends (p = {p:.3f} < 0.05): before joining, members' orders did "
              "not move like those of comparable customers. Part of this is the survivorship the lapse slope "
              "corrects (members are active until they join); whether that is all of it, the data cannot show. "
              "The enrolment-based estimate above rests on the lapse model, not on the design: report the "
              "city-launch design (section 6) as the programme's effect.",
        "zh": "入会前趋势检验拒绝了平行趋势假设（p = {p:.3f} < 0.05）：会员在入会前的订单走势与可比客户不同。"
              "其中一部分是流失斜率所校正的幸存者效应（会员在入会前一直活跃）；是否仅此而已，数据无法说明。"
              "上面基于入会时间的估计依赖于流失模型而不是设计本身：请以城市上线设计（第 6 节）作为会员卡的效果来报告。"},
    "pretrend.passes": {
        "en": "The pre-trend test does not reject parallel trends (p = {p:.3f}). That is no proof: the test has "
              "little power at this size, and a slow divergence (such as the survivorship the lapse slope "
              "corrects) can go undetected and still bias the estimate (Roth 2022). The city-launch design "
              "(section 6) does not rely on enrolment timing.",
        "zh": "入会前趋势检验没有拒绝平行趋势假设（p = {p:.3f}）。但这并不能证明假设成立：在这个样本量下检验的功效"
              "很低，缓慢的偏离（例如流失斜率所校正的幸存者效应）可能检测不出来却仍使估计产生偏差（Roth 2022）。"
              "城市上线设计（第 6 节）不依赖入会时间。"},
    **_claim("loyalty.fade",
             {"en": "The effect fades: the mean lift in months {e0}-{e1} after enrolment ({early:+.1%}) exceeds that "
                    "in months {l0}-{l1} ({late:+.1%}) by ",
              "zh": "效果逐渐减弱：入会后第 {e0}-{e1} 个月的平均提升（{early:+.1%}）比第 {l0}-{l1} 个月"
                    "（{late:+.1%}）高出 "},
             {"en": "The effect grows: the mean lift in months {e0}-{e1} after enrolment ({early:+.1%}) falls short of "
                    "that in months {l0}-{l1} ({late:+.1%}) by ",
              "zh": "效果逐渐增强：入会后第 {e0}-{e1} 个月的平均提升（{early:+.1%}）比第 {l0}-{l1} 个月"
                    "（{late:+.1%}）低 "},
             {"en": "The data at this size cannot tell whether the effect fades: mean lift in months {e0}-{e1} "
                    "{early:+.1%}, in months {l0}-{l1} {late:+.1%}, difference ",
              "zh": "以目前的数据量无法判断效果是否减弱：入会后第 {e0}-{e1} 个月平均提升 {early:+.1%}，"
                    "第 {l0}-{l1} 个月 {late:+.1%}，差值 "}, _PCT),
    "fig.es.title": {"en": "Orders relative to the imputed counterfactual, by month since enrolment",
                     "zh": "相对于推算反事实水平的订单变化（按入会后月份）"},
    "fig.es.xlabel": {"en": "months since enrolment", "zh": "入会后月份"},
    "fig.es.ylabel": {"en": "relative change in orders", "zh": "订单相对变化"},
    "fig.es.band": {"en": "95% CI", "zh": "95% 置信区间"},
    "fig.es.estimate": {"en": "estimate", "zh": "估计值"},
    # ------------------------------------------------------------------ estimators on one member set
    "compare.print": {"en": "{n:,} members enter all three estimates (6 months of history before joining, months "
                            "{m0}-{m1} after it observed)",
                      "zh": "{n:,} 位会员同时进入三种估计（入会前有 6 个月记录，入会后第 {m0}-{m1} 个月可观察）"},
    "compare.row": {"en": "{name}: {estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%})",
                    "zh": "{name}：{estimate:+.1%}（{level:.0%} 置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）"},
    "est.naive": {"en": "naive", "zh": "简单对比"},
    "est.matching": {"en": "matching", "zh": "倾向得分匹配"},
    "est.did": {"en": "difference-in-differences", "zh": "双重差分"},
    "fig.estimators.title": {"en": "Three estimates of the lift on the same {n:,} members (95% CI)",
                             "zh": "同一批 {n:,} 位会员的三种提升估计（95% 置信区间）"},
    "fig.estimators.xlabel": {"en": "estimator", "zh": "估计方法"},
    "fig.estimators.ylabel": {"en": "relative lift in orders per month", "zh": "每月订单的相对提升"},
    **_claim("loyalty.naive_over_did",
             {"en": "The naive comparison overstates the difference-in-differences estimate ",
              "zh": "简单对比高估了双重差分估计，约为其 "},
             {"en": "The naive comparison is smaller than the difference-in-differences estimate: ratio ",
              "zh": "简单对比小于双重差分估计：比值 "},
             {"en": "The data at this size cannot tell whether the naive comparison overstates the "
                    "difference-in-differences estimate: ratio ",
              "zh": "以目前的数据量无法判断简单对比是否高估了双重差分估计：比值 "}, _X),
    "loyalty.naive_over_did.no_did": {
        "en": "The difference-in-differences interval includes 0 ({did_low:+.1%} to {did_high:+.1%}), so the data "
              "at this size cannot tell how many times the naive comparison overstates the effect.",
        "zh": "双重差分的置信区间包含 0（{did_low:+.1%} 至 {did_high:+.1%}），因此以目前的数据量无法判断简单对比"
              "把效果高估了多少倍。"},
    # ------------------------------------------------------------------ buyer types
    "group.light": {"en": "light", "zh": "轻度购买者"},
    "group.moderate": {"en": "moderate", "zh": "中度购买者"},
    "group.heavy": {"en": "heavy", "zh": "重度购买者"},
    "hetero.print": {"en": "Wald test of equal effects across buyer types: chi2 = {chi2:.1f} on {df} df, p = {p:.3f}",
                     "zh": "各类购买者效果相等的 Wald 检验：卡方 = {chi2:.1f}，自由度 {df}，p = {p:.3f}"},
    **_claim("loyalty.buyer_type_gap",
             {"en": "Light buyers respond more than heavy buyers: difference in lift ",
              "zh": "轻度购买者的反应强于重度购买者：提升差值 "},
             {"en": "Light buyers respond less than heavy buyers: difference in lift ",
              "zh": "轻度购买者的反应弱于重度购买者：提升差值 "},
             {"en": "The data at this size cannot tell whether light and heavy buyers respond differently: "
                    "difference in lift ",
              "zh": "以目前的数据量无法判断轻度与重度购买者的反应是否不同：提升差值 "}, _PCT),
    # ------------------------------------------------------------------ launch design
    **_claim("loyalty.launch_itt",
             {"en": "Launching the card raised the orders of a city's customers: intention-to-treat effect ",
              "zh": "会员卡上线提高了该城市客户的订单：意向处理效应 "},
             {"en": "Launching the card lowered the orders of a city's customers: intention-to-treat effect ",
              "zh": "会员卡上线降低了该城市客户的订单：意向处理效应 "},
             {"en": "The data at this size cannot tell whether launching the card changed the orders of a city's "
                    "customers: intention-to-treat effect ",
              "zh": "以目前的数据量无法判断会员卡上线是否改变了该城市客户的订单：意向处理效应 "}, _PCT),
    **_claim("loyalty.launch_per_member",
             {"en": "Per enrolled member-month (the ITT divided by the enrolled share {share:.0%}), the card raised "
                    "orders by ",
              "zh": "折算到每个已入会的会员月（意向处理效应除以入会份额 {share:.0%}），会员卡使订单提高 "},
             {"en": "Per enrolled member-month (the ITT divided by the enrolled share {share:.0%}), the card lowered "
                    "orders by ",
              "zh": "折算到每个已入会的会员月（意向处理效应除以入会份额 {share:.0%}），会员卡使订单降低 "},
             {"en": "Per enrolled member-month (the ITT divided by the enrolled share {share:.0%}) the data cannot "
                    "tell either: ",
              "zh": "折算到每个已入会的会员月（意向处理效应除以入会份额 {share:.0%}），同样无法判断："}, _PCT),
    "launch.print": {"en": "{customers:,} customers with months before their city's launch, {cities} cities; "
                           "{dropped:,} customer-months after the last city's launch have no comparison",
                     "zh": "在所在城市上线前已有记录的客户 {customers:,} 位，城市 {cities} 个；最后一批城市上线后的 "
                           "{dropped:,} 个客户月没有对照"},
    # ------------------------------------------------------------------ bunching
    **_claim("loyalty.bunching",
             {"en": "Members bunch just above the gold threshold: excess mass above the smooth fit ",
              "zh": "会员在金卡门槛之上出现聚束：超出平滑拟合的人数为 "},
             {"en": "Fewer members than the smooth fit sit just above the gold threshold: ",
              "zh": "金卡门槛之上的会员少于平滑拟合：差值 "},
             {"en": "The data at this size cannot tell whether members bunch just above the gold threshold: "
                    "excess ",
              "zh": "以目前的数据量无法判断会员是否在金卡门槛之上出现聚束：超出人数 "}, _N),
    "fig.bunch.title": {"en": "Qualifying spend around the gold threshold",
                        "zh": "金卡门槛附近的会员合格消费额分布"},
    "fig.bunch.xlabel": {"en": "qualifying spend in the last 365 days (yuan)", "zh": "最近 365 天合格消费额（元）"},
    "fig.bunch.ylabel": {"en": "members", "zh": "会员人数"},
    "fig.bunch.fit": {"en": "smooth fit", "zh": "平滑拟合"},
    "fig.bunch.threshold": {"en": "gold threshold", "zh": "金卡门槛"},
    # ------------------------------------------------------------------ points
    "points.print": {"en": "breakage {breakage:.1%} of points; outstanding {points:,} points = {face:,.0f} yuan "
                           "face value, liability {liability:,.2f} yuan",
                     "zh": "积分沉淀率 {breakage:.1%}；未兑换积分 {points:,} 分 = 面值 {face:,.0f} 元，"
                           "负债 {liability:,.2f} 元"},
    "points.none": {"en": "no points ledger in these data", "zh": "这份数据没有积分流水"},
    "toy.members": {"en": "members", "zh": "会员"},
    "toy.nonmembers": {"en": "non-members", "zh": "非会员"},
    "toy.before": {"en": "before", "zh": "入会前"},
    "toy.after": {"en": "after", "zh": "入会后"},
    "toy.print": {"en": "DiD in differences: {diff:+.2f} orders per customer-month; in ratio form: {ratio:+.1%}",
                  "zh": "差值形式的双重差分：每客户每月 {diff:+.2f} 单；比值形式：{ratio:+.1%}"},
    "matching.skipped": {"en": "matching skipped: {err}", "zh": "跳过匹配：{err}"},
    # ------------------------------------------------------------------ hints of the exercise checks
    "hint.float": {"en": "Store a Python float in {name} (use float(...)).",
                   "zh": "请把一个 Python 浮点数存入 {name}（可用 float(...)）。"},
    "hint.relative": {"en": "Give a relative difference (ratio - 1), e.g. 0.05 for +5%, not a percentage or a count.",
                      "zh": "请给出相对差值（比值 - 1），例如 +5% 写作 0.05，而不是百分数或计数。"},
    "hint.window": {"en": "This is the estimate of section 3: use the later window of months asked for.",
                    "zh": "这是第 3 节的估计值：请使用题目要求的较晚月份窗口。"},
    "hint.pooled": {"en": "This is the average of the monthly estimates: estimate the months as one window instead.",
                    "zh": "这是各月估计值的平均：请把这几个月作为一个窗口来估计。"},
    "hint.less_breakage": {"en": "Less breakage means more points will be redeemed: the liability must rise.",
                           "zh": "失效的积分越少，兑换的积分越多：负债应当上升。"},
    "hint.face_value": {"en": "The liability cannot exceed the face value of the outstanding points.",
                        "zh": "负债不可能超过未兑换积分的面值。"},
    "hint.months": {"en": "These are the six months of section 2: use the event months asked for.",
                    "zh": "这是第 2 节的六个月：请使用题目要求的入会前月份。"},
    "hint.ratio": {"en": "Divide by the never-members' rate and subtract 1.",
                   "zh": "请除以从未入会客户的订单率，再减去 1。"},
    "result.header": {"en": "Findings of this run (each with its interval):", "zh": "本次运行的发现（均附置信区间）："},
})
