# %% [markdown]
# # 01 · The satisfaction survey: what drives satisfaction, and does it matter?
#
# **Question.** How satisfied are customers with advertising/promotion (宣传), price (价格),
# service (服务) and product quality (质量); which of these drives overall satisfaction; would
# customers recommend the retailer (NPS); do the respondents represent the customers; how do
# city tiers and competitors compare; and do dissatisfied customers really leave?
#
# **Method.** Read the questionnaire; check the scale (Cronbach's α, factor analysis with varimax
# rotation); compute dimension scores; run a key-driver analysis (standardised regression and
# relative weights); draw the importance-performance grid; estimate the Net Promoter Score with a
# bootstrap confidence interval; compare the respondents with the customer base; compare city tiers
# and competitors with intervals; link answers to later purchases; and code the free-text comments.
#
# **Contents.** *Theory*: Likert scales, reliability, key drivers, IPA, NPS, sampling bias.
# *Practical*: the steps above. *Result*, *Discussion*, *Quiz*, *Exercises*, a written memo,
# *check against the truth*.
#
# **References.** Cronbach (1951) *Psychometrika*; Parasuraman, Zeithaml & Berry (1988) SERVQUAL;
# Johnson (2000) *Multivariate Behavioral Research* (relative weights); Martilla & James (1977)
# *Journal of Marketing* (IPA); Reichheld (2003) *HBR* (NPS); Fornell et al. (1996) ACSI;
# Groves et al. (2009) *Survey Methodology* (coverage and nonresponse).

# %% [markdown] lang="zh"
# # 01 · 客户满意度调查：什么决定满意度，满意度又有什么影响？
#
# **问题。** 客户对宣传、价格、服务和质量四个方面满意吗？哪一个方面对整体满意度影响最大？客户是否愿意推荐
# 这家零售商（净推荐值，NPS）？受访者能否代表全体客户？不同城市等级和不同竞争对手之间有何差别？不满意的客户
# 真的会流失吗？
#
# **方法。** 先读问卷；检验量表（克朗巴哈系数 α、方差最大旋转的因子分析）；计算维度得分；做关键驱动因素分析
# （标准化回归与相对权重）；绘制重要性-表现分析（IPA）图；用 bootstrap 置信区间估计净推荐值；将受访者与客户
# 总体比较；带区间地比较城市等级和竞争对手；把回答与之后的购买联系起来；对开放式意见做主题编码。
#
# **内容。** *理论*：李克特量表、信度、关键驱动因素、IPA、净推荐值、抽样偏差。*实践*：上述各步。*结果*、
# *讨论*、*测验*、*练习*、一份书面备忘录，以及*与真值核对*。
#
# **参考文献。** Cronbach (1951) *Psychometrika*；Parasuraman, Zeithaml & Berry (1988) SERVQUAL；
# Johnson (2000) *Multivariate Behavioral Research*（相对权重）；Martilla & James (1977)
# *Journal of Marketing*（IPA）；Reichheld (2003) *HBR*（NPS）；Fornell et al. (1996) ACSI；
# Groves et al. (2009) *Survey Methodology*（覆盖误差与无应答）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# 1. *read and critique* a satisfaction questionnaire (constructs, item wording, answer scales);
# 2. *compute* reliability, dimension scores, relative-weight driver shares and the NPS, each with
#    its confidence interval;
# 3. *check* whether the respondents represent the customer base (sampling bias by survey channel);
# 4. *compare* groups (city tiers, competitors) and *decide* whether a difference is supported by
#    its interval;
# 5. *recommend* where to act first, stating the uncertainty.
#
# **Prerequisites.** Lesson 00 (the data tour: tables, keys, joins); shares, means and
# correlation; what a confidence interval is.
#
# **Time.** About 120 minutes: 70 in class, 50 for the exercises and the memo.
#
# Terms used here are defined in the [glossary](../docs/glossary.md) (客户满意度, 净推荐值, 抽样偏差 ...).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课，你能够
# 1. *阅读并评析*一份满意度问卷（测量构念、题项措辞、答案量表）；
# 2. *计算*信度、维度得分、相对权重份额和净推荐值，并给出各自的置信区间；
# 3. *检验*受访者能否代表客户总体（按调查渠道检查抽样偏差）；
# 4. *比较*不同群体（城市等级、竞争对手），并根据区间*判断*差异是否成立；
# 5. *建议*首先改进哪里，并说明不确定性。
#
# **先修内容。** 第 00 课（数据导览：表、键、连接）；比例、均值与相关；置信区间的含义。
#
# **时间。** 约 120 分钟：课堂 70 分钟，练习和备忘录 50 分钟。
#
# 本课用到的术语见[术语表](../../docs/glossary.md)（客户满意度、净推荐值、抽样偏差……）。

# %% [markdown]
# ## Theory
#
# The questionnaire (问卷) asks 17 statements rated 1 (strongly disagree) to 5 (strongly agree),
# 3-5 per dimension, plus overall satisfaction (1-5) and "How likely are you to recommend us?"
# (0-10). Real answers are **negatively skewed**: most people tick 4 or 5 (top-2-box 55-75%).
#
# The course's texts name five aspects of satisfaction: 理念满意 (the firm's philosophy), 行为满意
# (how the firm and its staff behave), 视听满意 (what customers see and hear: image, advertising),
# 产品满意 (products) and 服务满意 (service). The four dimensions of this survey cover four of them:
# advertising/promotion is 视听满意, quality is 产品满意 (with price as its value for money), and
# service covers 服务满意 and the staff side of 行为满意. No item asks about 理念满意.
#
# * **Reliability.** Items of one dimension should agree. Cronbach's
#   $\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i \sigma^2_i}{\sigma^2_{\text{total}}}\right)$;
#   $\alpha \ge 0.70$ is the usual bar.
# * **Validity.** Exploratory factor analysis should find one factor per dimension, each item
#   loading mainly on its own factor.
# * **Key drivers.** Regress overall satisfaction on the dimension scores. Dimensions are
#   correlated, so raw coefficients mislead; *relative weights* (Johnson 2000) split $R^2$ into
#   shares that add up.
# * **Importance-performance analysis** (IPA) crosses importance (driver weight) with performance
#   (mean score): high importance and low performance is where to *concentrate*.
# * **NPS** = % promoters (9-10) − % detractors (0-6), in points from −100 to +100.
# * **Sampling bias.** A survey speaks for the customers only if the respondents resemble them.
#   The retailer knows every customer's purchases, so it can compare the respondents with the
#   customer base; in-store interviews on two weekdays (as in the course's survey report) tend to
#   reach store shoppers and frequent buyers.
# * **Group comparisons.** Decide which groups to compare *before* looking (here: tier-1/2 cities
#   against tier-3 to 5), and call a difference real only when the interval of the difference
#   excludes 0. Picking the best and the worst of many groups afterwards finds "differences" in noise.

# %% [markdown] lang="zh"
# ## 理论
#
# 问卷包含 17 个陈述句，按 1（非常不同意）到 5（非常同意）打分，每个维度 3-5 题；另有整体满意度（1-5）和
# “您有多大可能向亲友推荐我们？”（0-10）。真实的回答呈**负偏态**：多数人选 4 或 5（前两项比例 55-75%）。
#
# 课程材料把客户满意分为五个方面：理念满意、行为满意、视听满意、产品满意和服务满意。本调查的四个维度覆盖
# 其中四个：宣传对应视听满意，质量对应产品满意（价格是其性价比的一面），服务涵盖服务满意以及行为满意中员工
# 的部分。没有题项询问理念满意。
#
# * **信度。** 同一维度的题项应当一致。克朗巴哈系数
#   $\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i \sigma^2_i}{\sigma^2_{\text{total}}}\right)$；
#   通常以 $\alpha \ge 0.70$ 为标准。
# * **效度。** 探索性因子分析应当每个维度找到一个因子，每个题项主要载荷在本维度的因子上。
# * **关键驱动因素。** 用整体满意度对各维度得分回归。各维度相互相关，原始回归系数会误导；*相对权重*
#   （Johnson 2000）把 $R^2$ 分解成可以相加的份额。
# * **重要性-表现分析**（IPA）把重要性（驱动权重）与表现（平均得分）交叉：重要性高而表现低的维度就是
#   需要*重点改进*的地方。
# * **净推荐值** = 推荐者（9-10 分）比例 − 贬损者（0-6 分）比例，以分数表示，范围 −100 到 +100。
# * **抽样偏差。** 只有受访者与客户相似，调查才能代表客户。零售商掌握每位客户的购买记录，因此可以把
#   受访者与客户总体比较；像课程中的调查报告那样只在两个工作日在门店拦访，往往更容易访问到门店购物者和
#   经常购买的客户。
# * **分组比较。** 在看数据*之前*就决定比较哪些组（这里是一、二线城市对三至五线城市），只有差值的置信区间
#   不包含 0 时才认为差异存在。事后从许多组中挑出最好和最差的两组，会在噪声中“发现”差异。

# %% [markdown]
# ## Practical
#
# ### Parameters

# %% [markdown] lang="zh"
# ## 实践
#
# ### 参数

# %% tags=["parameters"]
data_dir = None
preset = "classroom"
seed = 0
n_customers = None
as_of = "2025-12-31"
output_dir = "."
n_boot = 2000
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import survey
from crmlab.analysis.claims import claims_json, directional, leader
from crmlab.i18n import label
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.survey import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["survey"], purpose="the survey notebook")
sv = data.survey
dims = survey.item_columns(sv)
print(T("responses", lang, n=len(sv)))
for d, items in dims.items():
    print(f"  {label(d, lang):<12} {', '.join(items)}")
claims = []  # the findings of this run, each with its interval (saved in results.json)

# %% [markdown]
# ### 0. The questionnaire
# Every analysis below rests on these questions: read them first. Each item belongs to one
# construct (the dimension it measures); the answer scale says what a number means. Look for the
# usual flaws of questionnaire design: an item that asks two things at once (*double-barrelled*:
# "helpful **and** knowledgeable" - which one did the customer rate?), an item that names the
# rivals and so invites a comparison, items whose meaning depends on an experience not every
# respondent had (installation, complaints), and a fixed scale direction (all items positive)
# that lets a hurried respondent tick "5" down the page.

# %% [markdown] lang="zh"
# ### 0. 问卷
# 下面所有分析都建立在这些问题之上：先读问题。每个题项属于一个构念（它测量的维度）；答案量表说明数字的
# 含义。留意问卷设计的常见问题：一个题项同时问两件事（*双重问题*：“热情**且**专业”——客户评的是哪一个？）；
# 题项点名竞争对手，从而引导比较；题项的含义取决于并非每位受访者都有过的经历（安装、投诉）；所有题项方向
# 一致（都是正面表述），匆忙的受访者可以一路勾选“5”。

# %%
questionnaire = survey.instrument(lang)
questionnaire["construct"] = [T(f"construct.{c}", lang) for c in questionnaire["construct"]]
questionnaire.drop(columns="scale")

# %% [markdown]
# ### 1. How are the answers distributed?
# Share of answers 1-5 over all items. Real Likert answers are usually skewed to the top; the
# top-2-box share (answers 4 or 5) has an interval that treats each respondent's answers as a
# cluster (they are not independent).

# %% [markdown] lang="zh"
# ### 1. 回答如何分布？
# 全部题项中回答 1-5 的比例。真实的李克特量表回答通常偏向高分；前两项比例（回答 4 或 5）的置信区间把每位
# 受访者的全部回答视为一个聚类（它们并不相互独立）。

# %%
items = [i for v in dims.values() for i in v]
dist = pd.Series(sv[items].to_numpy(float).ravel()).dropna().value_counts(normalize=True).sort_index()
dist.index = dist.index.astype(int)
top2 = survey.top2box_share(sv)
claims.append(directional("survey.top2box", top2, T, null=0.5, lang=lang))
plots.bar(dist, directional("survey.top2box.title", top2, T, null=0.5, lang=lang).text, T("answers.x", lang),
          T("answers.y", lang), fmt=".0%")
plt.show()
print(claims[-1].text)
survey.top2box(sv, level="dimension").to_frame("top-2-box share")

# %% [markdown]
# ### 2. Is the scale reliable and valid?

# %% [markdown] lang="zh"
# ### 2. 量表是否可信、有效？

# %%
reliability = survey.reliability_table(sv)
weakest = reliability["ci_low"].idxmin()  # the scale whose reliability is least certain to reach 0.70
claims.append(directional("survey.reliability", reliability.loc[weakest, ["alpha", "ci_low", "ci_high"]].tolist(), T,
                          null=0.70, lang=lang, dimension=label(weakest, lang), bar=0.70,
                          detail={"dimension": weakest}))
print(claims[-1].text)
reliability[["n_items", "n", "alpha", "ci_low", "ci_high", "mean_inter_item_r", "acceptable"]]

# %% [markdown]
# Factor analysis (four factors, varimax rotation) on the standardised items. Each item should
# load mainly on its own dimension's factor.

# %% [markdown] lang="zh"
# 对标准化后的题项做因子分析（四个因子，方差最大旋转）。每个题项应主要载荷在本维度的因子上。

# %%
fit = survey.factorability(sv)
fa = survey.factor_loadings(sv, n_factors=len(dims))
own = fa.primary_factor()
n_own = sum(own[i] == d for d, its in dims.items() for i in its)
print(T("factors", lang, kmo=fit.kmo, n_kaiser=fit.n_factors_kaiser, n_dims=len(dims), n_own=n_own,
        n_items=len(items)))
loadings = fa.loadings
loadings.round(2)

# %% [markdown]
# ### 3. Dimension scores and key drivers
# Each dimension's score is the mean of its items. Regressing overall satisfaction on the four
# scores and splitting R² into relative weights tells which dimension matters most - if the
# bootstrap interval of the leader's lead over the runner-up excludes 0. (The shares describe the
# answers: item means measure the latent attitudes with error, so they are not the weights of a
# structural model.)

# %% [markdown] lang="zh"
# ### 3. 维度得分与关键驱动因素
# 每个维度的得分是其题项的平均值。用整体满意度对四个维度得分回归，并把 R² 分解为相对权重，就能看出哪个
# 维度最重要——前提是第一名领先第二名的差距的 bootstrap 置信区间不包含 0。（这些份额描述的是回答：题项
# 平均值测量潜在态度时带有误差，所以它们不是结构模型的权重。）

# %%
scores = survey.dimension_scores(sv)
kda = survey.key_drivers(sv)
drivers = kda.table
shares = survey.relative_weight_shares(sv, n_boot=n_boot, random_state=seed)
print(T("r2", lang, r2=kda.r2, n=kda.n))
drivers[["r", "beta", "p_value", "relative_weight", "rw_share", "rank"]]

# %%
names = {d: label(d, lang) for d in shares.table.index}
claims.append(leader("survey.drivers", shares.estimates(), T, difference=shares.lead, names=names, lang=lang))
sh = shares.table
ax = plots.bar(sh["share"].rename(index=names),
               leader("survey.drivers.title", shares.estimates(), T, difference=shares.lead, names=names,
                      lang=lang).text, T("drivers.x", lang), T("drivers.y", lang), fmt=".0%")
ax.errorbar(range(len(sh)), sh["share"], yerr=np.clip(np.array([sh["share"] - sh["ci_low"], sh["ci_high"] - sh["share"]]), 0, None),
            fmt="none", color="black", capsize=4)
plt.show()
equal = 1 / len(sh)
for d, est in shares.estimates().items():
    claims.append(directional(f"survey.rw_share.{d}", est, T, null=equal, lang=lang, dimension=names[d],
                              equal=equal))
print("\n".join(c.text for c in claims[-len(sh) - 1:]))

# %% [markdown]
# ### 4. Importance-performance grid

# %% [markdown] lang="zh"
# ### 4. 重要性-表现分析图

# %%
grid = survey.importance_performance(kda, scores)
ipa = grid.table
plots.quadrant_chart(ipa["importance"].rename(index=names), ipa["performance"].rename(index=names),
                     T("ipa.title", lang), T("ipa.x", lang), T("ipa.y", lang),
                     xcut=grid.importance_cut, ycut=grid.performance_cut,
                     quadrant_labels=[T(k, lang) for k in ("ipa.possible_overkill", "ipa.keep_up", "ipa.low_priority",
                                                           "ipa.concentrate")])
plt.show()
ipa

# %% [markdown]
# ### 5. Net Promoter Score with a bootstrap confidence interval

# %% [markdown] lang="zh"
# ### 5. 净推荐值及其 bootstrap 置信区间

# %%
nps = survey.nps_bootstrap(sv["recommend"], n_boot=n_boot, random_state=seed)
claims.append(directional("survey.nps", (nps.nps, nps.ci_low, nps.ci_high), T, lang=lang, n=nps.n))
print(claims[-1].text)
pd.Series({k: getattr(nps, k) for k in ("promoters", "passives", "detractors")}, name="share").to_frame()

# %% [markdown]
# ### 6. Who answered? Sampling bias by survey channel
# The sampling frame is every customer who had ordered before the fieldwork began. For each kind
# of customer (main purchase channel, repeat buyer, city tier) the table gives the share in the
# base, among all respondents (with the interval of the difference) and among those who answered
# in a store or in the app. Then: do store and app respondents answer differently?

# %% [markdown] lang="zh"
# ### 6. 谁回答了问卷？按调查渠道检查抽样偏差
# 抽样框是调查开始前下过订单的全部客户。对每类客户（主要购买渠道、是否重复购买、城市等级），下表给出其在
# 客户总体中的比例、在全部受访者中的比例（以及差值的置信区间），以及在门店和手机客户端作答者中的比例。
# 然后看：门店作答者和手机客户端作答者的回答是否不同？

# %%
rep = None
if {"customers", "orders"} <= set(data.tables) and sv["customer_id"].notna().any():
    start = sv["response_date"].min().normalize()
    frame = survey.sampling_frame(data.customers, data.orders, start)
    rep = survey.representativeness(sv, frame)
    print(T("sample.sizes", lang, n_frame=rep.n_frame, start=start.date(), n_resp=rep.n_respondents,
            rate=rep.n_respondents / rep.n_frame, n_outside=rep.n_outside))
    for claim_id, row in (("survey.sample.store_shoppers", ("main_channel", "store")),
                          ("survey.sample.repeat_buyers", ("repeat_buyer", "True"))):
        r = rep.table.loc[row]
        claims.append(directional(claim_id, (r["difference"], r["ci_low"], r["ci_high"]), T, lang=lang,
                                  base=r["base"], respondents=r["respondents"]))
        print(claims[-1].text)
    display(rep.table.round(3))
channel_gap = None
if "survey_channel" in sv and sv["survey_channel"].nunique() == 2 and set(sv["survey_channel"].dropna()) == {"store", "app"}:
    by_channel = survey.nps_by_group(sv["recommend"], sv["survey_channel"], n_boot=n_boot, random_state=seed)
    in_store = (sv["survey_channel"] == "store").to_numpy()
    in_app = (sv["survey_channel"] == "app").to_numpy()
    channel_gap = survey.nps_difference(sv["recommend"][in_store], sv["recommend"][in_app], n_boot=n_boot,
                                        random_state=seed)
    claims.append(directional("survey.channel_gap", channel_gap, T, lang=lang, nps_a=channel_gap.nps_a,
                              nps_b=channel_gap.nps_b, n_a=channel_gap.n_a, n_b=channel_gap.n_b))
    print(claims[-1].text)
    display(by_channel.rename(index=lambda c: label(c, lang)).round(3))

# %% [markdown]
# ### 7. City tiers
# The NPS and the mean overall satisfaction by city tier, each with its interval. The comparison
# fixed in advance is tier-1/2 cities against tier-3 to 5 cities.

# %% [markdown] lang="zh"
# ### 7. 城市等级
# 按城市等级列出净推荐值和整体满意度均值，各带置信区间。事先确定的比较是一、二线城市对三至五线城市。

# %%
tier_gap = None
if "customers" in data.tables and "city_tier" in data.customers:
    tier = sv["customer_id"].map(data.customers.drop_duplicates("customer_id").set_index("customer_id")["city_tier"])
    by_tier = survey.nps_by_group(sv["recommend"], tier.rename("city_tier"), n_boot=n_boot, random_state=seed)
    sat_tier = survey.compare_groups(sv.assign(city_tier=tier.to_numpy()), "city_tier")
    big, known = tier.isin([1, 2]).to_numpy(), tier.notna().to_numpy()
    tier_gap = survey.nps_difference(sv["recommend"][big], sv["recommend"][known & ~big], n_boot=n_boot,
                                     random_state=seed)
    tier_words = dict(nps_a=tier_gap.nps_a, nps_b=tier_gap.nps_b, n_a=tier_gap.n_a, n_b=tier_gap.n_b)
    claims.append(directional("survey.tier_gap", tier_gap, T, lang=lang, **tier_words))
    ax = plt.subplots()[1]
    ticks = [T(f"tier.{int(t)}", lang) for t in by_tier.index]
    ax.errorbar(ticks, by_tier["nps"], yerr=np.clip(np.array([by_tier["nps"] - by_tier["ci_low"], by_tier["ci_high"] - by_tier["nps"]]), 0, None),
                fmt="o", capsize=4, color=plots.PALETTE[0])
    ax.axhline(nps.nps, color="grey", linestyle="--", linewidth=1, label=T("tier.all", lang))
    ax.legend(loc="lower right")
    plots.finish(ax, directional("survey.tier_gap.title", tier_gap, T, lang=lang, **tier_words).text,
                 T("tier.x", lang), T("tier.y", lang))
    plt.show()
    print(claims[-1].text)
    print(T("kruskal.tier", lang, p=sat_tier.p_value))
    display(by_tier.join(sat_tier.table[["mean", "ci_low", "ci_high"]].add_suffix("_satisfaction")).round(3))

# %% [markdown]
# ### 8. Competitors
# Each respondent names another retailer they buy from and says whether Suning is better, about the
# same or worse. The net share "better minus worse" is read like an NPS: above 0 means that more of
# that competitor's users prefer Suning than prefer the rival. The groups choose themselves (users of
# JD differ from users of Gome), so the comparison describes each competitor's users.

# %% [markdown] lang="zh"
# ### 8. 竞争对手
# 每位受访者说出自己还在哪家零售商购买，并回答苏宁比它更好、差不多还是更差。“更好减更差”的净比例可以像
# 净推荐值一样解读：大于 0 表示该竞争对手的用户中认为苏宁更好的人多于认为对手更好的人。各组是自选择的
# （京东的用户与国美的用户不同），所以这一比较描述的是各竞争对手的用户。

# %%
comp = None
if {"competitor", "competitor_comparison"} <= set(sv.columns) and sv["competitor_comparison"].notna().any():
    comp = survey.competitor_comparison(sv)
    for c, row in comp.iterrows():
        claim = directional("survey.competitor", (row["net"], row["ci_low"], row["ci_high"]), T, lang=lang,
                            competitor=label(c, lang), better=row["better"], worse=row["worse"], n=int(row["n"]),
                            detail={"competitor": c})
        claims.append(dataclasses.replace(claim, id=f"survey.competitor.{c}"))
        print(claims[-1].text)
    ax = plots.bar(comp["net"].rename(index=lambda c: label(c, lang)), T("competitor.title", lang),
                   T("competitor.x", lang), T("competitor.y", lang))
    ax.errorbar(range(len(comp)), comp["net"], yerr=np.clip(np.array([comp["net"] - comp["ci_low"], comp["ci_high"] - comp["net"]]), 0, None),
                fmt="none", color="black", capsize=4)
    ax.axhline(0, color="grey", linewidth=1)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1, decimals=0))
    plt.show()
    print(T("kruskal", lang, p=survey.compare_groups(sv, "competitor").p_value))
    display(comp.rename(index=lambda c: label(c, lang)).round(3))

# %% [markdown]
# ### 9. Do dissatisfied customers leave?
# Among respondents whose following year is observed (half a year if the data are shorter): the
# share who placed no further (completed) order, by overall satisfaction, with Wilson intervals.
# The finding compares the dissatisfied (1-2) with the satisfied (4-5): the difference of the two
# shares with Newcombe's interval, and the chi-square test of the 2 x 2 table. The same comparison
# for the competitor question: do those who rate Suning *worse* than their other retailer stop
# buying more often than those who rate it *better*?

# %% [markdown] lang="zh"
# ### 9. 不满意的客户会流失吗？
# 在随后一年（数据较短时为半年）可以观察到的受访者中，按整体满意度计算此后没有再下（已完成）订单的比例，
# 并给出 Wilson 置信区间。结论比较不满意（1-2）与满意（4-5）的客户：两个比例之差及其 Newcombe 区间，以及
# 2 × 2 表的卡方检验。对竞争对手问题做同样的比较：认为苏宁比其常去的另一家零售商*更差*的受访者，是否比认为
# *更好*的受访者更常不再购买？

# %%
if "orders" in data:
    observed = (min(pd.Timestamp(as_of), data.orders["order_ts"].max()) - sv["response_date"].max()).days
    window = 365 if observed >= 365 else 180
    churn_link = survey.satisfaction_and_churn(sv, data.orders, window_days=window, as_of=as_of)
    link = churn_link.table
    gap = survey.inactivity_gap(churn_link, low=(1, 2), high=(4, 5))
    words = dict(window=window, share_low=gap.share_low, share_high=gap.share_high, n_low=gap.n_low,
                 n_high=gap.n_high, p=gap.p_value)
    claims.append(directional("survey.churn_gap", gap, T, lang=lang, **words))
    ax = plt.subplots()[1]
    ax.errorbar(link.index.astype(str), link["share_inactive"],
                yerr=np.clip(np.array([link["share_inactive"] - link["ci_low"], link["ci_high"] - link["share_inactive"]]), 0, None),
                fmt="o", capsize=4, color=plots.PALETTE[3])
    ax.set_ylim(0, 1)  # shares start at 0: a cut axis exaggerates differences
    plots.finish(ax, directional("survey.churn_gap.title", gap, T, lang=lang, **words).text, T("churn.x", lang),
                 T("churn.y", lang, window=window))
    plt.show()
    print(claims[-1].text)
    display(link)
    rival_link = rival_gap = None
    if comp is not None:  # do those who rate Suning worse than their other retailer leave more often?
        rival_link = survey.satisfaction_and_churn(sv, data.orders, window_days=window, as_of=as_of,
                                                   level="competitor_comparison")
        rival_gap = survey.inactivity_gap(rival_link, low=("worse",), high=("better",))
        claims.append(directional("survey.competitor_churn", rival_gap, T, lang=lang, window=window,
                                  share_low=rival_gap.share_low, share_high=rival_gap.share_high,
                                  n_low=rival_gap.n_low, n_high=rival_gap.n_high, p=rival_gap.p_value))
        print(claims[-1].text)
else:
    link = gap = rival_gap = None

# %% [markdown]
# ### 10. What do the comments say?
# The open question is where customers name what went wrong in their own words. Coding the comments
# into themes by keywords is the first step of a content analysis: the table gives each theme's
# share of all comments (with its interval) and of the comments of the dissatisfied, neutral and
# satisfied respondents. Keywords are crude - "delivery was quick" and "delivery was late" both
# count as *delivery* - so read the comments behind a theme before you report it.

# %% [markdown] lang="zh"
# ### 10. 客户的意见说了什么？
# 开放式问题让客户用自己的话说出哪里出了问题。按关键词把意见归入主题，是内容分析的第一步：下表给出每个主题
# 占全部意见的比例（及其置信区间），以及在不满意、中立和满意受访者的意见中所占的比例。关键词编码很粗糙——
# “送货很及时”和“送货太慢”都会算作*配送*——所以在报告某个主题之前，要先读一读它背后的意见。

# %%
themes = None
if "comment" in sv and sv["comment"].notna().any() and "overall_satisfaction" in sv:
    themes = survey.comment_themes(sv)
    has_comment = sv["comment"].notna()
    print(T("comments.n", lang, n=int(has_comment.sum()), share=float(has_comment.mean())))
    low = has_comment & sv["overall_satisfaction"].isin([1, 2]).fillna(False).to_numpy(bool)
    for text in sv.loc[low, "comment"].drop_duplicates().head(5):
        print("  -", text)
    display(themes.rename(index=lambda t: T(f"theme.{t}", lang)).round(3))

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
alpha = reliability["alpha"].round(3).to_dict()
ranking = drivers.index.tolist()
print(T("ranking", lang, ranking=" > ".join(names[d] for d in ranking)))
for c in claims:
    print("-", c.text)

# %% [markdown]
# The findings above are the answer for *these* data: each comes with its confidence interval,
# and where the interval includes the value of "no difference" the sentence says that the data at
# this size cannot tell. Reliability and the factor structure say whether the dimension scores can
# be trusted; the driver shares say where satisfaction is won or lost, and the IPA grid crosses them
# with performance. An NPS interval several points wide means that a one-point change between two
# surveys of this size is noise. The sampling check says for whom the survey speaks; the tier and
# competitor comparisons say where a difference is large enough to act on.
#
# ## Discussion
#
# * **Caveat - a survey measures what respondents say.** Key-driver weights are correlational:
#   improving service will not raise satisfaction by the weight if the weight partly reflects
#   general goodwill that colours every answer (halo effect).
# * **Who answered.** Comparing respondents with the base checks only what the retailer records
#   (channel, frequency, city). Respondents may still differ in what it does not record - the
#   willing, the patient, the satisfied - and no table can rule that out. Where a kind of customer
#   is over-represented, weight the answers by the base shares (post-stratification) before
#   reporting an overall figure.
# * **Many groups, few claims.** Five city tiers and three competitors give many pairs to compare;
#   at 95% one pair in twenty will look different by chance. Fix the comparison first, or adjust.
# * The course's "90-98% of dissatisfied customers leave silently" is a misquote of the 1970s TARP
#   studies; later work finds about half of customers with a problem complain to front-line staff.
#   What is true: most complaints never reach management.
# * Even where the link is real, satisfaction predicts whether one customer leaves only weakly:
#   satisfied customers also go quiet, and the link differs between customer groups (Mittal &
#   Kamakura 2001, *Journal of Marketing Research*). With a few dozen dissatisfied respondents the
#   interval of the gap is wide - a survey of this size can miss a real link.
#
# ## Quiz
# 1. Why can Cronbach's α rise when you delete an item?
# 2. Two drivers correlate at 0.8. Why are their regression coefficients unreliable, and what do
#    relative weights do about it?
# 3. NPS moved from +28 to +31 between two waves of 800 responses. Is that news?
# 4. The survey was fielded in stores on two weekdays. Which customers does it miss, and how would
#    you check it with the retailer's own data?
# 5. Tier-3 cities have the highest NPS of the five tiers and tier-1 cities the lowest. Why is
#    "tier 3 beats tier 1" not yet a finding?

# %% [markdown] lang="zh"
# 上面的结论是针对*这份*数据的答案：每条结论都带有置信区间；当区间包含“没有差异”的值时，句子会说明在这一
# 样本量下数据无法判断。信度和因子结构说明维度得分是否可信；驱动因素份额说明满意度在哪里得失，IPA 图再把
# 它们与表现交叉。净推荐值的区间宽达数分，意味着两次同等规模调查之间相差 1 分只是噪声。抽样检查说明调查
# 代表的是谁；城市等级和竞争对手的比较说明哪些差异大到值得采取行动。
#
# ## 讨论
#
# * **注意——调查测量的是受访者说了什么。** 关键驱动因素权重是相关性的：如果权重部分反映了影响所有回答的
#   整体好感（光环效应），改进服务并不会让满意度按权重提高。
# * **谁回答了问卷。** 把受访者与客户总体比较，只能检查零售商记录了的特征（渠道、购买频率、城市）。受访者
#   仍可能在未记录的方面与总体不同——更愿意配合、更有耐心、更满意——这是任何表格都无法排除的。若某类客户
#   比例过高，应先按总体比例对回答加权（事后分层），再报告总体数字。
# * **组多，结论要少。** 五个城市等级和三个竞争对手可以组成很多对比较；在 95% 的置信水平下，每二十对中就会
#   有一对仅因偶然而显得不同。应事先确定比较，或者做多重比较校正。
# * 课程中“90-98% 的不满意客户默默离开”是对 1970 年代 TARP 研究的误引；后来的研究发现，遇到问题的客户中约有
#   一半会向一线员工投诉。真实的情况是：大多数投诉到不了管理层。
# * 即使关系真实存在，满意度对单个客户是否流失的预测力也很弱：满意的客户也会不再购买，而且这种关系因客户
#   群体而异（Mittal & Kamakura 2001，*Journal of Marketing Research*）。当不满意的受访者只有几十人时，差值的
#   区间很宽——这一规模的调查可能漏掉真实存在的关系。
#
# ## 测验
# 1. 为什么删除一个题项后克朗巴哈系数 α 可能上升？
# 2. 两个驱动因素的相关系数为 0.8。为什么它们的回归系数不可靠？相对权重如何处理这一问题？
# 3. 两轮各 800 份问卷之间，净推荐值从 +28 变为 +31。这算新闻吗？
# 4. 这次调查只在两个工作日于门店进行。它会漏掉哪些客户？你会如何用零售商自己的数据来检验？
# 5. 在五个城市等级中，三线城市的净推荐值最高，一线城市最低。为什么“三线城市胜过一线城市”还不能算结论？

# %% [markdown] tags=["quiz-answers"]
# **Answers to the quiz.**
# 1. α rises when the deleted item agrees poorly with the others (low item-rest correlation): it
#    adds more unique variance to the total than shared variance, so the share of shared variance
#    goes up without it. Delete only if the item's content is not needed (α also rises with the
#    number of good items).
# 2. With correlated predictors the coefficients trade off against each other: many combinations
#    fit almost equally well, so their standard errors are large, their signs can flip from sample
#    to sample, and a coefficient answers "holding the other fixed", which rarely happens.
#    Relative weights transform the predictors into uncorrelated ones, split R² there and map the
#    shares back: each driver gets a non-negative share, and the shares add up to R².
# 3. No. The bootstrap interval of one NPS from 800 answers is about ±6 points, and the
#    difference of two independent waves has an interval about √2 times wider (±8 to 9 points).
#    A 3-point change lies well inside it; compute the interval of the difference to be sure.
# 4. It misses customers who buy online or in the app, customers who shop at weekends, and those
#    who rarely visit; it over-represents store shoppers and frequent buyers. Check it as in §6:
#    build the base from the order history (everyone who bought before the fieldwork), and compare
#    the respondents' main channel, purchase frequency and city tier with the base, with intervals.
# 5. Because it picks the extremes of five groups after looking (the largest of several noisy
#    estimates is biased upwards), and because the two intervals may overlap. Fix the comparison
#    in advance, compute the interval of the *difference*, and call it a finding only if that
#    interval excludes 0 (or adjust for the number of comparisons).

# %% [markdown] lang="zh"
# **测验答案。**
# 1. 当被删除的题项与其他题项一致性差（题项-其余相关低）时，它给总分带来的独有方差多于共同方差，删除后共同
#    方差所占比例上升，α 随之上升。只有在该题项的内容并非必需时才删除（α 也会随好题项数量增加而上升）。
# 2. 预测变量相关时，回归系数会相互替代：许多组合的拟合几乎一样好，因此标准误很大，符号可能在不同样本间翻转，
#    而且系数回答的是“其他变量不变时”的问题，这在现实中很少发生。相对权重先把预测变量变换为互不相关的变量，
#    在那里分解 R²，再映射回原变量：每个驱动因素得到非负的份额，份额相加等于 R²。
# 3. 不算。800 份回答的净推荐值，bootstrap 置信区间约为 ±6 分；两轮独立调查之差的区间约宽 √2 倍（±8 到 9 分）。
#    3 分的变化完全在区间之内；要确认，应计算差值的置信区间。
# 4. 它会漏掉在网站或手机客户端购买的客户、周末购物的客户以及很少到店的客户；门店购物者和经常购买的客户比例
#    会偏高。检验方法见第 6 节：用订单记录建立客户总体（调查开始前购买过的所有客户），再带区间地比较受访者与
#    总体在主要渠道、购买频率和城市等级上的构成。
# 5. 因为这是看过数据后从五组中挑出的两端（几个带噪声估计中的最大值会偏高），而且两个区间可能重叠。应事先
#    确定比较，计算*差值*的置信区间，只有该区间不包含 0 时才算结论（或对比较次数做校正）。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** Item `service_4` asks about complaint handling, which many respondents never
# experienced. Compute Cronbach's alpha of the service scale *without* this item, with the formula
# of the Theory section (drop incomplete rows first). Store it in `alpha_without_complaints`.

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间编写代码；每个练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量将按你自己的数据评分。
#
# **练习 1。** 题项 `service_4` 询问投诉处理，而很多受访者从未投诉过。请用理论部分的公式计算*去掉*这一题项后
# 服务量表的克朗巴哈系数（先删除有缺失的行）。将结果存入 `alpha_without_complaints`。

# %% tags=["exercise"]
# answer: alpha_without_complaints rel=1e-6 points=2
### BEGIN SOLUTION
items_s = sv[[i for i in dims["service"] if i != "service_4"]].dropna().astype(float)
k = items_s.shape[1]
alpha_without_complaints = float(k / (k - 1) * (1 - items_s.var(ddof=1).sum() / items_s.sum(axis=1).var(ddof=1)))
### END SOLUTION

# %%
assert isinstance(alpha_without_complaints, float), T("ex.float", lang)
assert 0 < alpha_without_complaints < 1, T("ex.alpha_range", lang)
assert not np.isclose(alpha_without_complaints, reliability.loc["service", "alpha"]), T("ex.alpha_all_items", lang)
### BEGIN HIDDEN TESTS
assert abs(alpha_without_complaints
           - survey.cronbach_alpha(sv[[i for i in dims["service"] if i != "service_4"]])) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2.** What is the NPS among the *satisfied* respondents (overall satisfaction 4 or 5)?
# Compute it in points from the recommend answers without the library. Store it in `nps_satisfied`.

# %% [markdown] lang="zh"
#
# **练习 2。** *满意*的受访者（整体满意度为 4 或 5）的净推荐值是多少？不用函数库，由推荐意愿的回答计算，单位为分。
# 将结果存入 `nps_satisfied`。

# %% tags=["exercise"]
# answer: nps_satisfied rel=1e-6 points=2
### BEGIN SOLUTION
r = sv.loc[sv["overall_satisfaction"] >= 4, "recommend"].dropna().astype(float)
nps_satisfied = float(100 * ((r >= 9).mean() - (r <= 6).mean()))
### END SOLUTION

# %%
assert isinstance(nps_satisfied, float), T("ex.float", lang)
assert -100 <= nps_satisfied <= 100, T("ex.nps_range", lang)
assert abs(nps_satisfied) > 1 or nps_satisfied == 0, T("ex.nps_points", lang)
assert not np.isclose(nps_satisfied, nps.nps), T("ex.nps_everyone", lang)
_sat = sv.loc[sv["overall_satisfaction"] >= 4, "recommend"].dropna()
if (_sat == 6).any():
    assert not np.isclose(nps_satisfied, 100 * ((_sat >= 9).mean() - (_sat <= 5).mean())), T("ex.nps_cutoff", lang)
### BEGIN HIDDEN TESTS
assert abs(nps_satisfied - survey.nps(sv.loc[sv["overall_satisfaction"] >= 4, "recommend"])) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 3.** Section 3 explained *overall satisfaction*. Which dimension drives the
# *willingness to recommend* (the 0-10 answer) most? Use the method of section 3 that suits
# correlated dimensions. Store the four shares of the explained variance (a Series indexed by
# dimension) in `recommend_shares` and the name of the leading dimension (a string such as
# `"price"`) in `top_driver_recommend`.

# %% [markdown] lang="zh"
#
# **练习 3。** 第 3 节解释的是*整体满意度*。哪个维度对*推荐意愿*（0-10 分的回答）影响最大？请使用第 3 节中适合
# 相关维度的方法。把四个维度占解释方差的份额（以维度为索引的 Series）存入 `recommend_shares`，把影响最大的维度
# 名称（字符串，如 `"price"`）存入 `top_driver_recommend`。

# %% tags=["exercise"]
# answer: top_driver_recommend points=2
### BEGIN SOLUTION
recommend_shares = survey.key_drivers(sv, target="recommend").table["rw_share"]
top_driver_recommend = str(recommend_shares.idxmax())
### END SOLUTION

# %%
assert top_driver_recommend in dims, T("ex.driver_name", lang, names=", ".join(dims))
assert set(recommend_shares.index) == set(dims), T("ex.driver_index", lang)
assert (recommend_shares >= 0).all(), T("ex.driver_negative", lang)
assert abs(recommend_shares.sum() - 1) < 1e-6, T("ex.driver_sum", lang)
assert top_driver_recommend == recommend_shares.idxmax(), T("ex.driver_consistent", lang)
### BEGIN HIDDEN TESTS
_key = survey.key_drivers(sv, target="recommend").table["rw_share"]
assert top_driver_recommend == _key.idxmax()
assert np.allclose(recommend_shares.reindex(_key.index).to_numpy(float), _key.to_numpy(float), atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 4.** Suppose the respondents' city tiers did not match the customer base. A
# *post-stratified* NPS weights each tier's NPS by that tier's share of the **customer base**
# (section 6), so every tier counts as much as it should. Compute it for these data. Store it in
# `nps_weighted` (points).

# %% [markdown] lang="zh"
#
# **练习 4。** 假设受访者的城市等级构成与客户总体不一致。*事后分层*的净推荐值用各城市等级在**客户总体**中的比例
# （第 6 节）对该等级的净推荐值加权，使每个等级按应有的分量计入。请用本数据计算，并存入 `nps_weighted`（单位为分）。

# %% tags=["exercise"]
# answer: nps_weighted abs=1e-6 points=2
### BEGIN SOLUTION
base_tier = frame["city_tier"].value_counts(normalize=True)
nps_tier = pd.Series({t: survey.nps(sv.loc[(tier == t).to_numpy(), "recommend"]) for t in base_tier.index})
nps_weighted = float((base_tier * nps_tier).sum() / base_tier.sum())
### END SOLUTION

# %%
assert isinstance(nps_weighted, float), T("ex.float", lang)
assert -100 <= nps_weighted <= 100, T("ex.nps_range", lang)
assert not np.isclose(nps_weighted, nps.nps, rtol=0, atol=1e-6), T("ex.weights_respondents", lang)
### BEGIN HIDDEN TESTS
_base = rep.table.loc["city_tier", "base"]
_key = sum(_base[str(t)] * survey.nps(sv.loc[(tier == t).to_numpy(), "recommend"]) for t in tier.dropna().unique())
assert abs(nps_weighted - _key / _base.sum()) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Written task (memo).** Write a one-page memo to Suning's CRM manager: *which dimension should
# Suning improve first, and how sure are we?* Base it on your run of this notebook: the driver
# shares and their intervals, the importance-performance grid, the NPS, and what the sampling check
# says about whom the survey speaks for. State every number with its interval, say what the data
# cannot tell, and propose how the next survey should be fielded.

# %% [markdown] lang="zh"
# **书面任务（备忘录）。** 给苏宁的客户关系管理经理写一页备忘录：*苏宁应当首先改进哪个维度？我们有多大把握？*
# 以你运行本笔记本的结果为依据：驱动因素份额及其置信区间、重要性-表现分析图、净推荐值，以及抽样检查说明的
# 调查代表性。每个数字都要附上置信区间，说明数据无法判断的地方，并建议下一次调查应如何实施。

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# A good memo (model outline; the numbers come from the student's own run):
# * **Recommendation first**: one dimension to improve, chosen from the importance-performance grid
#   (high importance, low performance), not from importance alone.
# * **Evidence with uncertainty**: the driver share of that dimension with its interval, whether its
#   lead over the runner-up is supported (the interval of the lead excludes 0) or the data cannot
#   rank the top two; its mean score against the others.
# * **What the numbers mean**: relative-weight shares describe associations in the answers, not
#   the effect of an improvement (halo effect, correlational design); the NPS with its interval,
#   and that small changes are noise.
# * **For whom it speaks**: the sampling check (which kinds of customers are over- or
#   under-represented, and whether store and app respondents differ); if needed, weight the answers.
# * **Next survey**: field it across channels and days (including online and weekends), keep the
#   wording fixed between waves, split double-barrelled items, plan the sample size for the
#   difference that matters.

# %% [markdown] lang="zh"
# <!-- points: 10 -->
# 一份好的备忘录（参考要点；数字来自学生自己的运行结果）：
# * **先给建议**：选出一个应首先改进的维度，依据重要性-表现分析图（重要性高、表现低），而不是只看重要性。
# * **带不确定性的证据**：该维度的驱动份额及其置信区间；它领先第二名是否成立（领先差距的区间不包含 0），
#   或者数据无法区分前两名；它的平均得分与其他维度的比较。
# * **数字的含义**：相对权重份额描述的是回答中的关联，而不是改进后的效果（光环效应、相关性设计）；净推荐值
#   及其置信区间，以及小的变化只是噪声。
# * **调查代表谁**：抽样检查的结果（哪类客户比例偏高或偏低，门店与手机客户端作答者是否不同）；必要时对
#   回答加权。
# * **下一次调查**：跨渠道、跨日期实施（包括线上和周末），各轮保持措辞不变，拆分双重问题，按需要识别的差异
#   规划样本量。

# %% [markdown] tags=["rubric"]
# **Rubric (10 points).**
# * 3 - a clear recommendation that uses both importance and performance (IPA), not importance alone.
# * 3 - every number stated with its interval; says correctly whether the leading driver is
#   supported or the data cannot tell; no directional word where the interval includes the null.
# * 2 - limits: correlational weights (halo), and whom the survey represents (sampling check).
# * 1 - a concrete proposal for the next survey (channels and days, wording, sample size).
# * 1 - written for a manager: one page, plain language, the recommendation in the first lines.

# %% [markdown] lang="zh"
# **评分标准（10 分）。**
# * 3 分——建议明确，同时依据重要性和表现（IPA），而不是只看重要性。
# * 3 分——每个数字都附有置信区间；正确说明最大驱动因素是否成立或数据无法判断；区间包含零假设值时不使用
#   方向性的措辞。
# * 2 分——局限：权重只是相关（光环效应），以及调查代表谁（抽样检查）。
# * 1 分——对下一次调查有具体建议（渠道与日期、措辞、样本量）。
# * 1 分——面向管理者写作：一页篇幅、语言平实、开头几行就给出建议。

# %% [markdown] tags=["take-home"]
# **Take-home messages.**
# 1. Read the questionnaire before the answers: a double-barrelled or leading item cannot be
#    repaired by analysis.
# 2. Check reliability and structure first; only then do dimension scores and driver weights mean
#    something.
# 3. With correlated dimensions rank drivers by relative weights, and call one "the strongest" only
#    when the interval of its lead excludes 0; act where importance is high and performance low.
# 4. Every survey number needs its interval: NPS changes of a few points, and differences between
#    tiers or competitors, are often noise.
# 5. Compare the respondents with the customer base before generalising; a survey speaks for the
#    customers it reached.

# %% [markdown] lang="zh"
# **要点回顾。**
# 1. 先读问卷再看回答：双重问题或诱导性题项无法靠分析补救。
# 2. 先检验信度和结构；只有这样，维度得分和驱动权重才有意义。
# 3. 维度相关时用相对权重给驱动因素排序；只有领先差距的区间不包含 0 时，才能说某个维度“影响最大”；在
#    重要性高、表现低的地方采取行动。
# 4. 每个调查数字都需要置信区间：净推荐值几分的变化，以及城市等级或竞争对手之间的差异，往往只是噪声。
# 5. 推广结论之前先把受访者与客户总体比较；调查只代表它实际访问到的客户。

# %% [markdown]
# ## Check against the truth (synthetic data only)
#
# The key-driver analysis estimates the *relative-weight shares* of the answers; the truth file
# records them (`relative_weight_shares`: what the survey model implies for item means, computed
# on a large simulated sample) beside the *structural* weights of the latent dimensions
# (`driver_weights`), which no regression on the answers estimates. For the group comparisons the
# truth is what the survey model expects from each respondent's latent satisfaction and the service
# failures they had experienced (with the answer noise integrated out); the simulator draws the
# respondents at random from the customers who had ordered before the fieldwork and the survey
# channel at random, so the true composition differences are 0.

# %% [markdown] lang="zh"
# ## 与真值核对（仅限模拟数据）
#
# 关键驱动因素分析估计的是回答的*相对权重份额*；真值文件记录了它们（`relative_weight_shares`：调查模型对题项
# 平均值所蕴含的份额，在大样本模拟上计算），同时记录了潜在维度的*结构*权重（`driver_weights`），后者无法用对
# 回答的回归来估计。对于分组比较，真值是调查模型根据每位受访者的潜在满意度及其经历过的服务失败所给出的期望
# 值（回答噪声已积分掉）；模拟器从调查开始前下过订单的客户中随机抽取受访者，调查渠道也是随机分配的，因此
# 构成差异的真值为 0。

# %%
claims_truth = {}
if data.truth is not None:
    t = data.truth["survey"]
    claims_truth["survey.nps"] = t["nps"]
    rows = [(T("truth.nps", lang), round(nps.nps, 1), t["nps"], T("truth.covers", lang))]
    true_shares = t.get("relative_weight_shares")
    if true_shares:
        for d, est in shares.estimates().items():
            claims_truth[f"survey.rw_share.{d}"] = true_shares[d]
            rows.append((T("truth.share", lang, dimension=names[d]), round(est.estimate, 3), true_shares[d],
                         T("truth.covers", lang)))
        lead = next(c for c in claims if c.id == "survey.drivers").detail
        claims_truth["survey.drivers"] = true_shares[lead["leader"]] - true_shares[lead["runner_up"]]
        rows.append((T("truth.lead", lang, leader=names[lead["leader"]], runner_up=names[lead["runner_up"]]),
                     round(shares.lead.estimate, 3), round(claims_truth["survey.drivers"], 4),
                     T("truth.covers", lang)))
        rows.append((T("truth.ranking", lang), " > ".join(ranking),
                     " > ".join(sorted(true_shares, key=true_shares.get, reverse=True)), T("truth.same", lang)))
    tc = data.truth_customers.set_index("customer_id") if data.truth_customers is not None else None
    if rep is not None:
        for c in claims:
            if c.id.startswith("survey.sample."):
                claims_truth[c.id] = 0.0  # respondents drawn at random from the frame
                rows.append((T(f"truth.{c.id[len('survey.'):]}", lang), round(c.estimate, 3), 0.0,
                             T("truth.covers", lang)))
    if tc is not None and "service_events" in data.tables and sv["customer_id"].isin(tc.index).all():
        from crmlab.simulate.survey import expected_answers, failure_counts, failure_shift

        counts, unresolved = failure_counts(data.service_events, sv["customer_id"], sv["response_date"])
        expected = expected_answers(data.scenario, tc.loc[sv["customer_id"], "satisfaction"].to_numpy(),
                                    failure_shift(counts, unresolved))
        if channel_gap is not None:
            claims_truth["survey.channel_gap"] = float(expected["nps"][in_store].mean() - expected["nps"][in_app].mean())
            rows.append((T("truth.channel_gap", lang), round(channel_gap.estimate, 1),
                         round(claims_truth["survey.channel_gap"], 1), T("truth.covers", lang)))
        if tier_gap is not None:
            claims_truth["survey.tier_gap"] = float(expected["nps"][big].mean() - expected["nps"][known & ~big].mean())
            rows.append((T("truth.tier_gap", lang), round(tier_gap.estimate, 1),
                         round(claims_truth["survey.tier_gap"], 1), T("truth.covers", lang)))
        if comp is not None:
            for c in comp.index:
                if f"net_{c}" in expected:
                    claims_truth[f"survey.competitor.{c}"] = float(expected[f"net_{c}"].mean())
                    rows.append((T("truth.competitor", lang, competitor=label(c, lang)), round(comp.loc[c, "net"], 3),
                                 round(claims_truth[f"survey.competitor.{c}"], 3), T("truth.covers", lang)))
    if gap is not None and tc is not None and gap.n_low and gap.n_high:
        # expected inactivity given each respondent's latent purchase rate and lifetime: completed orders
        # arrive as a Poisson process at the planted yearly rate while alive (season, loyalty and campaign
        # multipliers left out - they move both groups alike)
        resp = sv.dropna(subset=["customer_id", "overall_satisfaction"])
        resp = resp[resp["response_date"] + pd.Timedelta(days=window) <= churn_link.as_of]
        start, stop = resp["response_date"].to_numpy(), (resp["response_date"] + pd.Timedelta(days=window)).to_numpy()
        death = pd.to_datetime(tc.loc[resp["customer_id"], "churn_date"]).to_numpy()
        alive = (np.where(pd.isna(death), stop, np.minimum(death, stop)) - start) / np.timedelta64(1, "D")
        completed = float((data.orders["status"] == "completed").mean())
        p_none = np.exp(-tc.loc[resp["customer_id"], "purchase_rate"].to_numpy() * completed
                        * np.clip(alive, 0, window) / 365.25)
        level = resp["overall_satisfaction"].to_numpy()
        claims_truth["survey.churn_gap"] = float(p_none[np.isin(level, gap.low)].mean()
                                                 - p_none[np.isin(level, gap.high)].mean())
        rows.append((T("truth.churn_gap", lang), round(gap.estimate, 3), round(claims_truth["survey.churn_gap"], 3),
                     T("truth.covers", lang)))
        if rival_gap is not None and rival_gap.n_low and rival_gap.n_high:
            answer = resp["competitor_comparison"].to_numpy(dtype=object)
            claims_truth["survey.competitor_churn"] = float(p_none[answer == "worse"].mean()
                                                            - p_none[answer == "better"].mean())
            rows.append((T("truth.competitor_churn", lang), round(rival_gap.estimate, 3),
                         round(claims_truth["survey.competitor_churn"], 3), T("truth.covers", lang)))
    rows.append((T("truth.structural", lang), "-", str(t["driver_weights"]), T("truth.reference", lang)))
    display(truth_check(rows))
else:
    print(T("truth.none", lang))

# %%
results = {
    "nps": nps.nps,
    "nps_ci": [nps.ci_low, nps.ci_high],
    "cronbach_alpha": alpha,
    "driver_ranking": ranking,
    "relative_weight_shares": shares.table.to_dict(orient="index"),
    "r2": kda.r2,
    "claims": claims_json(claims),
}
if claims_truth:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
