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
#
# ## Discussion
#
# * **Caveat - clusters are a lens, not a discovery.** k-means always returns *k* groups; when the
#   silhouette is low the boundaries are soft. Check stability and whether the segments suggest
#   different actions before using them.
# * One-time buyers reveal little about their habits; their segment is a guess.
# * The CLV here is a back-of-the-envelope formula (constant spend and retention); churn models
#   (notebook 02) and BG/NBD give customer-level predictions.
#
# ## Quiz
# 1. Why log-transform monetary value before k-means?
# 2. Two customers have RFM code 515 and 155. Who would you call first for a win-back campaign?
# 3. Look at the k-selection table of your run. If the scores favour a different k than the five
#    segments used here, why might you still use five?

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** Compute the revenue share of the top 20% of customers yourself from `table["monetary"]` (the top ceil(20%) customers by spend). Store it in `top20_manual`.

# %% tags=["exercise"]
# answer: top20_manual rel=1e-6 points=1
### BEGIN SOLUTION
m = table["monetary"].sort_values(ascending=False)
top20_manual = float(m.iloc[: int(np.ceil(0.2 * len(m)))].sum() / m.sum())
### END SOLUTION

# %%
assert 0.2 <= top20_manual <= 1
### BEGIN HIDDEN TESTS
assert abs(top20_manual - rfm.top_share(table["monetary"], 0.2)) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2.** How many customers are in the top tier (the key customers, 重要客户) of the pyramid? Store it in `n_key`.

# %% tags=["exercise"]
# answer: n_key abs=0 points=1
### BEGIN SOLUTION
n_key = int((pyramid.customers["tier"] == "top").sum())
### END SOLUTION

# %%
assert isinstance(n_key, int) and n_key >= 1
### BEGIN HIDDEN TESTS
assert n_key == int(pyramid.summary.loc["top", "n_customers"])
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 3.** Which named segment holds the most customers? Store its name in `largest_segment`.

# %% tags=["exercise"]
# answer: largest_segment points=1
### BEGIN SOLUTION
largest_segment = str(named.value_counts().idxmax())
### END SOLUTION

# %%
assert largest_segment in set(named)
### BEGIN HIDDEN TESTS
assert largest_segment == named.value_counts().idxmax()
### END HIDDEN TESTS

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
