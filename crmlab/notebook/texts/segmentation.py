"""Sentences and figure titles of lesson 03 (segmentation and customer value), in English and Chinese.

Findings are claims (:mod:`crmlab.analysis.claims`); a figure title is the
claim ``ID.title`` built from the same estimate. :func:`segment_label` gives
the display name of a segment.

Examples
--------
>>> from crmlab.analysis.claims import directional
>>> from crmlab.notebook.texts.segmentation import MESSAGES, segment_label
>>> directional("segmentation.top20_share.title", (0.70, 0.68, 0.72), MESSAGES, null=0.5).text
'A fifth of the customers bring most of the revenue'
>>> segment_label("premium_loyalists", "zh")
'高端忠实客户'
"""

from __future__ import annotations

from ...i18n import Messages, check_lang

__all__ = ["MESSAGES", "SEGMENT_LABELS", "segment_label"]

#: Display names of the simulator's buying archetypes (:data:`crmlab.analysis.segment_naming.ARCHETYPE_NAMES`),
#: shown only in the truth check. The segments a clustering finds are named by
#: :func:`crmlab.analysis.segment_naming.describe_segments`, in ``lang`` already.
SEGMENT_LABELS = Messages({
    "premium_loyalists": {"en": "premium loyalists", "zh": "高端忠实客户"},
    "tech_enthusiasts": {"en": "tech enthusiasts", "zh": "数码发烧友"},
    "family_upgraders": {"en": "family upgraders", "zh": "家庭换新客户"},
    "bargain_hunters": {"en": "bargain hunters", "zh": "价格敏感客户"},
    "occasional_shoppers": {"en": "occasional shoppers", "zh": "偶尔购买客户"},
})


def segment_label(name: str, lang: str = "en") -> str:
    """Display name of a planted archetype in ``lang`` (unknown names with spaces for underscores)."""
    check_lang(lang)
    return SEGMENT_LABELS(name, lang) if name in SEGMENT_LABELS else str(name).replace("_", " ")


MESSAGES = Messages({
    "customers": {"en": "{n:,} customers with a completed order up to {as_of}",
                  "zh": "截至 {as_of}，共 {n:,} 位客户有已完成订单"},
    "rfm_codes": {"en": "most common RFM codes: {codes}", "zh": "最常见的 RFM 代码：{codes}"},
    # 80/20
    "segmentation.top20_share.up": {
        "en": "The top 20% of customers bring most of the revenue: {estimate:.1%} ({level:.0%} bootstrap CI "
              "{ci_low:.1%} to {ci_high:.1%}); the 80/20 rule would say 80%.",
        "zh": "前 20% 的客户贡献了大部分收入：{estimate:.1%}（{level:.0%} bootstrap 置信区间 {ci_low:.1%} 至 "
              "{ci_high:.1%}）；按二八定律应为 80%。"},
    "segmentation.top20_share.down": {
        "en": "The top 20% of customers bring less than half of the revenue: {estimate:.1%} ({level:.0%} bootstrap "
              "CI {ci_low:.1%} to {ci_high:.1%}); the 80/20 rule would say 80%.",
        "zh": "前 20% 的客户贡献的收入不到一半：{estimate:.1%}（{level:.0%} bootstrap 置信区间 {ci_low:.1%} 至 "
              "{ci_high:.1%}）；按二八定律应为 80%。"},
    "segmentation.top20_share.unclear": {
        "en": "The top 20% of customers bring {estimate:.1%} of the revenue ({level:.0%} bootstrap CI {ci_low:.1%} "
              "to {ci_high:.1%}): the data cannot tell whether that is most of it.",
        "zh": "前 20% 的客户贡献了 {estimate:.1%} 的收入（{level:.0%} bootstrap 置信区间 {ci_low:.1%} 至 "
              "{ci_high:.1%}）：数据无法判断是否超过一半。"},
    "segmentation.top20_share.title.up": {"en": "A fifth of the customers bring most of the revenue",
                                          "zh": "五分之一的客户贡献了大部分收入"},
    "segmentation.top20_share.title.down": {"en": "A fifth of the customers bring less than half of the revenue",
                                            "zh": "五分之一的客户贡献的收入不到一半"},
    "segmentation.top20_share.title.unclear": {"en": "A fifth of the customers bring about half of the revenue",
                                               "zh": "五分之一的客户贡献了约一半的收入"},
    "top1": {"en": "The top 1% of customers (key customers) bring {share:.1%} of the revenue.",
             "zh": "前 1% 的客户（重要客户）贡献了 {share:.1%} 的收入。"},
    "pareto.customers": {"en": "customers", "zh": "客户"},
    "pareto.equal": {"en": "equal spend", "zh": "消费均等"},
    "pareto.note": {"en": "top 20% → {share:.0%} of revenue", "zh": "前 20% → {share:.0%} 的收入"},
    "pareto.x": {"en": "share of customers (by spend)", "zh": "客户比例（按消费额排序）"},
    "pareto.y": {"en": "share of revenue", "zh": "收入比例"},
    # features
    "features": {"en": "{p} features for {n:,} customers; {repeat:.0%} are repeat buyers",
                 "zh": "{n:,} 位客户、{p} 个特征；{repeat:.0%} 为重复购买客户"},
    # choosing k
    "k.inertia.title": {"en": "Inertia by k (look for an elbow)", "zh": "不同 k 的组内平方和（寻找“肘部”）"},
    "k.inertia.y": {"en": "inertia (within-cluster sum of squares)", "zh": "组内平方和"},
    "k.silhouette.title": {"en": "Mean silhouette by k: from {worst:.2f} (k = {k_worst}) to {best:.2f} (k = {k_best})",
                           "zh": "不同 k 的平均轮廓系数：从 {worst:.2f}（k = {k_worst}）到 {best:.2f}（k = {k_best}）"},
    "k.silhouette.y": {"en": "mean silhouette", "zh": "平均轮廓系数"},
    "k.x": {"en": "k (number of segments)", "zh": "k（细分数量）"},
    "k.agree": {
        "en": "Silhouette, Calinski-Harabasz and Davies-Bouldin all favour k = {k}. The mean silhouette ranges from "
              "{worst:.2f} (k = {k_worst}) to {best:.2f} (k = {k}): {structure}.",
        "zh": "轮廓系数、Calinski-Harabasz 指数和 Davies-Bouldin 指数都指向 k = {k}。平均轮廓系数介于 "
              "{worst:.2f}（k = {k_worst}）与 {best:.2f}（k = {k}）之间：{structure}。"},
    "k.disagree": {
        "en": "The scores favour different k: silhouette k = {k_sil}, Calinski-Harabasz k = {k_ch}, Davies-Bouldin "
              "k = {k_db}. The mean silhouette ranges from {worst:.2f} (k = {k_worst}) to {best:.2f} (k = {k_sil}): "
              "{structure}.",
        "zh": "各指标指向不同的 k：轮廓系数 k = {k_sil}，Calinski-Harabasz 指数 k = {k_ch}，Davies-Bouldin 指数 "
              "k = {k_db}。平均轮廓系数介于 {worst:.2f}（k = {k_worst}）与 {best:.2f}（k = {k_sil}）之间：{structure}。"},
    "structure.strong": {"en": "strong structure by Kaufman & Rousseeuw's reading (above 0.70)",
                         "zh": "按 Kaufman 与 Rousseeuw 的标准为强结构（高于 0.70）"},
    "structure.reasonable": {"en": "a reasonable structure by Kaufman & Rousseeuw's reading (0.51-0.70)",
                             "zh": "按 Kaufman 与 Rousseeuw 的标准为合理结构（0.51-0.70）"},
    "structure.weak": {"en": "a weak structure by Kaufman & Rousseeuw's reading (0.26-0.50): the segments overlap",
                       "zh": "按 Kaufman 与 Rousseeuw 的标准为弱结构（0.26-0.50）：各细分相互重叠"},
    "structure.none": {"en": "no substantial structure by Kaufman & Rousseeuw's reading (0.25 or less): customers do "
                               "not fall into separated groups",
                       "zh": "按 Kaufman 与 Rousseeuw 的标准没有明显结构（不高于 0.25）：客户并未分成界限清楚的群体"},
    "k.chosen": {"en": "This notebook uses k = {k} (parameter n_segments); the scores favour k = {k_sil} (silhouette).",
                 "zh": "本课使用 k = {k}（参数 n_segments）；各指标中轮廓系数指向 k = {k_sil}。"},
    "stability": {"en": "k = {k}: median bootstrap ARI = {median:.2f} (min {min:.2f}, max {max:.2f}) over {n} resamples",
                  "zh": "k = {k}：{n} 次 bootstrap 重抽样的调整兰德指数中位数 = {median:.2f}"
                        "（最小 {min:.2f}，最大 {max:.2f}）"},
    # profiles
    "profiles.title": {"en": "Segments by purchase frequency and average order value",
                       "zh": "各细分的购买频率与平均订单金额"},
    "profiles.x": {"en": "log(1 + orders)", "zh": "log(1 + 订单数)"},
    "profiles.y": {"en": "log(1 + average order value, yuan)", "zh": "log(1 + 平均订单金额，元)"},
    # CLV
    "retention": {"en": "annual retention estimated from the data: {retention:.0%}; margin {margin:.0%}",
                  "zh": "由数据估计的年保留率：{retention:.0%}；毛利率 {margin:.0%}"},
    "segmentation.equity_leader.leader": {
        "en": "The largest share of customer equity is held by {leader}: {leader_estimate:.0%}, ahead of {runner_up} "
              "({runner_up_estimate:.0%}) by {estimate:.2f} ({level:.0%} bootstrap CI {ci_low:.2f} to {ci_high:.2f}, "
              "customers resampled).",
        "zh": "{leader}拥有最大的客户资产份额：{leader_estimate:.0%}，比{runner_up}（{runner_up_estimate:.0%}）高 "
              "{estimate:.2f}（{level:.0%} bootstrap 置信区间 {ci_low:.2f} 至 {ci_high:.2f}，按客户重抽样）。"},
    "segmentation.equity_leader.unclear": {
        "en": "The largest shares of customer equity are those of {leader} ({leader_estimate:.0%}) and {runner_up} "
              "({runner_up_estimate:.0%}); the data cannot tell which is larger (lead {estimate:.2f}, {level:.0%} "
              "bootstrap CI {ci_low:.2f} to {ci_high:.2f}, customers resampled).",
        "zh": "客户资产份额最大的是{leader}（{leader_estimate:.0%}）和{runner_up}（{runner_up_estimate:.0%}）；"
              "数据无法判断哪一个更大（差距 {estimate:.2f}，{level:.0%} bootstrap 置信区间 {ci_low:.2f} 至 "
              "{ci_high:.2f}，按客户重抽样）。"},
    "segmentation.equity_leader.title.leader": {"en": "The largest share of customer equity: {leader}",
                                                "zh": "客户资产份额最大：{leader}"},
    "segmentation.equity_leader.title.unclear": {
        "en": "Largest share of customer equity: {leader} or {runner_up}? The data cannot tell",
        "zh": "客户资产份额最大：{leader}还是{runner_up}？数据无法判断"},
    "equity.x": {"en": "segment", "zh": "客户细分"},
    "equity.y": {"en": "share of customer equity (95% CI)", "zh": "客户资产份额（95% 置信区间）"},
    # truth check
    "truth.ari_all": {"en": "ARI vs planted segments (all purchasers)", "zh": "与真实细分的调整兰德指数（全部购买客户）"},
    "truth.ari_repeat": {"en": "ARI vs planted segments (repeat buyers)", "zh": "与真实细分的调整兰德指数（重复购买客户）"},
    "truth.n_segments": {"en": "number of segments", "zh": "细分数量"},
    "truth.same": {"en": "same", "zh": "相同"},
    "truth.found": {"en": "k-means segment", "zh": "k 均值细分"},
    "truth.planted": {"en": "planted segment", "zh": "真实细分"},
    # result
    "sizes": {"en": "segments by size: {sizes}", "zh": "各细分的规模：{sizes}"},
    # naming
    "naming.cutoffs": {
        "en": "Naming rule: a segment is low on a measure when its members' mean percentile rank is at most {low:.2f}, "
              "high when it is at least {high:.2f} (0.50 = the middle customer).",
        "zh": "命名规则：若某细分成员在某指标上的平均百分位秩不高于 {low:.2f}，则该指标为“低”；不低于 {high:.2f} 则为“高”"
              "（0.50 = 处于中间的客户）。"},
    "naming.row": {"en": "{seg} · {name}: {rule}", "zh": "{seg} · {name}：{rule}"},
    "list.sep": {"en": ", ", "zh": "，"},
    "truth.none": {"en": "no truth available (real data or a dataset without its truth file)",
                   "zh": "没有真值可用（真实数据，或数据集不含真值文件）"},
    "results.written": {"en": "results written: {keys}", "zh": "结果已写入：{keys}"},
    # formative hints of the exercises' visible checks (they never show the expected value)
    "hint.float": {"en": "{name} should be one number (a float), not a Series or a table.",
                   "zh": "{name} 应为一个数（float），而不是 Series 或表格。"},
    "hint.int": {"en": "{name} should be a count (an int).", "zh": "{name} 应为一个计数（int）。"},
    "hint.share": {"en": "{name} is a share: it lies between 0 and 1.", "zh": "{name} 是一个比例：应介于 0 与 1 之间。"},
    "hint.top10": {
        "en": "The top 10% bring at least 10% of the revenue and no more than the top 20% ({top20:.1%}): sort the "
              "customers from the highest spend down, keep the first ceil(10%), divide by all revenue.",
        "zh": "前 10% 的客户至少贡献 10% 的收入，且不会超过前 20%（{top20:.1%}）：按消费额从高到低排序，取前 ceil(10%) "
              "位客户，再除以全部收入。"},
    "hint.lapsed.tiers": {
        "en": "Count only customers of the top three tiers (there are {n} of them), not all customers.",
        "zh": "只统计金字塔前三层的客户（共 {n} 位），而不是全部客户。"},
    "hint.lapsed.days": {
        "en": "Use days since the last order (recency_days > 365), not the R score.",
        "zh": "请使用距最近一次消费的天数（recency_days > 365），而不是 R 分数。"},
    "hint.pct.range": {
        "en": "A percentile rank lies between 0 and 1: divide the rank by the number of customers.",
        "zh": "百分位秩介于 0 与 1 之间：请把秩次除以客户总数。"},
    "hint.pct.within": {
        "en": "A mean of exactly 0.5 means you ranked the one-time buyers among themselves: rank all customers "
              "first, then average over the one-time buyers.",
        "zh": "平均值恰好为 0.5，说明你只在一次性客户内部排序：应先在全部客户中排序，再对一次性客户取平均。"},
    "hint.retention": {
        "en": "Repeat buyers cannot be retained less often than all customers ({retention:.0%}): a one-time buyer "
              "whose first order is a year old has not ordered in the last year. Keep customers with two or more "
              "orders whose first order is at least 365 days old.",
        "zh": "重复购买客户的保留率不可能低于全体客户（{retention:.0%}）：首单已满一年的一次性客户在最近一年内没有下单。"
              "请保留订单数不少于 2、且首单距今至少 365 天的客户。"},
})
