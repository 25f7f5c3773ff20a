# %% [markdown]
# # 04 · Loyalty programme: did the membership card make customers buy more?
#
# **Question.** Members of the Suning membership card (会员卡: points redeemable as cash, member
# prices, tiers) buy far more than non-members. Did the programme *cause* that, or did it only enrol
# customers who were loyal anyway?
#
# **Method.** The naive member vs non-member comparison; why it is biased (self-selection); then
# causal estimates: difference-in-differences around each member's enrolment with an event-study
# plot and a pre-trend test, propensity-score matching on pre-enrolment behaviour, all three on the
# same members; the effect by buyer type with a test of heterogeneity; the staggered city launch as
# a natural experiment (intention-to-treat); a look at the tier threshold (bunching); points
# liability and breakage.
#
# **Contents.** *Theory* · *Practical* · *Result* · *Discussion* · *Quiz* · *Exercises* ·
# *check against the truth*.
#
# **References.** Leenheer, van Heerde, Bijmolt & Smidts (2007) *IJRM* (self-selection in loyalty
# programmes); Goodman-Bacon (2021) *J. Econometrics*; Borusyak, Jaravel & Spiess (2024) *REStud*
# (imputation DiD); Wooldridge (2023) *Econometrics Journal* (Poisson DiD); Roth (2022) *AER:
# Insights* (pre-testing); Angrist, Imbens & Rubin (1996) *JASA* (intention-to-treat and the Wald
# estimator); Kleven (2016) *Annual Review of Economics* (bunching); Rosenbaum & Rubin (1983)
# *Biometrika* (propensity scores).

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * **explain** why a member vs non-member comparison overstates a loyalty programme's effect
#   (self-selection) and **compute** it with an interval;
# * **compute** a difference-in-differences by hand on a 2x2 table and **interpret** the imputation
#   estimator, its event study and its pre-trend test;
# * **decide** whether an enrolment-based estimate is credible when the pre-trend test rejects, and
#   **use** the staggered city launch as a natural experiment (intention-to-treat);
# * **test** whether the effect differs between buyer types and whether members bunch above a tier
#   threshold;
# * **compute** the points liability from the outstanding points and the breakage.
#
# **Prerequisites.** Lesson 00 (the data), lesson 02 (randomised campaign, confidence intervals);
# means, ratios and regression; the idea of a counterfactual.
#
# **Time.** About 120 minutes: 75 in class, 45 for the exercises and the memo.
#
# Terms: see the [glossary](../docs/glossary.md).

# %% [markdown]
# ## Theory
#
# **Self-selection.** Customers who already buy a lot gain most from points and join first. A
# naive comparison of members and non-members mixes the programme's effect with that difference in
# who joins; Leenheer et al. (2007) found naive estimates several times the causal effect.
#
# **Difference-in-differences (DiD).** Compare members' purchases after enrolment with what they
# would have bought without it, imputed from the same customers *before* enrolment and from
# non-members over the same months. In the simplest 2x2 case: (members after − members before) −
# (non-members after − non-members before). With a purchase process that is multiplicative
# (a customer's rate × the season), the natural model is Poisson:
# $E[y_{it}] = \exp(\alpha_i + \gamma_t + \beta D_{it})$, and $e^\beta - 1$ is the relative lift.
# Plain two-way fixed effects with staggered enrolment and effects that fade can be badly biased
# (Goodman-Bacon 2021); the imputation estimator uses only untreated months to fit the
# counterfactual. **Parallel trends** is the key assumption: without the programme, members' orders
# would have moved like those of comparable non-members. The event-study plot and the pre-trend
# test look at the months *before* enrolment: if members already moved differently then, the
# assumption is doubtful.
#
# **Why enrolment timing breaks parallel trends.** A customer chooses *when* to join, and the
# choice is tied to her purchasing: only customers who are still active sign up (a customer who has
# silently lapsed does not walk into a store to join), and many join at a purchase. Before joining,
# a member is by construction still a customer; the non-members she is compared with include
# customers who have quietly left. Her months before enrolment therefore look better than a
# comparable customer's, and the comparison after enrolment is tilted (survivorship, or "immortal
# time"). The pre-trend test may catch this, or may lack the power to.
#
# **The city launch as a natural experiment.** The customer does not choose when the programme
# launches in her city: the chain rolls it out city by city. Comparing *all* customers of launched
# cities (members or not) with customers of cities where it has not launched yet estimates the
# **intention-to-treat** (ITT) effect of launching the card. Its parallel-trends assumption holds when
# the launch order is unrelated to how the cities' customers would have bought anyway - true by the
# way the roll-out was decided. The ITT is diluted (most customers never join); dividing it by the
# share of the customers' purchasing that happens while enrolled gives the effect per enrolled
# member (the Wald estimator), assuming the launch changes only members' behaviour.
#
# **Tier thresholds.** Gold status starts at a spend threshold. Customers just below it may buy a
# little extra to qualify: *bunching* above the threshold, measured as the excess count above a
# smooth fit of the spend distribution. Such manipulation makes a regression discontinuity at the
# threshold invalid.
#
# **Breakage.** Points that expire unredeemed; the liability on the balance sheet is
# balance × point value × (1 − breakage).
#
# **Reading the printed findings.** Every sentence below that says something about *these* data is
# computed from this run's estimate and its 95% interval. It uses a directional word (more, raises,
# fades, bunch) only when the interval excludes "no effect"; otherwise it says that the data at this
# size cannot tell, and gives the interval.

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
effect_months = [1, 5]
late_months = [6, 9]
launch_months = [0, 6]
tier_threshold = 20000.0  # the programme's published rule: gold from 20,000 yuan spend in 365 days
n_boot = 200  # bootstrap replications of the naive / DiD ratio
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import loyalty
from crmlab.analysis.claims import Claim, claims_json, directional
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.loyalty import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)
claims = []


def say(claim):
    """Keep a claim for results.json and print its sentence."""
    claims.append(claim)
    print(claim.text)


# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "customers", "loyalty"], purpose="the loyalty notebook")
as_of = str(min(pd.Timestamp(as_of), data.orders["order_ts"].max().normalize()).date())
panel = loyalty.monthly_panel(data.orders, data.customers, data.loyalty, as_of=as_of)
months = tuple(effect_months)
print(T("data.summary", lang, customers=panel["customer_id"].nunique(), rows=len(panel),
        members=data.loyalty["customer_id"].nunique()))
if "city_launch_date" in data.loyalty:
    waves = data.loyalty.groupby("city_launch_date")["customer_id"].count()
    print(T("data.waves", lang, waves={str(k.date()): int(v) for k, v in waves.items()}))

# %% [markdown]
# ### 1. The naive comparison

# %%
naive = loyalty.naive_member_effect(panel)
say(directional("loyalty.naive_lift", (naive.rate_lift, naive.ci_low, naive.ci_high), T, lang=lang))
print(T("naive.print", lang, members=naive.n_members, nonmembers=naive.n_nonmembers, spend=naive.spend_lift))

# %% [markdown]
# ### 2. Who joins? Orders before enrolment
# Orders per month in the six months before enrolment (members) vs all months of the customers who
# never joined.

# %%
rel = panel["months_since_enrol"].to_numpy(float)
pre_rows = (rel < 0) & (rel >= -6)
never_rows = ~np.isfinite(rel)
before = pd.Series({T("fig.before.members", lang): panel.loc[pre_rows, "orders"].mean(),
                    T("fig.before.never", lang): panel.loc[never_rows, "orders"].mean()})
say(directional("loyalty.selection", loyalty.rate_ratio(panel, pre_rows, never_rows), T, lang=lang))
plots.bar(before, T("fig.before.title", lang), "", T("fig.before.ylabel", lang), fmt=".3f")
plt.show()

# %% [markdown]
# ### 3. Difference-in-differences around enrolment
#
# **By hand first.** A 2x2 example with made-up numbers: average orders per customer-month of
# members and non-members in a month before and a month after the members joined. The DiD is the
# members' change minus the non-members' change; in ratio form (the Poisson model's scale) it is the
# members' ratio divided by the non-members' ratio.

# %%
toy = pd.DataFrame({"before": [0.50, 0.20], "after": [0.70, 0.22]}, index=["members", "non-members"])
did_diff = (toy.loc["members", "after"] - toy.loc["members", "before"]) - (
    toy.loc["non-members", "after"] - toy.loc["non-members", "before"])
did_ratio = (toy.loc["members", "after"] / toy.loc["members", "before"]) / (
    toy.loc["non-members", "after"] / toy.loc["non-members", "before"]) - 1
display(toy.rename(index={"members": T("toy.members", lang), "non-members": T("toy.nonmembers", lang)},
                   columns={"before": T("toy.before", lang), "after": T("toy.after", lang)}))
print(T("toy.print", lang, diff=did_diff, ratio=did_ratio))

# %% [markdown]
# The imputation estimator does the same with every member and month: customer and calendar-month
# effects are fitted on untreated months (never-members, members before they joined; strata of
# age band × city tier × first-order value get their own time trend), each member's month after
# enrolment gets its imputed untreated expectation, and the lift is observed / imputed − 1.

# %%
did = loyalty.did_effect(panel, months=months, strata="profile")
say(directional("loyalty.enrolment_did", (did.effect, did.ci_low, did.ci_high), T, lang=lang, m0=months[0], m1=months[1]))
print(T("did.print", lang, members=did.n_members, controls=did.n_control_customers))

# %% [markdown]
# The event study: the lift month by month after enrolment, and the pre-trend coefficients before
# it (month −1 is the reference). The pre-trend test asks whether the months before enrolment are
# jointly zero.

# %%
es = loyalty.did_event_study(panel, strata="profile")
ax = plt.subplots()[1]
ax.axhline(0, color="grey", lw=1)
ax.axvline(-0.5, color="grey", lw=1, ls="--")
ax.fill_between(es["event_time"], es["ci_low"], es["ci_high"], color=plots.PALETTE[0], alpha=0.2,
                label=T("fig.es.band", lang))
ax.plot(es["event_time"], es["effect"], marker="o", color=plots.PALETTE[0], label=T("fig.es.estimate", lang))
ax.legend(frameon=False)
plots.finish(ax, T("fig.es.title", lang), T("fig.es.xlabel", lang), T("fig.es.ylabel", lang))
plt.show()
pretrend = loyalty.pretrend_test(panel, strata="profile")
print(T("pretrend.print", lang, chi2=pretrend.chi2, df=pretrend.df, p=pretrend.p_value,
        lo=pretrend.coefficients.min(), hi=pretrend.coefficients.max()))
print(T("pretrend.rejects" if pretrend.p_value < 0.05 else "pretrend.passes", lang, p=pretrend.p_value))

# %% [markdown]
# Does the effect fade? Comparing the monthly points by eye says little - each month is noisy. The
# difference between the mean lift of the early and the late months, with its interval, answers it.

# %%
fade = loyalty.fade_effect(panel, early=months, late=tuple(late_months), strata="profile")
say(directional("loyalty.fade", fade, T, lang=lang, early=fade.early, late=fade.late, e0=months[0], e1=months[1],
                l0=late_months[0], l1=late_months[1]))

# %% [markdown]
# ### 4. Naive, matching and DiD on the same members
# Each estimator drops different members (matching needs six months of history before joining,
# the DiD a baseline month), so they are compared on the members every one of them can use. Matching
# pairs each member with a non-member who looked the same before (orders, spend, recency, tenure,
# city tier) in the months before the member joined.

# %%
common = loyalty.common_members(panel, months=months, pre_months=6)
sub = loyalty.same_members(panel, common)
print(T("compare.print", lang, n=len(common), m0=months[0], m1=months[1]))
naive_s = loyalty.naive_member_effect(sub)
did_s = loyalty.did_effect(sub, months=months, strata="profile")
try:
    matched = loyalty.propensity_matching(sub, months=months)
    match_est = (matched.effect, matched.ci_low, matched.ci_high)
except (ValueError, ZeroDivisionError) as err:  # too few members with a pre-period (small data)
    print(T("matching.skipped", lang, err=err or "too few members to match"))
    matched, match_est = None, (np.nan, np.nan, np.nan)
table = pd.DataFrame([(naive_s.rate_lift, naive_s.ci_low, naive_s.ci_high), match_est,
                      (did_s.effect, did_s.ci_low, did_s.ci_high)], columns=["estimate", "ci_low", "ci_high"],
                     index=[T("est.naive", lang), T("est.matching", lang), T("est.did", lang)])
for name, row in table.iterrows():
    print(T("compare.row", lang, name=name, estimate=row["estimate"], ci_low=row["ci_low"], ci_high=row["ci_high"],
            level=0.95))
ax = plots.bar(table["estimate"], T("fig.estimators.title", lang, n=len(common)), T("fig.estimators.xlabel", lang),
               T("fig.estimators.ylabel", lang), fmt="+.0%")
ax.errorbar(np.arange(len(table)), table["estimate"], yerr=[table["estimate"] - table["ci_low"],
            table["ci_high"] - table["estimate"]], fmt="none", color="black", capsize=4)
plt.show()

# %%
ratio = loyalty.naive_did_ratio(sub, months=months, strata="profile", n_boot=n_boot)
if ratio.did_ci_low > 0 or ratio.did_ci_high < 0:
    say(directional("loyalty.naive_over_did", ratio, T, null=1.0, lang=lang))
else:  # the ratio of a lift to a lift that may be 0 has no meaning
    say(Claim("loyalty.naive_over_did", T("loyalty.naive_over_did.no_did", lang, did_low=ratio.did_ci_low,
                                          did_high=ratio.did_ci_high),
              ratio.estimate, (ratio.ci_low, ratio.ci_high), 1.0, False))

# %% [markdown]
# ### 5. Who responds? Light, moderate and heavy buyers
# Members are grouped by their order rate in the months before their last three pre-enrolment
# months (those three are the baseline; classifying on the baseline itself would manufacture
# differences by regression to the mean). A Wald test asks whether the three effects are equal.

# %%
by_type = loyalty.effect_by_segment(panel, months=months, strata="profile")
shown = by_type.assign(group=[T(f"group.{g}", lang) for g in by_type["group"].astype(str)])
display(shown.set_index("group")[["effect", "ci_low", "ci_high", "n_members"]].round(3))
hetero = loyalty.effect_heterogeneity(panel, months=months, strata="profile")
print(T("hetero.print", lang, chi2=hetero.chi2, df=hetero.df, p=hetero.p_value))
say(directional("loyalty.buyer_type_gap", hetero, T, lang=lang, detail={"first": hetero.first, "last": hetero.last}))

# %% [markdown]
# ### 6. The city launch as a natural experiment
# Every customer who bought before her city's launch is compared, from the launch month on, with
# customers of cities where the card had not launched yet (imputation estimator with the launch month
# as the event; standard errors clustered by city, the level at which the launch was assigned).

# %%
launch = loyalty.launch_effect(panel, months=tuple(launch_months))
say(directional("loyalty.launch_itt", (launch.effect, launch.ci_low, launch.ci_high), T, lang=lang))
say(directional("loyalty.launch_per_member", (launch.per_member, launch.per_member_ci_low, launch.per_member_ci_high),
                T, lang=lang, share=launch.enrolled_share))
print(T("launch.print", lang, customers=launch.n_customers, cities=launch.n_clusters, dropped=launch.n_dropped_rows))

# %% [markdown]
# ### 7. The gold-tier threshold: bunching

# %%
threshold = float(tier_threshold)
view = loyalty.tier_threshold_view(data.loyalty, threshold)
bunch = loyalty.bunching_estimate(data.loyalty, threshold)
ax = plt.subplots()[1]
ax.bar(view["bin_left"], view["count"], width=view["bin_right"] - view["bin_left"], align="edge",
       color=np.where(view["above"], plots.PALETTE[1], plots.PALETTE[0]))
ax.plot((view["bin_left"] + view["bin_right"]) / 2, view["counterfactual"], color="black", lw=1.5,
        label=T("fig.bunch.fit", lang))
ax.axvline(threshold, color=plots.PALETTE[3], ls="--", label=T("fig.bunch.threshold", lang))
ax.legend(frameon=False)
plots.finish(ax, T("fig.bunch.title", lang), T("fig.bunch.xlabel", lang), T("fig.bunch.ylabel", lang))
plt.show()
say(directional("loyalty.bunching", (bunch.excess, bunch.excess - 1.96 * bunch.excess_se,
                                     bunch.excess + 1.96 * bunch.excess_se), T, lang=lang))

# %% [markdown]
# ### 8. Points liability and breakage

# %%
points = loyalty.points_breakage(data.points_ledger, as_of=as_of) if "points_ledger" in data else None
if points is not None:
    print(T("points.print", lang, breakage=points.breakage, points=points.liability_points,
            face=points.face_value_yuan, liability=points.liability_yuan))
else:
    print(T("points.none", lang))

# %% [markdown]
# ## Result

# %%
print(T("result.header", lang))
for c in claims:
    print("-", c.text)

# %% [markdown]
# Read the findings above with their intervals. The naive member vs non-member gap mixes the
# programme's effect with self-selection, and section 2 shows how much of the gap existed before
# members joined. The enrolment-based difference-in-differences removes the fixed differences
# between customers but rests on parallel trends around a date the customer chose; the pre-trend
# test and the reasoning in the Theory section say how far to trust it. The city-launch design
# rests on a date the customer did not choose; its estimate is diluted and, at classroom size,
# imprecise - an honest "cannot tell" is a result, and a reason to plan the next roll-out as an
# experiment.
#
# ## Discussion
#
# * **Caveat - parallel trends is an assumption.** A pre-trend test can *reject* it: then the
#   members were already moving differently before they joined, the imputed counterfactual is
#   wrong, and the enrolment-based estimate must not be reported as the programme's effect. A test
#   that does *not* reject is no proof: with a few thousand customers its power is limited, and a
#   slow divergence can go unnoticed and still bias the estimate (Roth 2022).
# * Enrolment is chosen by the customer, and only active customers choose it: the enrolment-based
#   comparison leans towards overstating the effect. A launch date chosen by the retailer, or
#   better a randomised invitation, gives a comparison whose assumption holds by design.
# * Whether the effect fades is a question about the *difference* between early and late months,
#   with its interval - not about two point estimates.
# * Bunching at the gold threshold means customers respond to tiers - and that a regression
#   discontinuity at the threshold would compare different kinds of customers.
# * Breakage is income for the retailer but a sign of disengaged members; the liability must be
#   booked.
#
# ## Quiz
# 1. Why is "members spend twice as much" not evidence that the card works?
# 2. What would a rising pre-enrolment trend in the event-study plot tell you, and what do you do if
#    the pre-trend test rejects?
# 3. Why can the city-launch comparison be trusted more than the enrolment-based one, and why is its
#    estimate smaller?
# 4. Why would heavy buyers react least to a points programme, and how do you check whether buyer
#    types really differ?

# %% [markdown] tags=["quiz-answers"]
# **Answers.**
# 1. Members are not a random group: customers who already buy a lot gain most from points and
#    join first. The gap mixes the programme's effect with that difference (self-selection); section
#    2 measures how large the gap was before anyone joined. Only a comparison with a credible
#    counterfactual (DiD, a natural experiment, a randomised invitation) isolates the effect.
# 2. That members' orders were already rising relative to the comparison customers before they
#    joined - parallel trends fails, and the lift after enrolment partly continues that trend. If the
#    test rejects, say so, do not report the enrolment-based number as the effect, look for the reason
#    (here: customers join while active, often at a purchase) and use a design whose timing the
#    customer does not choose. If it does not reject, remember the test's low power.
# 3. The launch date is chosen by the chain city by city, not by the customer, so customers of
#    launched and not-yet-launched cities would have moved alike without the card (check that the
#    launch order is unrelated to the cities' trends). Its estimate is an intention-to-treat effect
#    over all customers, most of whom never join, so it is diluted; dividing by the enrolled share
#    gives the effect per member. Look at the interval: at classroom size it is wide.
# 4. Heavy buyers already buy most of what they need from the retailer (little room to grow) and
#    would join anyway; light buyers have more purchases to shift. Check it with the effect by group
#    *and* the Wald test of equal effects (or the interval of the light-minus-heavy difference): three
#    point estimates in a table are not a test, and groups formed on the baseline months would create
#    differences by regression to the mean.

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** Does the programme still work after the full-effect period? Estimate the lift over
# months 6 to 9 after enrolment as **one** window, with the enrolment-based estimator and the same
# strata as in section 3 (not the average of the monthly estimates). Store the relative lift in
# `late_lift` (a float, e.g. 0.05 for +5%).

# %% tags=["exercise"]
# answer: late_lift rel=1e-6 points=2
### BEGIN SOLUTION
late_lift = float(loyalty.did_effect(panel, months=(6, 9), strata="profile").effect)
### END SOLUTION

# %%
assert isinstance(late_lift, float), T("hint.float", lang, name="late_lift")
assert -1 < late_lift < 5, T("hint.relative", lang)
assert not np.isclose(late_lift, did.effect), T("hint.window", lang)
assert not np.isclose(late_lift, fade.late), T("hint.pooled", lang)
### BEGIN HIDDEN TESTS
assert np.isclose(late_lift, loyalty.did_effect(panel, months=(6, 9), strata="profile").effect, rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** The finance team asks what the points liability would be if breakage were only
# half of the rate estimated in section 8 (members redeem more). Use the outstanding points, the
# point value of 0.01 yuan and the liability rule of the Theory section. Store the liability in yuan,
# rounded to cents, in `liability_half_breakage` (`float("nan")` without a points ledger).

# %% tags=["exercise"]
# answer: liability_half_breakage abs=0.01 points=2
### BEGIN SOLUTION
if points is None:
    liability_half_breakage = float("nan")
else:
    liability_half_breakage = round(float(points.liability_points * 0.01 * (1 - points.breakage / 2)), 2)
### END SOLUTION

# %%
if points is not None:
    assert isinstance(liability_half_breakage, float), T("hint.float", lang, name="liability_half_breakage")
    assert liability_half_breakage > points.liability_yuan, T("hint.less_breakage", lang)
    assert liability_half_breakage <= points.face_value_yuan + 0.01, T("hint.face_value", lang)
### BEGIN HIDDEN TESTS
if points is not None:
    assert abs(liability_half_breakage - points.liability_points * 0.01 * (1 - points.breakage / 2)) <= 0.01
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Section 2 looked at the six months before enrolment. Was the members' head start
# already there a year before they joined? Compute members' mean orders per customer-month in months
# 12 to 7 before their enrolment month (event months −12 to −7), relative to never-members (all their
# months), as a relative difference (0.5 = 50% more). Store it in `early_head_start`.

# %% tags=["exercise"]
# answer: early_head_start rel=1e-6 points=2
### BEGIN SOLUTION
early_rows = (rel >= -12) & (rel <= -7)
early_head_start = float(panel.loc[early_rows, "orders"].mean() / panel.loc[never_rows, "orders"].mean() - 1)
### END SOLUTION

# %%
assert isinstance(early_head_start, float), T("hint.float", lang, name="early_head_start")
assert early_head_start > -1, T("hint.relative", lang)
assert not np.isclose(early_head_start, loyalty.rate_ratio(panel, pre_rows, never_rows).estimate), T("hint.months", lang)
assert not np.isclose(early_head_start + 1, panel.loc[(rel >= -12) & (rel <= -7), "orders"].mean()), T("hint.ratio", lang)
### BEGIN HIDDEN TESTS
_e = (rel >= -12) & (rel <= -7)
assert np.isclose(early_head_start, panel.loc[_e, "orders"].mean() / panel.loc[never_rows, "orders"].mean() - 1)
### END HIDDEN TESTS

# %% [markdown]
# **Written task (graded by hand).** Write a one-page memo to Suning's CRM manager, who wants to
# report to the board that "the membership card raised members' purchases by the naive percentage".
# Explain what the naive number measures, which of this lesson's estimates you would report instead
# and with what uncertainty, what the pre-trend test and the enrolment timing mean for the
# enrolment-based estimate, and how the next programme change (e.g. a new tier rule) should be rolled
# out so that its effect can be measured.

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# A good memo covers:
# * the naive gap measures who joins as much as what the card does (self-selection), shown by the
#   members' head start before joining;
# * which estimate to report: a causal design with its interval, in plain words ("between ... and
#   ..."), and what "cannot tell" means if the interval includes 0 - not the point estimate alone;
# * the enrolment-based DiD rests on parallel trends around a date the customer chose; a rejected
#   pre-trend test means it must not be reported as the effect; active customers join, which tilts
#   it upward; the city-launch ITT (and its per-member scaling) rests on the roll-out instead;
# * a recommendation for the next change: randomise it (invite a random half of eligible customers,
#   or randomise the order of cities) and fix the analysis plan in advance;
# * tone and format of a memo: one page, a clear recommendation first, no jargon left unexplained.

# %% [markdown] tags=["rubric"]
# **Rubric (10 points).**
# * Naive gap explained as self-selection, with the pre-enrolment evidence - 2 points.
# * Reports a causal estimate with its interval and reads it correctly (direction only if the
#   interval excludes 0) - 3 points.
# * Pre-trend test and enrolment timing: what a rejection means, why the launch design is more
#   credible, what the ITT measures - 3 points.
# * A concrete, testable recommendation for the next roll-out (randomisation, pre-registered plan) -
#   1 point.
# * Clear memo format for a manager - 1 point.

# %% [markdown] tags=["take-home"]
# **Take-home messages.**
# 1. Members out-buy non-members mostly because of who joins; the naive gap is not the effect.
# 2. Difference-in-differences needs parallel trends; when the customer chooses the date, enrolment
#    itself breaks them - a rejected pre-trend test stops the analysis, a passed one proves nothing.
# 3. A date the customer does not choose (a staggered launch, a randomised invitation) gives an
#    intention-to-treat effect whose assumption holds by design; scale it by the enrolled share.
# 4. Compare estimators on the same members, each with an interval; say "cannot tell" when the
#    interval includes no effect.
# 5. Tier thresholds create bunching; points create a liability of balance × value × (1 − breakage).

# %% [markdown]
# ## Check against the truth (synthetic data only)
# Each claim whose true value the simulator knows, next to its estimate and interval. The truth of
# the enrolment-based DiD is the programme's actual effect on those members; its estimate may miss it
# (see the Theory section). The buyer-type truth is the planted lift of each group's members weighted
# by their purchase rate (an approximation of the estimand).

# %%
claims_truth = {}
if data.truth is not None:
    t = data.truth["loyalty"]
    claims_truth["loyalty.enrolment_did"] = t["att"]
    claims_truth["loyalty.fade"] = t["fade_early_minus_late"]
    claims_truth["loyalty.launch_itt"] = t["launch_itt"]
    claims_truth["loyalty.launch_per_member"] = t["launch_effect_per_member"]
    claims_truth["loyalty.bunching"] = t["bunching_excess"]
    tc = data.truth_customers.set_index("customer_id")
    classify = np.isfinite(rel) & (rel < -3)
    rate = panel[classify].groupby("customer_id")["orders"].mean()
    rate = rate[rate.index.isin(panel.loc[np.isfinite(rel) & (rel < 0) & ~classify, "customer_id"])]
    group = pd.qcut(rate.rank(method="first"), 3, labels=["light", "moderate", "heavy"])
    planted = {g: np.average(tc.loc[group.index[group == g], "loyalty_effect"],
                             weights=tc.loc[group.index[group == g], "purchase_rate"]) for g in ("light", "heavy")}
    claims_truth["loyalty.buyer_type_gap"] = float(planted[hetero.first] - planted[hetero.last])
    rows = [("loyalty ATT (enrolment DiD)", round(did.effect, 3), t["att"], "95% CI should cover if the design holds"),
            ("launch ITT", round(launch.effect, 3), t["launch_itt"], "95% CI should cover"),
            ("fade (early - late)", round(fade.estimate, 3), t["fade_early_minus_late"], "95% CI should cover")]
    if points is not None:
        rows.append(("breakage", round(points.breakage, 3), t["breakage"], "±0.05"))
    display(truth_check(rows))
    check = pd.DataFrame([(c.id, c.estimate, c.ci[0], c.ci[1], claims_truth[c.id], c.supported) for c in claims
                          if c.id in claims_truth],
                         columns=["claim", "estimate", "ci_low", "ci_high", "truth", "supported"]).set_index("claim")
    check["covered"] = (check["ci_low"] <= check["truth"]) & (check["truth"] <= check["ci_high"])
    display(check.astype({k: object for k in ("estimate", "ci_low", "ci_high", "truth")})
            .map(lambda v: f"{v:.4g}" if isinstance(v, float) else v))
    display(es.loc[es["event_time"] >= 0, ["event_time", "effect", "ci_low", "ci_high"]]
            .assign(truth=t["att_by_event_month"][:int((es["event_time"] >= 0).sum())]).round(3))
else:
    print("no truth available (real data)")

# %%
results = {
    "naive_effect": naive.rate_lift,
    "naive_effect_ci": [naive.ci_low, naive.ci_high],
    "naive_spend_effect": naive.spend_lift,
    "causal_effect": did.effect,
    "causal_ci": [did.ci_low, did.ci_high],
    "matching_effect": matched.effect if matched is not None else None,
    "matching_ci": [matched.ci_low, matched.ci_high] if matched is not None else None,
    "same_members": int(len(common)),
    "naive_did_ratio": ratio.estimate,
    "naive_did_ratio_ci": [ratio.ci_low, ratio.ci_high],
    "pretrend_p_value": pretrend.p_value,
    "fade_early_minus_late": fade.estimate,
    "fade_ci": [fade.ci_low, fade.ci_high],
    "heterogeneity_p_value": hetero.p_value,
    "launch_itt": launch.effect,
    "launch_itt_ci": [launch.ci_low, launch.ci_high],
    "launch_effect_per_member": launch.per_member,
    "bunching_excess": bunch.excess,
    "bunching_excess_se": bunch.excess_se,
    "breakage": points.breakage if points is not None else None,
    "claims": claims_json(claims),
}
if data.truth is not None:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
