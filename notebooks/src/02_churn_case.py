# %% [markdown]
# # 02 · Churn case: why online customers leave, who leaves next, and whom to win back
#
# **Question.** In the Suning Yigou (苏宁易购) case, online customers left after an order was
# cancelled because the price rose by about 200 yuan, after e-coupons expired with a hidden expiry
# date, after late deliveries against the 12-hour promise and installations missed against the
# 24-hour promise, and after complaints that were never resolved. How much does each failure raise
# the risk of leaving, which customers will leave next, and whom should a retention offer target?
#
# **Method.** Define churn for a retailer without contracts (an inactivity window read from the
# data); Kaplan-Meier survival curves; hazard ratios of service failures (a naive Cox model, then a
# latent-dropout model that accounts for hidden churn and for heavy buyers churning less); a churn
# model validated *out of time* (AUC, top-decile lift, gains, calibration); BG/NBD P(alive) for
# contrast; the randomised retention campaign: average effect, uplift vs risk targeting, sleeping
# dogs, profit.
#
# **Contents.** *Theory* · *Practical* (window → survival → drivers → prediction → P(alive) →
# campaign) · *Result* · *Discussion* · *Quiz* · *check against the truth*.
#
# **References.** Fader, Hardie & Lee (2005) *Marketing Science* (BG/NBD); Schmittlein, Morrison &
# Colombo (1987) *Management Science* (Pareto/NBD); Neslin et al. (2006) *JMR* (churn modelling,
# top-decile lift); Ascarza (2018) *JMR* (target by uplift, not risk); Radcliffe (2007) (Qini).

# %% [markdown]
# ## Theory
#
# **Churn without a contract.** A telecom customer cancels; a retail customer just stops buying,
# and we never see the moment. The usual definition: a customer has churned at a cut-off date if
# they place no order in the following *W* days. *W* should be long enough that an active customer
# rarely goes that long without buying - read it off the distribution of gaps between orders.
#
# **Hazard ratios.** The churn hazard $h(t)$ is the rate of leaving at time $t$ among those still
# there; a failure with hazard ratio 2 doubles it from the moment it happens. Two traps make the
# naive estimate too small: (1) inactivity is a noisy measure of leaving, and (2) heavy buyers have
# more orders - hence more failures - *and* leave less (frailty). A latent-dropout model of the
# Pareto/NBD family handles both: after every order the customer may drop out with a hazard raised
# by the failures so far, and purchase and dropout rates vary between customers.
#
# **Prediction.** Features at a cut-off, label = churned in the next *W* days. *Out-of-time*
# validation trains on an earlier cut-off and tests on a later one, as the model will be used.
# AUC measures ranking; top-decile lift = churn rate in the riskiest 10% / overall churn rate
# (it cannot exceed 1 / base rate).
#
# **Retention.** A randomised campaign estimates the average treatment effect (ATE) by comparing
# treated and control. Targeting should follow *uplift* (the effect of the offer on this customer),
# not *risk*: some customers leave whatever we do, and "sleeping dogs" react badly to being
# contacted. Profit of a campaign: $N \times p_{\text{targeted}} \times (\gamma \cdot LTV - c)$.

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
window_days = None
budget_share = 0.3
value_per_response = 500.0
cost_per_contact = 1.0
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import churn, survival, uplift
from crmlab.analysis.clv.bgnbd import MBGNBD, rfm_summary
from crmlab.domain import FAILURE_KINDS
from crmlab.notebook import get_data, require_tables, truth_check, write_results

plots.set_theme()
pd.set_option("display.precision", 3)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders"], purpose="the churn notebook")
orders = data.orders
as_of = str(min(pd.Timestamp(as_of), orders["order_ts"].max().normalize()).date())
events = data["service_events"] if "service_events" in data else None
span = (pd.Timestamp(as_of) - orders["order_ts"].min()).days
print(f"{orders['customer_id'].nunique():,} customers, {len(orders):,} orders over {span} days up to {as_of}")

# %% [markdown]
# ### 1. Defining churn: how long is "too long" without an order?

# %%
gaps = churn.interpurchase_gaps(orders)
suggested = churn.suggest_window(orders, as_of=as_of)
window = int(window_days or suggested)
model_window = min(window, int(span / 2.7))  # the out-of-time split needs two windows plus history
ax = plt.subplots()[1]
ax.hist(gaps.clip(upper=720), bins=48, color=plots.PALETTE[0])
ax.axvline(window, color=plots.PALETTE[3], lw=2, label=f"window = {window} days")
ax.legend(frameon=False)
plots.finish(ax, "Most repeat orders come within a year", "days between consecutive orders", "number of gaps")
plt.show()
print(f"suggested window (90% of gaps, corrected for truncation): {suggested} days; used: {window}; "
      f"prediction window: {model_window} days")

# %%
labels_now = churn.churn_labels(orders, cutoff=pd.Timestamp(as_of) - pd.Timedelta(days=window), window_days=window)
churn_rate = float(labels_now["churned"].mean())
print(f"customers active before {pd.Timestamp(as_of) - pd.Timedelta(days=window):%Y-%m-%d} who placed no order "
      f"in the following {window} days: {churn_rate:.1%}")

# %% [markdown]
# ### 2. Survival curves
# Time from the first order to the observed churn (the last order before a gap of at least the
# window), by the channel of the first order. One-time buyers churn "at time 0".

# %%
sf = survival.survival_frame(orders, as_of=as_of, window_days=window)
first_channel = orders.sort_values("order_ts").groupby("customer_id")["channel"].first().reindex(sf.index)
if first_channel.nunique() < 2:  # e.g. an online-only extract: one curve
    first_channel = first_channel.fillna("all").astype(str)
km = survival.kaplan_meier(sf, group=first_channel)
ax = plt.subplots()[1]
for i, (g, cur) in enumerate(km.groupby("group")):
    ax.step(cur["time"], cur["survival"], where="post", color=plots.PALETTE[i], label=str(g))
ax.legend(title="first order", frameon=False)
ax.set_ylim(0, 1)
plots.finish(ax, "Most customers never come back after their first order", "days since first order",
             "share still active (Kaplan-Meier)")
plt.show()
if first_channel.nunique() >= 2:
    lr = survival.logrank_test(sf, first_channel)
    print(f"log-rank test across first-order channels: p = {lr.p_value:.3g}")

# %% [markdown]
# ### 3. Why do customers leave? Service failures
# First the naive view: the share of customers who churned, by whether they ever experienced each
# failure.

# %%
if events is not None:
    kinds = list(FAILURE_KINDS)
    counts = churn.failure_counts(events)
    per_customer = counts.groupby(orders.set_index("order_id").reindex(counts.index)["customer_id"]).sum()
    had = per_customer.reindex(labels_now.index).fillna(0) > 0
    naive = pd.DataFrame({k: labels_now["churned"].groupby(had[k]).mean() for k in kinds if k in had}).T
    naive.columns = ["no failure" if not c else "had failure" for c in naive.columns]
    display(naive.round(3))

# %% [markdown]
# Failures barely seem to matter - customers with failures even churn *less* on some rows. That is
# the frailty trap: frequent buyers have more orders, so more failures, and they rarely leave. The
# hazard ratios below compare a naive Cox model on observed churn with the latent-dropout model.

# %%
if events is not None:
    hr = churn.failure_hazard_ratios(orders, events, as_of=as_of, method="frailty")
    try:
        hr_cox = churn.failure_hazard_ratios(orders, events, as_of=as_of, method="cox", window_days=window)
    except np.linalg.LinAlgError:  # too few events of some kind (small data)
        hr_cox = hr.assign(hazard_ratio=np.nan)
    table = pd.DataFrame({"naive Cox": hr_cox["hazard_ratio"], "latent dropout": hr["hazard_ratio"],
                          "ci_low": hr["ci_low"], "ci_high": hr["ci_high"], "n_events": hr["n_events"]})
    display(table.round(2))
    ax = plt.subplots(figsize=(7, 3.8))[1]
    y = np.arange(len(hr))
    ax.errorbar(hr["hazard_ratio"], y, xerr=[hr["hazard_ratio"] - hr["ci_low"], hr["ci_high"] - hr["hazard_ratio"]],
                fmt="o", color=plots.PALETTE[0], capsize=3, label="latent dropout (95% CI)")
    ax.scatter(hr_cox["hazard_ratio"], y, marker="x", color=plots.PALETTE[3], label="naive Cox", zorder=3)
    ax.axvline(1, color="grey", lw=1)
    ax.set_yticks(y, hr.index)
    ax.set_xscale("log")
    ticks = [t for t in (0.5, 0.75, 1, 1.5, 2, 3, 4, 6) if hr["ci_low"].min() / 1.2 <= t <= hr["ci_high"].max() * 1.2]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.legend(frameon=False, fontsize=8)
    top = hr["hazard_ratio"].idxmax().replace("_", " ")
    plots.finish(ax, f"A {top} raises the churn hazard most", "hazard ratio (log scale)", "")
    plt.show()
else:
    hr = None
    print("no service events: drivers skipped")

# %% [markdown]
# ### 4. Predicting who leaves next (out-of-time validation)

# %%
split = churn.out_of_time_split(orders, events if events is not None else orders.iloc[:0],
                                data["customers"] if "customers" in data else None,
                                as_of=as_of, window_days=model_window)
model = churn.train_churn_model(split.X_train, split.y_train, model="logistic", random_state=seed)
score = churn.predict_churn(model, split.X_test)
metrics = churn.evaluate_churn_model(split.y_test, score)
print(f"train cut-off {split.train_cutoff:%Y-%m-%d} ({len(split.y_train):,} customers), "
      f"test cut-off {split.test_cutoff:%Y-%m-%d} ({len(split.y_test):,} customers)")
print(f"AUC {metrics.auc:.3f}; top-decile lift {metrics.top_decile_lift:.2f} "
      f"(base churn rate {metrics.base_rate:.1%}, so the lift cannot exceed {1 / metrics.base_rate:.2f})")

# %%
gains = churn.gains_table(split.y_test, score)
plots.gains_chart(gains, f"The riskiest {gains['cum_share_customers'].iloc[2]:.0%} hold "
                         f"{gains['cum_share_churners'].iloc[2]:.0%} of churners")
plt.show()
calib = churn.calibration_table(split.y_test, score)
print(f"expected calibration error: {calib.ece:.3f} (a model trained on an earlier period drifts)")
calib.table.round(3)

# %% [markdown]
# ### 5. For contrast: BG/NBD P(alive)
# The BG/NBD model needs only frequency, recency and age of each customer. The *modified* BG/NBD
# lets one-time buyers drop out too (most customers here buy once).

# %%
summary = rfm_summary(orders, as_of=split.test_cutoff)
bgnbd = MBGNBD().fit(summary["frequency"], summary["recency"], summary["T"])
p_alive = pd.Series(bgnbd.p_alive(summary["frequency"], summary["recency"], summary["T"]), index=summary.index)
both = split.y_test.to_frame("churned").join(p_alive.rename("p_alive"), how="inner")
from sklearn.metrics import roc_auc_score

auc_palive = roc_auc_score(both["churned"], 1 - both["p_alive"])
print({k: round(v, 3) for k, v in bgnbd.params_.items()})
print(f"AUC of 1 - P(alive) on the same test customers: {auc_palive:.3f} (churn model: {metrics.auc:.3f})")

# %% [markdown]
# ### 6. The retention campaign
# A randomised offer: treated customers got a coupon, a control group got nothing. The outcome is an
# order within the response window.

# %%
if "campaigns" in data:
    camp = data.campaigns
    effect = uplift.campaign_effect(camp)
    print(f"ATE = {effect.ate:+.3f} (95% CI {effect.ci_low:+.3f} .. {effect.ci_high:+.3f}); "
          f"response {effect.rate_treated:.1%} treated vs {effect.rate_control:.1%} control")
    sent = camp["sent_date"].min()
    F = churn.churn_features(orders, events, data["customers"] if "customers" in data else None, cutoff=sent)
    risk = churn.predict_churn(model, F.reindex(camp["customer_id"]))
    uplift_score = uplift.tlearner_uplift(F, camp, random_state=seed)
    risk_decile = pd.qcut(risk.rank(method="first"), 5, labels=[f"Q{i}" for i in range(1, 6)])
    by_risk = uplift.uplift_by_group(camp, risk_decile)
    value = F["monetary"].reindex(camp["customer_id"]) if "monetary" in F else None
    by_value = uplift.uplift_by_group(camp, pd.qcut(value.rank(method="first"), 3, labels=["low", "mid", "high"])) \
        if value is not None else None
    display(by_risk[["uplift", "ci_low", "ci_high", "n_treated", "n_control"]].round(3))
else:
    effect = None
    print("no campaign table: the retention section is skipped")

# %%
if effect is not None and by_value is not None:
    ax = plt.subplots()[1]
    ax.bar(by_value.index.astype(str), by_value["uplift"], color=plots.PALETTE[0],
           yerr=[by_value["uplift"] - by_value["ci_low"], by_value["ci_high"] - by_value["uplift"]], capsize=4)
    ax.axhline(0, color="grey", lw=1)
    plots.finish(ax, "The offer works least - or backfires - for the most valuable customers",
                 "customer value (spend before the campaign, tercile)", "uplift in response rate")
    plt.show()
    display(by_value[["uplift", "ci_low", "ci_high", "n_treated", "n_control"]].round(3))

# %% [markdown]
# Target the top 30% by predicted churn risk, or by predicted uplift (a T-learner: one response
# model for treated and one for control customers, uplift = the difference)?

# %%
if effect is not None:
    comparison = uplift.targeting_comparison(camp, risk, uplift_score, budget_share=budget_share,
                                             value_per_response=value_per_response, cost_per_contact=cost_per_contact)
    display(comparison.round(3))
    plots.bar(comparison["profit"], f"Targeting by uplift earns the most with {budget_share:.0%} of the budget",
              "targeting strategy", "campaign profit (yuan)", fmt=",.0f")
    plt.show()
    profit = uplift.retention_profit(n=len(camp), p_targeted=budget_share, gamma=effect.ate,
                                     ltv=value_per_response, cost=cost_per_contact)
    print(f"N x p x (gamma x LTV - c) = {len(camp)} x {budget_share} x ({effect.ate:.3f} x {value_per_response:.0f} "
          f"- {cost_per_contact}) = {profit:,.0f} yuan for a random {budget_share:.0%}")

# %% [markdown]
# ## Result

# %%
print(f"churn ({window}-day window): {churn_rate:.1%} of active customers")
if hr is not None:
    print("hazard ratios (latent dropout):", hr["hazard_ratio"].round(2).to_dict())
print(f"churn model: AUC {metrics.auc:.3f}, top-decile lift {metrics.top_decile_lift:.2f}")
if effect is not None:
    print(f"campaign ATE {effect.ate:+.3f}; best strategy: {comparison['profit'].idxmax()}")

# %% [markdown]
# Service failures raise the churn hazard substantially once heavy buyers' low churn is accounted
# for - the naive numbers hide it. A simple out-of-time model ranks customers well (AUC above),
# although most customers churn anyway, which caps the lift. The retention offer works on average,
# but targeting by predicted uplift beats targeting by risk: the riskiest customers often leave
# whatever we do, and the most valuable ones can react badly (sleeping dogs).
#
# ## Discussion
#
# * **Caveat - churn is not observed.** Every number depends on the window; a customer who buys an
#   air conditioner every five years is "churned" by any practical window. Hazard ratios come from a
#   model of latent dropout: check its assumptions before quoting them.
# * The course says "90% of dissatisfied customers leave silently": the TARP studies behind it found
#   that about half of customers with a problem complain to front-line staff; most complaints never
#   reach management. Here too, unresolved complaints matter more than complaints.
# * Uplift estimates are noisy at classroom size; decide on a strategy with a second experiment.
#
# ## Quiz
# 1. Why can a naive comparison show that customers with service failures churn *less*?
# 2. The base churn rate is 70%. What is the largest possible top-decile lift?
# 3. Why may contacting a loyal, high-value customer with a discount reduce their purchases?

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** What is the highest top-decile lift any model could reach on the test customers? (Hint: the riskiest 10% cannot churn more than 100%.) Store it in `lift_ceiling`.

# %% tags=["exercise"]
# answer: lift_ceiling rel=1e-6 points=1
### BEGIN SOLUTION
lift_ceiling = float(1 / split.y_test.mean())
### END SOLUTION

# %%
assert lift_ceiling >= 1
### BEGIN HIDDEN TESTS
assert abs(lift_ceiling - 1 / metrics.base_rate) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2.** What share of orders had at least one service failure (any event other than a complaint)? Store it in `failure_order_share` (use `float("nan")` if the data have no service events).

# %% tags=["exercise"]
# answer: failure_order_share rel=1e-6 points=1
### BEGIN SOLUTION
if events is None:
    failure_order_share = float("nan")
else:
    failed = events.loc[events["event_type"] != "complaint", "order_id"].unique()
    failure_order_share = float(orders["order_id"].isin(failed).mean())
### END SOLUTION

# %%
assert events is None or 0 <= failure_order_share <= 1
### BEGIN HIDDEN TESTS
assert events is None or abs(failure_order_share - orders["order_id"].isin(events.loc[events["event_type"] != "complaint", "order_id"]).mean()) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 3.** Estimate the campaign's average treatment effect yourself: response rate of treated minus control. Store it in `ate_manual` (`float("nan")` without a campaigns table).

# %% tags=["exercise"]
# answer: ate_manual rel=1e-6 points=1
### BEGIN SOLUTION
if "campaigns" not in data:
    ate_manual = float("nan")
else:
    c = data.campaigns
    ate_manual = float(c.loc[c["treated"], "responded"].mean() - c.loc[~c["treated"], "responded"].mean())
### END SOLUTION

# %%
assert "campaigns" not in data or -1 <= ate_manual <= 1
### BEGIN HIDDEN TESTS
assert "campaigns" not in data or abs(ate_manual - effect.ate) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ## Check against the truth (synthetic data only)

# %%
if data.truth is not None:
    t = data.truth
    rows = [("churn rate (observed window vs latent)", round(churn_rate, 3), t["churn"]["rate"],
             "different definitions: inactivity vs true dropout")]
    if hr is not None:
        for k, v in t["churn"]["hazard_ratios"].items():
            if k in hr.index:
                rows.append((f"hazard ratio {k}", round(hr.loc[k, "hazard_ratio"], 2), v, "±35% (large samples)"))
    if effect is not None:
        rows.append(("campaign ATE", round(effect.ate, 3), t["campaign"]["ate"], "CI should cover"))
        seg = data.truth_customers.set_index("customer_id")["segment"]
        display(uplift.uplift_by_group(camp, seg)[["uplift", "ci_low", "ci_high"]].round(3)
                .join(pd.Series(t["campaign"]["uplift_by_segment"], name="true uplift")))
    display(truth_check(rows))
else:
    print("no truth available (real data)")

# %%
results = {
    "window_days": window,
    "churn_rate": churn_rate,
    "auc": metrics.auc,
    "top_decile_lift": metrics.top_decile_lift,
    "base_rate": metrics.base_rate,
    "hazard_ratios": hr["hazard_ratio"].to_dict() if hr is not None else None,
    "hazard_ratio_ci": hr[["ci_low", "ci_high"]].to_dict(orient="index") if hr is not None else None,
    "campaign_ate": effect.ate if effect is not None else None,
    "campaign_ate_ci": [effect.ci_low, effect.ci_high] if effect is not None else None,
    "auc_p_alive": auc_palive,
}
saved = write_results(results, output_dir)
print("results written:", sorted(results))
