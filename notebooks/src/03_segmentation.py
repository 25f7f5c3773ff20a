# %% [markdown]
# # 03 · Segmentation and customer value: who matters, and which groups exist?
#
# **Question.** Which customers carry the business (customer pyramid, 80/20), how do we score them
# (RFM), which behavioural segments exist, and what is each segment worth (customer lifetime value)?
#
# **Method.** RFM table and quintile scores; customer pyramid (top 1% / 4% / 15% / 80%) and Pareto
# curve; k-means on log-scaled, standardised behaviour (what, how, where and when customers buy,
# plus age and city tier) with silhouette and bootstrap stability to choose and check *k*; segment
# profiles and names; a simple CLV per segment.
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
from crmlab.analysis.clv.simple import clv_by_segment, estimate_retention, simple_clv
from crmlab.notebook import get_data, require_tables, truth_check, write_results

plots.set_theme()
pd.set_option("display.precision", 3)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders"], purpose="RFM and segmentation")
as_of = str(min(pd.Timestamp(as_of), data.orders["order_ts"].max().normalize()).date())
table = rfm.rfm_table(data.orders, as_of=as_of, order_items=data["order_items"] if "order_items" in data else None)
print(f"{len(table):,} customers with a completed order up to {as_of}")
table[["recency_days", "frequency", "monetary", "avg_spend", "tenure_days"]].describe().T[["mean", "50%", "max"]]

# %% [markdown]
# ### 1. RFM scores

# %%
scores = rfm.rfm_scores(table)
top_codes = scores["rfm_code"].value_counts().head(8)
print("most common RFM codes:", ", ".join(f"{c} ({n})" for c, n in top_codes.items()))
pd.crosstab(scores["R"], scores["F"], values=table["monetary"], aggfunc="mean").round(0)

# %% [markdown]
# Mean spend by recency score (rows) and frequency score (columns): recent, frequent customers
# spend the most - and frequency has few distinct values when most customers buy once.

# %% [markdown]
# ### 2. The customer pyramid and the 80/20 rule

# %%
pyramid = rfm.customer_pyramid(table)
top20 = rfm.top_share(table["monetary"], 0.2)
print(f"top 20% of customers bring {top20:.1%} of revenue")
pyramid.summary[["n_customers", "customer_share", "value_share", "mean_value"]]

# %%
curve = rfm.pareto_curve(table["monetary"])
ax = plt.subplots(figsize=(5.5, 5))[1]
ax.plot(curve["customer_share"], curve["value_share"], color=plots.PALETTE[0], label="customers")
ax.plot([0, 1], [0, 1], ls="--", color="grey", label="equal spend")
ax.axvline(0.2, color=plots.PALETTE[1], lw=1)
ax.annotate(f"top 20% → {top20:.0%} of revenue", (0.2, top20), xytext=(8, -12), textcoords="offset points")
ax.legend(frameon=False, loc="lower right")
plots.finish(ax, "A fifth of the customers bring most of the revenue", "share of customers (by spend)",
             "share of revenue")
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
print(f"{X.shape[1]} features for {len(X):,} customers; {repeat.mean():.0%} are repeat buyers")
X.describe().T[["mean", "std", "min", "max"]]

# %% [markdown]
# ### 4. How many segments?
# Silhouette (higher is better) and inertia for k = 2..8, fitted on repeat buyers.

# %%
kchoice = segmentation.choose_k(X[repeat], ks=range(2, 9), random_state=seed)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(kchoice.index, kchoice["inertia"], marker="o", color=plots.PALETTE[0])
plots.finish(axes[0], "No sharp elbow", "k (number of segments)", "inertia (within-cluster sum of squares)")
axes[1].plot(kchoice.index, kchoice["silhouette"], marker="o", color=plots.PALETTE[1])
plots.finish(axes[1], "Silhouette is nearly flat", "k (number of segments)", "mean silhouette")
plt.show()
kchoice.round(3)

# %% [markdown]
# The silhouette barely changes with *k*: customers do not fall into crisp, separated clouds. The
# number of segments is then a business choice checked for **stability**: do the same segments come
# back when we refit on bootstrap resamples?

# %%
stability = segmentation.stability_ari(X[repeat], n_segments, n_resamples=20, random_state=seed)
print(f"k = {n_segments}: median bootstrap ARI = {np.median(stability):.2f} "
      f"(min {stability.min():.2f}, max {stability.max():.2f})")

# %% [markdown]
# ### 5. Segments and their profiles

# %%
labels, centers = segmentation.kmeans_segments(X, n_segments, random_state=seed, fit_mask=repeat)
profiles = segmentation.segment_profiles(features, labels)
names = segmentation.name_segments(profiles)
named = pd.Series(labels, index=X.index).map(names)
show = ["n", "share", "frequency", "monetary", "price_tier", "home_share", "digital_share",
        "channel_store", "channel_app", "age", "city_tier"]
profiles.rename(index=names)[[c for c in show if c in profiles]].T.round(2)

# %%
prof = profiles.rename(index=names)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for i, (name, row) in enumerate(prof.iterrows()):
    ax.scatter(row["log_frequency"] if "log_frequency" in row else np.log1p(row["frequency"]),
               row["log_avg_spend"], s=row["n"] / 3, color=plots.PALETTE[i % 8], alpha=0.7, label=name)
ax.legend(frameon=False, fontsize=8, loc="lower right")
plots.finish(ax, "Segments differ in how often and how much they buy", "log(1 + orders)",
             "log(1 + average order value, yuan)")
plt.show()

# %% [markdown]
# ### 6. Customer lifetime value by segment

# %%
retention = estimate_retention(table)
clv = simple_clv(table, margin=margin, annual_retention=retention)
by_segment = clv_by_segment(clv, named.reindex(clv.index))
print(f"annual retention estimated from the data: {retention:.0%}; margin {margin:.0%}")
by_segment.round(2)

# %%
plots.bar(by_segment["equity_share"].sort_values(ascending=False),
          f"{by_segment['equity_share'].idxmax().replace('_', ' ').title()} hold the largest share of customer equity",
          "segment", "share of customer equity", fmt=".0%")
plt.show()

# %% [markdown]
# ## Result

# %%
print(f"top 20% of customers: {top20:.1%} of revenue; top 1%: {pyramid.summary.loc['top', 'value_share']:.1%}")
print(f"{n_segments} segments, bootstrap stability (median ARI) {np.median(stability):.2f}")
print("segments by size:", ", ".join(f"{n} {s:.0%}" for n, s in named.value_counts(normalize=True).items()))

# %% [markdown]
# Revenue is concentrated - the pyramid's top 1% and the next 4% together bring far more than their
# share. Behavioural segments are stable under resampling and differ in what, where and how much
# customers buy; customer equity is concentrated in the segments that buy often or expensively, not
# in the largest segment.
#
# ## Discussion
#
# * **Caveat - clusters are a lens, not a discovery.** k-means always returns *k* groups; with a
#   nearly flat silhouette the boundaries are soft. Check stability and whether the segments suggest
#   different actions before using them.
# * One-time buyers reveal little about their habits; their segment is a guess.
# * The CLV here is a back-of-the-envelope formula (constant spend and retention); churn models
#   (notebook 02) and BG/NBD give customer-level predictions.
#
# ## Quiz
# 1. Why log-transform monetary value before k-means?
# 2. Two customers have RFM code 515 and 155. Who would you call first for a win-back campaign?
# 3. The silhouette favours k = 2. Why might you still use five segments?

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
        ("ARI vs planted segments (all purchasers)", round(ari, 3), 1.0, ">= 0.6"),
        ("ARI vs planted segments (repeat buyers)", round(ari_repeat, 3), 1.0, ">= 0.6"),
        ("number of segments", n_segments, data.truth["segments"]["n"], "same"),
    ]))
    display(pd.crosstab(named.rename("k-means segment"), seg.rename("planted segment")))
else:
    print("no truth available (real data)")

# %%
results = {
    "n_segments": n_segments,
    "ari_vs_truth": ari,
    "top20_revenue_share": top20,
    "stability_median_ari": float(np.median(stability)),
    "segment_shares": named.value_counts(normalize=True).to_dict(),
    "equity_share": by_segment["equity_share"].to_dict(),
}
saved = write_results(results, output_dir)
print("results written:", sorted(results))
