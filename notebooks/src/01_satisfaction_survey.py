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
# ### 1. How are the answers distributed?
# Share of answers 1-5 over all items. Real Likert answers are usually skewed to the top; the
# top-2-box share (answers 4 or 5) has an interval that treats each respondent's answers as a
# cluster (they are not independent).

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

# %%
reliability = survey.reliability_table(sv)
weakest = reliability["ci_low"].idxmin()  # the scale whose reliability is least certain to reach 0.70
claims.append(directional("survey.reliability", reliability.loc[weakest, ["alpha", "ci_low", "ci_high"]].tolist(), T,
                          null=0.70, lang=lang, dimension=label(weakest, lang), bar=0.70,
                          detail={"dimension": weakest}))
print(claims[-1].text)
reliability

# %% [markdown]
# Factor analysis (four factors, varimax rotation) on the standardised items. Each item should
# load mainly on its own dimension's factor.

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
ax.errorbar(range(len(sh)), sh["share"], yerr=[sh["share"] - sh["ci_low"], sh["ci_high"] - sh["share"]],
            fmt="none", color="black", capsize=4)
plt.show()
equal = 1 / len(sh)
for d, est in shares.estimates().items():
    claims.append(directional(f"survey.rw_share.{d}", est, T, null=equal, lang=lang, dimension=names[d],
                              equal=equal))
print("\n".join(c.text for c in claims[-len(sh) - 1:]))

# %% [markdown]
# ### 4. Importance-performance grid

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

# %%
nps = survey.nps_bootstrap(sv["recommend"], n_boot=n_boot, random_state=seed)
claims.append(directional("survey.nps", (nps.nps, nps.ci_low, nps.ci_high), T, lang=lang, n=nps.n))
print(claims[-1].text)
pd.Series({k: getattr(nps, k) for k in ("promoters", "passives", "detractors")}, name="share").to_frame()

# %% [markdown]
# ### 6. Groups: competitors and city tiers

# %%
comparison = survey.compare_groups(sv, "competitor")
print(T("kruskal", lang, p=comparison.p_value))
comparison.table
# %%
if "competitor_comparison" in sv:
    display(pd.crosstab(sv["competitor"], sv["competitor_comparison"], normalize="index").round(3))

# %% [markdown]
# ### 7. Do dissatisfied customers leave?
# Among respondents whose following year is observed (half a year if the data are shorter): the
# share who placed no further (completed) order, by overall satisfaction, with Wilson intervals.
# The finding compares the dissatisfied (1-2) with the satisfied (4-5): the difference of the two
# shares with Newcombe's interval, and the chi-square test of the 2 x 2 table.

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
                yerr=[link["share_inactive"] - link["ci_low"], link["ci_high"] - link["share_inactive"]],
                fmt="o", capsize=4, color=plots.PALETTE[3])
    ax.set_ylim(0, 1)  # shares start at 0: a cut axis exaggerates differences
    plots.finish(ax, directional("survey.churn_gap.title", gap, T, lang=lang, **words).text, T("churn.x", lang),
                 T("churn.y", lang, window=window))
    plt.show()
    print(claims[-1].text)
    display(link)
else:
    link = gap = None

# %% [markdown]
# ## Result

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
# surveys of this size is noise.
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
#
# The key-driver analysis estimates the *relative-weight shares* of the answers; the truth file
# records them (`relative_weight_shares`: what the survey model implies for item means, computed
# on a large simulated sample) beside the *structural* weights of the latent dimensions
# (`driver_weights`), which no regression on the answers estimates.

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
    if gap is not None and data.truth_customers is not None and gap.n_low and gap.n_high:
        # expected inactivity given each respondent's latent purchase rate and lifetime: completed orders
        # arrive as a Poisson process at the planted yearly rate while alive (season, loyalty and campaign
        # multipliers left out - they move both groups alike)
        tc = data.truth_customers.set_index("customer_id")
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
    rows.append((T("truth.structural", lang), "-", str(t["driver_weights"]), T("truth.reference", lang)))
    display(truth_check(rows))
else:
    print("no truth available (real data)")

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
