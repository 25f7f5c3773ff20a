"""Sentences, figure titles and labels of lesson 06 (service promises and complaints), in English and Chinese.

Every sentence that states something about the data is a claim template
(:mod:`crmlab.analysis.claims`): ``<id>.up`` / ``.down`` / ``.unclear``; the
notebook fills in the run's estimate and interval. The other entries are
labels, table headers, figure titles, the lines that print numbers and the
hints of the exercise checks.

Examples
--------
>>> from crmlab.notebook.texts.service import MESSAGES
>>> MESSAGES("promise.installation", "zh")
'24小时安装'
>>> MESSAGES("service.myth.up", "en", estimate=0.5, ci_low=0.45, ci_high=0.55, level=0.95, myth=0.1, n=400)
'Far more customers complain than the myth says: 50.0% of 400 customers complained after their first service failure (95% CI 45.0% to 55.0%), above the 10% upper end of "2-10% complain".'
"""

from __future__ import annotations

from ...i18n import Messages, estimate_phrase

__all__ = ["MESSAGES"]

_PP = estimate_phrase("+.1%", level=".2%")
_HR = estimate_phrase(".2f", before={"en": "hazard ratio ", "zh": "风险比 "})


def _difference(claim_id: str, what_en: str, what_zh: str, a_en: str, a_zh: str, b_en: str, b_zh: str) -> dict:
    """up / down / unclear sentences for 'rate of a minus rate of b'."""
    return {
        f"{claim_id}.up": {
            "en": f"{what_en} is missed more often {a_en} than {b_en}: " + "{rate_a:.1%} vs {rate_b:.1%}, "
                  "a difference of " + _PP["en"] + ".",
            "zh": f"{a_zh}{what_zh}未兑现的比例高于{b_zh}：" + "{rate_a:.1%} 对 {rate_b:.1%}，差 " + _PP["zh"] + "。"},
        f"{claim_id}.down": {
            "en": f"{what_en} is missed less often {a_en} than {b_en}: " + "{rate_a:.1%} vs {rate_b:.1%}, "
                  "a difference of " + _PP["en"] + ".",
            "zh": f"{a_zh}{what_zh}未兑现的比例低于{b_zh}：" + "{rate_a:.1%} 对 {rate_b:.1%}，差 " + _PP["zh"] + "。"},
        f"{claim_id}.unclear": {
            "en": f"These data cannot tell whether {what_en.lower()} is missed more or less often {a_en} than {b_en}: "
                  "{rate_a:.1%} vs {rate_b:.1%}, a difference of " + _PP["en"] + ".",
            "zh": f"数据不足以判断{a_zh}与{b_zh}的{what_zh}未兑现比例是否不同：" + "{rate_a:.1%} 对 {rate_b:.1%}，差 "
                  + _PP["zh"] + "。"},
    }


MESSAGES = Messages({
    "data.summary": {"en": "{orders:,} orders, {due:,} with home delivery, {installs:,} with an installation, "
                           "{events:,} service events; AC peak season {peak}.",
                     "zh": "{orders:,} 个订单，其中 {due:,} 个送货上门、{installs:,} 个需要安装；{events:,} 条服务事件；"
                           "空调旺季 {peak}。"},
    "data.missing": {"en": "This dataset does not record which orders carry a delivery or installation promise "
                           "(orders.home_delivery / orders.installation): the compliance sections are skipped.",
                     "zh": "该数据没有记录哪些订单适用送货或安装承诺（orders.home_delivery / orders.installation），"
                           "跳过服务承诺部分。"},
    "toy.print": {"en": "by hand: {rate:.2f} [{lo:.3f}, {hi:.3f}]; package: {pkg:.2f} [{pkg_lo:.3f}, {pkg_hi:.3f}]",
                  "zh": "手算：{rate:.2f} [{lo:.3f}, {hi:.3f}]；程序包：{pkg:.2f} [{pkg_lo:.3f}, {pkg_hi:.3f}]"},
    # promises and groups
    "promise.delivery": {"en": "12-hour delivery", "zh": "12小时送货"},
    "promise.installation": {"en": "24-hour installation", "zh": "24小时安装"},
    "group.all": {"en": "all", "zh": "全部"},
    "group.online": {"en": "online (web, app)", "zh": "线上（网站、App）"},
    "group.peak": {"en": "AC peak season", "zh": "空调旺季"},
    "group.rest": {"en": "rest of the year", "zh": "其他时间"},
    "group.tier": {"en": "tier {tier}", "zh": "{tier}线城市"},
    "col.n_due": {"en": "orders due", "zh": "适用订单数"},
    "col.n_missed": {"en": "missed", "zh": "未兑现"},
    "col.miss_rate": {"en": "miss rate", "zh": "未兑现率"},
    "col.ci_low": {"en": "CI low", "zh": "置信下限"},
    "col.ci_high": {"en": "CI high", "zh": "置信上限"},
    "col.compliance": {"en": "compliance", "zh": "兑现率"},
    "col.n": {"en": "n", "zh": "数量"},
    "col.k": {"en": "yes", "zh": "是"},
    "col.share": {"en": "share", "zh": "比例"},
    "col.hazard_ratio": {"en": "hazard ratio", "zh": "风险比"},
    "col.n_events": {"en": "events", "zh": "事件数"},
    "col.channel": {"en": "channel", "zh": "渠道"},
    "col.city_tier": {"en": "city tier", "zh": "城市级别"},
    "col.season": {"en": "season", "zh": "季节"},
    "col.kind": {"en": "event", "zh": "事件"},
    "col.step": {"en": "step", "zh": "环节"},
    "step.resolved": {"en": "complaints resolved", "zh": "投诉已解决"},
    "step.followed_up": {"en": "resolved complaints followed up (回访)", "zh": "已解决投诉中有回访"},
    "kind.unresolved_complaint": {"en": "unresolved complaint", "zh": "未解决的投诉"},
    "kind.resolved_complaint": {"en": "resolved complaint", "zh": "已解决的投诉"},
    "kind.followup": {"en": "follow-up call (回访)", "zh": "回访"},
    # prints
    "overall.print": {"en": "{promise}: {missed:,} of {due:,} promises missed, {rate:.1%} "
                            "({level:.0%} CI {ci_low:.1%} to {ci_high:.1%}); compliance {compliance:.1%}.",
                      "zh": "{promise}：{due:,} 个承诺中 {missed:,} 个未兑现，未兑现率 {rate:.1%}"
                            "（{level:.0%} 置信区间 {ci_low:.1%} 至 {ci_high:.1%}）；兑现率 {compliance:.1%}。"},
    "channel.title": {"en": "Late deliveries by channel, with 95% intervals",
                      "zh": "各渠道的配送延误率（含95%置信区间）"},
    "channel.xlabel": {"en": "channel of the order", "zh": "下单渠道"},
    "tier.title": {"en": "Late deliveries by city tier, with 95% intervals",
                   "zh": "各级城市的配送延误率（含95%置信区间）"},
    "tier.xlabel": {"en": "city tier of the customer (1 = largest cities)", "zh": "客户所在城市级别（1 = 一线城市）"},
    "rate.ylabel": {"en": "share of promises missed", "zh": "承诺未兑现比例"},
    "season.title.up": {"en": "Both promises are missed more often in the AC peak season",
                        "zh": "空调旺季两项承诺的未兑现率都更高"},
    "season.title.mixed": {"en": "Promises missed in the AC peak season and the rest of the year",
                           "zh": "空调旺季与其他时间的承诺未兑现率"},
    "season.legend": {"en": "promise", "zh": "承诺"},
    "myth.title": {"en": "Customers who complained after their first service failure, against the myth",
                   "zh": "首次服务失误后投诉的客户比例与“2%-10%”说法的对比"},
    "myth.band": {"en": "the myth: 2-10% complain", "zh": "说法：仅2%-10%会投诉"},
    "myth.estimate": {"en": "these data (95% CI)", "zh": "本数据（95%置信区间）"},
    "myth.xlabel": {"en": "share of customers who complained", "zh": "投诉客户比例"},
    "myth.per_order": {"en": "Per failed order (all failures, not only the first): {estimate:.1%} "
                             "({level:.0%} CI {ci_low:.1%} to {ci_high:.1%}) of {n:,} orders.",
                       "zh": "按失误订单计（所有失误，不只首次）：{n:,} 个订单中 {estimate:.1%}"
                             "（{level:.0%} 置信区间 {ci_low:.1%} 至 {ci_high:.1%}）有投诉。"},
    "funnel.print": {"en": "{complaints:,} complaints; {resolved:.1%} resolved; {followed:.1%} of the resolved ones "
                           "got a follow-up call.",
                     "zh": "共 {complaints:,} 条投诉；{resolved:.1%} 已解决；已解决投诉中 {followed:.1%} 得到回访。"},
    "hr.title": {"en": "Churn hazard ratios: failures, complaint handling and follow-up (latent-dropout model)",
                 "zh": "流失风险比：服务失误、投诉处理与回访（潜在流失模型）"},
    "hr.xlabel": {"en": "hazard ratio (log scale; 1 = no effect)", "zh": "风险比（对数刻度；1 = 无影响）"},
    "hr.skipped": {"en": "Too few complaints to fit the hazard model on these data.",
                   "zh": "投诉太少，无法在该数据上拟合风险模型。"},
    "result.header": {"en": "Findings of this run:", "zh": "本次运行的发现："},
    # exercise hints (never the expected value)
    "hint.share": {"en": "Expected a share between 0 and 1 (a float), not a percentage or a count.",
                   "zh": "应为 0 到 1 之间的比例（浮点数），而不是百分数或计数。"},
    "hint.install_denominator": {"en": "Divide by the orders that needed an installation (orders.installation), "
                                       "not by all orders of the group.",
                                 "zh": "分母应是需要安装的订单（orders.installation），而不是该组的全部订单。"},
    "hint.wrong_promise": {"en": "This looks like the delivery promise (late_delivery); the question asks about "
                                 "installations (failed_installation).",
                           "zh": "这像是送货承诺（late_delivery）的结果；题目问的是安装（failed_installation）。"},
    "hint.complaint_per_customer": {"en": "Count failed installations (orders), not customers or all failures.",
                                    "zh": "按安装失败的订单计数，而不是按客户或全部失误计数。"},
    "hint.compliance": {"en": "Compliance is the share of promises KEPT (1 - miss rate); your value looks like a "
                              "miss rate.",
                        "zh": "兑现率是承诺被兑现的比例（1 - 未兑现率）；你的结果看起来像未兑现率。"},
    "hint.online_only": {"en": "Use only online orders (web and app) placed in the AC peak season.",
                         "zh": "只用空调旺季的线上订单（网站和App）。"},
    # claims
    **_difference("service.late_store_minus_online", "The 12-hour delivery promise", "12小时送货承诺",
                  "for store orders", "门店订单", "for online orders", "线上订单"),
    **_difference("service.late_low_minus_high_tier", "The 12-hour delivery promise", "12小时送货承诺",
                  "in tier 4-5 cities", "四、五线城市", "in tier 1-3 cities", "一至三线城市"),
    **_difference("service.late_peak_minus_rest", "The 12-hour delivery promise", "12小时送货承诺",
                  "in the AC peak season", "空调旺季", "in the rest of the year", "其他时间"),
    **_difference("service.install_peak_minus_rest", "The 24-hour installation promise", "24小时安装承诺",
                  "in the AC peak season", "空调旺季", "in the rest of the year", "其他时间"),
    "service.myth.up": {
        "en": "Far more customers complain than the myth says: {estimate:.1%} of {n:,} customers complained after "
              "their first service failure ({level:.0%} CI {ci_low:.1%} to {ci_high:.1%}), above the {myth:.0%} "
              "upper end of \"2-10% complain\".",
        "zh": "投诉的客户远多于这一说法：{n:,} 位客户中有 {estimate:.1%} 在首次服务失误后投诉"
              "（{level:.0%} 置信区间 {ci_low:.1%} 至 {ci_high:.1%}），高于“2%-10%会投诉”的上限 {myth:.0%}。"},
    "service.myth.down": {
        "en": "Fewer customers complain than even the myth's upper end: {estimate:.1%} of {n:,} customers "
              "complained after their first service failure ({level:.0%} CI {ci_low:.1%} to {ci_high:.1%}), below "
              "{myth:.0%}.",
        "zh": "投诉的客户甚至少于该说法的上限：{n:,} 位客户中有 {estimate:.1%} 在首次服务失误后投诉"
              "（{level:.0%} 置信区间 {ci_low:.1%} 至 {ci_high:.1%}），低于 {myth:.0%}。"},
    "service.myth.unclear": {
        "en": "These data cannot tell whether more customers complain than the myth's {myth:.0%}: {estimate:.1%} of "
              "{n:,} customers complained after their first service failure ({level:.0%} CI {ci_low:.1%} to "
              "{ci_high:.1%}).",
        "zh": "数据不足以判断投诉比例是否高于该说法的 {myth:.0%}：{n:,} 位客户中有 {estimate:.1%} 在首次服务失误后"
              "投诉（{level:.0%} 置信区间 {ci_low:.1%} 至 {ci_high:.1%}）。"},
    "service.unresolved_vs_resolved.up": {
        "en": "An unresolved complaint raises the churn hazard more than a resolved one, with the failures behind "
              "them held fixed: " + _HR["en"] + ".",
        "zh": "在控制引起投诉的服务失误后，未解决的投诉比已解决的投诉更提高流失风险率：" + _HR["zh"] + "。"},
    "service.unresolved_vs_resolved.down": {
        "en": "An unresolved complaint raises the churn hazard less than a resolved one, with the failures behind "
              "them held fixed: " + _HR["en"] + ".",
        "zh": "在控制引起投诉的服务失误后，未解决的投诉对流失风险率的提高小于已解决的投诉：" + _HR["zh"] + "。"},
    "service.unresolved_vs_resolved.unclear": {
        "en": "These data cannot tell whether resolving a complaint changes the churn hazard: unresolved vs "
              "resolved " + _HR["en"] + ".",
        "zh": "数据不足以判断解决投诉是否改变流失风险率：未解决对已解决的" + _HR["zh"] + "。"},
    "service.followup_hr.up": {
        "en": "A follow-up call after a resolved complaint raises the churn hazard: " + _HR["en"] + ".",
        "zh": "已解决投诉后的回访提高了流失风险率：" + _HR["zh"] + "。"},
    "service.followup_hr.down": {
        "en": "A follow-up call after a resolved complaint lowers the churn hazard: " + _HR["en"] + ".",
        "zh": "已解决投诉后的回访降低了流失风险率：" + _HR["zh"] + "。"},
    "service.followup_hr.unclear": {
        "en": "These data cannot tell whether a follow-up call after a resolved complaint changes the churn "
              "hazard: " + _HR["en"] + ".",
        "zh": "数据不足以判断已解决投诉后的回访是否改变流失风险率：" + _HR["zh"] + "。"},
})
