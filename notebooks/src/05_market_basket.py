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
import dataclasses

import matplotlib.pyplot as plt
import pandas as pd

from crmlab import plots
from crmlab.analysis import basket
from crmlab.analysis.basket_timing import time_of_day_profile
from crmlab.analysis.claims import claims_json, directional
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.basket import MESSAGES as T, item_label

plots.set_theme()
pd.set_option("display.precision", 3)

# %% [markdown]
# ### 1. Baskets
# One row per order, one True/False column per item group (`products.subcategory`: tv,
# wall_bracket, phone_case, ...). Only completed orders count - the project's one rule
# (`crmlab.domain.COUNTED_STATUSES`), so cancelled and returned orders are left out, and so are
# cancellation lines (negative quantities in real extracts). On a real extract without
# subcategories use `level="category"` or `level="sku"`.

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "order_items"], purpose="market-basket analysis")
products = data["products"] if "products" in data else None
level = "subcategory" if products is not None and "subcategory" in products else ("category" if products is not None else "sku")
matrix = basket.basket_matrix(data.order_items, products, level=level, orders=data.orders)  # completed orders
sizes = matrix.sum(axis=1)
print(T("baskets", lang, n=len(matrix), k=matrix.shape[1], mean=sizes.mean(), single=(sizes == 1).mean()))
claims = []  # the findings of this run, each with its interval (saved in results.json)

# %%
item_sup = basket.item_support(matrix)  # with Wilson intervals
top_item = item_sup.iloc[0]
top_est = tuple(top_item[["support", "ci_low", "ci_high"]])
claims.append(directional("basket.top_item_support", top_est, T, null=0.5, lang=lang,
                          item=item_label(top_item["item"], lang), detail={"item": top_item["item"]}))
support = item_sup.head(15).set_index("item")["support"]
plots.bar(support.rename(index=lambda i: item_label(i, lang)),
          directional("basket.top_item_support.title", top_est, T, null=0.5, lang=lang,
                      item=item_label(top_item["item"], lang)).text,
          T("support.x", lang), T("support.y", lang), fmt=".0%")
plt.show()
print(claims[-1].text)

# %% [markdown]
# ### 2. Association rules
# Apriori finds every itemset with support ≥ `min_support`; rules are derived from them. We keep
# rules with lift ≥ 1 and pairs only (one item on each side), which is what a cross-sell needs.

# %%
rules = basket.association_rules_table(matrix, min_support=min_support, min_lift=1.0, max_len=2)
print(T("n_rules", lang, n=len(rules), min_support=min_support))
cols = ["antecedent", "consequent", "support", "confidence", "lift"]
basket.top_rules(rules, n=10, by="lift")[cols]

# %% [markdown]
# Sorted by **confidence** instead, the list changes: confidence rewards rules whose consequent is
# common anyway (a consequent in a quarter of all baskets has confidence ≈ 0.25 after any
# antecedent), lift corrects for it. Decoys - popular items with lift ≈ 1 with almost everything,
# flagged in section 3 - can turn up in this list.

# %%
decoys = basket.decoy_candidates(matrix, rules)
decoy_items = decoys.loc[decoys["is_decoy"], "item"].tolist()
by_conf = basket.top_rules(rules, n=10, by="confidence")
in_list = by_conf[by_conf["consequent"].isin(decoy_items) | by_conf["antecedent"].isin(decoy_items)]
print(T("decoys.in_list", lang, items="; ".join(
    T("decoy.rule", lang, item=item_label(r.consequent, lang), antecedent=item_label(r.antecedent, lang), lift=r.lift)
    for r in in_list.itertuples())) if len(in_list) else T("decoys.not_in_list", lang))
by_conf[cols]

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
sc = ax.scatter(rules["support"], rules["confidence"], c=rules["lift"], cmap="viridis", s=30)
fig.colorbar(sc, ax=ax, label=T("lift", lang))
plots.finish(ax, T("rules.title", lang), T("rules.x", lang), T("rules.y", lang))
plt.show()

# %% [markdown]
# ### 3. The decoy trap
# `decoy_candidates` looks at popular items and their lift with every item they appear alongside:
# a decoy has high support but lift ≈ 1 with almost everything.

# %%
for r in decoys[decoys["is_decoy"]].itertuples():
    print(T("decoy.flagged", lang, item=item_label(r.item, lang), support=r.support, n=r.n_partners,
            median=r.median_lift, max=r.max_lift))
if not decoy_items:
    print(T("decoy.none", lang))
decoys.head(6)

# %% [markdown]
# ### 4. Cross-sell lists
# For a given item, the consequents ranked by lift (with their confidence: how often the offer
# would be relevant). Flagged decoys are never recommended: their lift is 1 by construction, so a
# lift above 1 in one of their rules is noise. The top recommendation of each anchor gets its lift
# counted directly in the baskets, with a confidence interval.

# %%
anchors = [a for a in ("tv", "ac", "phone", "laptop") if a in matrix.columns]
if not anchors:  # a real extract with other items: the most frequent antecedents
    anchors = rules["antecedent"].value_counts().index[:3].tolist()
lists = {a: basket.cross_sell_recommendations(rules, a, n=3, exclude=decoy_items) for a in anchors}
if decoy_items:
    print(T("cross.excluded", lang, items=", ".join(item_label(i, lang) for i in decoy_items)))
for a, rec in lists.items():
    if len(rec):
        est = basket.rule_lift(matrix, a, rec["consequent"].iloc[0])
        words = dict(anchor=item_label(a, lang), item=item_label(est.consequent, lang))
        c = directional("basket.cross_sell", (est.lift, est.ci_low, est.ci_high), T, null=1.0, lang=lang,
                        detail={"anchor": a, "consequent": est.consequent}, **words)
        claims.append(dataclasses.replace(c, id=f"basket.cross_sell.{a}"))  # one claim per anchor
        print(claims[-1].text)
pd.concat(lists, names=["anchor"]) if lists else T("cross.none", lang)

# %% [markdown]
# ### 5. When are baskets filled?
# Share of orders containing each product category in the evening (19:00-23:59, web and app)
# relative to the rest of the day, with a confidence interval of the ratio (Katz, log scale). The
# category with the highest ratio "leans to the evening" only if its interval lies above 1.

# %%
has_time = bool((data.orders["order_ts"].dt.normalize() != data.orders["order_ts"]).any())
if products is not None and "category" in products and has_time:
    tod = time_of_day_profile(data.orders, data.order_items, products, level="category")  # completed orders
    lead = tod.iloc[0]
    lead_est = tuple(lead[["ratio", "ci_low", "ci_high"]])
    claims.append(directional("basket.evening_lean", lead_est, T, null=1.0, lang=lang,
                              item=item_label(lead["item"], lang), detail={"item": lead["item"]}))
    ax = plots.bar(tod.set_index("item")["ratio"].rename(index=lambda i: item_label(i, lang)),
                   directional("basket.evening_lean.title", lead_est, T, null=1.0, lang=lang,
                               item=item_label(lead["item"], lang)).text, T("tod.x", lang), T("tod.y", lang),
                   fmt=".2f")
    ax.errorbar(range(len(tod)), tod["ratio"], yerr=[tod["ratio"] - tod["ci_low"], tod["ci_high"] - tod["ratio"]],
                fmt="none", color="black", capsize=3)
    ax.axhline(1, color="grey", lw=1)
    plt.show()
    print(claims[-1].text)
else:
    tod = None
    print(T("tod.skipped", lang))

# %% [markdown]
# ## Result

# %%
top = basket.top_rules(rules, n=20, by="lift")
print(T("strongest", lang))
for r in basket.top_rules(rules, n=4, by="lift", unique_pairs=True).itertuples():
    est = basket.rule_lift(matrix, r.antecedent, r.consequent)
    print(T("rule.line", lang, a=item_label(r.antecedent, lang), b=item_label(r.consequent, lang), lift=est.lift,
            level=est.confidence_level, lo=est.ci_low, hi=est.ci_high, conf=r.confidence, sup=r.support))
for c in claims:
    print("-", c.text)

# %% [markdown]
# The printed rules, with their intervals, are the cross-sells worth testing: compare them with
# what a 3C retailer expects (accessories and services that complete a big purchase). A decoy is
# frequent in baskets and in confidence-sorted rule lists, but its lift is ≈ 1: recommending it
# "because people buy it with TVs" adds nothing - so the cross-sell lists leave flagged decoys out.
#
# ## Discussion
#
# * **Caveat - association is not causation.** A high lift says the items co-occur, not that
#   offering one will sell the other; test a cross-sell with an experiment before rolling it out.
# * Rules depend on the item level (SKU vs subcategory vs category) and on `min_support`: rare but
#   valuable pairs (a 85-inch OLED and a soundbar) fall below any practical threshold.
# * A category that leans to the evening (if the interval says so) suggests *when* to show which
#   recommendation on the app.
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
claims_truth = {}
if data.truth is not None:
    rows = []
    # a planted rule A -> B puts B in a basket with main item A with probability c, in any other basket
    # with the background rate b: in these (completed) baskets its lift is c / (P(A) c + (1 - P(A)) b)
    background = data.truth["scenario"]["basket_background_rate"]
    planted = {(r["antecedent"], r["consequent"]): r["confidence"] / (matrix[r["antecedent"]].mean() * r["confidence"]
               + (1 - matrix[r["antecedent"]].mean()) * background)
               for r in data.truth["basket"]["rules"] if r["antecedent"] in matrix.columns}
    for (a, b), lift in planted.items():
        if b in matrix.columns:
            est = basket.rule_lift(matrix, a, b)
            rows.append((T("truth.lift", lang, a=item_label(a, lang), b=item_label(b, lang)),
                         f"{est.lift:.2f} [{est.ci_low:.2f}, {est.ci_high:.2f}]", round(lift, 3),
                         T("truth.covers", lang)))
    for c in claims:  # the cross-sell claims whose rule was planted
        if c.id.startswith("basket.cross_sell.") and (c.detail["anchor"], c.detail["consequent"]) in planted:
            claims_truth[c.id] = planted[(c.detail["anchor"], c.detail["consequent"])]
    rows.append((T("truth.decoy", lang), ", ".join(decoy_items), data.truth["basket"]["decoy_item"],
                 T("truth.flagged", lang)))
    if tod is not None:
        boosted = data.truth["basket"]["time_of_day"]["boosted_categories"]
        rows.append((T("truth.evening", lang), lead["item"], ", ".join(boosted), T("truth.among", lang)))
    display(truth_check(rows))
else:
    print("no truth available (real data)")

# %%
results = {
    "rules": top[["antecedent", "consequent", "support", "confidence", "lift"]],
    "decoys": decoy_items,
    "cross_sell": {a: rec["consequent"].tolist() for a, rec in lists.items()},
    "n_baskets": len(matrix),
    "item_level": level,
    "claims": claims_json(claims),
}
if claims_truth:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
