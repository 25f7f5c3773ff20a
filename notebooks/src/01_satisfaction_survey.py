# %% [markdown]
# # 01 · The satisfaction survey: what drives satisfaction, and does it matter?
#
# **Question.** How satisfied are customers with advertising/promotion (宣传), price (价格),
# service (服务) and product quality (质量); which of these drives overall satisfaction; would
# customers recommend the retailer (NPS); and do dissatisfied customers really leave?
#
# **Method.** Check the scale (Cronbach's α, factor analysis with varimax rotation), compute
# dimension scores, run a key-driver analysis (standardised regression and relative weights),
# draw the importance-performance grid, estimate the Net Promoter Score with a bootstrap
# confidence interval, compare groups, and link answers to later purchases.
#
# **Contents.** *Theory*: Likert scales, reliability, key drivers, IPA, NPS. *Practical*: the
# steps above. *Result*, *Discussion*, *Quiz*, *check against the truth*.
#
# **References.** Cronbach (1951) *Psychometrika*; Parasuraman, Zeithaml & Berry (1988) SERVQUAL;
# Johnson (2000) *Multivariate Behavioral Research* (relative weights); Martilla & James (1977)
# *Journal of Marketing* (IPA); Reichheld (2003) *HBR* (NPS); Fornell et al. (1996) ACSI.

# %% [markdown]
# ## Theory
#
# The questionnaire (问卷) asks 17 statements rated 1 (strongly disagree) to 5 (strongly agree),
# 3-5 per dimension, plus overall satisfaction (1-5) and "How likely are you to recommend us?"
# (0-10). Real answers are **negatively skewed**: most people tick 4 or 5 (top-2-box 55-75%).
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
n_boot = 2000
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import survey
from crmlab.notebook import get_data, require_tables, truth_check, write_results

plots.set_theme()
pd.set_option("display.precision", 3)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["survey"], purpose="the survey notebook")
sv = data.survey
dims = survey.item_columns(sv)
print(f"{len(sv):,} responses; dimensions and items:")
for d, items in dims.items():
    print(f"  {d:<12} {', '.join(items)}")

# %% [markdown]
# ### 1. The answers are skewed
# Share of answers 1-5 over all items: the typical left-skewed Likert distribution.

# %%
items = [i for v in dims.values() for i in v]
dist = pd.Series(sv[items].to_numpy(float).ravel()).dropna().value_counts(normalize=True).sort_index()
dist.index = dist.index.astype(int)
plots.bar(dist, "Most answers are 4 or 5", "answer (1 = strongly disagree, 5 = strongly agree)",
          "share of all item answers", fmt=".0%")
plt.show()
survey.top2box(sv, level="dimension").to_frame("top-2-box share")

# %% [markdown]
# ### 2. Is the scale reliable and valid?

# %%
reliability = survey.reliability_table(sv)
reliability

# %% [markdown]
# Factor analysis (four factors, varimax rotation) on the standardised items. Each item should
# load mainly on its own dimension's factor.

# %%
fit = survey.factorability(sv)
print("factorability:", {"kmo": round(fit.kmo, 3), "n_factors_kaiser": fit.n_factors_kaiser})
loadings = survey.factor_loadings(sv, n_factors=len(dims)).loadings
loadings.round(2)

# %% [markdown]
# ### 3. Dimension scores and key drivers
# Each dimension's score is the mean of its items. Regressing overall satisfaction on the four
# scores tells which dimension matters most.

# %%
scores = survey.dimension_scores(sv)
kda = survey.key_drivers(sv)
drivers = kda.table
print(f"R² = {kda.r2:.3f} on {kda.n} complete responses")
drivers[["r", "beta", "p_value", "relative_weight", "rw_share", "rank"]]

# %%
plots.bar(drivers["rw_share"], f"{drivers.index[0].title()} drives overall satisfaction most",
          "dimension", "share of explained variance (relative weight)", fmt=".0%")
plt.show()

# %% [markdown]
# ### 4. Importance-performance grid

# %%
grid = survey.importance_performance(kda, scores)
ipa = grid.table
plots.quadrant_chart(ipa["importance"], ipa["performance"], "Where to act: importance vs performance",
                     "importance (share of explained variance)", "performance (mean score, 1-5)",
                     xcut=grid.importance_cut, ycut=grid.performance_cut,
                     quadrant_labels=["possible overkill", "keep up the good work", "low priority", "concentrate here"])
plt.show()
ipa

# %% [markdown]
# ### 5. Net Promoter Score with a bootstrap confidence interval

# %%
nps = survey.nps_bootstrap(sv["recommend"], n_boot=n_boot, random_state=seed)
print(f"NPS = {nps.nps:+.1f} points (95% CI {nps.ci_low:+.1f} to {nps.ci_high:+.1f}), n = {nps.n}")
pd.Series({k: getattr(nps, k) for k in ("promoters", "passives", "detractors")}, name="share").to_frame()

# %% [markdown]
# ### 6. Groups: competitors and city tiers

# %%
comparison = survey.compare_groups(sv, "competitor")
print(f"Kruskal-Wallis p = {comparison.p_value:.3f}")
comparison.table
# %%
if "competitor_comparison" in sv:
    display(pd.crosstab(sv["competitor"], sv["competitor_comparison"], normalize="index").round(3))

# %% [markdown]
# ### 7. Do dissatisfied customers leave?
# Among respondents whose following year is observed (half a year if the data are shorter): the
# share who placed no further order, by overall satisfaction.

# %%
if "orders" in data:
    observed = (min(pd.Timestamp(as_of), data.orders["order_ts"].max()) - sv["response_date"].max()).days
    window = 365 if observed >= 365 else 180
    link = survey.satisfaction_and_churn(sv, data.orders, window_days=window, as_of=as_of).table
    ax = plt.subplots()[1]
    ax.errorbar(link.index.astype(str), link["share_inactive"],
                yerr=[link["share_inactive"] - link["ci_low"], link["ci_high"] - link["share_inactive"]],
                fmt="o", capsize=4, color=plots.PALETTE[3])
    gone_more = link["share_inactive"].iloc[0] > link["share_inactive"].iloc[-1]
    plots.finish(ax, "Dissatisfied customers are more often gone a year later" if gone_more
                 else "No clear link between satisfaction and later inactivity",
                 "overall satisfaction (1-5)", f"share with no order in the next {window} days")
    plt.show()
    display(link)
else:
    link = None

# %% [markdown]
# ## Result

# %%
alpha = reliability["alpha"].round(3).to_dict()
ranking = drivers.index.tolist()
print("Cronbach's alpha:", alpha)
print("driver ranking (strongest first):", " > ".join(ranking))
print(f"NPS {nps.nps:+.1f} (95% CI {nps.ci_low:+.1f} .. {nps.ci_high:+.1f})")

# %% [markdown]
# The scale is reliable (every α above 0.70) and its four dimensions come out of the factor
# analysis. The ranking above says where satisfaction is won or lost; the IPA grid shows which
# strong driver performs worst. The NPS is positive but its confidence interval is several points
# wide - a one-point change between two surveys of this size means nothing.
#
# ## Discussion
#
# * **Caveat - a survey measures what respondents say.** Respondents are not a random sample of
#   customers (in-store intercepts over-represent store shoppers), and key-driver weights are
#   correlational: improving service will not raise satisfaction by the weight if the weight
#   partly reflects general goodwill that colours every answer (halo effect).
# * The course's "90-98% of dissatisfied customers leave silently" is a misquote of the 1970s TARP
#   studies; later work finds about half of customers with a problem complain to front-line staff.
#   What is true: most complaints never reach management.
# * Satisfaction predicts churn only weakly at the individual level: many satisfied customers also
#   go quiet for a year.
#
# ## Quiz
# 1. Why can Cronbach's α rise when you delete an item?
# 2. Two drivers correlate at 0.8. Why are their regression coefficients unreliable, and what do
#    relative weights do about it?
# 3. NPS moved from +28 to +31 between two waves of 800 responses. Is that news?

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** Compute Cronbach's alpha of the service items yourself, with the formula in the Theory section (drop incomplete rows first). Store it in `alpha_service`.

# %% tags=["exercise"]
# answer: alpha_service rel=1e-6 points=2
### BEGIN SOLUTION
items_s = sv[dims["service"]].dropna().astype(float)
k = items_s.shape[1]
alpha_service = float(k / (k - 1) * (1 - items_s.var(ddof=1).sum() / items_s.sum(axis=1).var(ddof=1)))
### END SOLUTION

# %%
assert 0 < alpha_service < 1
### BEGIN HIDDEN TESTS
assert abs(alpha_service - survey.cronbach_alpha(sv[dims["service"]])) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2.** Compute the NPS in points from `sv["recommend"]` without the library: % promoters (9-10) minus % detractors (0-6). Store it in `nps_value`.

# %% tags=["exercise"]
# answer: nps_value rel=1e-6 points=1
### BEGIN SOLUTION
r = sv["recommend"].dropna().astype(float)
nps_value = float(100 * ((r >= 9).mean() - (r <= 6).mean()))
### END SOLUTION

# %%
assert -100 <= nps_value <= 100
### BEGIN HIDDEN TESTS
assert abs(nps_value - survey.nps(sv["recommend"])) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 3.** Which dimension has the largest relative weight in the key-driver analysis? Store its name (a string such as `"price"`) in `top_driver`.

# %% tags=["exercise"]
# answer: top_driver points=1
### BEGIN SOLUTION
top_driver = str(drivers["relative_weight"].idxmax())
### END SOLUTION

# %%
assert top_driver in dims
### BEGIN HIDDEN TESTS
assert top_driver == drivers["relative_weight"].idxmax()
### END HIDDEN TESTS

# %% [markdown]
# ## Check against the truth (synthetic data only)

# %%
if data.truth is not None:
    t = data.truth["survey"]
    rows = [("NPS", round(nps.nps, 1), t["nps"], "±8 points; CI should cover"),
            ("strongest driver", ranking[0], t["driver_ranking"][0], "same"),
            ("driver ranking", " > ".join(ranking), " > ".join(t["driver_ranking"]), "same order")]
    display(truth_check(rows))
else:
    print("no truth available (real data)")

# %%
results = {
    "nps": nps.nps,
    "nps_ci": [nps.ci_low, nps.ci_high],
    "cronbach_alpha": alpha,
    "driver_ranking": ranking,
    "driver_weights": drivers["rw_share"].to_dict(),
    "r2": kda.r2,
}
saved = write_results(results, output_dir)
print("results written:", sorted(results))
