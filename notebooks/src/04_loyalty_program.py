# %% [markdown]
# # 04 · Loyalty programme: did the membership card make customers buy more?
#
# **Question.** Members of the Suning membership card (会员卡: points redeemable as cash, member
# prices, tiers) buy far more than non-members. Did the programme *cause* that, or did it only enrol
# customers who were loyal anyway?
#
# **Method.** The naive member vs non-member comparison; why it is biased (self-selection); then
# causal estimates: difference-in-differences on the staggered city rollout with an event-study plot
# and a pre-trend test, propensity-score matching on pre-enrolment behaviour, the effect by buyer
# type; a look at the tier threshold (bunching); points liability and breakage.
#
# **Contents.** *Theory* · *Practical* · *Result* · *Discussion* · *Quiz* · *check against the truth*.
#
# **References.** Leenheer, van Heerde, Bijmolt & Smidts (2007) *IJRM* (self-selection in loyalty
# programmes); Goodman-Bacon (2021) *J. Econometrics*; Borusyak, Jaravel & Spiess (2024) *REStud*
# (imputation DiD); Wooldridge (2023) *Econometrics Journal* (Poisson DiD); Kleven (2016) *Annual
# Review of Economics* (bunching); Rosenbaum & Rubin (1983) *Biometrika* (propensity scores).

# %% [markdown]
# ## Theory
#
# **Self-selection.** Customers who already buy a lot gain most from points and join first. A
# naive comparison of members and non-members mixes the programme's effect with that difference in
# who joins; Leenheer et al. (2007) found naive estimates several times the causal effect.
#
# **Difference-in-differences (DiD).** Compare members' purchases after enrolment with what they
# would have bought without it, imputed from the same customers *before* enrolment and from
# non-members over the same months. With a purchase process that is multiplicative
# (a customer's rate × the season), the natural model is Poisson:
# $E[y_{it}] = \exp(\alpha_i + \gamma_t + \beta D_{it})$, and $e^\beta - 1$ is the relative lift.
# Plain two-way fixed effects with staggered enrolment and effects that fade can be badly biased
# (Goodman-Bacon 2021); the imputation estimator uses only untreated months to fit the
# counterfactual. **Parallel trends** is the key assumption: the event-study plot checks that
# members and controls moved together *before* enrolment.
#
# **Tier thresholds.** Gold status starts at a spend threshold. Customers just below it buy a little
# extra to qualify: *bunching* above the threshold. That manipulation makes a regression
# discontinuity at the threshold invalid.
#
# **Breakage.** Points that expire unredeemed; the liability on the balance sheet is
# balance × point value × (1 − breakage).

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
tier_threshold = 20000.0  # the programme's published rule: gold from 20,000 yuan spend in 365 days
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import loyalty
from crmlab.notebook import get_data, require_tables, truth_check, write_results

plots.set_theme()
pd.set_option("display.precision", 3)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "customers", "loyalty"], purpose="the loyalty notebook")
as_of = str(min(pd.Timestamp(as_of), data.orders["order_ts"].max().normalize()).date())
panel = loyalty.monthly_panel(data.orders, data.customers, data.loyalty, as_of=as_of)
print(f"{panel['customer_id'].nunique():,} customers x months = {len(panel):,} rows; "
      f"{data.loyalty['customer_id'].nunique():,} members")
launch = data.loyalty.groupby("city_launch_date")["customer_id"].count() if "city_launch_date" in data.loyalty else None
if launch is not None:
    print("programme launch dates (members per launch wave):", {str(k.date()): int(v) for k, v in launch.items()})

# %% [markdown]
# ### 1. The naive comparison

# %%
naive = loyalty.naive_member_effect(panel)
print(f"members place {naive.rate_lift:+.0%} more orders per month and spend {naive.spend_lift:+.0%} more "
      f"than non-members after launch (n = {naive.n_members:,} members, {naive.n_nonmembers:,} non-members)")

# %% [markdown]
# ### 2. Who joins? Members bought more *before* they joined
# Orders per month in the six months before enrolment (members) vs the same calendar months
# (customers who never joined).

# %%
pre = panel[(panel["months_since_enrol"] < 0) & (panel["months_since_enrol"] >= -6)]
never = panel[panel["enrol_month"].isna()]
before = pd.Series({"members, before joining": pre["orders"].mean(), "never members": never["orders"].mean()})
plots.bar(before, "Members already bought more before they joined", "", "orders per customer-month", fmt=".3f")
plt.show()

# %% [markdown]
# ### 3. Difference-in-differences and the event study

# %%
did = loyalty.did_effect(panel, months=tuple(effect_months), strata="profile")
print(f"causal lift in months {effect_months[0]}-{effect_months[1]} after enrolment: {did.effect:+.1%} "
      f"(95% CI {did.ci_low:+.1%} .. {did.ci_high:+.1%}), {did.n_members:,} members")

# %%
es = loyalty.did_event_study(panel, strata="profile")
early = es.loc[es["event_time"].between(0, 5), "effect"].mean()
late = es.loc[es["event_time"].between(6, 9), "effect"].mean()
trend = "and fade after six months" if late < early / 2 else "and stay up for months"
plots.event_study_chart(es, f"Purchases rise after enrolment {trend}")
plt.show()
pretrend = loyalty.pretrend_test(panel, strata="profile")
print(f"pre-trend test: chi2 = {pretrend.chi2:.1f} on {pretrend.df} df, p = {pretrend.p_value:.3f}")

# %% [markdown]
# ### 4. Matching on behaviour before enrolment
# Each member is matched to a non-member with similar orders, spend, recency, tenure and city tier
# in the months before the member joined.

# %%
try:
    matched = loyalty.propensity_matching(panel, months=tuple(effect_months))
except (ValueError, ZeroDivisionError) as err:  # too few members with a pre-period (small data)
    print(f"matching skipped: {err or 'too few members to match'}")
    matched = loyalty.MatchingEffect(effect=float("nan"), unmatched_effect=float("nan"), n_members=0, n_matched=0,
                                     n_controls=0, balance=pd.DataFrame())
estimates = pd.Series({"naive": naive.rate_lift, "matching": matched.effect, "difference-in-differences": did.effect})
plots.bar(estimates, "The naive comparison overstates the programme's effect several times",
          "estimator", "relative lift in orders per month", fmt="+.0%")
plt.show()
print(f"matched {matched.n_matched:,} of {matched.n_members:,} members; "
      f"naive / causal = {naive.rate_lift / did.effect:.1f}" if did.effect > 0 else "causal effect <= 0")

# %% [markdown]
# ### 5. Who responds? Light, moderate and heavy buyers

# %%
by_type = loyalty.effect_by_segment(panel, months=tuple(effect_months))
by_type.set_index("group")[["effect", "ci_low", "ci_high", "n_members"]].round(3)

# %% [markdown]
# ### 6. The gold-tier threshold: bunching

# %%
threshold = float(tier_threshold)
view = loyalty.tier_threshold_view(data.loyalty, threshold)
bunch = loyalty.bunching_estimate(data.loyalty, threshold)
ax = plt.subplots()[1]
ax.bar(view["bin_left"], view["count"], width=view["bin_right"] - view["bin_left"], align="edge",
       color=np.where(view["above"], plots.PALETTE[1], plots.PALETTE[0]))
ax.plot((view["bin_left"] + view["bin_right"]) / 2, view["counterfactual"], color="black", lw=1.5, label="smooth fit")
ax.axvline(threshold, color=plots.PALETTE[3], ls="--", label="gold threshold")
ax.legend(frameon=False)
plots.finish(ax, "Members bunch just above the gold threshold", "qualifying spend in the last 365 days (yuan)",
             "members")
plt.show()
print(f"excess members just above the threshold: {bunch.excess:.1f} (se {bunch.excess_se:.1f})")

# %% [markdown]
# ### 7. Points liability and breakage

# %%
points = loyalty.points_breakage(data.points_ledger, as_of=as_of) if "points_ledger" in data else None
if points is not None:
    print(f"breakage {points.breakage:.1%} of points; outstanding {points.liability_points:,} points = "
          f"{points.face_value_yuan:,.0f} yuan face value, liability {points.liability_yuan:,.0f} yuan")

# %% [markdown]
# ## Result

# %%
print(f"naive lift {naive.rate_lift:+.0%}; matching {matched.effect:+.0%}; "
      f"DiD {did.effect:+.1%} (95% CI {did.ci_low:+.1%} .. {did.ci_high:+.1%})")

# %% [markdown]
# Members buy much more than non-members, but most of that gap existed before they joined. The
# difference-in-differences estimate - the programme's effect on the members who joined - is a
# fraction of the naive number, concentrated in the first months after enrolment (the event-study title
# says whether it fades in these data); matching on pre-enrolment behaviour removes part of the selection bias but not all of it.
#
# ## Discussion
#
# * **Caveat - parallel trends is an assumption.** The pre-trend test can only fail to reject it;
#   with a few thousand customers its power is limited, and the confidence interval is wide.
# * The effect fades: a programme evaluated over its first months looks better than over years.
# * Bunching at the gold threshold means customers respond to tiers - and that a regression
#   discontinuity at the threshold would compare different kinds of customers.
# * Breakage is income for the retailer but a sign of disengaged members; the liability must be
#   booked.
#
# ## Quiz
# 1. Why is "members spend twice as much" not evidence that the card works?
# 2. What would a rising pre-enrolment trend in the event-study plot tell you?
# 3. Why would heavy buyers react least to a points programme?

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** By how many times does the naive comparison overstate the causal estimate? Store naive lift / DiD effect in `overstatement`.

# %% tags=["exercise"]
# answer: overstatement rel=1e-6 points=1
### BEGIN SOLUTION
overstatement = float(naive.rate_lift / did.effect)
### END SOLUTION

# %%
assert isinstance(overstatement, float)
### BEGIN HIDDEN TESTS
assert np.isclose(overstatement, naive.rate_lift / did.effect, rtol=1e-9, equal_nan=True)
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2.** Compute the points liability yourself from the outstanding points (`points.liability_points`), the point value (0.01 yuan) and the breakage estimated above: balance x value x (1 - breakage). Store it in `liability_manual` (yuan; `float("nan")` without a ledger).

# %% tags=["exercise"]
# answer: liability_manual abs=0.01 points=2
### BEGIN SOLUTION
if points is None:
    liability_manual = float("nan")
else:
    liability_manual = float(points.liability_points * 0.01 * (1 - points.breakage))
### END SOLUTION

# %%
assert points is None or not liability_manual < 0
### BEGIN HIDDEN TESTS
assert points is None or np.isclose(liability_manual, points.liability_yuan, rtol=0, atol=0.01, equal_nan=True)  # yuan, rounded to cents
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Members' order rate in the six months *before* they joined, relative to never-members: compute `before["members, before joining"] / before["never members"]` and store it in `pre_ratio`. A value well above 1 is the self-selection.

# %% tags=["exercise"]
# answer: pre_ratio rel=1e-6 points=1
### BEGIN SOLUTION
pre_ratio = float(before["members, before joining"] / before["never members"])
### END SOLUTION

# %%
assert pre_ratio > 0
### BEGIN HIDDEN TESTS
assert np.isclose(pre_ratio, pre["orders"].mean() / never["orders"].mean(), rtol=1e-9, equal_nan=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Check against the truth (synthetic data only)

# %%
if data.truth is not None:
    t = data.truth["loyalty"]
    rows = [("loyalty ATT (relative lift)", round(did.effect, 3), t["att"], "95% CI should cover"),
            ("naive / causal", round(naive.rate_lift / did.effect, 1) if did.effect > 0 else None, ">= 2", "")]
    if points is not None:
        rows.append(("breakage", round(points.breakage, 3), t["breakage"], "±0.05"))
    display(truth_check(rows))
else:
    print("no truth available (real data)")

# %%
results = {
    "naive_effect": naive.rate_lift,
    "naive_spend_effect": naive.spend_lift,
    "causal_effect": did.effect,
    "causal_ci": [did.ci_low, did.ci_high],
    "matching_effect": matched.effect,
    "pretrend_p_value": pretrend.p_value,
    "bunching_excess": bunch.excess,
    "breakage": points.breakage if points is not None else None,
}
saved = write_results(results, output_dir)
print("results written:", sorted(results))
