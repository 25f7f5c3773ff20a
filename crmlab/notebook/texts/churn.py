"""Sentences, figure titles and labels of lesson 02 (churn case), in English and Chinese.

Every sentence that states something about the data is a claim template
(:mod:`crmlab.analysis.claims`): ``<id>.up`` / ``.down`` / ``.unclear`` for a
directional claim, ``<id>.leader`` / ``.unclear`` for a leader claim; the
notebook fills in the run's estimate and interval. The other entries are
labels, table headers, figure titles and the lines that print numbers.

Examples
--------
>>> from crmlab.notebook.texts.churn import MESSAGES
>>> MESSAGES("strategy.uplift", "zh")
'按增益'
>>> MESSAGES("churn.campaign_ate.up", "en", estimate=0.05, ci_low=0.03, ci_high=0.07, level=0.95,
...          treated=0.13, control=0.08)  # doctest: +NORMALIZE_WHITESPACE
'The offer raises the response rate: 13.0% of treated vs 8.0% of control customers ordered within the response
 window, a difference of +5.0% (95% CI +3.0% to +7.0%).'
"""

from __future__ import annotations

from ...domain import FAILURE_KINDS
from ...i18n import Messages, estimate_phrase, interval_phrase

__all__ = ["MESSAGES"]

_CI = {lang: f"({text})" if lang == "en" else f"（{text}）" for lang, text in interval_phrase(".2f").items()}
_PP = estimate_phrase("+.1%")


def _hr_claims() -> dict:
    """Directional claims ``churn.hr.<kind>``: does each failure raise the churn hazard?"""
    out = {}
    for k in FAILURE_KINDS:
        out[f"churn.hr.{k}.up"] = {
            "en": "Each {kind} raises the churn hazard: hazard ratio {estimate:.2f} " + _CI["en"] + ".",
            "zh": "每发生一次{kind}，流失风险率上升：风险比 {estimate:.2f}" + _CI["zh"] + "。"}
        out[f"churn.hr.{k}.down"] = {
            "en": "Each {kind} lowers the churn hazard: hazard ratio {estimate:.2f} " + _CI["en"] + ".",
            "zh": "每发生一次{kind}，流失风险率反而下降：风险比 {estimate:.2f}" + _CI["zh"] + "。"}
        out[f"churn.hr.{k}.unclear"] = {
            "en": "The data at this size cannot tell whether each {kind} changes the churn hazard: hazard ratio "
                  "{estimate:.2f} " + _CI["en"] + ".",
            "zh": "以目前的数据量无法判断{kind}是否改变流失风险率：风险比 {estimate:.2f}" + _CI["zh"] + "。"}
    return out


MESSAGES = Messages({
    # ------------------------------------------------------------------ data and window
    "data.summary": {"en": "{customers:,} customers, {orders:,} orders over {days} days up to {as_of}",
                     "zh": "{customers:,} 位客户，{orders:,} 笔订单，共 {days} 天，截至 {as_of}"},
    "gaps.title": {"en": "Days between consecutive orders: {share:.0%} of the gaps are shorter than {window} days",
                   "zh": "相邻两次购买的间隔天数：{share:.0%} 的间隔短于 {window} 天"},
    "gaps.xlabel": {"en": "days between consecutive orders", "zh": "相邻两次购买间隔（天）"},
    "gaps.ylabel": {"en": "number of gaps", "zh": "间隔数"},
    "gaps.window": {"en": "window = {window} days", "zh": "窗口 = {window} 天"},
    "gaps.print": {"en": "suggested window (90% of gaps, corrected for truncation): {suggested} days; used: {window}; "
                         "prediction window: {model_window} days",
                   "zh": "建议的不活跃窗口（90% 的购买间隔，已校正截断）：{suggested} 天；采用：{window} 天；"
                         "预测窗口：{model_window} 天"},
    "rate.print": {"en": "customers active before {cutoff} who placed no order in the following {window} days: "
                         "{rate:.1%} ({level:.0%} CI {ci_low:.1%} to {ci_high:.1%})",
                   "zh": "{cutoff} 之前活跃、之后 {window} 天内没有下单的客户（客户流失率）：{rate:.1%}"
                         "（{level:.0%} 置信区间 {ci_low:.1%} 至 {ci_high:.1%}）"},
    # ------------------------------------------------------------------ survival
    "churn.one_time.up": {
        "en": "Most customers never come back after their first order: {estimate:.0%} ({level:.0%} CI "
              "{ci_low:.0%} to {ci_high:.0%}) placed no further order within the window.",
        "zh": "大多数客户首次购买后再也没有回来：{estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 {ci_high:.0%}）"
              "在窗口内没有再次下单。"},
    "churn.one_time.down": {
        "en": "Most customers come back after their first order: only {estimate:.0%} ({level:.0%} CI "
              "{ci_low:.0%} to {ci_high:.0%}) placed no further order within the window.",
        "zh": "大多数客户首次购买后还会回来：只有 {estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 {ci_high:.0%}）"
              "在窗口内没有再次下单。"},
    "churn.one_time.unclear": {
        "en": "The data at this size cannot tell whether most customers come back after their first order: "
              "{estimate:.0%} ({level:.0%} CI {ci_low:.0%} to {ci_high:.0%}) placed no further order within the window.",
        "zh": "以目前的数据量无法判断大多数客户首次购买后是否还会回来：{estimate:.0%}（{level:.0%} 置信区间 "
              "{ci_low:.0%} 至 {ci_high:.0%}）在窗口内没有再次下单。"},
    "km.title": {"en": "Share still active by days since the first order ({share:.0%} never come back)",
                 "zh": "首次购买后仍活跃的客户比例（{share:.0%} 再也没有回来）"},
    "km.legend": {"en": "first order", "zh": "首次购买渠道"},
    "km.xlabel": {"en": "days since first order", "zh": "距首次购买的天数"},
    "km.ylabel": {"en": "share still active (Kaplan-Meier)", "zh": "仍活跃的比例（卡普兰-迈耶估计）"},
    "km.all": {"en": "all", "zh": "全部"},
    "logrank.print": {"en": "log-rank test across first-order channels: chi2 = {chi2:.1f}, df = {df}, p = {p:.3g}",
                      "zh": "各首次购买渠道的对数秩检验：chi2 = {chi2:.1f}，自由度 = {df}，p = {p:.3g}"},
    # ------------------------------------------------------------------ naive view of failures
    "col.kind": {"en": "failure kind", "zh": "服务失误类型"},
    "col.churn_without": {"en": "churn, no failure", "zh": "流失率（无服务失误）"},
    "col.churn_with": {"en": "churn, had failure", "zh": "流失率（有服务失误）"},
    "col.difference": {"en": "difference", "zh": "差值"},
    "col.ci_low": {"en": "ci_low", "zh": "置信下限"},
    "col.ci_high": {"en": "ci_high", "zh": "置信上限"},
    "col.n_with": {"en": "customers with failure", "zh": "有失误的客户数"},
    "kind.any": {"en": "any failure", "zh": "任一服务失误"},
    "kind.resolved_complaint": {"en": "resolved complaint", "zh": "已解决的投诉"},
    "churn.naive_any_failure.up": {
        "en": "Customers who had a service failure before {cutoff} churned more often: {with_:.1%} vs {without:.1%}, "
              "a difference of " + _PP["en"] + ".",
        "zh": "{cutoff} 之前经历过服务失误的客户流失更多：{with_:.1%} 对 {without:.1%}，差值 " + _PP["zh"] + "。"},
    "churn.naive_any_failure.down": {
        "en": "Customers who had a service failure before {cutoff} churned less often: {with_:.1%} vs {without:.1%}, "
              "a difference of " + _PP["en"] + ".",
        "zh": "{cutoff} 之前经历过服务失误的客户流失反而更少：{with_:.1%} 对 {without:.1%}，差值 " + _PP["zh"] + "。"},
    "churn.naive_any_failure.unclear": {
        "en": "The data at this size cannot tell whether customers who had a service failure before {cutoff} churned "
              "more or less often: {with_:.1%} vs {without:.1%}, a difference of " + _PP["en"] + ".",
        "zh": "以目前的数据量无法判断 {cutoff} 之前经历过服务失误的客户流失更多还是更少：{with_:.1%} 对 "
              "{without:.1%}，差值 " + _PP["zh"] + "。"},
    "naive.by_kind": {
        "en": "By kind of failure: customers with it churned less often for {down} kind(s), more often for {up}, "
              "and the data cannot tell for {unclear} (95% intervals of the difference in the table).",
        "zh": "按失误类型：{down} 类失误的经历者流失更少，{up} 类更多，{unclear} 类无法判断"
              "（表中为差值的 95% 置信区间）。"},
    # ------------------------------------------------------------------ hazard ratios
    "col.naive_cox": {"en": "naive Cox", "zh": "朴素Cox模型"},
    "col.latent_dropout": {"en": "latent dropout", "zh": "潜在流失模型"},
    "col.n_events": {"en": "n_events", "zh": "失误次数"},
    "hr.legend_dropout": {"en": "latent dropout (95% CI)", "zh": "潜在流失模型（95% 置信区间）"},
    "hr.legend_cox": {"en": "naive Cox", "zh": "朴素Cox模型"},
    "hr.xlabel": {"en": "hazard ratio (log scale)", "zh": "风险比（对数刻度）"},
    "hr.title.leader": {"en": "{leader} raises the churn hazard most", "zh": "{leader}对流失风险率的提高最大"},
    "hr.title.unclear": {"en": "Churn hazard ratios of service failures: no clear strongest failure at this size",
                         "zh": "服务失误的流失风险比：以目前的数据量无法确定哪种影响最大"},
    "churn.strongest_failure.leader": {
        "en": "Of the service failures, {leader} raises the churn hazard most: its hazard ratio is {ratio:.2f} times "
              "that of {runner_up}, the runner-up ({level:.0%} CI {ratio_low:.2f} to {ratio_high:.2f}).",
        "zh": "各类服务失误中，{leader}对流失风险率的提高最大：其风险比是第二位{runner_up}的 {ratio:.2f} 倍"
              "（{level:.0%} 置信区间 {ratio_low:.2f} 至 {ratio_high:.2f}）。"},
    "churn.strongest_failure.unclear": {
        "en": "The data at this size cannot tell which service failure raises the churn hazard most: {leader} "
              "({leader_hr:.2f}) vs {runner_up} ({runner_up_hr:.2f}), ratio {ratio:.2f} ({level:.0%} CI "
              "{ratio_low:.2f} to {ratio_high:.2f}).",
        "zh": "以目前的数据量无法判断哪种服务失误对流失风险率的提高最大：{leader}（{leader_hr:.2f}）对"
              "{runner_up}（{runner_up_hr:.2f}），两者之比 {ratio:.2f}（{level:.0%} 置信区间 {ratio_low:.2f} 至 "
              "{ratio_high:.2f}）。"},
    "churn.unresolved_vs_resolved.up": {
        "en": "Unresolved complaints matter more than resolved ones: the hazard ratio of an unresolved complaint is "
              "{estimate:.2f} times that of a resolved one " + _CI["en"] + ".",
        "zh": "未解决的投诉比已解决的投诉影响更大：未解决投诉的风险比是已解决投诉的 {estimate:.2f} 倍" + _CI["zh"] + "。"},
    "churn.unresolved_vs_resolved.down": {
        "en": "Unresolved complaints matter less than resolved ones: the hazard ratio of an unresolved complaint is "
              "{estimate:.2f} times that of a resolved one " + _CI["en"] + ".",
        "zh": "未解决的投诉比已解决的投诉影响更小：未解决投诉的风险比是已解决投诉的 {estimate:.2f} 倍" + _CI["zh"] + "。"},
    "churn.unresolved_vs_resolved.unclear": {
        "en": "The data at this size cannot tell whether unresolved complaints matter more than resolved ones: "
              "ratio of their hazard ratios {estimate:.2f} " + _CI["en"] + ".",
        "zh": "以目前的数据量无法判断未解决的投诉是否比已解决的投诉影响更大：两者风险比之比 {estimate:.2f}"
              + _CI["zh"] + "。"},
    "hr.skipped": {"en": "no service events: drivers skipped", "zh": "没有服务事件数据：跳过流失原因分析"},
    # ------------------------------------------------------------------ prediction
    "split.print": {"en": "train cut-off {train:%Y-%m-%d} ({n_train:,} customers), test cut-off {test:%Y-%m-%d} "
                          "({n_test:,} customers)",
                    "zh": "训练截止日 {train:%Y-%m-%d}（{n_train:,} 位客户），测试截止日 {test:%Y-%m-%d}"
                          "（{n_test:,} 位客户）"},
    "churn.model_auc.up": {
        "en": "The churn model ranks customers better than chance: AUC {estimate:.3f} ({level:.0%} CI {ci_low:.3f} to "
              "{ci_high:.3f}; 0.5 is chance).",
        "zh": "流失模型的排序优于随机：AUC {estimate:.3f}（{level:.0%} 置信区间 {ci_low:.3f} 至 {ci_high:.3f}；"
              "0.5 为随机水平）。"},
    "churn.model_auc.down": {
        "en": "The churn model ranks customers worse than chance: AUC {estimate:.3f} ({level:.0%} CI {ci_low:.3f} to "
              "{ci_high:.3f}; 0.5 is chance).",
        "zh": "流失模型的排序比随机还差：AUC {estimate:.3f}（{level:.0%} 置信区间 {ci_low:.3f} 至 {ci_high:.3f}；"
              "0.5 为随机水平）。"},
    "churn.model_auc.unclear": {
        "en": "The data at this size cannot tell whether the churn model ranks customers better than chance: AUC "
              "{estimate:.3f} ({level:.0%} CI {ci_low:.3f} to {ci_high:.3f}; 0.5 is chance).",
        "zh": "以目前的数据量无法判断流失模型的排序是否优于随机：AUC {estimate:.3f}（{level:.0%} 置信区间 "
              "{ci_low:.3f} 至 {ci_high:.3f}；0.5 为随机水平）。"},
    "lift.print": {"en": "top-decile lift {lift:.2f} ({level:.0%} CI {lo:.2f} to {hi:.2f}); base churn rate {base:.1%}, "
                         "so the lift cannot exceed {cap:.2f}",
                   "zh": "前10%提升度 {lift:.2f}（{level:.0%} 置信区间 {lo:.2f} 至 {hi:.2f}）；总体流失率 {base:.1%}，"
                         "因此提升度不可能超过 {cap:.2f}"},
    "gains.title": {"en": "The riskiest {share:.0%} of customers hold {churners:.0%} of the churners",
                    "zh": "风险最高的 {share:.0%} 客户包含了 {churners:.0%} 的流失客户"},
    "gains.model": {"en": "churn model", "zh": "流失模型"},
    "gains.random": {"en": "random targeting", "zh": "随机选择"},
    "gains.xlabel": {"en": "share of customers targeted (ranked by score)", "zh": "选中客户的比例（按风险得分排序）"},
    "gains.ylabel": {"en": "share of churners captured", "zh": "覆盖的流失客户比例"},
    "col.n": {"en": "n", "zh": "人数"},
    "col.mean_predicted": {"en": "mean predicted", "zh": "平均预测流失率"},
    "col.observed_rate": {"en": "observed rate", "zh": "实际流失率"},
    "col.se": {"en": "se", "zh": "标准误"},
    "col.bin": {"en": "score bin (1 = highest)", "zh": "得分分组（1 = 最高）"},
    "calib.print": {"en": "expected calibration error: {ece:.3f}; mean predicted churn {pred:.1%}, observed {obs:.1%}",
                    "zh": "期望校准误差：{ece:.3f}；平均预测流失率 {pred:.1%}，实际 {obs:.1%}"},
    "palive.print": {"en": "AUC of 1 - P(alive) on the same test customers: {auc:.3f} ({level:.0%} CI {lo:.3f} to "
                           "{hi:.3f}); churn model: {auc_model:.3f}",
                     "zh": "同一批测试客户上 1 - 存活概率 的 AUC：{auc:.3f}（{level:.0%} 置信区间 {lo:.3f} 至 {hi:.3f}）；"
                           "流失模型：{auc_model:.3f}"},
    # ------------------------------------------------------------------ campaign
    "campaign.skipped": {"en": "no campaign table: the retention section is skipped",
                         "zh": "没有营销活动数据：跳过客户挽留部分"},
    "churn.campaign_ate.up": {
        "en": "The offer raises the response rate: {treated:.1%} of treated vs {control:.1%} of control customers "
              "ordered within the response window, a difference of " + _PP["en"] + ".",
        "zh": "优惠提高了响应率：处理组 {treated:.1%}、对照组 {control:.1%} 的客户在响应期内下单，差值 " + _PP["zh"] + "。"},
    "churn.campaign_ate.down": {
        "en": "The offer lowers the response rate: {treated:.1%} of treated vs {control:.1%} of control customers "
              "ordered within the response window, a difference of " + _PP["en"] + ".",
        "zh": "优惠反而降低了响应率：处理组 {treated:.1%}、对照组 {control:.1%} 的客户在响应期内下单，差值 "
              + _PP["zh"] + "。"},
    "churn.campaign_ate.unclear": {
        "en": "The data at this size cannot tell whether the offer changes the response rate: {treated:.1%} of "
              "treated vs {control:.1%} of control customers ordered within the response window, a difference of "
              + _PP["en"] + ".",
        "zh": "以目前的数据量无法判断优惠是否改变响应率：处理组 {treated:.1%}、对照组 {control:.1%} 的客户在响应期内"
              "下单，差值 " + _PP["zh"] + "。"},
    "value.print": {
        "en": "Customer value (simple CLV at the send date: margin {margin:.0%}, annual retention {retention:.0%}, "
              "discount rate {discount:.0%}, {years} years): median {median:,.0f} yuan, mean {mean:,.0f} yuan",
        "zh": "客户价值（发送日的简单客户终身价值：毛利率 {margin:.0%}，年保留率 {retention:.0%}，折现率 {discount:.0%}，"
              "{years} 年）：中位数 {median:,.0f} 元，平均 {mean:,.0f} 元"},
    "risk.note": {"en": "Risk quintiles: 1 = the 20% with the highest predicted churn risk, 5 = the 20% with the lowest.",
                  "zh": "风险五分位：1 = 预测流失风险最高的 20% 客户，5 = 最低的 20%。"},
    "risk.q1": {"en": "1 (highest risk)", "zh": "1（风险最高）"},
    "risk.q5": {"en": "5 (lowest risk)", "zh": "5（风险最低）"},
    "col.uplift": {"en": "uplift", "zh": "增益"},
    "col.n_treated": {"en": "n_treated", "zh": "处理组人数"},
    "col.n_control": {"en": "n_control", "zh": "对照组人数"},
    "col.risk_quintile": {"en": "risk quintile", "zh": "风险五分位"},
    "col.value_tercile": {"en": "value tercile", "zh": "价值三分位"},
    "churn.uplift_risk_top_minus_bottom.up": {
        "en": "The offer works better for the riskiest customers than for the safest: uplift in quintile 1 minus "
              "quintile 5 = " + _PP["en"] + ".",
        "zh": "优惠对风险最高的客户比对风险最低的客户更有效：第1五分位减第5五分位的增益 = " + _PP["zh"] + "。"},
    "churn.uplift_risk_top_minus_bottom.down": {
        "en": "The offer works less for the riskiest customers than for the safest: uplift in quintile 1 minus "
              "quintile 5 = " + _PP["en"] + ".",
        "zh": "优惠对风险最高的客户不如对风险最低的客户有效：第1五分位减第5五分位的增益 = " + _PP["zh"] + "。"},
    "churn.uplift_risk_top_minus_bottom.unclear": {
        "en": "The data at this size cannot tell whether the offer works differently for the riskiest and the safest "
              "customers: uplift in quintile 1 minus quintile 5 = " + _PP["en"] + ".",
        "zh": "以目前的数据量无法判断优惠对风险最高和最低的客户效果是否不同：第1五分位减第5五分位的增益 = "
              + _PP["zh"] + "。"},
    "value.low": {"en": "low", "zh": "低"},
    "value.mid": {"en": "mid", "zh": "中"},
    "value.high": {"en": "high", "zh": "高"},
    "value.xlabel": {"en": "estimated customer value (CLV before the campaign, tercile)",
                     "zh": "估计的客户价值（活动前的客户终身价值，三分位）"},
    "value.ylabel": {"en": "uplift in response rate", "zh": "响应率增益"},
    "value.title.up": {"en": "The offer works better for the most valuable customers",
                       "zh": "优惠对最有价值的客户更有效"},
    "value.title.down": {"en": "The offer works less for the most valuable customers",
                         "zh": "优惠对最有价值的客户效果较差"},
    "value.title.unclear": {"en": "Uplift by customer value: no clear difference between high and low at this size",
                            "zh": "按客户价值的增益：以目前的数据量看不出高低价值客户的差别"},
    "churn.uplift_value_high.up": {
        "en": "For the most valuable third of customers the offer raises the response rate: " + _PP["en"] + ".",
        "zh": "对价值最高的三分之一客户，优惠提高了响应率：" + _PP["zh"] + "。"},
    "churn.uplift_value_high.down": {
        "en": "For the most valuable third of customers the offer backfires: it lowers the response rate by "
              + _PP["en"] + ".",
        "zh": "对价值最高的三分之一客户，优惠适得其反：响应率变化 " + _PP["zh"] + "。"},
    "churn.uplift_value_high.unclear": {
        "en": "The data at this size cannot tell whether the offer works for the most valuable third of customers: "
              + _PP["en"] + ".",
        "zh": "以目前的数据量无法判断优惠对价值最高的三分之一客户是否有效：" + _PP["zh"] + "。"},
    "churn.uplift_value_high_minus_low.up": {
        "en": "The offer works better for the most valuable third than for the least valuable: difference in uplift "
              + _PP["en"] + ".",
        "zh": "优惠对价值最高的三分之一客户比对价值最低的更有效：增益之差 " + _PP["zh"] + "。"},
    "churn.uplift_value_high_minus_low.down": {
        "en": "The offer works less for the most valuable third than for the least valuable: difference in uplift "
              + _PP["en"] + ".",
        "zh": "优惠对价值最高的三分之一客户不如对价值最低的有效：增益之差 " + _PP["zh"] + "。"},
    "churn.uplift_value_high_minus_low.unclear": {
        "en": "The data at this size cannot tell whether the offer works differently for the most and the least "
              "valuable third: difference in uplift " + _PP["en"] + ".",
        "zh": "以目前的数据量无法判断优惠对价值最高和最低的三分之一客户效果是否不同：增益之差 " + _PP["zh"] + "。"},
    "value.heterogeneity": {"en": "Test of equal uplift in the three terciles: chi2 = {chi2:.2f}, df = {df}, p = {p:.3f}",
                            "zh": "三个价值三分位增益相同的检验：chi2 = {chi2:.2f}，自由度 = {df}，p = {p:.3f}"},
    "churn.sleeping_dogs.up": {
        "en": "No sleeping dogs found: even among the {share:.0%} of customers with the lowest predicted uplift the "
              "offer raises the response rate, by " + _PP["en"] + ".",
        "zh": "没有发现反作用客户：即使在预测增益最低的 {share:.0%} 客户中，优惠也提高了响应率：" + _PP["zh"] + "。"},
    "churn.sleeping_dogs.down": {
        "en": "Sleeping dogs: among the {share:.0%} of customers with the lowest predicted uplift the offer lowers "
              "the response rate, by " + _PP["en"] + ". Do not contact them.",
        "zh": "存在反作用客户：在预测增益最低的 {share:.0%} 客户中，优惠降低了响应率：" + _PP["zh"] + "。不要联系他们。"},
    "churn.sleeping_dogs.unclear": {
        "en": "The data at this size cannot tell whether there are sleeping dogs: among the {share:.0%} of customers "
              "with the lowest predicted uplift the offer changed the response rate by " + _PP["en"] + ".",
        "zh": "以目前的数据量无法判断是否存在反作用客户：在预测增益最低的 {share:.0%} 客户中，优惠使响应率变化 "
              + _PP["zh"] + "。"},
    "qini.title.up": {"en": "Qini curve: the uplift model ranks customers better than random targeting",
                      "zh": "Qini 曲线：增益模型的排序优于随机选择"},
    "qini.title.down": {"en": "Qini curve: the uplift model ranks customers worse than random targeting",
                        "zh": "Qini 曲线：增益模型的排序不如随机选择"},
    "qini.title.unclear": {"en": "Qini curve of the uplift model: not clearly better than random at this size",
                           "zh": "增益模型的 Qini 曲线：以目前的数据量看不出优于随机选择"},
    "qini.model": {"en": "uplift model (Qini curve)", "zh": "增益模型（Qini 曲线）"},
    "qini.random": {"en": "random targeting", "zh": "随机选择"},
    "qini.xlabel": {"en": "share of customers targeted (highest predicted uplift first)",
                    "zh": "选中客户的比例（按预测增益从高到低）"},
    "qini.ylabel": {"en": "incremental responses per customer of the base", "zh": "每位客户的增量响应"},
    "churn.qini.up": {
        "en": "The uplift model ranks customers better than random targeting: Qini coefficient {estimate:.4f} "
              "({level:.0%} CI {ci_low:.4f} to {ci_high:.4f}; bootstrap).",
        "zh": "增益模型的排序优于随机选择：Qini 系数 {estimate:.4f}（{level:.0%} 置信区间 {ci_low:.4f} 至 "
              "{ci_high:.4f}；自助法）。"},
    "churn.qini.down": {
        "en": "The uplift model ranks customers worse than random targeting: Qini coefficient {estimate:.4f} "
              "({level:.0%} CI {ci_low:.4f} to {ci_high:.4f}; bootstrap).",
        "zh": "增益模型的排序不如随机选择：Qini 系数 {estimate:.4f}（{level:.0%} 置信区间 {ci_low:.4f} 至 "
              "{ci_high:.4f}；自助法）。"},
    "churn.qini.unclear": {
        "en": "The data at this size cannot tell whether the uplift model ranks customers better than random "
              "targeting: Qini coefficient {estimate:.4f} ({level:.0%} CI {ci_low:.4f} to {ci_high:.4f}; bootstrap).",
        "zh": "以目前的数据量无法判断增益模型的排序是否优于随机选择：Qini 系数 {estimate:.4f}（{level:.0%} "
              "置信区间 {ci_low:.4f} 至 {ci_high:.4f}；自助法）。"},
    # targeting
    "strategy.random": {"en": "at random", "zh": "随机"},
    "strategy.risk": {"en": "by churn risk", "zh": "按流失风险"},
    "strategy.uplift": {"en": "by uplift", "zh": "按增益"},
    "col.strategy": {"en": "targeting", "zh": "选择方式"},
    "col.n_targeted": {"en": "n_targeted", "zh": "选中人数"},
    "col.incremental_responses": {"en": "incremental responses", "zh": "增量响应"},
    "col.value_gain": {"en": "value gained", "zh": "增加的价值"},
    "col.value_per_response": {"en": "LTV (mean CLV)", "zh": "LTV（平均客户终身价值）"},
    "col.cost_per_contact": {"en": "c (cost per contact)", "zh": "c（每位客户的成本）"},
    "col.cost": {"en": "offer cost", "zh": "优惠成本"},
    "col.profit": {"en": "profit", "zh": "利润"},
    "col.profit_ci_low": {"en": "profit ci_low", "zh": "利润置信下限"},
    "col.profit_ci_high": {"en": "profit ci_high", "zh": "利润置信上限"},
    "profit.xlabel": {"en": "targeting rule ({share:.0%} of the campaign's customers)",
                      "zh": "选择规则（活动客户的 {share:.0%}）"},
    "profit.ylabel": {"en": "campaign profit (yuan, 95% bootstrap CI)", "zh": "活动利润（元，95% 自助法置信区间）"},
    "profit.title.leader": {"en": "Targeting {leader} earns the most", "zh": "{leader}选择目标客户的利润最高"},
    "profit.title.unclear": {"en": "Profit of targeting rules: no clear winner at this size",
                             "zh": "各选择规则的利润：以目前的数据量无法确定哪种最好"},
    "churn.best_targeting.leader": {
        "en": "Targeting {leader} earns the most: {estimate:,.0f} yuan more than targeting {runner_up} ({level:.0%} CI "
              "{ci_low:,.0f} to {ci_high:,.0f}; bootstrap).",
        "zh": "{leader}选择目标客户的利润最高：比{runner_up}选择多 {estimate:,.0f} 元（{level:.0%} 置信区间 "
              "{ci_low:,.0f} 至 {ci_high:,.0f}；自助法）。"},
    "churn.best_targeting.unclear": {
        "en": "The data at this size cannot tell which targeting rule earns the most: targeting {leader} leads "
              "targeting {runner_up} by {estimate:,.0f} yuan ({level:.0%} CI {ci_low:,.0f} to {ci_high:,.0f}; "
              "bootstrap).",
        "zh": "以目前的数据量无法判断哪种选择规则利润最高：{leader}选择比{runner_up}选择多 {estimate:,.0f} 元"
              "（{level:.0%} 置信区间 {ci_low:,.0f} 至 {ci_high:,.0f}；自助法）。"},
    "churn.profit_uplift_minus_risk.up": {
        "en": "Targeting by uplift earns more than targeting by churn risk: {estimate:+,.0f} yuan ({level:.0%} CI "
              "{ci_low:+,.0f} to {ci_high:+,.0f}; bootstrap).",
        "zh": "按增益选择比按流失风险选择利润更高：{estimate:+,.0f} 元（{level:.0%} 置信区间 {ci_low:+,.0f} 至 "
              "{ci_high:+,.0f}；自助法）。"},
    "churn.profit_uplift_minus_risk.down": {
        "en": "Targeting by churn risk earns more than targeting by uplift: uplift minus risk {estimate:+,.0f} yuan "
              "({level:.0%} CI {ci_low:+,.0f} to {ci_high:+,.0f}; bootstrap).",
        "zh": "按流失风险选择比按增益选择利润更高：增益减风险 {estimate:+,.0f} 元（{level:.0%} 置信区间 "
              "{ci_low:+,.0f} 至 {ci_high:+,.0f}；自助法）。"},
    "churn.profit_uplift_minus_risk.unclear": {
        "en": "The data at this size cannot tell whether targeting by uplift earns more than targeting by churn "
              "risk: {estimate:+,.0f} yuan ({level:.0%} CI {ci_low:+,.0f} to {ci_high:+,.0f}; bootstrap).",
        "zh": "以目前的数据量无法判断按增益选择是否比按流失风险选择利润更高：{estimate:+,.0f} 元（{level:.0%} "
              "置信区间 {ci_low:+,.0f} 至 {ci_high:+,.0f}；自助法）。"},
    "churn.profit_uplift_minus_random.up": {
        "en": "Targeting by uplift earns more than targeting at random: {estimate:+,.0f} yuan ({level:.0%} CI "
              "{ci_low:+,.0f} to {ci_high:+,.0f}; bootstrap).",
        "zh": "按增益选择比随机选择利润更高：{estimate:+,.0f} 元（{level:.0%} 置信区间 {ci_low:+,.0f} 至 "
              "{ci_high:+,.0f}；自助法）。"},
    "churn.profit_uplift_minus_random.down": {
        "en": "Targeting at random earns more than targeting by uplift: uplift minus random {estimate:+,.0f} yuan "
              "({level:.0%} CI {ci_low:+,.0f} to {ci_high:+,.0f}; bootstrap).",
        "zh": "随机选择比按增益选择利润更高：增益减随机 {estimate:+,.0f} 元（{level:.0%} 置信区间 {ci_low:+,.0f} 至 "
              "{ci_high:+,.0f}；自助法）。"},
    "churn.profit_uplift_minus_random.unclear": {
        "en": "The data at this size cannot tell whether targeting by uplift earns more than targeting at random: "
              "{estimate:+,.0f} yuan ({level:.0%} CI {ci_low:+,.0f} to {ci_high:+,.0f}; bootstrap).",
        "zh": "以目前的数据量无法判断按增益选择是否比随机选择利润更高：{estimate:+,.0f} 元（{level:.0%} 置信区间 "
              "{ci_low:+,.0f} 至 {ci_high:+,.0f}；自助法）。"},
    "formula.print": {
        "en": "N x p x (gamma x LTV - c) = {n:,} x {p} x ({gamma:.3f} x {ltv:,.0f} - {c:.2f}) = {profit:,.0f} yuan for a "
              "random {p:.0%}; gamma = ATE, LTV = mean estimated CLV of the campaign's customers, c = mean offer_cost "
              "of a treated customer (contact plus redeemed offers). The table uses the same formula for each rule, "
              "with the LTV and c of the customers it targets in the held-out half.",
        "zh": "N x p x (gamma x LTV - c) = {n:,} x {p} x ({gamma:.3f} x {ltv:,.0f} - {c:.2f}) = {profit:,.0f} 元（随机选择 "
              "{p:.0%}）；gamma = 平均处理效应，LTV = 活动客户的平均估计客户终身价值，c = 每位处理组客户的平均 offer_cost"
              "（联系成本加兑现的优惠）。表中对每种规则用同一公式，LTV 和 c 取其在留出的一半客户中选中客户的值。"},
    # ------------------------------------------------------------------ result
    "result.window": {"en": "churn ({window}-day window): {rate:.1%} of active customers",
                      "zh": "客户流失率（{window} 天窗口）：活跃客户的 {rate:.1%}"},
    "result.hr": {"en": "hazard ratios (latent dropout):", "zh": "风险比（潜在流失模型）："},
    "result.model": {"en": "churn model: AUC {auc:.3f}, top-decile lift {lift:.2f}",
                     "zh": "流失模型：AUC {auc:.3f}，前10%提升度 {lift:.2f}"},
    # ------------------------------------------------------------------ by hand: Kaplan-Meier and T-learner
    "col.duration_days": {"en": "days observed", "zh": "观察天数"},
    "col.churned": {"en": "churn observed", "zh": "已观察到流失"},
    "col.day": {"en": "day t_j", "zh": "第 t_j 天"},
    "col.at_risk": {"en": "n_j at risk", "zh": "风险集人数 n_j"},
    "col.churned_today": {"en": "d_j churned", "zh": "当天流失 d_j"},
    "col.factor": {"en": "1 - d_j/n_j", "zh": "1 - d_j/n_j"},
    "col.s_hand": {"en": "S(t) by hand", "zh": "手算 S(t)"},
    "col.s_package": {"en": "S(t) package", "zh": "程序包 S(t)"},
    "col.p_offer": {"en": "P(respond | offer)", "zh": "P(响应 | 发优惠)"},
    "col.p_no_offer": {"en": "P(respond | no offer)", "zh": "P(响应 | 不发优惠)"},
    "col.uplift_hand": {"en": "uplift by hand", "zh": "手算增益"},
    "col.uplift_package": {"en": "uplift package", "zh": "程序包增益"},
    # ------------------------------------------------------------------ exercise feedback (never the expected value)
    "hint.share": {"en": "{name} should be a share: a float between 0 and 1.",
                   "zh": "{name} 应是一个比例：0 到 1 之间的浮点数。"},
    "hint.nan": {"en": "{name} is missing: the data have campaigns and service events, so compute a number.",
                 "zh": "{name} 缺失：数据中有营销活动和服务事件，请算出一个数值。"},
    "hint.km_start": {"en": "A survival curve can only fall: S(365) cannot exceed S(0), the share of customers who "
                            "came back after their first order.",
                      "zh": "生存曲线只会下降：S(365) 不能超过 S(0)，即首次购买后又回来的客户比例。"},
    "hint.km_censoring": {"en": "This is the share of customers observed beyond day 365, which counts censored "
                                "customers as churned. Use the Kaplan-Meier curve of all customers.",
                          "zh": "这是观察期超过 365 天的客户比例，相当于把删失客户当作流失。请用全部客户的卡普兰-迈耶曲线。"},
    "hint.same_window": {"en": "This is the churn rate with the lesson's window. Recompute the labels with a 180-day "
                               "window.",
                         "zh": "这是本课窗口下的客户流失率。请用 180 天窗口重新计算流失标签。"},
    "hint.cutoff_180": {"en": "With a 180-day window the cut-off must leave 180 days of data before as_of; the "
                              "lesson's cut-off leaves a different follow-up.",
                        "zh": "采用 180 天窗口时，截止日之后到 as_of 必须正好留出 180 天；本课的截止日留出的观察期不同。"},
    "hint.all_test": {"en": "This is the churn rate of all test customers; keep only the quarter with the lowest "
                            "predicted risk.",
                      "zh": "这是全部测试客户的流失率；只保留预测流失风险最低的四分之一客户。"},
    "hint.low_order": {"en": "Your quarter churns at least as often as the test customers on average: check that you "
                             "took the lowest predicted risks, not the highest.",
                       "zh": "你选出的四分之一客户流失率不低于测试客户的平均水平：请检查是否取了预测风险最低的客户，而不是最高的。"},
    "hint.difference": {"en": "An effect on a response rate is a difference of two shares: between -1 and 1.",
                        "zh": "对响应率的效果是两个比例之差：应在 -1 与 1 之间。"},
    "hint.subgroup": {"en": "This is the effect for all campaign customers; keep only those with a service event "
                            "before the send date.",
                      "zh": "这是全部活动客户的效果；只保留发送日期之前有服务事件的客户。"},
    "hint.control": {"en": "This is the response rate of all treated customers. The effect compares treated and "
                           "control customers of the same subgroup.",
                     "zh": "这是全部处理组客户的响应率。效果要比较同一子群中的处理组与对照组。"},
    # ------------------------------------------------------------------ check against the truth
    "truth.churn_rate": {"en": "churn rate (observed window vs latent)", "zh": "客户流失率（观察窗口 vs 潜在流失）"},
    "truth.definitions": {"en": "different definitions: inactivity vs true dropout",
                          "zh": "定义不同：不活跃 vs 真实流失"},
    "truth.hr": {"en": "hazard ratio: {kind}", "zh": "风险比：{kind}"},
    "truth.cover": {"en": "95% CI should cover", "zh": "95% 置信区间应覆盖真值"},
    "truth.ate": {"en": "campaign ATE", "zh": "活动平均处理效应"},
    "truth.none": {"en": "no truth available (real data, or a copy without the simulator's truth file)",
                   "zh": "没有真值可供核对（真实数据，或不含模拟器真值文件的副本）"},
    "results.written": {"en": "results written:", "zh": "结果已写入："},
    "col.quantity": {"en": "quantity", "zh": "指标"},
    "col.estimate": {"en": "estimate", "zh": "估计值"},
    "col.truth": {"en": "truth", "zh": "真值"},
    "col.tolerance": {"en": "tolerance", "zh": "容许范围"},
    "col.claim": {"en": "claim", "zh": "结论"},
    "col.supported": {"en": "supported", "zh": "证据支持"},
    "col.covered": {"en": "covered", "zh": "区间覆盖真值"},
    "col.segment": {"en": "segment (simulator)", "zh": "客户细分（模拟器）"},
    "col.true_uplift": {"en": "true uplift", "zh": "真实增益"},
    # ------------------------------------------------------------------ directional claims per failure kind
    **_hr_claims(),
})
