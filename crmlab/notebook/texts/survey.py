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

from ...i18n import Messages

__all__ = ["MESSAGES", "DIMENSIONS"]

#: The survey dimensions whose relative-weight share is a claim (``survey.rw_share.<dimension>``).
DIMENSIONS = ("advertising", "price", "service", "quality")

_CI = {"en": "{level:.0%} CI {ci_low:.2f} to {ci_high:.2f}", "zh": "{level:.0%} 置信区间 {ci_low:.2f} 至 {ci_high:.2f}"}


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
    "churn.x": {"en": "overall satisfaction (1-5)", "zh": "整体满意度（1-5）"},
    "churn.y": {"en": "share with no order in the next {window} days (95% CI)",
                "zh": "随后 {window} 天内没有购买的比例（95% 置信区间）"},
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
})
