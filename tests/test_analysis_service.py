"""Service promises and complaint handling (crmlab.analysis.service) and the simulator's service truth.

Unit tests on hand-made tables, then truth recovery over several classroom-size seeds. Tolerances
(stated once, here):

* delivery / installation miss rates within 3 standard errors of the true expected rate (the mean
  of the planted per-order probabilities over the orders due) in every seed; the peak-season
  differences of both promises within 3 standard errors of their truth (and positive), the city-tier
  and channel differences within 3 standard errors of the composition-implied truth (no tier effect
  is planted by default, no channel effect ever);
* complaint after a failure (per customer): within 3 standard errors of ``complaint_given_failure``;
  resolved share and follow-up share within 3 standard errors of the planted probabilities;
* hazard ratios of complaint handling (latent-dropout model, 20,000 customers): the follow-up
  hazard ratio's geometric mean over the seeds within 25% of the truth, the unresolved/resolved
  ratio's within 30%, and every seed's interval of the follow-up hazard ratio covering the truth
  in at least 2 of 3 seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.analysis import service
from crmlab.domain import in_ac_peak


# ----------------------------------------------------------------------------- units
def _orders():
    return pd.DataFrame({"order_id": [f"o{i}" for i in range(8)],
                         "channel": ["web", "web", "app", "store", "store", "app", "web", "store"],
                         "home_delivery": [True, True, True, True, False, True, True, pd.NA],
                         "installation": [True, False, False, True, False, True, False, False]})


def _events():
    return pd.DataFrame({
        "event_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
        "customer_id": ["a", "a", "b", "c", "c", "d"],
        "order_id": ["o0", "o0", "o3", "o5", "o4", "o6"],
        "event_ts": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-02-01", "2024-03-01", "2024-01-05",
                                    "2024-04-01"]),
        "event_type": ["late_delivery", "complaint", "failed_installation", "complaint", "late_delivery",
                       "expired_coupon"],
        "resolved": pd.array([None, True, None, False, None, None], dtype="boolean"),
        "followed_up": pd.array([None, True, None, False, None, None], dtype="boolean"),
    })


def test_promise_compliance_counts_only_orders_the_promise_applies_to():
    t = service.promise_compliance(_orders(), _events())
    # o4 is late but had no home delivery: not counted; o7 (missing flag) is not due
    assert t.loc["all", "n_due"] == 6 and t.loc["all", "n_missed"] == 1
    assert t.loc["all", "ci_low"] < 1 / 6 < t.loc["all", "ci_high"]
    inst = service.promise_compliance(_orders(), _events(), promise="installation", by="channel")
    assert inst["n_due"].to_dict() == {"app": 1, "store": 1, "web": 1}
    assert inst.loc["store", "miss_rate"] == 1.0 and inst.loc["web", "compliance"] == 1.0


def test_promise_compliance_groups_by_a_series_and_rejects_unknown_promises():
    o = _orders()
    t = service.promise_compliance(o, _events(), by=pd.Series(np.where(o["channel"] == "store", "s", "o"), name="g"))
    assert t.index.name == "g" and t["n_due"].sum() == 6
    with pytest.raises(ValueError, match="promise"):
        service.promise_compliance(o, _events(), promise="pickup")


def test_rate_difference_matches_newcombe_and_its_sign():
    t = pd.DataFrame({"n_missed": [56, 48], "n_due": [70, 80]}, index=["a", "b"])
    e = service.rate_difference(t, "a", "b")
    assert (round(e.estimate, 4), round(e.ci_low, 4), round(e.ci_high, 4)) == (0.2, 0.0524, 0.3339)
    assert service.rate_difference(t, "b", "a").estimate == pytest.approx(-0.2)


def test_complaint_after_failure_per_customer_uses_the_first_failed_order():
    ev = _events()
    r = service.complaint_after_failure(ev)
    # a: first failure o0 (complained); b: o3 (no); c: first failure o4 (no - the complaint is about o5);
    # d: o6 (no)
    assert (r.n_failed, r.n_complained) == (4, 1)
    per_order = service.complaint_after_failure(ev, per="order")
    assert (per_order.n_failed, per_order.n_complained) == (4, 1)
    only_inst = service.complaint_after_failure(ev, per="order", kinds=["failed_installation"])
    assert (only_inst.n_failed, only_inst.n_complained) == (1, 0)
    with pytest.raises(ValueError, match="per"):
        service.complaint_after_failure(ev, per="store")


def test_complaint_outcomes_and_recovery_events():
    out = service.complaint_outcomes(_events())
    assert out.loc["resolved", ["n", "k"]].tolist() == [2, 1]
    assert out.loc["followed_up", ["n", "k"]].tolist() == [1, 1]
    rec = service.recovery_events(_events())
    assert (rec["event_type"] == "followup").sum() == 1 and rec["event_id"].is_unique
    assert rec.loc[rec["event_type"] == "followup", "resolved"].isna().all()
    no_col = _events().drop(columns="followed_up")
    assert service.recovery_events(no_col) is no_col
    assert np.isnan(service.complaint_outcomes(no_col).loc["followed_up", "share"])


# ----------------------------------------------------------------------------- truth recovery
SEEDS = [0, 1, 2]


def _true_rates(data):
    sv = data.truth["service"]
    o = data.orders
    tier = o["customer_id"].map(data.customers.set_index("customer_id")["city_tier"])
    low = tier.isin(sv["low_tiers"]).to_numpy()
    pk = in_ac_peak(o["order_ts"])
    p_late = sv["p_late_delivery"] * np.where(pk, sv["late_delivery_peak_rr"], 1) * np.where(
        low, sv["late_delivery_low_tier_rr"], 1)
    p_inst = sv["p_failed_installation"] * np.where(pk, sv["installation_peak_rr"], 1)
    return pd.Series(p_late, index=o.index), pd.Series(p_inst, index=o.index), pk, low


@pytest.fixture(scope="module")
def classroom():
    return {s: crmlab.make_retail_crm("classroom", seed=s) for s in SEEDS}


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_promise_rates_recover_the_planted_probabilities(classroom, seed):
    d = classroom[seed]
    o, ev = d.orders, d.service_events
    p_late, p_inst, pk, low = _true_rates(d)
    deliv = o["home_delivery"].fillna(False).to_numpy(bool)
    inst = o["installation"].fillna(False).to_numpy(bool)
    for promise, p, due in (("delivery", p_late, deliv), ("installation", p_inst, inst)):
        t = service.promise_compliance(o, ev, promise=promise).loc["all"]
        truth = p[due].mean()
        assert abs(t["miss_rate"] - truth) <= 3 * np.sqrt(truth * (1 - truth) / t["n_due"]), (t.to_dict(), truth)

    def check(groups, a, b, p, due):
        tab = service.promise_compliance(o, ev, promise="delivery" if p is p_late else "installation", by=groups)
        est = service.rate_difference(tab, a, b)
        g = np.asarray(groups)
        truth = p[due & (g == a)].mean() - p[due & (g == b)].mean()
        se = (est.ci_high - est.ci_low) / (2 * 1.96)
        assert abs(est.estimate - truth) <= 3 * se, (a, b, est, truth)
        return truth

    season = pd.Series(np.where(pk, "peak", "rest"), index=o.index)
    assert check(season, "peak", "rest", p_late, deliv) > 0
    assert check(season, "peak", "rest", p_inst, inst) > 0
    tier_truth = check(pd.Series(np.where(low, "low", "high"), index=o.index), "low", "high", p_late, deliv)
    if d.truth["service"]["late_delivery_low_tier_rr"] > 1:
        assert tier_truth > 0
    else:
        assert abs(tier_truth) < 0.01  # no planted tier effect (the default)
    channel = pd.Series(np.where(o["channel"] == "store", "store", "online"), index=o.index)
    assert abs(check(channel, "store", "online", p_late, deliv)) < 0.01  # no planted channel effect


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_complaint_shares_recover_the_planted_probabilities(classroom, seed):
    d = classroom[seed]
    sv = d.truth["service"]
    r = service.complaint_after_failure(d.service_events)
    se = np.sqrt(r.estimate * (1 - r.estimate) / r.n_failed)
    assert abs(r.estimate - sv["complaint_given_failure"]) <= 3 * se, r
    assert r.ci_low <= sv["complaint_given_failure"] <= r.ci_high or abs(r.estimate - 0.5) < 3 * se
    out = service.complaint_outcomes(d.service_events)
    for step, truth in (("resolved", sv["complaint_resolved"]), ("followed_up", sv["p_followup_given_resolved"])):
        p, n = out.loc[step, "share"], out.loc[step, "n"]
        assert abs(p - truth) <= 3 * np.sqrt(truth * (1 - truth) / n), (step, p, truth)


@pytest.mark.slow
def test_recovery_hazard_ratios_recover_the_planted_effects():
    fits = {s: service.recovery_hazard_ratios(*(lambda d: (d.orders, d.service_events))(
        crmlab.make_retail_crm("classroom", seed=s, n_customers=20_000)), as_of="2025-12-31") for s in SEEDS}
    truth = crmlab.make_retail_crm("tiny", seed=0).truth["service"]
    fu = pd.DataFrame({s: f.hazard_ratios.loc["followup"] for s, f in fits.items()}).T
    ratio = [f.ratio("unresolved_complaint", "resolved_complaint") for f in fits.values()]
    gm_fu = float(np.exp(np.log(fu["hazard_ratio"]).mean()))
    gm_ratio = float(np.exp(np.mean([np.log(r.estimate) for r in ratio])))
    assert abs(gm_fu / truth["hr_followup"] - 1) < 0.25, fu
    assert abs(gm_ratio / (truth["hr_unresolved_complaint"] / truth["hr_resolved_complaint"]) - 1) < 0.30, ratio
    covered = ((fu["ci_low"] <= truth["hr_followup"]) & (truth["hr_followup"] <= fu["ci_high"])).sum()
    assert covered >= 2, fu


def test_truth_records_the_service_parameters():
    t = crmlab.make_retail_crm("tiny", seed=1).truth["service"]
    sc = crmlab.make_retail_crm("tiny", seed=1).scenario
    assert t["complaint_given_failure"] == sc.complaint_given_failure
    assert t["hr_followup"] == sc.hr_followup and t["installation_peak_rr"] == sc.installation_peak_rr
    assert t["ac_peak_season"] == ["07-01", "07-15"]
