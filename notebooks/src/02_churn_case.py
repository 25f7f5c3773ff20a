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
# contrast; the randomised retention campaign: average effect, uplift by churn risk and by customer
# value, sleeping dogs, the Qini curve, uplift vs risk targeting and its profit.
#
# **Contents.** *Theory* · *Practical* (window → survival → drivers → prediction → P(alive) →
# campaign) · *Result* · *Discussion* · *Quiz* · *check against the truth*.
#
# **References.** Fader, Hardie & Lee (2005) *Marketing Science* (BG/NBD); Schmittlein, Morrison &
# Colombo (1987) *Management Science* (Pareto/NBD); Neslin et al. (2006) *JMR* (churn modelling,
# top-decile lift); Ascarza (2018) *JMR* (target by uplift, not risk); Radcliffe (2007) (Qini).

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * define churn for customers without a contract and compute a churn rate with its confidence
#   interval;
# * compute a Kaplan-Meier survival curve by hand and with the package, and interpret the hazard
#   ratios of service failures;
# * validate a churn model out of time and interpret AUC, top-decile lift, gains and calibration;
# * estimate the effect of a randomised retention offer and the uplift of each customer (T-learner);
# * decide whom to target from the profit of each rule and its uncertainty.
#
# **Prerequisites.** 00 (the tables: orders, service events, campaigns); 01 (confidence intervals,
# the bootstrap, regression); logistic regression and probability at the level of a first
# statistics course. No survival analysis is assumed.
#
# **Time.** About 150 minutes: 90 in class, 60 for the exercises and the memo.
#
# **Terms.** 客户流失 (churn), 生存分析, 风险比, 提升模型 and the other terms are defined in the
# [glossary](../docs/glossary.md).

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
# contacted. Profit of a campaign: $N \times p \times (\gamma \cdot LTV - c)$, with $N$ customers in the
# base, a share $p$ of them contacted, $\gamma$ the uplift (extra response rate) among the contacted,
# $LTV$ what a retained customer is worth and $c$ the cost per contacted customer (contact plus the
# offers redeemed - also by customers who would have bought anyway). Here $LTV$ is each customer's
# estimated lifetime value at the send date (simple CLV: margin on annual spend over a few years,
# discounted, times an annual retention rate read from the data) and $c$ comes from
# `campaigns.offer_cost`. For a rule that contacts a set $S$ of customers, $N p = |S|$, $\gamma$ is
# the treated-minus-control response rate in $S$, $LTV$ the mean CLV of $S$ and $c$ the mean offer
# cost of the treated customers in $S$, all estimated on the randomised campaign, with a bootstrap
# interval.
#
# **Reading the printed findings.** Every sentence below that says something about *these* data is
# computed from this run's estimate and its 95% interval. It uses a directional word (raises, more,
# most, backfires) only when the interval excludes "no effect"; otherwise it says that the data at
# this size cannot tell, and gives the interval.

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
margin = 0.15  # gross margin on revenue, for the customer value (CLV)
clv_years = 3
discount_rate = 0.1
cost_per_contact = 1.0  # used only if the campaigns table has no offer_cost column
sleeping_dog_share = 0.1  # the customers with the lowest predicted uplift, checked for sleeping dogs
n_boot = 2000
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import churn, survival, uplift
from crmlab.analysis._results import Estimate
from crmlab.analysis.claims import claims_json, directional, leader
from crmlab.analysis.clv.bgnbd import MBGNBD, rfm_summary
from crmlab.analysis.clv.simple import estimate_retention, simple_clv
from crmlab.analysis.rfm import rfm_table
from crmlab.domain import FAILURE_KINDS
from crmlab.i18n import label
from crmlab.notebook import get_data, orders_with_value, require_tables, truth_check, write_results
from crmlab.notebook.texts.churn import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)
claims = []  # every finding the notebook prints, with its estimate and interval (results.json)


def name(code):
    """Display name of a data code (failure kind, channel) in this edition's language."""
    return T(f"kind.{code}", lang) if f"kind.{code}" in T else label(code, lang)


def columns(df):
    """A table with its column headers in this edition's language."""
    return df.rename(columns={c: T(f"col.{c}", lang) for c in df.columns if f"col.{c}" in T})


# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders"], purpose="the churn notebook")
orders = data.orders
as_of = str(min(pd.Timestamp(as_of), orders["order_ts"].max().normalize()).date())
events = data["service_events"] if "service_events" in data else None
span = (pd.Timestamp(as_of) - orders["order_ts"].min()).days
print(T("data.summary", lang, customers=orders["customer_id"].nunique(), orders=len(orders), days=span, as_of=as_of))

# %% [markdown]
# ### 1. Defining churn: how long is "too long" without an order?

# %%
gaps = churn.interpurchase_gaps(orders)
suggested = churn.suggest_window(orders, as_of=as_of)
window = int(window_days or suggested)
model_window = min(window, int(span / 2.7))  # the out-of-time split needs two windows plus history
ax = plt.subplots()[1]
ax.hist(gaps.clip(upper=720), bins=48, color=plots.PALETTE[0])
ax.axvline(window, color=plots.PALETTE[3], lw=2, label=T("gaps.window", lang, window=window))
ax.legend(frameon=False)
plots.finish(ax, T("gaps.title", lang, share=float((gaps < window).mean()), window=window),
             T("gaps.xlabel", lang), T("gaps.ylabel", lang))
plt.show()
print(T("gaps.print", lang, suggested=suggested, window=window, model_window=model_window))

# %%
cutoff_now = pd.Timestamp(as_of) - pd.Timedelta(days=window)
labels_now = churn.churn_labels(orders, cutoff=cutoff_now, window_days=window)
churn_rate = float(labels_now["churned"].mean())
se_rate = np.sqrt(churn_rate * (1 - churn_rate) / len(labels_now))
print(T("rate.print", lang, cutoff=f"{cutoff_now:%Y-%m-%d}", window=window, rate=churn_rate, level=0.95,
        ci_low=churn_rate - 1.96 * se_rate, ci_high=churn_rate + 1.96 * se_rate))

# %% [markdown]
# ### 2. Survival curves
# Time from the first order to the observed churn (the last order before a gap of at least the
# window), by the channel of the first order. One-time buyers churn "at time 0".
#
# **Kaplan-Meier by hand: ten customers.** Survival analysis studies the time until an event, here
# from a customer's first order until they churn. Its difficulty is *censoring*: for a customer who
# is still active when the follow-up ends we only know that the duration is *at least* that long.
# Dropping these customers, or counting them as churned, biases the answer. The Kaplan-Meier
# (product-limit) estimator uses each customer as long as they are observed. On each day $t_j$ on
# which someone churns, $n_j$ customers are still *at risk* (neither churned nor censored before
# $t_j$) and $d_j$ of them churn; the chance of getting past that day is $1 - d_j / n_j$, and the
# share still active after day $t$ is the product of these factors:
# $$\hat S(t) = \prod_{t_j \le t} \left(1 - \frac{d_j}{n_j}\right).$$
# A censored customer counts in $n_j$ up to their last observed day and then leaves the risk set
# without making a step. Below: ten customers drawn from the data (two one-time buyers, five who
# churned later, three censored), the product-limit steps in four lines, and the package's estimate
# for the same ten customers.

# %%
sf = survival.survival_frame(orders, as_of=as_of, window_days=window)
ten = survival.example_customers(sf, 10, random_state=seed)
columns(ten)

# %%
s, steps = 1.0, []
for t in sorted(ten.loc[ten["churned"], "duration_days"].unique()):  # the days on which someone churns
    n_j = int((ten["duration_days"] >= t).sum())  # at risk: not churned or censored before day t
    d_j = int(((ten["duration_days"] == t) & ten["churned"]).sum())  # churned on day t
    s = s * (1 - d_j / n_j)  # product-limit step
    steps.append({"day": t, "at_risk": n_j, "churned_today": d_j, "factor": 1 - d_j / n_j, "s_hand": s})
steps = pd.DataFrame(steps)
steps["s_package"] = survival.kaplan_meier(ten).set_index("time")["survival"].reindex(steps["day"]).to_numpy()
columns(steps).round(3)

# %% [markdown]
# Censored customers never make a step, but they shrink the risk set of the later steps. The package
# does the same for all customers at once (and adds a confidence band); the curves below are these
# steps for thousands of customers, one curve per channel of the first order.

# %%
first_channel = orders.sort_values("order_ts").groupby("customer_id")["channel"].first().reindex(sf.index)
if first_channel.nunique() < 2:  # e.g. an online-only extract: one curve
    first_channel = pd.Series(T("km.all", lang), index=sf.index)
else:
    first_channel = first_channel.map(lambda c: label(c, lang))
one_time = float((sf["churned"] & (sf["duration_days"] == 0)).mean())  # = 1 - S(0) of the pooled Kaplan-Meier
se_one = np.sqrt(one_time * (1 - one_time) / len(sf))
claims.append(directional("churn.one_time", Estimate(one_time, one_time - 1.96 * se_one, one_time + 1.96 * se_one),
                          T, null=0.5, lang=lang))
km = survival.kaplan_meier(sf, group=first_channel)
ax = plt.subplots()[1]
for i, (g, cur) in enumerate(km.groupby("group")):
    ax.step(cur["time"], cur["survival"], where="post", color=plots.PALETTE[i], label=str(g))
ax.legend(title=T("km.legend", lang), frameon=False)
ax.set_ylim(0, 1)
plots.finish(ax, T("km.title", lang, share=one_time), T("km.xlabel", lang), T("km.ylabel", lang))
plt.show()
print(claims[-1])
if first_channel.nunique() >= 2:
    lr = survival.logrank_test(sf, first_channel)
    print(T("logrank.print", lang, chi2=lr.chi2, df=lr.df, p=lr.p_value))

# %% [markdown]
# ### 3. Why do customers leave? Service failures
# First the naive view: the churn rate of customers with and without each kind of failure before
# the cut-off, and the difference with its 95% interval.

# %%
kinds = list(FAILURE_KINDS)
if events is not None:
    naive = churn.churn_by_failure(labels_now, events, cutoff=cutoff_now, kinds=kinds)
    shown = naive[["churn_without", "churn_with", "difference", "ci_low", "ci_high", "n_with"]]
    display(columns(shown.rename(index=name)).rename_axis(T("col.kind", lang)).round(3))
    anyf = naive.loc["any"]
    claims.append(directional("churn.naive_any_failure", anyf[["difference", "ci_low", "ci_high"]].tolist(), T,
                              lang=lang, cutoff=f"{cutoff_now:%Y-%m-%d}", with_=anyf["churn_with"],
                              without=anyf["churn_without"]))
    print(claims[-1])
    per_kind = naive.drop(index="any")
    print(T("naive.by_kind", lang, down=int((per_kind["ci_high"] < 0).sum()), up=int((per_kind["ci_low"] > 0).sum()),
            unclear=int(((per_kind["ci_low"] <= 0) & (per_kind["ci_high"] >= 0)).sum())))

# %% [markdown]
# If customers with failures churn *less* in this comparison, do not conclude that failures keep
# customers. That is the frailty trap: frequent buyers have more orders, so more failures, and they
# rarely leave. The hazard ratios below compare a naive Cox model on observed churn with the
# latent-dropout model, which separates buying from leaving. Resolved complaints are a separate
# kind, so that unresolved and resolved complaints can be compared.

# %%
hr_kinds = [*kinds, "resolved_complaint"]
strongest = None
if events is not None:
    fit = churn.fit_dropout_model(orders, events, as_of=as_of, kinds=hr_kinds)
    hr = fit.hazard_ratios
    try:
        hr_cox = churn.failure_hazard_ratios(orders, events, as_of=as_of, method="cox", window_days=window,
                                             kinds=hr_kinds)
    except (np.linalg.LinAlgError, ValueError):  # too few events of some kind (small data)
        hr_cox = hr.assign(hazard_ratio=np.nan)
    table = pd.DataFrame({"naive_cox": hr_cox["hazard_ratio"], "latent_dropout": hr["hazard_ratio"],
                          "ci_low": hr["ci_low"], "ci_high": hr["ci_high"], "n_events": hr["n_events"]})
    display(columns(table.rename(index=name)).rename_axis(T("col.kind", lang)).round(2))
    for k in kinds:
        claims.append(directional(f"churn.hr.{k}", hr.loc[k, ["hazard_ratio", "ci_low", "ci_high"]].tolist(), T,
                                  null=1.0, lang=lang, kind=name(k)))
    finite = hr.loc[kinds].dropna(subset=["hazard_ratio"]).sort_values("hazard_ratio", ascending=False,
                                                                       kind="stable")
    if len(finite) >= 2:
        top, second = finite.index[:2]
        ratio = fit.ratio(top, second)  # the lead, with the covariance of the two estimates
        strongest = leader("churn.strongest_failure",
                           {k: tuple(np.log(finite.loc[k, ["hazard_ratio", "ci_low", "ci_high"]].to_numpy(float)))
                            for k in finite.index}, T,
                           difference=Estimate(np.log(ratio.estimate), np.log(ratio.ci_low), np.log(ratio.ci_high)),
                           names={k: name(k) for k in finite.index}, lang=lang, ratio=ratio.estimate,
                           ratio_low=ratio.ci_low, ratio_high=ratio.ci_high, leader_hr=finite.loc[top, "hazard_ratio"],
                           runner_up_hr=finite.loc[second, "hazard_ratio"])
        claims.append(strongest)
    complaints = fit.ratio("unresolved_complaint", "resolved_complaint")
    claims.append(directional("churn.unresolved_vs_resolved", complaints, T, null=1.0, lang=lang))
    ax = plt.subplots(figsize=(7, 4.2))[1]
    y = np.arange(len(hr))
    ax.errorbar(hr["hazard_ratio"], y, xerr=[hr["hazard_ratio"] - hr["ci_low"], hr["ci_high"] - hr["hazard_ratio"]],
                fmt="o", color=plots.PALETTE[0], capsize=3, label=T("hr.legend_dropout", lang))
    ax.scatter(hr_cox["hazard_ratio"], y, marker="x", color=plots.PALETTE[3], label=T("hr.legend_cox", lang), zorder=3)
    ax.axvline(1, color="grey", lw=1)
    ax.set_yticks(y, [name(k) for k in hr.index])
    ax.set_xscale("log")
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6) if hr["ci_low"].min() / 1.2 <= t <= hr["ci_high"].max() * 1.2]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.legend(frameon=False, fontsize=8)
    title = (T("hr.title.leader", lang, leader=name(strongest.detail["leader"]).capitalize())
             if strongest is not None and strongest.supported else T("hr.title.unclear", lang))
    plots.finish(ax, title, T("hr.xlabel", lang), "")
    plt.show()
    for c in claims:
        if c.id.startswith("churn.hr.") or c.id in ("churn.strongest_failure", "churn.unresolved_vs_resolved"):
            print(c)
else:
    hr = None
    print(T("hr.skipped", lang))

# %% [markdown]
# ### 4. Predicting who leaves next (out-of-time validation)

# %%
split = churn.out_of_time_split(orders, events if events is not None else orders.iloc[:0],
                                data["customers"] if "customers" in data else None,
                                as_of=as_of, window_days=model_window)
model = churn.train_churn_model(split.X_train, split.y_train, model="logistic", random_state=seed)
score = churn.predict_churn(model, split.X_test)
metrics = churn.evaluate_churn_model(split.y_test, score)
print(T("split.print", lang, train=split.train_cutoff, n_train=len(split.y_train), test=split.test_cutoff,
        n_test=len(split.y_test)))
claims.append(directional("churn.model_auc", (metrics.auc, metrics.auc_ci_low, metrics.auc_ci_high), T, null=0.5,
                          lang=lang))
print(claims[-1])
print(T("lift.print", lang, lift=metrics.top_decile_lift, level=metrics.confidence_level, lo=metrics.lift_ci_low,
        hi=metrics.lift_ci_high, base=metrics.base_rate, cap=1 / metrics.base_rate))

# %%
gains = churn.gains_table(split.y_test, score)
ax = plots.gains_chart(gains, T("gains.title", lang, share=gains["cum_share_customers"].iloc[2],
                                churners=gains["cum_share_churners"].iloc[2]))
ax.legend(ax.get_lines(), [T("gains.model", lang), T("gains.random", lang)], frameon=False, loc="lower right")
ax.set_xlabel(T("gains.xlabel", lang))
ax.set_ylabel(T("gains.ylabel", lang))
plt.show()
calib = churn.calibration_table(split.y_test, score)
print(T("calib.print", lang, ece=calib.ece, pred=float(score.mean()), obs=float(split.y_test.mean())))
columns(calib.table[["n", "mean_predicted", "observed_rate", "se"]]).rename_axis(T("col.bin", lang)).round(3)

# %% [markdown]
# ### 5. For contrast: BG/NBD P(alive)
# The BG/NBD model needs only frequency, recency and age of each customer. The *modified* BG/NBD
# lets one-time buyers drop out too (in retail data many customers buy only once).

# %%
summary = rfm_summary(orders, as_of=split.test_cutoff)
bgnbd = MBGNBD().fit(summary["frequency"], summary["recency"], summary["T"])
p_alive = pd.Series(bgnbd.p_alive(summary["frequency"], summary["recency"], summary["T"]), index=summary.index)
both = split.y_test.to_frame("churned").join(p_alive.rename("p_alive"), how="inner")
palive_eval = churn.evaluate_churn_model(both["churned"], 1 - both["p_alive"])
auc_palive = palive_eval.auc
print({k: round(v, 3) for k, v in bgnbd.params_.items()})
print(T("palive.print", lang, auc=auc_palive, level=palive_eval.confidence_level, lo=palive_eval.auc_ci_low,
        hi=palive_eval.auc_ci_high, auc_model=metrics.auc))

# %% [markdown]
# ### 6. The retention campaign
# A randomised offer: treated customers got a coupon, a control group got nothing. The outcome is an
# order within the response window. What a response is worth: each customer's estimated lifetime
# value at the send date (simple CLV), not a fixed amount.

# %%
if "campaigns" in data:
    camp = data.campaigns
    ids = camp["customer_id"]
    effect = uplift.campaign_effect(camp)
    claims.append(directional("churn.campaign_ate", effect, T, lang=lang, treated=effect.rate_treated,
                              control=effect.rate_control))
    print(claims[-1])
    sent = camp["sent_date"].min()
    F = churn.churn_features(orders, events, data["customers"] if "customers" in data else None, cutoff=sent)
    risk = churn.predict_churn(model, F.reindex(ids))
    # customer value: simple CLV from the orders before the send date
    rfm = rfm_table(orders_with_value(data), as_of=sent - pd.Timedelta(days=1))
    try:
        retention = estimate_retention(rfm)
    except ValueError:  # less than a year of history
        retention = 0.5
    value = simple_clv(rfm, margin=margin, annual_retention=retention, discount_rate=discount_rate,
                       horizon_years=clv_years).reindex(ids.to_numpy()).fillna(0.0)
    print(T("value.print", lang, margin=margin, retention=retention, discount=discount_rate, years=clv_years,
            median=float(value.median()), mean=float(value.mean())))
    # uplift by churn-risk quintile: 1 = highest risk
    risk_q = pd.qcut((-risk).rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    by_risk = uplift.uplift_by_group(camp, risk_q)
    q_names = {1: T("risk.q1", lang), 5: T("risk.q5", lang)}
    print(T("risk.note", lang))
    display(columns(by_risk[["uplift", "ci_low", "ci_high", "n_treated", "n_control"]]
                    .rename(index=lambda q: q_names.get(q, str(q)))).rename_axis(T("col.risk_quintile", lang)).round(3))
    d = by_risk.loc[1, "uplift"] - by_risk.loc[5, "uplift"]
    se = np.hypot(by_risk.loc[1, "se"], by_risk.loc[5, "se"])
    claims.append(directional("churn.uplift_risk_top_minus_bottom", (d, d - 1.96 * se, d + 1.96 * se), T, lang=lang))
    print(claims[-1])
else:
    effect = None
    print(T("campaign.skipped", lang))

# %% [markdown]
# Does the offer work as well for the most valuable customers? Uplift by tercile of estimated
# customer value (low, mid, high), each with its 95% interval.

# %%
if effect is not None:
    value_t = pd.qcut(value.rank(method="first"), 3, labels=["low", "mid", "high"])
    by_value = uplift.uplift_by_group(camp, value_t)
    hi_lo = by_value.loc["high", "uplift"] - by_value.loc["low", "uplift"]
    se = np.hypot(by_value.loc["high", "se"], by_value.loc["low", "se"])
    claims.append(directional("churn.uplift_value_high", by_value.loc["high", ["uplift", "ci_low", "ci_high"]].tolist(),
                              T, lang=lang))
    claims.append(directional("churn.uplift_value_high_minus_low", (hi_lo, hi_lo - 1.96 * se, hi_lo + 1.96 * se), T,
                              lang=lang))
    direction = {1: "up", -1: "down", 0: "unclear"}[claims[-1].direction]
    ax = plt.subplots()[1]
    ax.bar([T(f"value.{v}", lang) for v in by_value.index], by_value["uplift"], color=plots.PALETTE[0],
           yerr=[by_value["uplift"] - by_value["ci_low"], by_value["ci_high"] - by_value["uplift"]], capsize=4)
    ax.axhline(0, color="grey", lw=1)
    plots.finish(ax, T(f"value.title.{direction}", lang), T("value.xlabel", lang), T("value.ylabel", lang))
    plt.show()
    display(columns(by_value[["uplift", "ci_low", "ci_high", "n_treated", "n_control"]]
                    .rename(index=lambda v: T(f"value.{v}", lang))).rename_axis(T("col.value_tercile", lang)).round(3))
    het = uplift.uplift_heterogeneity(by_value)
    print(claims[-2])
    print(claims[-1])
    print(T("value.heterogeneity", lang, chi2=het.chi2, df=het.df, p=het.p_value))

# %% [markdown]
# **The T-learner step by step.** A churn model predicts *who will leave*; a retention offer needs
# *whose behaviour the offer changes*. For one customer with features $x$ that is the difference of
# two probabilities, $P(\text{respond} \mid \text{offer}, x) - P(\text{respond} \mid \text{no offer}, x)$,
# and we never observe both for the same customer. A randomised campaign lets us estimate each one
# from a different group of customers:
#
# 1. split the campaign customers at random into a *fit* half, to learn from, and an *evaluation*
#    half, to judge the model on;
# 2. in the fit half, fit a response model on the treated customers only: it predicts
#    $P(\text{respond} \mid \text{offer}, x)$;
# 3. fit a second model on the control customers only: $P(\text{respond} \mid \text{no offer}, x)$;
# 4. score each customer of the evaluation half with both models: the predicted uplift is the
#    difference.
#
# A made-up illustration: customer A responds with probability 0.30 with the offer and 0.20 without
# (uplift +0.10: worth contacting); customer B 0.50 and 0.55 (uplift -0.05: a possible sleeping dog);
# customer C 0.05 and 0.05 (uplift 0: the offer changes nothing, however high C's churn risk). The
# next two cells do the four steps with two logistic models and compare five customers with the
# package's `tlearner_uplift`, which scores the whole evaluation half in one call.

# %%
if effect is not None:
    fit_ids, eval_ids = uplift.split_campaign(camp, random_state=seed)  # step 1
    fit_rows = fit_ids.intersection(F.index)
    responded = camp.set_index("customer_id").loc[fit_rows, "responded"].astype(int)
    offer = camp.set_index("customer_id").loc[fit_rows, "treated"].astype(bool).to_numpy()
    by_hand = responded[offer].nunique() == 2 and responded[~offer].nunique() == 2  # both outcomes in each arm
    if by_hand:
        m_offer = churn.train_churn_model(F.loc[fit_rows[offer]], responded[offer], random_state=seed)  # step 2
        m_none = churn.train_churn_model(F.loc[fit_rows[~offer]], responded[~offer], random_state=seed)  # step 3

# %%
if effect is not None:
    uplift_score = uplift.tlearner_uplift(F, camp, evaluate_on=eval_ids, random_state=seed)  # the package
    camp_eval = camp[ids.isin(uplift_score.index)]
if effect is not None and by_hand:
    five = eval_ids.intersection(F.index)[:5]
    steps = pd.DataFrame({"p_offer": m_offer.predict_proba(F.loc[five])[:, 1],  # step 4
                          "p_no_offer": m_none.predict_proba(F.loc[five])[:, 1]}, index=five)
    steps["uplift_hand"] = steps["p_offer"] - steps["p_no_offer"]
    steps["uplift_package"] = uplift_score.reindex(five).to_numpy()
    display(columns(steps).round(3))

# %% [markdown]
# Sleeping dogs are customers whom the offer pushes away; the T-learner points at candidates.
# Everything that judges the model - sleeping dogs, the Qini curve, the profit of targeting by it -
# is measured on the evaluation half, where the scores cannot have learnt from the outcomes (with
# cross-fitting on the same customers the intervals come out too narrow). Among the evaluation
# customers with the lowest predicted uplift, does the offer lower the response?

# %%
if effect is not None:
    n_low = max(int(round(sleeping_dog_share * len(uplift_score))), 4)
    low_ids = uplift_score.sort_values(kind="stable").index[:n_low]
    dogs = uplift.campaign_effect(camp_eval[camp_eval["customer_id"].isin(low_ids)])
    claims.append(directional("churn.sleeping_dogs", dogs, T, lang=lang, share=sleeping_dog_share))
    print(claims[-1])

# %% [markdown]
# How well does the uplift model rank customers? Radcliffe's Qini curve: the extra responses when the
# top of the ranking is treated, against random targeting (the straight line). The Qini coefficient
# is the area between the two, with a bootstrap interval.

# %%
if effect is not None:
    qc = uplift.qini_curve(camp_eval, uplift_score)
    qini = uplift.qini_coefficient(camp_eval, uplift_score, n_boot=n_boot, random_state=seed)
    claims.append(directional("churn.qini", qini, T, lang=lang))
    direction = {1: "up", -1: "down", 0: "unclear"}[claims[-1].direction]
    ax = plt.subplots()[1]
    ax.plot(np.r_[0, qc["share"]], np.r_[0, qc["gain"]], color=plots.PALETTE[0], label=T("qini.model", lang))
    ax.plot([0, 1], [0, qc["gain"].iloc[-1]], ls="--", color="grey", label=T("qini.random", lang))
    ax.legend(frameon=False)
    plots.finish(ax, T(f"qini.title.{direction}", lang), T("qini.xlabel", lang), T("qini.ylabel", lang))
    plt.show()
    print(claims[-1])

# %% [markdown]
# Target the top share of customers by predicted churn risk, by predicted uplift, or at random (on the
# held-out half of the campaign)? Each rule's profit is $N p (\gamma \cdot LTV - c)$ estimated on the randomised campaign: the extra
# responses among the customers it targets, valued at their mean estimated CLV, minus the offer
# cost, with bootstrap intervals of the profits and of their differences.

# %%
if effect is not None:
    comparison = uplift.targeting_comparison(camp_eval, risk, uplift_score, budget_share=budget_share, value=value,
                                             cost_per_contact=cost_per_contact, n_boot=n_boot, random_state=seed)
    tab = comparison.table
    strategy = {s: T(f"strategy.{s}", lang) for s in tab.index}
    display(columns(tab[["n_targeted", "uplift", "incremental_responses", "value_per_response", "cost_per_contact",
                         "profit", "profit_ci_low", "profit_ci_high"]].rename(index=strategy))
            .rename_axis(T("col.strategy", lang)).round(3).round({T(f"col.{k}", lang): 0 for k in
                                                                   ("profit", "profit_ci_low", "profit_ci_high")}))
    best = leader("churn.best_targeting", {s: tab.loc[s, ["profit", "profit_ci_low", "profit_ci_high"]].tolist()
                                           for s in tab.index}, T, difference=comparison.lead()[2], names=strategy,
                  lang=lang)
    claims += [best,
               directional("churn.profit_uplift_minus_risk", comparison.difference("uplift", "risk"), T, lang=lang),
               directional("churn.profit_uplift_minus_random", comparison.difference("uplift", "random"), T, lang=lang)]
    ax = plt.subplots()[1]
    ax.bar([strategy[s] for s in tab.index], tab["profit"], color=plots.PALETTE[0],
           yerr=[tab["profit"] - tab["profit_ci_low"], tab["profit_ci_high"] - tab["profit"]], capsize=4)
    ax.axhline(0, color="grey", lw=1)
    title = (T("profit.title.leader", lang, leader=strategy[best.detail["leader"]]) if best.supported
             else T("profit.title.unclear", lang))
    plots.finish(ax, title, T("profit.xlabel", lang, share=budget_share), T("profit.ylabel", lang))
    plt.show()
    for c in claims[-3:]:
        print(c)
    treated = camp["treated"].astype(bool)
    c_mean = float(camp.loc[treated, "offer_cost"].mean()) if "offer_cost" in camp else cost_per_contact
    ltv = float(value.mean())
    profit = uplift.retention_profit(n=len(camp), p_targeted=budget_share, gamma=effect.ate, ltv=ltv, cost=c_mean)
    print(T("formula.print", lang, n=len(camp), p=budget_share, gamma=effect.ate, ltv=ltv, c=c_mean, profit=profit))

# %% [markdown]
# ## Result

# %%
print(T("result.window", lang, window=window, rate=churn_rate))
if hr is not None:
    print(T("result.hr", lang), {name(k): round(v, 2) for k, v in hr["hazard_ratio"].items()})
print(T("result.model", lang, auc=metrics.auc, lift=metrics.top_decile_lift))
headline = ("churn.naive_any_failure", "churn.strongest_failure", "churn.unresolved_vs_resolved", "churn.model_auc",
            "churn.campaign_ate", "churn.uplift_value_high_minus_low", "churn.sleeping_dogs", "churn.qini",
            "churn.best_targeting", "churn.profit_uplift_minus_risk")
for c in claims:
    if c.id in headline:
        print("-", c)

# %% [markdown]
# How to read these results: the naive comparison of section 3 mixes the effect of failures with
# purchase frequency, and the latent-dropout hazard ratios separate the two. The out-of-time AUC
# measures ranking; when most customers churn anyway the top-decile lift is capped at 1 / base rate.
# Whether uplift targeting beats risk targeting on these data is printed above with its interval;
# Ascarza (2018) explains why it usually does: the riskiest customers often leave whatever we do, and
# some customers react badly to being contacted (sleeping dogs).
#
# ## Discussion
#
# * **Caveat - churn is not observed.** Every number depends on the window; a customer who buys an
#   air conditioner every five years is "churned" by any practical window. Hazard ratios come from a
#   model of latent dropout: check its assumptions before quoting them.
# * The course says "90% of dissatisfied customers leave silently": the TARP studies behind it found
#   that about half of customers with a problem complain to front-line staff; most complaints never
#   reach management. Section 3 tests on these data whether unresolved complaints matter more than
#   resolved ones.
# * Uplift estimates are noisy at classroom size; decide on a strategy with a second experiment.
# * The profit depends on what a response is worth: here each customer's simple CLV at the send date.
#   A response is an order in the window, so valuing it at the whole CLV assumes that the offer keeps
#   the customer; valuing it at one order's margin gives a lower bound.

# %% [markdown]
# ## Quiz
# 1. Why can a naive comparison show that customers with service failures churn *less*?
# 2. The base churn rate is 70%. What is the largest possible top-decile lift?
# 3. Why may contacting a loyal, high-value customer with a discount reduce their purchases?
# 4. Of ten customers, three are still active when the follow-up ends, after 50, 120 and 400 days.
#    Why is "the share of the ten with a duration above 200 days" not the share still active after
#    200 days, and what does Kaplan-Meier do with the three?
# 5. Why does a T-learner fit two response models instead of using the churn model? What does a
#    negative predicted uplift mean for a customer?

# %% [markdown] tags=["quiz-answers"]
# ## Quiz answers
# 1. Because failures happen to orders. Customers who buy often place more orders, so they collect
#    more failures, and they leave less *because* they buy often (frailty). A customer must also stay
#    long enough to have a failure at all. The naive comparison mixes the effect of a failure with
#    purchase frequency and time; a hazard model with time-varying failure counts, which separates
#    buying from leaving (the latent-dropout model), compares customers at the same moment.
# 2. $1 / 0.7 \approx 1.43$. Even a perfect model cannot do better than a 100% churn rate in its
#    riskiest 10%, and lift is that rate divided by the base rate. A lift of 1.3 is therefore good
#    when 70% churn; always compare the lift with its ceiling $1/\text{base rate}$.
# 3. The offer costs money and may change nothing for a customer who would have bought anyway
#    (the discount only subsidises the purchase), and the contact itself can remind a satisfied
#    customer to compare prices, signal that the price was too high, or annoy them (sleeping dogs,
#    Ascarza 2018). On the data: look at the sleeping-dogs line of section 6; speak of a backfire
#    only if its interval lies below zero.
# 4. The three active customers' durations are censored: we only know that they stayed *at least*
#    50, 120 and 400 days. Counting the first two as "not above 200" treats them as churned; dropping
#    them throws away the days they were observed; both bias the estimate (usually down). Kaplan-Meier keeps a
#    censored customer in the risk set $n_j$ until the last observed day and then removes them
#    without a step, so the curve uses exactly what is known.
# 5. A churn model predicts the risk of leaving; targeting needs the *change* the offer causes,
#    $P(\text{respond} \mid \text{offer}, x) - P(\text{respond} \mid \text{no offer}, x)$. The two
#    terms are estimated from the two randomised arms, one model each, and subtracted. A negative
#    predicted uplift means the model expects the offer to lower this customer's response: a
#    candidate sleeping dog, not to be contacted, though single scores are noisy and the model is
#    judged on held-out customers.

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset. The visible checks
# catch common slips; they do not tell you the answer.
#
# **Exercise 1 (survival).** Section 2 draws one Kaplan-Meier curve per channel of the first order.
# What share of *all* customers (one curve, every channel together) is still active 365 days after
# the first order? Use the curve's value at the last step on or before day 365, and store it as a
# float in `s_365`.

# %% tags=["exercise"]
# answer: s_365 abs=0.001 points=2
### BEGIN SOLUTION
km_all = survival.kaplan_meier(sf)
s_365 = float(km_all.loc[km_all["time"] <= 365, "survival"].iloc[-1])
### END SOLUTION

# %%
assert isinstance(s_365, float) and 0 <= s_365 <= 1, T("hint.share", lang, name="s_365")
assert s_365 <= 1 - one_time + 1e-9, T("hint.km_start", lang)
early_censored = bool((~sf["churned"] & (sf["duration_days"] <= 365)).any())
assert not early_censored or abs(s_365 - float((sf["duration_days"] > 365).mean())) > 1e-9, T("hint.km_censoring", lang)
### BEGIN HIDDEN TESTS
_km = survival.kaplan_meier(sf)
assert abs(s_365 - _km.loc[_km["time"] <= 365, "survival"].iloc[-1]) < 1e-3
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2 (definition).** Every churn number depends on the window. Measure the churn rate with
# a 180-day window instead of the lesson's window: at the latest cut-off that still leaves 180 days
# of data before `as_of`, the share of the customers active before the cut-off who place no order
# in the following 180 days. Store it in `churn_rate_180`.

# %% tags=["exercise"]
# answer: churn_rate_180 abs=0.0001 points=1
### BEGIN SOLUTION
cutoff_180 = pd.Timestamp(as_of) - pd.Timedelta(days=180)
churn_rate_180 = float(churn.churn_labels(orders, cutoff=cutoff_180, window_days=180)["churned"].mean())
### END SOLUTION

# %%
assert 0 <= churn_rate_180 <= 1, T("hint.share", lang, name="churn_rate_180")
assert window == 180 or abs(churn_rate_180 - churn_rate) > 1e-12, T("hint.same_window", lang)
assert window == 180 or abs(churn_rate_180 - churn.churn_labels(orders, cutoff=cutoff_now, window_days=180)["churned"]
                            .mean()) > 1e-12, T("hint.cutoff_180", lang)
### BEGIN HIDDEN TESTS
_c = pd.Timestamp(as_of) - pd.Timedelta(days=180)
assert abs(churn_rate_180 - churn.churn_labels(orders, cutoff=_c, window_days=180)["churned"].mean()) < 1e-4
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 3 (prediction).** When most customers churn, the useful side of a churn model is often
# the customers it rates *safe*: offers sent to them are wasted. Among the quarter of the test
# customers (rounded to whole customers) with the lowest predicted churn risk, what share churned?
# Store it in `churn_rate_low25`.

# %% tags=["exercise"]
# answer: churn_rate_low25 abs=0.005 points=2
### BEGIN SOLUTION
safest = score.sort_values(kind="stable").index[: int(round(0.25 * len(score)))]
churn_rate_low25 = float(split.y_test.loc[safest].mean())
### END SOLUTION

# %%
assert isinstance(churn_rate_low25, float) and 0 <= churn_rate_low25 <= 1, T("hint.share", lang, name="churn_rate_low25")
assert abs(churn_rate_low25 - metrics.base_rate) > 1e-12, T("hint.all_test", lang)
assert metrics.auc < 0.6 or churn_rate_low25 < metrics.base_rate, T("hint.low_order", lang)
### BEGIN HIDDEN TESTS
_low = score.sort_values(kind="stable").index[: int(round(0.25 * len(score)))]
assert abs(churn_rate_low25 - split.y_test.loc[_low].mean()) < 0.005
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 4 (campaign).** Does the retention offer work for customers the retailer has already
# let down? Among the campaign customers with at least one service event (any type) before the
# send date, estimate the offer's effect on the response rate. Store it in `uplift_failed`
# (`float("nan")` if the data have no campaigns or no service events).

# %% tags=["exercise"]
# answer: uplift_failed abs=0.0001 points=2
### BEGIN SOLUTION
if effect is None or events is None:
    uplift_failed = float("nan")
else:
    before = events.loc[events["event_ts"] < camp["sent_date"].min(), "customer_id"]
    sub = camp[camp["customer_id"].isin(before)]
    uplift_failed = float(sub.loc[sub["treated"], "responded"].mean() - sub.loc[~sub["treated"], "responded"].mean())
### END SOLUTION

# %%
if effect is not None and events is not None:
    assert isinstance(uplift_failed, float) and not np.isnan(uplift_failed), T("hint.nan", lang, name="uplift_failed")
    assert -1 <= uplift_failed <= 1, T("hint.difference", lang)
    assert abs(uplift_failed - effect.ate) > 1e-12, T("hint.subgroup", lang)
    assert abs(uplift_failed - effect.rate_treated) > 1e-12, T("hint.control", lang)
### BEGIN HIDDEN TESTS
if effect is not None and events is not None:
    _ids = events.loc[events["event_ts"] < camp["sent_date"].min(), "customer_id"]
    _s = camp[camp["customer_id"].isin(_ids)]
    assert abs(uplift_failed - (_s.loc[_s["treated"], "responded"].mean() - _s.loc[~_s["treated"], "responded"].mean())) < 1e-4
else:
    assert np.isnan(uplift_failed)
### END HIDDEN TESTS

# %% [markdown]
# ## Written task
# **A retention memo to Suning Yigou's CRM manager (about one page).** The manager can send the
# retention offer to 30% of the online customers next quarter and asks whom to target. Write a memo
# that uses this notebook's results for your dataset and states the uncertainty of every number you
# rely on. Cover: (a) your recommendation - target by churn risk, by predicted uplift, at random, or
# not at all - and why; (b) what the campaign is expected to earn or cost, with its interval;
# (c) whom *not* to contact; (d) the service failure you would fix first, and the evidence for it;
# (e) what to test next.

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# **Model outline** (what a good memo covers; the numbers come from the student's own run).
# * Opens with a recommendation the manager can act on, and the rule behind it: uplift targeting
#   aims at customers whose behaviour the offer changes, risk targeting at customers who may leave
#   whatever we do; the choice follows the profit comparison of section 6, not habit.
# * Gives each number it relies on with its 95% interval (average effect of the offer, profit of the
#   chosen rule and its difference to the alternatives) and says "the data cannot tell" where an
#   interval includes zero - then recommends the cautious option (e.g. a smaller or random test)
#   rather than a confident one.
# * Explains what the profit assumes: a response valued at the customer's CLV assumes the offer
#   keeps the customer (an upper bound); one order's margin gives a lower bound; costs include
#   offers redeemed by customers who would have bought anyway.
# * Names whom not to contact (predicted sleeping dogs, if the held-out evidence supports it;
#   otherwise says that it does not) and why contacting everyone is not free.
# * Links retention to service: the failure with the largest hazard ratio (latent-dropout model)
#   with its interval, the caveat that churn is defined by an inactivity window, and that fixing a
#   failure keeps customers without paying for offers.
# * Proposes a next experiment (a holdout control group in the next campaign, a test of the offer
#   value, a larger sample for the subgroup effects) and how it would be judged.
# * Fits on one page, leads with the decision, uses round numbers and plain words.

# %% [markdown] tags=["rubric"]
# **Rubric (10 points)**
#
# | criterion | points |
# |---|---|
# | Clear recommendation (whom to target, with what share of the budget) justified by the profit comparison and the uplift-vs-risk logic | 3 |
# | Uncertainty: every number with its interval; no directional claim when the interval includes the null; cautious decision when evidence is weak | 3 |
# | Assumptions and caveats: value of a response (CLV vs one order), the churn window, held-out evaluation, sleeping dogs | 2 |
# | Service and next steps: the failure to fix first with its evidence; a concrete next experiment | 1 |
# | Communication: one page, decision first, readable by a manager | 1 |

# %% [markdown] tags=["take-home"]
# ## Take-home messages
# 1. Without contracts churn is a definition: an inactivity window read from the gaps between
#    orders. Every churn number depends on it, so report the window and check another one.
# 2. Kaplan-Meier keeps censored customers in the risk set until they leave observation; dropping
#    them or counting them as churned biases survival down.
# 3. Naive failure-vs-churn comparisons are confounded by purchase frequency (frailty); hazard ratios
#    need a model that follows each customer over time.
# 4. Validate churn models out of time and read the top-decile lift against its ceiling 1 / base rate.
# 5. Target retention offers by uplift, estimated from a randomised campaign (two models, difference
#    of predictions) and judged on held-out customers; decide on the profit *with* its interval.

# %% [markdown]
# ## Check against the truth (synthetic data only)
# Every claim whose true value the simulator knows, next to its estimate and interval. The true
# uplifts are each campaign customer's expected uplift given their hidden state; the true profit of
# a targeting rule uses the same customer values as the estimate and the expected offer cost.

# %%
claims_truth = {}
if data.truth is not None:
    t = data.truth
    rows = [(T("truth.churn_rate", lang), round(churn_rate, 3), t["churn"]["rate"], T("truth.definitions", lang))]
    true_hr = {**t["churn"]["hazard_ratios"], "resolved_complaint": 1.0}  # complaints count only when unresolved
    if hr is not None:
        for k, v in t["churn"]["hazard_ratios"].items():
            if k in hr.index:
                rows.append((T("truth.hr", lang, kind=name(k)), round(hr.loc[k, "hazard_ratio"], 2), v,
                             T("truth.cover", lang)))
                claims_truth[f"churn.hr.{k}"] = v
        if strongest is not None:  # the leader's lead over the runner-up, on the claim's (log) scale
            claims_truth["churn.strongest_failure"] = float(np.log(true_hr[strongest.detail["leader"]])
                                                            - np.log(true_hr[strongest.detail["runner_up"]]))
        claims_truth["churn.unresolved_vs_resolved"] = true_hr["unresolved_complaint"] / true_hr["resolved_complaint"]
    if effect is not None:
        rows.append((T("truth.ate", lang), round(effect.ate, 3), t["campaign"]["ate"], T("truth.cover", lang)))
        tc = data.truth_customers.set_index("customer_id")
        tau = tc["campaign_uplift"].reindex(ids.to_numpy())  # each campaign customer's true uplift
        display(columns(uplift.uplift_by_group(camp, tc["segment"])[["uplift", "ci_low", "ci_high"]].round(3)
                        .join(pd.Series(t["campaign"]["uplift_by_segment"], name="true_uplift")))
                .rename_axis(T("col.segment", lang)))
        claims_truth["churn.campaign_ate"] = t["campaign"]["ate"]
        q = risk_q.reindex(ids.to_numpy()).to_numpy()
        claims_truth["churn.uplift_risk_top_minus_bottom"] = float(tau[q == 1].mean() - tau[q == 5].mean())
        v = value_t.reindex(ids.to_numpy()).to_numpy()
        claims_truth["churn.uplift_value_high"] = float(tau[v == "high"].mean())
        claims_truth["churn.uplift_value_high_minus_low"] = float(tau[v == "high"].mean() - tau[v == "low"].mean())
        claims_truth["churn.sleeping_dogs"] = float(tau.reindex(low_ids).mean())
        claims_truth["churn.qini"] = uplift.oracle_qini_coefficient(uplift_score, tau)
        if "campaign_response_treated" in tc:  # the expected offer cost needs P(response | offer)
            sc = t["scenario"]
            p1 = tc["campaign_response_treated"].reindex(ids.to_numpy())
            true_profit = comparison.expected_profit(tau, sc["campaign_contact_cost"] + sc["campaign_offer_value"] * p1)
            claims_truth["churn.best_targeting"] = float(true_profit[best.detail["leader"]]
                                                         - true_profit[best.detail["runner_up"]])
            claims_truth["churn.profit_uplift_minus_risk"] = float(true_profit["uplift"] - true_profit["risk"])
            claims_truth["churn.profit_uplift_minus_random"] = float(true_profit["uplift"] - true_profit["random"])
    display(columns(truth_check(rows).rename_axis(T("col.quantity", lang))))
    check = pd.DataFrame([(c.id, c.estimate, c.ci[0], c.ci[1], claims_truth[c.id], c.supported) for c in claims
                          if c.id in claims_truth],
                         columns=["claim", "estimate", "ci_low", "ci_high", "truth", "supported"]).set_index("claim")
    check["covered"] = (check["ci_low"] <= check["truth"]) & (check["truth"] <= check["ci_high"])
    display(columns(check.astype({k: object for k in ("estimate", "ci_low", "ci_high", "truth")})
                    .map(lambda v: f"{v:.4g}" if isinstance(v, float) else v)).rename_axis(T("col.claim", lang)))
else:
    print(T("truth.none", lang))

# %%
results = {
    "window_days": window,
    "churn_rate": churn_rate,
    "auc": metrics.auc,
    "top_decile_lift": metrics.top_decile_lift,
    "base_rate": metrics.base_rate,
    "hazard_ratios": hr.loc[kinds, "hazard_ratio"].to_dict() if hr is not None else None,
    "hazard_ratio_ci": hr.loc[kinds, ["ci_low", "ci_high"]].to_dict(orient="index") if hr is not None else None,
    "campaign_ate": effect.ate if effect is not None else None,
    "campaign_ate_ci": [effect.ci_low, effect.ci_high] if effect is not None else None,
    "auc_p_alive": auc_palive,
    "qini_coefficient": qini.estimate if effect is not None else None,
    "targeting_profit": comparison.table["profit"].to_dict() if effect is not None else None,
    "claims": claims_json(claims),
}
if data.truth is not None:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print(T("results.written", lang), sorted(results))
