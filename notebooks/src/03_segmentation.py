# %% [markdown]
# # 03 · Segmentation and customer value: who matters, and which groups exist?
#
# **Question.** Which customers carry the business (customer pyramid, 80/20), how do we score them
# (RFM), which behavioural segments exist, and what is each segment worth (customer lifetime value)?
#
# **Method.** RFM table and quintile scores; customer pyramid (top 1% / 4% / 15% / 80%) and Pareto
# curve; k-means on log-scaled, standardised behaviour (what, how, where and when customers buy,
# plus age and city tier) with silhouette and bootstrap stability to choose and check *k*; segment
# profiles; names from a stated rule (RFM levels and the strongest habit relative to all customers);
# a simple CLV per segment.
#
# **Contents.** *Theory*: RFM (最近一次消费 recency, 消费频率 frequency, 消费金额 monetary), the
# pyramid (重要客户 key customers), k-means, CLV. *Practical* (sections 1-7), *Result*, *Discussion*,
# *Quiz*, *Exercises*, *Written task*, *Take-home messages*, *check against the truth*.
#
# **References.** Hughes (1994) *Strategic Database Marketing* (RFM); Zeithaml, Rust & Lemon (2001)
# *California Management Review* (customer pyramid); Gupta et al. (2006) *Journal of Service
# Research* (CLV); Hennig (2007) *CSDA* (cluster stability).

# %% [markdown] lang="zh"
# # 03 · 客户细分与客户价值：哪些客户重要？存在哪些客户群体？
#
# **问题。** 哪些客户撑起了业务（客户金字塔、二八定律）？如何为客户打分（RFM模型）？存在哪些按购买行为划分的客户细分？每个细分值多少钱（客户终身价值）？
#
# **方法。** RFM 表与五分位评分；客户金字塔（前 1% / 4% / 15% / 80%）与帕累托曲线；对取对数并标准化后的购买行为（买什么、怎么买、在哪买、何时买，加上年龄和城市等级）做 k均值聚类，用轮廓系数和 bootstrap 稳定性来选择并检验 *k*；细分画像；按明确规则命名（相对于全体客户的 RFM 水平和最突出的购买习惯）；按细分计算简单的客户终身价值。
#
# **内容。** *理论*：RFM（最近一次消费 recency、消费频率 frequency、消费金额 monetary）、客户金字塔（重要客户）、k均值聚类、客户终身价值。*实践*（第 1-7 节）、*结果*、*讨论*、*测验*、*练习*、*书面作业*、*要点回顾*、*与真值对照*。
#
# **参考文献。** Hughes (1994) *Strategic Database Marketing*（RFM）；Zeithaml, Rust & Lemon (2001) *California Management Review*（客户金字塔）；Gupta et al. (2006) *Journal of Service Research*（客户终身价值）；Hennig (2007) *CSDA*（聚类稳定性）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * **compute** RFM scores, the customer pyramid and the top-20% revenue share with a bootstrap
#   interval;
# * **choose and check** the number of segments with silhouette, Calinski-Harabasz, Davies-Bouldin
#   and bootstrap stability;
# * **name** the segments of any clustering by a stated rule, and explain what a name claims;
# * **estimate** a simple customer lifetime value and customer equity by segment, and **decide**
#   which segments get which treatment.
#
# **Prerequisites.** Lesson 00 (the tables, orders that count, one-time buyers); means, percentiles
# and standardisation; what a confidence interval is.
#
# **Time.** About 100 minutes: 55 in class, 45 for the exercises and the memo.
#
# Terms (RFM, 客户金字塔, 客户细分, 客户终身价值 ...) are defined in the [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课，你能够
# * **计算** RFM 评分、客户金字塔，以及前 20% 客户的收入份额及其 bootstrap 置信区间；
# * 用轮廓系数、Calinski-Harabasz 指数、Davies-Bouldin 指数和 bootstrap 稳定性来**选择并检验**细分数量；
# * 按明确的规则为任意聚类结果的细分**命名**，并说明一个名称声称了什么；
# * 按细分**估计**简单的客户终身价值和客户资产，并**决定**哪些细分采取哪种措施。
#
# **先修内容。** 第 00 课（各张数据表、计入的订单、一次性购买者）；均值、百分位数与标准化；置信区间的含义。
#
# **时间。** 约 100 分钟：课堂 55 分钟，练习和备忘录 45 分钟。
#
# 术语（RFM模型、客户金字塔、客户细分、客户终身价值等）见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# * **RFM.** For each customer at a date `as_of`: *recency* = days since the last order,
#   *frequency* = number of orders, *monetary* = total spend (and average spend 平均金额 =
#   monetary / frequency). Quintile scores 1-5 (5 = best; recency reversed) give codes like `545`.
# * **Customer pyramid.** Rank customers by value: the top 1% are *key* customers, the next 4%
#   *big*, 15% *medium*, 80% *small*. The **80/20 rule** asks what share of revenue the top 20%
#   bring (retail data: 60-70%).
# * **Segmentation.** RFM ranks customers on value; segments describe *how* they buy. We cluster
#   standardised features with k-means; spend-type features are log-transformed first (`log1p`)
#   because they are heavily skewed. One-time buyers carry little information about their habits,
#   so we fit the clusters on repeat buyers and then assign everyone.
# * **CLV** (customer lifetime value) for a customer with annual spend $a$, margin $m$, annual
#   retention $r$ and discount rate $d$: $\mathrm{CLV} = \sum_{t=1}^{H} m\,a\,r^t/(1+d)^t$;
#   customer equity is the sum over customers.

# %% [markdown] lang="zh"
# ## 理论
#
# * **RFM模型。** 在日期 `as_of` 对每位客户计算：*最近一次消费* = 距最近一次下单的天数，*消费频率* = 订单数，*消费金额* = 总消费额（平均消费金额 = 消费金额 / 消费频率）。按五分位打 1-5 分（5 = 最好；最近一次消费反向计分），得到 `545` 这样的代码。
# * **客户金字塔。** 按价值给客户排序：前 1% 是*重要客户*，其后 4% 是*次要客户*，再 15% 是*普通客户*，其余 80% 是*小客户*（表中依次记为 top、big、medium、small）。**二八定律**问的是前 20% 的客户贡献了多少收入（零售数据中通常为 60-70%）。
# * **客户细分。** RFM 按价值给客户排序；细分描述的是客户*如何*购买。我们用 k均值聚类对标准化后的特征分组；金额类特征高度右偏，先取对数（`log1p`）。一次性购买者几乎不透露购买习惯，因此聚类中心只用重复购买客户来拟合，再把每位客户分到最近的中心。
# * **客户终身价值**（CLV）：年消费额为 $a$、毛利率为 $m$、年保留率为 $r$、折现率为 $d$ 的客户，$\mathrm{CLV} = \sum_{t=1}^{H} m\,a\,r^t/(1+d)^t$；客户资产是全部客户的 CLV 之和。

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
n_segments = 5
margin = 0.15
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import rfm, segmentation
from crmlab.analysis.claims import claims_json, directional, leader
from crmlab.analysis.clv.simple import clv_by_segment, estimate_retention, simple_clv
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.segmentation import MESSAGES as T, segment_label

plots.set_theme()
pd.set_option("display.precision", 3)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders"], purpose="RFM and segmentation")
as_of = str(min(pd.Timestamp(as_of), data.orders["order_ts"].max().normalize()).date())
table = rfm.rfm_table(data.orders, as_of=as_of, order_items=data["order_items"] if "order_items" in data else None)
print(T("customers", lang, n=len(table), as_of=as_of))
claims = []  # the findings of this run, each with its interval (saved in results.json)
table[["recency_days", "frequency", "monetary", "avg_spend", "tenure_days"]].describe().T[["mean", "50%", "max"]]

# %% [markdown]
# ### 1. RFM scores

# %% [markdown] lang="zh"
# ### 1. RFM 评分

# %%
scores = rfm.rfm_scores(table)
top_codes = scores["rfm_code"].value_counts().head(8)
print(T("rfm_codes", lang, codes=", ".join(f"{c} ({n})" for c, n in top_codes.items())))
pd.crosstab(scores["R"], scores["F"], values=table["monetary"], aggfunc="mean").round(0)

# %% [markdown]
# Mean spend by recency score (rows) and frequency score (columns). When most customers buy once,
# frequency has few distinct values and its quintile scores tie (some columns are missing).

# %% [markdown] lang="zh"
# 表中为按最近一次消费评分（行）和消费频率评分（列）分组的平均消费金额。当大多数客户只买过一次时，消费频率的取值很少，其五分位评分会出现并列（有些列缺失）。

# %% [markdown]
# ### 2. The customer pyramid and the 80/20 rule

# %% [markdown] lang="zh"
# ### 2. 客户金字塔与二八定律

# %%
pyramid = rfm.customer_pyramid(table)
top20_est = rfm.top_share_interval(table["monetary"], 0.2, random_state=seed)
top20 = top20_est.estimate
claims.append(directional("segmentation.top20_share", top20_est, T, null=0.5, lang=lang))
print(claims[-1].text)
print(T("top1", lang, share=pyramid.summary.loc["top", "value_share"]))
pyramid.summary[["n_customers", "customer_share", "value_share", "mean_value"]]

# %%
curve = rfm.pareto_curve(table["monetary"])
ax = plt.subplots(figsize=(5.5, 5))[1]
ax.plot(curve["customer_share"], curve["value_share"], color=plots.PALETTE[0], label=T("pareto.customers", lang))
ax.plot([0, 1], [0, 1], ls="--", color="grey", label=T("pareto.equal", lang))
ax.axvline(0.2, color=plots.PALETTE[1], lw=1)
ax.annotate(T("pareto.note", lang, share=top20), (0.2, top20), xytext=(8, -12), textcoords="offset points")
ax.legend(frameon=False, loc="lower right")
plots.finish(ax, directional("segmentation.top20_share.title", top20_est, T, null=0.5, lang=lang).text,
             T("pareto.x", lang), T("pareto.y", lang))
plt.show()

# %% [markdown]
# ### 3. Behavioural features
# What customers buy (home appliances vs digital), how much per order, at which price tier within a
# category, where (store vs app), plus age and city tier. Shares are smoothed toward the average mix
# so that a one-order customer is not 100% of anything.

# %% [markdown] lang="zh"
# ### 3. 购买行为特征
# 客户买什么（大家电还是数码产品）、每单花多少、在同一品类中买哪个价位、在哪里买（门店还是手机客户端），再加上年龄和城市等级。各类占比向总体构成做了平滑，使只下过一单的客户不会在某一项上显示为 100%。

# %%
if {"order_items", "products"} <= set(data):
    features = segmentation.behaviour_features(data.orders, data.order_items, data.products,
                                               data["customers"] if "customers" in data else None, as_of=as_of)
else:
    features = table.assign(log_frequency=np.log1p(table["frequency"]), log_avg_spend=np.log1p(table["avg_spend"]))
X = segmentation.segment_matrix(features)  # SEGMENT_FEATURES present in the data
repeat = (features["frequency"] >= 2).to_numpy()
print(T("features", lang, p=X.shape[1], n=len(X), repeat=repeat.mean()))
X.describe().T[["mean", "std", "min", "max"]]

# %% [markdown]
# ### 4. How many segments?
# Inertia (look for an elbow), silhouette and Calinski-Harabasz (higher is better) and
# Davies-Bouldin (lower is better) for k = 2..8, fitted on repeat buyers. The sentence below the
# figure reads the table of this run.

# %% [markdown] lang="zh"
# ### 4. 分成几个细分？
# 对 k = 2..8（在重复购买客户上拟合）计算组内平方和（寻找“肘部”）、轮廓系数和 Calinski-Harabasz 指数（越高越好）以及 Davies-Bouldin 指数（越低越好）。图下的句子读取的是本次运行的表格。

# %%
kchoice = segmentation.choose_k(X[repeat], ks=range(2, 9), random_state=seed)
kread = segmentation.k_choice(kchoice)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(kchoice.index, kchoice["inertia"], marker="o", color=plots.PALETTE[0])
plots.finish(axes[0], T("k.inertia.title", lang), T("k.x", lang), T("k.inertia.y", lang))
axes[1].plot(kchoice.index, kchoice["silhouette"], marker="o", color=plots.PALETTE[1])
axes[1].set_ylim(0, max(0.5, kread.silhouette_best * 1.2))  # from 0: the scale of the silhouette is absolute
plots.finish(axes[1], T("k.silhouette.title", lang, worst=kread.silhouette_worst, k_worst=kread.k_worst,
                        best=kread.silhouette_best, k_best=kread.by_silhouette), T("k.x", lang), T("k.silhouette.y", lang))
plt.show()
structure = T(f"structure.{kread.structure}", lang)
print(T("k.agree", lang, k=kread.by_silhouette, worst=kread.silhouette_worst, k_worst=kread.k_worst,
        best=kread.silhouette_best, structure=structure) if kread.agree else
      T("k.disagree", lang, k_sil=kread.by_silhouette, k_ch=kread.by_calinski_harabasz, k_db=kread.by_davies_bouldin,
        worst=kread.silhouette_worst, k_worst=kread.k_worst, best=kread.silhouette_best, structure=structure))
print(T("k.chosen", lang, k=n_segments, k_sil=kread.by_silhouette))
kchoice.round(3)

# %% [markdown]
# k-means always returns *k* groups. When the silhouette is low, or the scores disagree, customers
# do not fall into crisp, separated clouds, and the number of segments is a business choice checked
# for **stability**: do the same segments come back when we refit on bootstrap resamples?

# %% [markdown] lang="zh"
# k均值聚类总会给出 *k* 个组。当轮廓系数较低或各指标意见不一时，客户并没有分成清晰、分离的群体，细分数量就是一个业务上的选择，需要用**稳定性**来检验：在 bootstrap 重抽样上重新拟合时，是否会得到同样的细分？

# %%
stability = segmentation.stability_ari(X[repeat], n_segments, n_resamples=20, random_state=seed)
print(T("stability", lang, k=n_segments, median=np.median(stability), min=stability.min(), max=stability.max(),
        n=len(stability)))

# %% [markdown]
# ### 5. Segments and their profiles
# The clusters come out numbered 0, 1, 2 ... (0 = largest). The table shows each segment's size and
# the mean of every feature; read it column by column against the overall average.

# %% [markdown] lang="zh"
# ### 5. 细分及其画像
# 聚类结果按 0、1、2 …… 编号（0 = 规模最大）。下表给出每个细分的规模和各特征的均值；请逐列与总体平均值比较。

# %%
labels, centers = segmentation.kmeans_segments(X, n_segments, random_state=seed, fit_mask=repeat)
profiles = segmentation.segment_profiles(features, labels)
show = ["n", "share", "frequency", "monetary", "price_tier", "home_share", "digital_share",
        "channel_store", "channel_app", "age", "city_tier"]
profiles[[c for c in show if c in profiles]].T.round(2)

# %% [markdown]
# ### 6. Naming the segments: a stated rule
# A name is a claim about a profile, so it comes from a rule that works on any clustering and says
# why. For every customer we take the **percentile rank** among all customers (0.5 = the middle
# customer; tied values share their rank) on recency, frequency and monetary value, and on each
# buying habit in the features. A segment is **high** on a measure when its members' mean rank is at
# least the upper cut-off and **low** when it is at most the lower one (printed below); a random group
# sits near 0.5. Recency counts days, so low reads *recent* and high *lapsed*; low frequency reads
# *one-time* when the segment's median customer bought once. The name lists the RFM words and, in
# brackets, the habit furthest from the middle; segments still sharing a name get the next habit.
# The column `rule` shows the comparisons behind each name.

# %% [markdown] lang="zh"
# ### 6. 为细分命名：一条明确的规则
# 名称是对画像的一种断言，所以它应当来自一条对任何聚类结果都适用、并能说明理由的规则。对每位客户，我们计算其在全体客户中的**百分位秩**（0.5 = 处于中间的客户；取值相同者共享同一秩次），指标包括最近一次消费、消费频率、消费金额，以及特征中的每一种购买习惯。若某细分成员的平均秩不低于上分界值，则该细分在此指标上为**高**；不高于下分界值则为**低**（分界值见下方输出）；随机抽取的一组客户会落在 0.5 附近。最近一次消费以天数计，所以“低”读作*近期活跃*、“高”读作*沉睡*；若某细分的消费频率为低且其中位客户只买过一次，则读作*一次性*。名称依次列出 RFM 的描述词，并在括号中加上离中间最远的购买习惯；若几个细分名称仍然相同，就再加上下一个习惯。`rule` 列给出了每个名称背后的比较。

# %%
naming = segmentation.describe_segments(features.assign(recency_days=table["recency_days"]), labels, lang=lang)
names = naming["name"].to_dict()
named = pd.Series(labels, index=X.index).map(names)
low_cut, high_cut = segmentation.LEVEL_CUTOFFS
print(T("naming.cutoffs", lang, low=low_cut, high=high_cut))
for seg, row in naming.iterrows():
    print(T("naming.row", lang, seg=seg, name=row["name"], rule=row["rule"]))
naming[["n", "recency_pct", "frequency_pct", "monetary_pct", "habit", "habit_pct", "name"]].round(2)

# %%
prof = profiles.rename(index=names)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for i, (name, row) in enumerate(prof.iterrows()):
    ax.scatter(row["log_frequency"] if "log_frequency" in row else np.log1p(row["frequency"]),
               row["log_avg_spend"], s=row["n"] / 3, color=plots.PALETTE[i % 8], alpha=0.7, label=name)
ax.legend(frameon=False, fontsize=8, loc="lower right")
plots.finish(ax, T("profiles.title", lang), T("profiles.x", lang), T("profiles.y", lang))
plt.show()

# %% [markdown]
# ### 7. Customer lifetime value by segment

# %% [markdown] lang="zh"
# ### 7. 各细分的客户终身价值

# %%
retention = estimate_retention(table)
clv = simple_clv(table, margin=margin, annual_retention=retention)
by_segment = clv_by_segment(clv, named.reindex(clv.index))
print(T("retention", lang, retention=retention, margin=margin))
by_segment.round(2)

# %% [markdown]
# Which segment holds the most customer equity? The shares get percentile bootstrap intervals
# (customers resampled within the segments found); "the largest" is claimed only when the interval
# of the leader's lead over the runner-up excludes 0.

# %% [markdown] lang="zh"
# 哪个细分拥有最多的客户资产？各份额给出百分位 bootstrap 置信区间（在已找到的细分内对客户重抽样）；只有当领先者相对第二名的差距的置信区间不包含 0 时，才称其为“最大”。

# %%
equity = rfm.value_shares(clv, named.reindex(clv.index), random_state=seed)
seg_names = {g: str(g) for g in equity.table.index}  # the names are already in `lang`
claims.append(leader("segmentation.equity_leader", equity.estimates(), T, difference=equity.lead, names=seg_names,
                     lang=lang))
eq = equity.table
ax = plots.bar(eq["share"].rename(index=seg_names),
               leader("segmentation.equity_leader.title", equity.estimates(), T, difference=equity.lead,
                      names=seg_names, lang=lang).text, T("equity.x", lang), T("equity.y", lang), fmt=".0%")
ax.errorbar(range(len(eq)), eq["share"], yerr=np.clip(np.array([eq["share"] - eq["ci_low"], eq["ci_high"] - eq["share"]]), 0, None),
            fmt="none", color="black", capsize=4)
plt.show()
print(claims[-1].text)

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
for c in claims:
    print("-", c.text)
print(T("stability", lang, k=n_segments, median=np.median(stability), min=stability.min(), max=stability.max(),
        n=len(stability)))
print(T("sizes", lang, sizes=T("list.sep", lang).join(f"{n} {s:.0%}"
                                                     for n, s in named.value_counts(normalize=True).items())))

# %% [markdown]
# The printed findings answer the question for *these* data, each with its interval: how
# concentrated revenue is (pyramid, 80/20), what the k-selection scores say, how stable the chosen
# segments are under resampling, and where customer equity sits. Compare the largest segment with
# the one holding the most equity - they need not be the same.

# %% [markdown] lang="zh"
# 上面输出的结论针对的是*这份*数据，并各自附有置信区间：收入有多集中（客户金字塔、二八定律）、选择 k 的各项指标说明了什么、所选细分在重抽样下有多稳定，以及客户资产集中在哪里。请比较规模最大的细分和客户资产最多的细分——两者未必相同。

# %% [markdown]
# ## Discussion
#
# * **Caveat - clusters are a lens, not a discovery.** k-means always returns *k* groups; when the
#   silhouette is low the boundaries are soft. Check stability and whether the segments suggest
#   different actions before using them.
# * **A name is a summary, not a finding.** The names come from a stated rule (section 6): mean
#   percentile ranks against cut-offs. Another cut-off, another population or another *k* gives
#   other names; a name describes the segment on average, not each member.
# * One-time buyers reveal little about their habits; their segment is a guess.
# * The CLV here is a back-of-the-envelope formula (constant spend and retention); churn models
#   (notebook 02) and BG/NBD give customer-level predictions.

# %% [markdown] lang="zh"
# ## 讨论
#
# * **注意——聚类是一种视角，而不是发现。** k均值聚类总会给出 *k* 个组；轮廓系数低时，组与组之间的边界是模糊的。在使用这些细分之前，先检验其稳定性，以及各细分是否意味着不同的行动。
# * **名称是概括，不是结论。** 名称来自一条明确的规则（第 6 节）：把平均百分位秩与分界值比较。换一个分界值、换一批客户或换一个 *k*，名称就会不同；名称描述的是细分的平均情况，而不是每一位成员。
# * 一次性购买者几乎不透露其购买习惯；他们被分到哪个细分，在很大程度上是猜测。
# * 这里的客户终身价值只是粗略的估算公式（假定消费额和保留率不变）；流失模型（第 02 课）和 BG/NBD 模型能给出客户层面的预测。

# %% [markdown]
# ## Quiz
# 1. Why log-transform monetary value before k-means?
# 2. Two customers have RFM code 515 and 155. Who would you call first for a win-back campaign?
# 3. Look at the k-selection table and the sentence below it in your run. What would make you use a
#    number of segments other than the one the scores favour, and what do you check before you do?
# 4. A segment is named "lapsed one-time low-value buyers". What does this name claim, and what
#    does it not claim?

# %% [markdown] lang="zh"
# ## 测验
# 1. 为什么在 k均值聚类之前要对消费金额取对数？
# 2. 两位客户的 RFM 代码分别为 515 和 155。做客户挽回活动时，你会先给谁打电话？
# 3. 查看本次运行中选择 k 的表格及其下方的句子。什么情况下你会采用与各指标所指不同的细分数量？这样做之前要检查什么？
# 4. 某个细分被命名为“沉睡的一次性低价值客户”。这个名称声称了什么？没有声称什么？

# %% [markdown] tags=["quiz-answers"]
# **Quiz answers**
#
# 1. Spend is strongly right-skewed: a few customers spend many times the median. k-means minimises
#    squared Euclidean distances, so on raw yuan the biggest spenders dominate the distances and
#    the "segments" mostly separate a handful of large accounts from everyone else. `log1p`
#    compresses the tail so that a doubling of spend counts the same at every level, and
#    standardising then puts spend on the same scale as shares and age.
# 2. The first digit is recency, scored 5 = most recent. The customer with 515 bought recently and is
#    still active: not a win-back case. The customer with 155 bought often and spent a lot but has not
#    bought for a long time: a valuable lapsed customer, the typical win-back target. Call 155 first
#    (and check with a churn model that the customer is not simply buying at a long, regular interval).
# 3. Read three things. (a) Do silhouette, Calinski-Harabasz and Davies-Bouldin agree, and how large
#    are the differences between k values? (b) How high is the best mean silhouette on Kaufman and
#    Rousseeuw's scale? If it is weak or below 0.26, no k gives separated groups and the scores do not
#    single out a "true" k. (c) Is the k you want to use stable (median bootstrap ARI of about 0.7 or
#    more) and do its segments get different names and call for different actions? A larger k than
#    the scores favour is defensible when the structure is weak anyway, the segments are stable, and
#    the extra segments are actionable; it is not when the extra segments are unstable or duplicate
#    each other. Say which of these holds in your run.
# 4. It claims that, on average, the segment's members rank in the upper part of all customers on days
#    since the last order and in the lower part on frequency and spend, beyond the stated cut-offs
#    (0.60 and 0.40), and that its median customer bought once. It does not claim that every member
#    is like that, that the customers have churned (lapsed is a recency level, not a churn
#    prediction), why they lapsed, or that a campaign would bring them back; with other cut-offs or
#    another population the name can change.

# %% [markdown] lang="zh"
# **测验答案**
#
# 1. 消费金额高度右偏：少数客户的消费是中位数的许多倍。k均值聚类最小化欧氏距离的平方，若直接用元为单位，消费最多的客户会主导距离，所谓“细分”主要是把少数大客户和其他人分开。`log1p` 压缩了右尾，使消费翻倍在任何水平上都算作同样的差别；再做标准化，使消费额与各类占比、年龄处在同一尺度上。
# 2. 第一位数字是最近一次消费的评分，5 = 最近。代码 515 的客户最近刚买过，仍然活跃，不是挽回对象。代码 155 的客户买得多、花得多，但很久没有购买：这是有价值的沉睡客户，是典型的挽回对象。先给 155 打电话（并用流失模型确认他不只是习惯隔很久才买一次）。
# 3. 看三点。(a) 轮廓系数、Calinski-Harabasz 指数和 Davies-Bouldin 指数是否一致？不同 k 之间差别有多大？(b) 按 Kaufman 与 Rousseeuw 的标准，最好的平均轮廓系数有多高？若只是弱结构或低于 0.26，则没有哪个 k 能得到分离的群体，这些指标也选不出一个“真正的” k。(c) 你想用的 k 是否稳定（bootstrap 调整兰德指数的中位数约 0.7 或更高）？各细分的名称是否不同、是否需要不同的行动？当结构本来就弱、细分稳定且多出的细分可以采取行动时，采用比指标所指更大的 k 是站得住的；若多出的细分不稳定或彼此重复，则不然。请说明你的运行结果属于哪种情况。
# 4. 它声称：平均而言，该细分成员在距最近一次消费的天数上排在全体客户的较高位置，在消费频率和消费金额上排在较低位置，且超过了所述分界值（0.60 和 0.40）；其中位客户只买过一次。它没有声称每位成员都是如此，没有声称这些客户已经流失（“沉睡”是最近一次消费的水平，而不是流失预测），也没有说明他们为何沉睡，或者营销活动能否把他们挽回；换一组分界值或换一批客户，名称可能会变。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** The 80/20 rule at another cut. What share of the revenue do the top 10% of
# customers by spend bring (the top ceil(10%) customers, as for the top 20%)? Store it in
# `top10_share`.

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间写代码；每道练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量将按你自己的数据集评分。
#
# **练习 1.** 换一个切分点看二八定律。按消费额排序，前 10% 的客户（与前 20% 的做法相同，取前 ceil(10%) 位）贡献了多少比例的收入？结果存入 `top10_share`。

# %% tags=["exercise"]
# answer: top10_share rel=1e-6 points=1
### BEGIN SOLUTION
m = table["monetary"].sort_values(ascending=False)
top10_share = float(m.iloc[: int(np.ceil(0.1 * len(m)))].sum() / m.sum())
### END SOLUTION

# %%
assert isinstance(top10_share, float), T("hint.float", lang, name="top10_share")
assert 0.1 <= top10_share <= top20, T("hint.top10", lang, top20=top20)
### BEGIN HIDDEN TESTS
assert abs(top10_share - rfm.top_share(table["monetary"], 0.1)) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Win-back candidates. How many customers in the top 20% of the pyramid (the key,
# big and medium tiers) placed their last counted order more than 365 days before `as_of`? Store
# the count in `n_valuable_lapsed`.

# %% [markdown] lang="zh"
# **练习 2.** 挽回对象。在客户金字塔前 20% 的客户中（重要客户、次要客户和普通客户三层），有多少位客户的最近一笔计入订单距 `as_of` 超过 365 天？把人数存入 `n_valuable_lapsed`。

# %% tags=["exercise"]
# answer: n_valuable_lapsed abs=0 points=2
### BEGIN SOLUTION
valuable = pyramid.customers.index[pyramid.customers["tier"].isin(["top", "big", "medium"])]
n_valuable_lapsed = int((table.loc[valuable, "recency_days"] > 365).sum())
### END SOLUTION

# %%
n_top3 = int(pyramid.summary.loc[["top", "big", "medium"], "n_customers"].sum())
assert isinstance(n_valuable_lapsed, int), T("hint.int", lang, name="n_valuable_lapsed")
assert 0 <= n_valuable_lapsed <= n_top3, T("hint.lapsed.tiers", lang, n=n_top3)
assert n_valuable_lapsed <= int((table["recency_days"] > 365).sum()), T("hint.lapsed.days", lang)
### BEGIN HIDDEN TESTS
assert n_valuable_lapsed == int((table.loc[pyramid.customers.index[pyramid.customers["tier"].isin(
    ["top", "big", "medium"])], "recency_days"] > 365).sum())
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Step 1 of the naming rule by hand. Rank all customers on monetary value as in
# section 6 (percentile ranks with mid-ranks for ties). What is the mean rank of the customers who
# bought exactly once? Store it in `m_pct_one_time`, and compare it with the cut-offs.

# %% [markdown] lang="zh"
# **练习 3.** 手工完成命名规则的第 1 步。按第 6 节的方法，在全体客户中对消费金额计算百分位秩（取值相同者用平均秩次）。只买过一次的客户的平均秩是多少？结果存入 `m_pct_one_time`，并与分界值比较。

# %% tags=["exercise"]
# answer: m_pct_one_time rel=1e-6 points=2
### BEGIN SOLUTION
ranks = (table["monetary"].rank(method="average") - 0.5) / len(table)
m_pct_one_time = float(ranks[table["frequency"] == 1].mean())
### END SOLUTION

# %%
assert isinstance(m_pct_one_time, float), T("hint.float", lang, name="m_pct_one_time")
assert 0 < m_pct_one_time < 1, T("hint.pct.range", lang)
assert abs(m_pct_one_time - 0.5) > 1e-9, T("hint.pct.within", lang)
### BEGIN HIDDEN TESTS
assert abs(m_pct_one_time - segmentation.percentile_ranks(table["monetary"])[table["frequency"] == 1].mean()) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 4.** Retention of repeat buyers. Section 7 estimates the annual retention rate from the
# customers whose first order is at least a year old. Estimate the same rate for repeat buyers only
# (two or more orders). Store it in `retention_repeat`.

# %% [markdown] lang="zh"
# **练习 4.** 重复购买客户的保留率。第 7 节用首单距今至少一年的客户估计年保留率。请只对重复购买客户（两单及以上）估计同样的比率，结果存入 `retention_repeat`。

# %% tags=["exercise"]
# answer: retention_repeat rel=1e-6 points=2
### BEGIN SOLUTION
old_repeat = table[(table["frequency"] >= 2) & (table["tenure_days"] >= 365)]
retention_repeat = float((old_repeat["recency_days"] < 365).mean())
### END SOLUTION

# %%
assert isinstance(retention_repeat, float), T("hint.float", lang, name="retention_repeat")
assert 0 <= retention_repeat <= 1, T("hint.share", lang, name="retention_repeat")
assert retention_repeat >= retention - 1e-12, T("hint.retention", lang, retention=retention)
### BEGIN HIDDEN TESTS
assert abs(retention_repeat - estimate_retention(table[table["frequency"] >= 2])) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ## Written task: a segment strategy memo
#
# Write a memo of at most one page to Suning's CRM manager. Using the segments, names, profiles,
# customer-equity shares and intervals of *your* run: which segments should get which treatment
# (for example retain and reward, develop by cross-selling or up-selling, win back, serve at low
# cost), and why; how large each group is and what it is worth; and what these data cannot tell the
# manager before money is spent.

# %% [markdown] lang="zh"
# ## 书面作业：细分策略备忘录
#
# 给苏宁的客户关系管理经理写一份不超过一页的备忘录。利用*你这次运行*得到的细分、名称、画像、客户资产份额及其置信区间说明：哪些细分应当采取哪种措施（例如保持并奖励、通过交叉销售或购买升级加以发展、客户挽回、以低成本服务），理由是什么；每个群体有多大、值多少钱；以及在投入资金之前，这些数据无法告诉经理什么。

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# **Model outline** (what a good memo covers; the numbers come from the student's own run):
#
# * One line per segment: its name, size and share of customer equity with the interval, and the
#   rule behind the name (which RFM levels and which habit), read from the naming table, not guessed.
# * A treatment per segment that follows from the profile: recent frequent high-value customers are
#   retained and rewarded (service, loyalty benefits) rather than discounted; middle segments are
#   developed (cross-selling into the category groups they do not buy, up-selling to a higher price
#   tier); valuable lapsed customers are win-back candidates; one-time low-value buyers get low-cost
#   contact. The memo ranks the treatments by the equity at stake and says where the interval is
#   wide.
# * What the data cannot tell: whether a treatment works (no experiment here: test it, as the
#   retention campaign in notebook 02); margins by segment (the CLV uses one margin); whether lapsed
#   customers have churned or buy elsewhere (share of wallet); whether the segments are real groups
#   or a convenient cut (weak silhouette, stability, names that depend on cut-offs); and that the CLV
#   formula assumes constant spend and retention.
# * Clear, short, addressed to a manager: a recommendation first, numbers with units and intervals.

# %% [markdown] lang="zh"
# <!-- points: 10 -->
# **参考提纲**（好的备忘录应涵盖的内容；数字来自学生自己的运行结果）：
#
# * 每个细分一行：名称、规模、客户资产份额及其置信区间，以及名称背后的规则（哪些 RFM 水平、哪种习惯），均从命名表中读出，而非猜测。
# * 每个细分的措施要从其画像推出：近期活跃的高频高价值客户应以服务和忠诚度计划的权益来保持和奖励，而不是打折；居中的细分加以发展（向其尚未购买的品类做交叉销售，向更高价位做购买升级）；有价值的沉睡客户是客户挽回的对象；一次性低价值客户采用低成本的接触方式。备忘录按涉及的客户资产大小给措施排序，并指出哪些地方置信区间较宽。
# * 数据无法回答的问题：措施是否有效（这里没有实验：应像第 02 课的保留活动那样做测试）；各细分的毛利率（CLV 只用了一个毛利率）；沉睡客户是已经流失还是在别处购买（顾客份额）；这些细分是真实存在的群体还是一种方便的切分（轮廓系数低、稳定性、名称依赖于分界值）；以及 CLV 公式假定消费额和保留率不变。
# * 清晰、简短、面向经理：先给建议，数字带单位和置信区间。

# %% [markdown] tags=["rubric"]
# **Rubric** (10 points)
#
# | criterion | points |
# |---|---|
# | Segments described from the run: names with their rule, sizes, equity shares with intervals | 2 |
# | A treatment for each segment that follows from its profile, ranked by the equity at stake | 3 |
# | Limits: no causal evidence for the treatments, one margin, lapsed is not churned, segments and names depend on choices (k, cut-offs) | 3 |
# | Uncertainty used correctly: no ranking claimed where intervals overlap | 1 |
# | Written for a manager: recommendation first, one page, numbers with units | 1 |

# %% [markdown] lang="zh"
# **评分标准**（10 分）
#
# | 评分项 | 分值 |
# |---|---|
# | 依据运行结果描述细分：名称及其规则、规模、客户资产份额及置信区间 | 2 |
# | 为每个细分提出从画像推出的措施，并按涉及的客户资产排序 | 3 |
# | 局限：措施缺乏因果证据、只用一个毛利率、沉睡不等于流失、细分和名称取决于所作的选择（k、分界值） | 3 |
# | 正确使用不确定性：置信区间重叠时不声称排名 | 1 |
# | 面向经理写作：先给建议，一页以内，数字带单位 | 1 |

# %% [markdown] tags=["take-home"]
# ## Take-home messages
#
# 1. Value is concentrated: measure it (top-20% share with an interval, the pyramid tiers) instead of
#    quoting the 80/20 rule.
# 2. RFM ranks customers on value; clustering describes *how* they buy. Both are descriptions, not
#    predictions or causes.
# 3. k-means always returns *k* groups: read the k-selection scores, check stability, and choose *k*
#    for groups you can act on.
# 4. Name segments by a stated rule relative to all customers, and show the rule: a name is a
#    summary that changes with the cut-offs, the population and *k*.
# 5. Customer lifetime value turns segments into money; a simple CLV is a rough guide, and the
#    equity leader is only "the largest" when its lead's interval excludes zero.

# %% [markdown] lang="zh"
# ## 要点回顾
#
# 1. 价值是集中的：要实际测量（前 20% 的份额及其置信区间、客户金字塔各层），而不是照搬二八定律。
# 2. RFM 按价值给客户排序；聚类描述客户*如何*购买。两者都是描述，而不是预测或因果。
# 3. k均值聚类总会给出 *k* 个组：读懂选择 k 的各项指标，检验稳定性，并选择能据以行动的 *k*。
# 4. 按相对于全体客户的明确规则为细分命名，并展示规则：名称是一种概括，会随分界值、客户群体和 *k* 而变。
# 5. 客户终身价值把细分换算成金额；简单的 CLV 只是粗略参考，只有当领先者差距的置信区间不包含 0 时，才能说它的客户资产“最大”。

# %% [markdown]
# ## Check against the truth (synthetic data only)
# The simulator planted five buying archetypes. Here, and only here, the segments found are compared
# with them: the adjusted Rand index (1 = the same partition, 0 = chance) and a table of the named
# segments against the planted ones. Real data have no such truth, and their segments need not
# resemble these archetypes.

# %% [markdown] lang="zh"
# ## 与真值对照（仅限模拟数据）
# 模拟器预设了五种购买原型。只有在这里，才把找到的细分与它们比较：调整兰德指数（1 = 完全相同的划分，0 = 与随机无异），以及已命名细分与预设细分的交叉表。真实数据没有这样的真值，其细分也未必与这些原型相似。

# %%
ari = None
if data.truth_customers is not None:
    from sklearn.metrics import adjusted_rand_score

    seg = data.truth_customers.set_index("customer_id")["segment"].reindex(X.index)
    ari = adjusted_rand_score(seg, labels)
    ari_repeat = adjusted_rand_score(seg[repeat], labels[repeat])
    display(truth_check([
        (T("truth.ari_all", lang), round(ari, 3), 1.0, ">= 0.6"),
        (T("truth.ari_repeat", lang), round(ari_repeat, 3), 1.0, ">= 0.6"),
        (T("truth.n_segments", lang), n_segments, data.truth["segments"]["n"], T("truth.same", lang)),
    ]))
    # the simulator's five buying archetypes appear here only: real data need not contain them
    display(pd.crosstab(named.rename(T("truth.found", lang)),
                        seg.map(lambda s: segment_label(s, lang)).rename(T("truth.planted", lang))))
else:
    print(T("truth.none", lang))

# %%
results = {
    "n_segments": n_segments,
    "ari_vs_truth": ari,
    "top20_revenue_share": top20,
    "top20_revenue_share_ci": [top20_est.ci_low, top20_est.ci_high],
    "k_choice": kread.to_dict(),
    "stability_median_ari": float(np.median(stability)),
    "segment_shares": named.value_counts(normalize=True).to_dict(),
    "segment_names": {str(k): v for k, v in names.items()},
    "naming_cutoffs": list(segmentation.LEVEL_CUTOFFS),
    "equity_share": by_segment["equity_share"].to_dict(),
    "claims": claims_json(claims),
}
saved = write_results(results, output_dir)
print(T("results.written", lang, keys=", ".join(sorted(results))))
