# %% [markdown]
# # 05 · Market basket analysis: what sells together, and what only looks like it
#
# **Question.** Which products do customers buy together, and which of those pairs are worth a
# cross-sell offer (交叉销售) at the till or on the app?
#
# **Method.** Turn order lines into baskets, mine frequent itemsets with *apriori* and derive
# association rules (mlxtend); rank them by lift, not by confidence; flag popular "decoy" items;
# look at when baskets are filled (time of day).
#
# **Contents.** *Theory*: support, confidence, lift; the "beer and diapers" legend; the decoy trap.
# *Practical*: baskets → item support → rules → decoys → cross-sell lists → time of day.
# *Result*, *Discussion*, *Quiz*, *check against the truth*.
#
# **References.** Agrawal, Imieliński & Swami (1993) *SIGMOD*; Brin et al. (1997) *SIGMOD*;
# Power (2002) "What is the true story about data mining, beer and diapers?", *DSS News* 3(23).

# %% [markdown]
# ## Theory
#
# A basket is the set of items in one order. For a rule $A \Rightarrow B$ over $N$ baskets:
#
# * **support** $s = P(A \cap B)$: how common the pair is;
# * **confidence** $c = P(B \mid A) = s / P(A)$: how often $A$ brings $B$;
# * **lift** $l = c / P(B) = P(A \cap B) / (P(A)P(B))$: how much $A$ raises the chance of $B$
#   above its base rate. $l = 1$ means independence; lift is symmetric in $A$ and $B$.
#
# **The legend.** Textbooks (and the course notes) tell that Walmart found beer and diapers in
# the same baskets and put them side by side. The analysis was a 1992 query by Osco Drug with NCR;
# nobody moved a shelf. Treat it as a story about *looking*, not a result.
#
# **The decoy trap.** An item in 16% of all baskets has confidence ≈ 0.16 after *any*
# antecedent, so it shows up in many "strong" rules sorted by confidence - with lift ≈ 1.
# Rules worth acting on have lift well above 1 *and* enough support to matter.

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
min_support = 0.01
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import pandas as pd

from crmlab import plots
from crmlab.analysis import basket
from crmlab.analysis.basket_timing import time_of_day_profile
from crmlab.notebook import get_data, require_tables, truth_check, write_results

plots.set_theme()
pd.set_option("display.precision", 3)

# %% [markdown]
# ### 1. Baskets
# One row per order, one True/False column per item group (`products.subcategory`: tv,
# wall_bracket, phone_case, ...). Cancelled orders and cancellation lines (negative quantities in
# real extracts) are left out. On a real extract without subcategories use `level="category"`
# or `level="sku"`.

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "order_items"], purpose="market-basket analysis")
products = data["products"] if "products" in data else None
level = "subcategory" if products is not None and "subcategory" in products else ("category" if products is not None else "sku")
statuses = ("completed", "returned")  # a returned order's basket was put together all the same
matrix = basket.basket_matrix(data.order_items, products, level=level, orders=data.orders, statuses=statuses)
sizes = matrix.sum(axis=1)
print(f"{len(matrix):,} baskets, {matrix.shape[1]} item groups; mean {sizes.mean():.2f} items, "
      f"{(sizes == 1).mean():.0%} single-item baskets")

# %%
support = basket.item_support(matrix).head(15).set_index("item")["support"]
plots.bar(support, "A few item groups are in most baskets", "item group", "support (share of baskets)",
          fmt=".0%")
plt.show()

# %% [markdown]
# ### 2. Association rules
# Apriori finds every itemset with support ≥ `min_support`; rules are derived from them. We keep
# rules with lift ≥ 1 and pairs only (one item on each side), which is what a cross-sell needs.

# %%
rules = basket.association_rules_table(matrix, min_support=min_support, min_lift=1.0, max_len=2)
print(f"{len(rules)} rules with support >= {min_support:.0%} and lift >= 1")
cols = ["antecedent", "consequent", "support", "confidence", "lift"]
basket.top_rules(rules, n=10, by="lift")[cols]

# %% [markdown]
# Sorted by **confidence** instead, the list changes: confidence rewards rules whose consequent is
# common anyway (phones are in a quarter of all baskets), lift corrects for it. Note the decoy
# `usb_cable` turning up with lift ≈ 1.

# %%
basket.top_rules(rules, n=10, by="confidence")[cols]

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
sc = ax.scatter(rules["support"], rules["confidence"], c=rules["lift"], cmap="viridis", s=30)
fig.colorbar(sc, ax=ax, label="lift")
plots.finish(ax, "High confidence is not the same as high lift", "support (share of baskets)", "confidence")
plt.show()

# %% [markdown]
# ### 3. The decoy trap
# `decoy_candidates` looks at popular items and their lift with every item they appear alongside:
# a decoy has high support but lift ≈ 1 with almost everything.

# %%
decoys = basket.decoy_candidates(matrix, rules)
decoys.head(6)

# %% [markdown]
# ### 4. Cross-sell lists
# For a given item, the consequents ranked by lift (with their confidence: how often the offer
# would be relevant).

# %%
anchors = [a for a in ("tv", "ac", "phone", "laptop") if a in matrix.columns]
if not anchors:  # a real extract with other items: the most frequent antecedents
    anchors = rules["antecedent"].value_counts().index[:3].tolist()
lists = {a: basket.cross_sell_recommendations(rules, a, n=3) for a in anchors}
pd.concat(lists, names=["anchor"]) if lists else "no rules to recommend from"

# %% [markdown]
# ### 5. When are baskets filled?
# Share of orders containing each product category in the evening (19:00-23:59, web and app)
# relative to the rest of the day.

# %%
has_time = bool((data.orders["order_ts"].dt.normalize() != data.orders["order_ts"]).any())
if products is not None and "category" in products and has_time:
    tod = time_of_day_profile(data.orders, data.order_items, products, level="category", statuses=statuses)
    lead = tod.iloc[0]["item"]
    plots.bar(tod.set_index("item")["ratio"], f"{lead.replace('_', ' ').title()} orders lean to the evening online",
              "product category", "evening share / daytime share", fmt=".2f")
    plt.axhline(1, color="grey", lw=1)
    plt.show()
else:
    tod = None
    print("no product categories or no time of day in the data: time-of-day profile skipped")

# %% [markdown]
# ## Result

# %%
top = basket.top_rules(rules, n=20, by="lift")
decoy_items = decoys.loc[decoys["is_decoy"], "item"].tolist()
print("strongest rules by lift:")
for r in basket.top_rules(rules, n=4, by="lift", unique_pairs=True).itertuples():
    print(f"  {r.antecedent} -> {r.consequent}: lift {r.lift:.1f}, confidence {r.confidence:.0%}, support {r.support:.1%}")
print("decoy item(s):", ", ".join(decoy_items) or "none")

# %% [markdown]
# The strongest rules are the cross-sells a 3C retailer expects - accessories and services that
# complete a big purchase. The decoy is frequent in baskets and in confidence-sorted rule lists,
# but its lift is ≈ 1: recommending it "because people buy it with TVs" adds nothing.
#
# ## Discussion
#
# * **Caveat - association is not causation.** A high lift says the items co-occur, not that
#   offering one will sell the other; test a cross-sell with an experiment before rolling it out.
# * Rules depend on the item level (SKU vs subcategory vs category) and on `min_support`: rare but
#   valuable pairs (a 85-inch OLED and a soundbar) fall below any practical threshold.
# * The evening pattern suggests *when* to show which recommendation on the app.
#
# ## Quiz
# 1. Why is lift symmetric while confidence is not?
# 2. An item has support 0.16 and appears in 30 rules with confidence ≈ 0.16. What is its lift?
# 3. Why would you not put beer next to diapers on the strength of one query?

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** What share of baskets contain exactly one item group? Store it in
# `single_item_share`.

# %% tags=["exercise"]
# answer: single_item_share rel=1e-6 points=1
### BEGIN SOLUTION
single_item_share = float((matrix.sum(axis=1) == 1).mean())
### END SOLUTION

# %%
assert 0 <= single_item_share <= 1
### BEGIN HIDDEN TESTS
assert abs(single_item_share - float((matrix.sum(axis=1) == 1).mean())) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** A cross-sell is worth acting on when it is both strong and common. How many rules
# in `rules` have a lift above 2 *and* a support of at least 2%? Store the count in `n_actionable`.

# %% tags=["exercise"]
# answer: n_actionable abs=0 points=1
### BEGIN SOLUTION
n_actionable = int(((rules["lift"] > 2) & (rules["support"] >= 0.02)).sum())
### END SOLUTION

# %%
assert isinstance(n_actionable, int) and 0 <= n_actionable <= len(rules)
### BEGIN HIDDEN TESTS
assert n_actionable == int(((rules["lift"] > 2) & (rules["support"] >= 0.02)).sum())
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Recompute the lift of the strongest rule (the first row of `top`) directly from the
# basket matrix, as $P(A \cap B) / (P(A)P(B))$. Store it in `strongest_lift` (use `float("nan")` if
# there are no rules).

# %% tags=["exercise"]
# answer: strongest_lift rel=1e-6 points=2
### BEGIN SOLUTION
if top.empty:
    strongest_lift = float("nan")
else:
    a, b = top.iloc[0]["antecedent"], top.iloc[0]["consequent"]
    strongest_lift = float((matrix[a] & matrix[b]).mean() / (matrix[a].mean() * matrix[b].mean()))
### END SOLUTION

# %%
assert top.empty or strongest_lift >= 1
### BEGIN HIDDEN TESTS
assert top.empty or abs(strongest_lift - float(top.iloc[0]["lift"])) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# ## Check against the truth (synthetic data only)

# %%
if data.truth is not None:
    rows = []
    for rule in data.truth["basket"]["rules"]:
        if rule["antecedent"] in matrix.columns and rule["consequent"] in matrix.columns:
            est = basket.rule_lift(matrix, rule["antecedent"], rule["consequent"]).lift
            rows.append((f"lift {rule['antecedent']} -> {rule['consequent']}", round(est, 2), rule["lift"], "±20%"))
    rows.append(("decoy item", ", ".join(decoy_items), data.truth["basket"]["decoy_item"], "flagged"))
    display(truth_check(rows))
else:
    print("no truth available (real data)")

# %%
results = {
    "rules": top[["antecedent", "consequent", "support", "confidence", "lift"]],
    "decoys": decoy_items,
    "n_baskets": len(matrix),
    "item_level": level,
}
saved = write_results(results, output_dir)
print("results written:", sorted(results))
