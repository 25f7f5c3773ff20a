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
# pyramid (重要客户 key customers), k-means, CLV. *Practical*, *Result*, *Discussion*, *Quiz*,
# *check against the truth*.
#
# **References.** Hughes (1994) *Strategic Database Marketing* (RFM); Zeithaml, Rust & Lemon (2001)
# *California Management Review* (customer pyramid); Gupta et al. (2006) *Journal of Service
# Research* (CLV); Hennig (2007) *CSDA* (cluster stability).

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

# %% [markdown]
# ## Practical
#
# ### Parameters

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

# %%
scores = rfm.rfm_scores(table)
top_codes = scores["rfm_code"].value_counts().head(8)
print(T("rfm_codes", lang, codes=", ".join(f"{c} ({n})" for c, n in top_codes.items())))
pd.crosstab(scores["R"], scores["F"], values=table["monetary"], aggfunc="mean").round(0)

# %% [markdown]
# Mean spend by recency score (rows) and frequency score (columns). When most customers buy once,
# frequency has few distinct values and its quintile scores tie (some columns are missing).

# %% [markdown]
# ### 2. The customer pyramid and the 80/20 rule

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

# %%
stability = segmentation.stability_ari(X[repeat], n_segments, n_resamples=20, random_state=seed)
print(T("stability", lang, k=n_segments, median=np.median(stability), min=stability.min(), max=stability.max(),
        n=len(stability)))

# %% [markdown]
# ### 5. Segments and their profiles
# The clusters come out numbered 0, 1, 2 ... (0 = largest). The table shows each segment's size and
# the mean of every feature; read it column by column against the overall average.

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

# %%
naming = segmentation.describe_segments(features.assign(recency_days=table["recency_days"]), labels, lang=lang)
names = naming["name"].to_dict()
named = pd.Series(labels, index=X.index).map(names)
low_cut, high_cut = segmentation.LEVEL_CUTOFFS
print(T("naming.cutoffs", lang, low=low_cut, high=high_cut))
for seg, row in naming.iterrows():
    print(f"{seg} · {row['name']}: {row['rule']}")
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

# %%
equity = rfm.value_shares(clv, named.reindex(clv.index), random_state=seed)
seg_names = {g: str(g) for g in equity.table.index}  # the names are already in `lang`
claims.append(leader("segmentation.equity_leader", equity.estimates(), T, difference=equity.lead, names=seg_names,
                     lang=lang))
eq = equity.table
ax = plots.bar(eq["share"].rename(index=seg_names),
               leader("segmentation.equity_leader.title", equity.estimates(), T, difference=equity.lead,
                      names=seg_names, lang=lang).text, T("equity.x", lang), T("equity.y", lang), fmt=".0%")
ax.errorbar(range(len(eq)), eq["share"], yerr=[eq["share"] - eq["ci_low"], eq["ci_high"] - eq["share"]],
            fmt="none", color="black", capsize=4)
plt.show()
print(claims[-1].text)

# %% [markdown]
# ## Result

# %%
for c in claims:
    print("-", c.text)
print(T("stability", lang, k=n_segments, median=np.median(stability), min=stability.min(), max=stability.max(),
        n=len(stability)))
print(T("sizes", lang, sizes=", ".join(f"{n} {s:.0%}" for n, s in named.value_counts(normalize=True).items())))

# %% [markdown]
# The printed findings answer the question for *these* data, each with its interval: how
# concentrated revenue is (pyramid, 80/20), what the k-selection scores say, how stable the chosen
# segments are under resampling, and where customer equity sits. Compare the largest segment with
# the one holding the most equity - they need not be the same.

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

# %% [markdown]
# ## Quiz
# 1. Why log-transform monetary value before k-means?
# 2. Two customers have RFM code 515 and 155. Who would you call first for a win-back campaign?
# 3. Look at the k-selection table and the sentence below it in your run. What would make you use a
#    number of segments other than the one the scores favour, and what do you check before you do?
# 4. A segment is named "lapsed one-time low-value buyers". What does this name claim, and what
#    does it not claim?

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

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** The 80/20 rule at another cut. What share of the revenue do the top 10% of
# customers by spend bring (the top ceil(10%) customers, as for the top 20%)? Store it in
# `top10_share`.

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

# %% [markdown]
# ## Check against the truth (synthetic data only)

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
