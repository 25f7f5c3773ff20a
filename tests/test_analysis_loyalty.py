"""Loyalty-programme evaluation (crmlab.analysis.loyalty).

Unit tests use small hand-built inputs with known answers; the truth-recovery
tests (``slow``) compare estimates with the planted truth on the classroom
preset (5,000 customers) and on 20,000 customers, seeds 0..2.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.analysis.loyalty import (
    Breakage,
    Bunching,
    DidEffect,
    NaiveComparison,
    PretrendTest,
    bunching_estimate,
    did_effect,
    did_event_study,
    effect_by_segment,
    monthly_panel,
    naive_member_effect,
    points_breakage,
    pretrend_test,
    propensity_matching,
    tier_threshold_view,
)

AS_OF = "2025-12-31"


# ============================================================================ synthetic panels
def _panel(n=2000, T=18, effect=0.3, enrol_share=0.5, selection=0.0, seed=0, effect_months=None,
           trend_member=0.0):
    """A Poisson panel with customer levels, calendar effects and staggered enrolment.

    ``selection`` makes heavier customers more likely to enrol (so a naive
    comparison is biased); ``effect_months`` limits the effect to those
    months since enrolment; ``trend_member`` gives future members a log-linear
    trend per year that non-members lack (a parallel-trends violation).
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(2.0, 0.25, n)
    p_enrol = enrol_share * np.exp(selection * np.log(lam / lam.mean()))
    member = rng.random(n) < np.clip(p_enrol, 0, 1)
    enrol = np.where(member, rng.integers(4, T - 4, n), np.nan)
    cid = np.repeat(np.arange(n), T)
    t = np.tile(np.arange(T), n)
    rel = t - enrol[cid]
    season = 1 + 0.4 * np.sin(np.arange(T) / 2.0)
    on = rel >= 0 if effect_months is None else np.isin(rel, list(effect_months))
    rate = lam[cid] * season[t] * (1 + effect * on) * np.exp(trend_member * member[cid] * t / 12)
    months = pd.date_range("2024-01-01", periods=T, freq="MS")
    return pd.DataFrame({
        "customer_id": [f"C{i:05d}" for i in cid],
        "month": months[t],
        "orders": rng.poisson(rate),
        "months_since_enrol": rel,
        "member": member[cid],
        "first_month": pd.Timestamp("2023-12-01"),
        "kind": (np.arange(n) % 2)[cid],
    })


# ============================================================================ monthly_panel
@pytest.fixture()
def small_tables():
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
        "customer_id": ["A", "A", "A", "B", "B", "A"],
        "order_ts": pd.to_datetime(["2024-01-10", "2024-02-03", "2024-02-20", "2024-01-31", "2024-03-05",
                                    "2024-04-02"]),
        "status": ["completed", "completed", "cancelled", "completed", "returned", "completed"],
        "order_value": [100.0, 50.0, 70.0, 10.0, 20.0, 999.0],
    })
    customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "city": ["x", "x", "y"], "city_tier": [1, 1, 4],
                              "birth_year": [1990, 1960, 1980]})
    loyalty = pd.DataFrame({"customer_id": ["A"], "enrol_date": pd.to_datetime(["2024-03-15"]),
                            "city_launch_date": pd.to_datetime(["2024-02-01"])})
    return orders, customers, loyalty


def test_monthly_panel_counts_and_event_time(small_tables):
    orders, customers, loyalty = small_tables
    p = monthly_panel(orders, customers, loyalty, as_of="2024-03-31")
    # the first-order month is left out; April is after as_of; C never ordered
    assert p["customer_id"].tolist() == ["A", "A", "B", "B"]
    assert p["month"].dt.strftime("%Y-%m").tolist() == ["2024-02", "2024-03", "2024-02", "2024-03"]
    # only counted (completed) orders: A's cancelled o3 and B's returned o5 do not count
    assert p["orders"].tolist() == [1, 0, 0, 0]
    assert p["spend"].tolist() == [50.0, 0.0, 0.0, 0.0]
    assert p["months_since_enrol"].tolist()[:2] == [-1.0, 0.0]
    assert p["months_since_enrol"].iloc[2:].isna().all()
    assert p["member"].tolist() == [True, True, False, False]
    # launch month comes from the member's city and applies to B (same city)
    assert (p["launch_month"] == pd.Timestamp("2024-02-01")).all()
    assert p["age_band"].tolist() == ["<35", "<35", "45+", "45+"]
    assert p["profile"].str.count(r"\|").eq(2).all()


def test_monthly_panel_statuses_decide_which_orders_count(small_tables):
    orders, customers, loyalty = small_tables
    every = monthly_panel(orders, customers, loyalty, as_of="2024-03-31", statuses=None)
    assert every["orders"].tolist() == [2, 0, 0, 1]
    assert every["spend"].tolist() == [120.0, 0.0, 0.0, 20.0]
    kept = monthly_panel(orders, customers, loyalty, as_of="2024-03-31", statuses=("completed", "returned"))
    assert kept["orders"].tolist() == [1, 0, 0, 1]
    # the first counted order starts the panel: with cancelled orders only, A's first order is in February
    cancelled = monthly_panel(orders, customers, loyalty, as_of="2024-03-31", statuses=("cancelled",))
    assert cancelled["customer_id"].tolist() == ["A"] and cancelled["month"].tolist() == [pd.Timestamp("2024-03-01")]
    # a table without status (some real extracts) counts every order
    assert monthly_panel(orders.drop(columns="status"), customers, loyalty,
                         as_of="2024-03-31")["orders"].tolist() == [2, 0, 0, 1]


def test_monthly_panel_partial_last_month_is_dropped(small_tables):
    orders, customers, loyalty = small_tables
    p = monthly_panel(orders, customers, loyalty, as_of="2024-03-30")
    assert p["month"].max() == pd.Timestamp("2024-02-01")


def test_monthly_panel_errors(small_tables):
    orders, customers, loyalty = small_tables
    with pytest.raises(ValueError, match="orders is missing column.*order_ts"):
        monthly_panel(orders.drop(columns="order_ts"), customers, loyalty, as_of=AS_OF)
    with pytest.raises(ValueError, match="loyalty is missing column.*enrol_date"):
        monthly_panel(orders, customers, loyalty.drop(columns="enrol_date"), as_of=AS_OF)
    with pytest.raises(ValueError, match="no counted rows on or before as_of"):
        monthly_panel(orders, customers, loyalty, as_of="2023-01-01")
    with pytest.raises(ValueError, match="as_of is required"):
        monthly_panel(orders, customers, loyalty, as_of=None)
    with pytest.raises(ValueError, match="orders.order_ts: 1 value"):
        monthly_panel(orders.assign(order_ts=orders["order_ts"].astype(str).replace("2024-01-10", "soon")),
                      customers, loyalty, as_of=AS_OF)


# ============================================================================ naive
def test_naive_member_effect_known_answer():
    p = pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "B", "B"],
        "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 2),
        "orders": [5, 2, 4, 9, 1, 2],
        "spend": [0.0, 20.0, 40.0, 90.0, 10.0, 10.0],
        "months_since_enrol": [-1.0, 0.0, 1.0, np.nan, np.nan, np.nan],
        "launch_month": pd.to_datetime(["2024-02-01"] * 6),
    })
    res = naive_member_effect(p)
    # members: months 0, 1 -> 3 orders/month; non-members after launch: 1.5
    assert res.member_rate == 3.0 and res.nonmember_rate == 1.5
    assert res.rate_lift == pytest.approx(1.0)
    assert res.spend_lift == pytest.approx(30.0 / 10.0 - 1)
    with pytest.raises(ValueError, match="member months"):
        naive_member_effect(p.assign(months_since_enrol=np.nan))


# ============================================================================ DiD
def test_did_effect_hand_computed_imputation():
    # two never-members fix the month pattern 1:2:1; the member's month-0 orders (3) give its level
    p = pd.DataFrame({
        "customer_id": list("AAABBBMMM"),
        "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 3),
        "orders": [1, 2, 1, 2, 4, 2, 3, 8, 4],
        "months_since_enrol": [np.nan] * 6 + [-1.0, 0.0, 1.0],
    })
    res = did_effect(p, months=(0, 1))
    # imputed untreated orders: 3 * 2 = 6 and 3 * 1 = 3; observed 8 + 4 = 12
    assert res.imputed == pytest.approx(9.0)
    assert res.observed == 12.0
    assert res.effect == pytest.approx(12 / 9 - 1)
    assert res.n_members == 1 and res.n_control_customers == 2


@pytest.mark.parametrize("effect", [0.0, 0.3])
def test_did_effect_recovers_a_known_lift_despite_selection(effect):
    p = _panel(n=3000, effect=effect, selection=1.5, seed=3)
    res = did_effect(p, months=(0, 5), lapse=False)  # nobody lapses in this world: the plain model
    naive = naive_member_effect(p)
    assert res.ci_low < effect < res.ci_high, res
    assert res.ci_high - res.ci_low < 0.15
    # selection makes the naive comparison far larger than the true lift
    assert naive.rate_lift > effect + 0.5


def test_did_effect_strata_trends_fix_a_known_trend_violation():
    # stratum "kind" 1 grows by 30 %/year and holds most members; stratum 0 is flat
    rng = np.random.default_rng(5)
    p = _panel(n=4000, effect=0.2, enrol_share=0.0, seed=5)
    kind = p.groupby("customer_id")["kind"].first()
    member = pd.Series(rng.random(len(kind)) < np.where(kind == 1, 0.7, 0.1), index=kind.index)
    enrol = pd.Series(np.where(member, rng.integers(6, 12, len(kind)), np.nan), index=kind.index)
    t = (p["month"].dt.year * 12 + p["month"].dt.month - 24289).to_numpy()
    rel = t - p["customer_id"].map(enrol).to_numpy()
    lam = p["customer_id"].map(pd.Series(rng.gamma(2.0, 0.25, len(kind)), index=kind.index)).to_numpy()
    rate = lam * np.exp(0.3 * p["kind"].to_numpy() * t / 12) * (1 + 0.2 * (rel >= 0))
    p = p.assign(orders=rng.poisson(rate), months_since_enrol=rel, member=np.isfinite(rel))
    # lapse=False: a differential trend that is not a lapse (the lapse slope would take it for one)
    plain = did_effect(p, months=(0, 5), lapse=False)
    fixed = did_effect(p, months=(0, 5), strata="kind", lapse=False)
    assert plain.ci_low > 0.2, plain  # biased upward: members sit in the growing stratum
    assert fixed.ci_low < 0.2 < fixed.ci_high, fixed


def _survivor_panel(n=4000, T=30, effect=0.2, hazard=0.6, seed=1):
    """A world in which customers lapse unseen and enrol only while active.

    Customers buy at ``rate * season`` until a lifetime ~ Exp(``hazard`` per
    year) after their first order ends, heavier buyers are likelier to enrol,
    and an enrolment drawn after the lifetime has ended does not happen. The
    programme multiplies orders by ``1 + effect`` while the member is active,
    so the lift over members' active months is exactly ``effect``.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(2.0, 0.4, n)
    first = rng.integers(0, 8, n)
    death = first + 0.5 + rng.exponential(12 / hazard, n)  # months
    enrol = first + 2 + np.floor(rng.exponential(1.5, n)).astype(int) + rng.integers(0, 10, n)
    member = (rng.random(n) < 0.5 * np.clip(lam / lam.mean(), 0, 2)) & (enrol < death) & (enrol < T)
    enrol = np.where(member, enrol, np.nan)
    k = T - first - 1
    cid = np.repeat(np.arange(n), k)
    t = np.repeat(first + 1, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
    rel = t - enrol[cid]
    alive = np.clip(death[cid] - t, 0, 1)  # share of the month before the lifetime ends
    rate = lam[cid] * (1 + 0.3 * np.sin(t / 2.0)) * alive * (1 + effect * (rel >= 0))
    months = pd.date_range("2023-01-01", periods=T, freq="MS")
    return pd.DataFrame({"customer_id": cid, "month": months[t], "orders": rng.poisson(rate),
                         "months_since_enrol": rel, "first_month": months[first[cid]]})


def test_did_effect_lapse_slope_removes_the_survivor_bias():
    # members are active by construction before they enrol, the others lapse unseen: without the
    # lapse slope the untreated trend falls too steeply and the lift is overstated several times
    p = _survivor_panel()
    plain = did_effect(p, months=(1, 5), lapse=False)
    fixed = did_effect(p, months=(1, 5))  # first_month in the panel: lapse slope on by default
    assert plain.ci_low > 0.2 + 0.15, plain
    assert fixed.ci_low < 0.2 < fixed.ci_high, fixed
    assert abs(fixed.effect - 0.2) < abs(plain.effect - 0.2) / 4
    with pytest.raises(ValueError, match="first_month"):
        did_effect(p.drop(columns="first_month"), months=(1, 5), lapse=True)


def test_did_effect_bootstrap_agrees_with_analytic_se():
    p = _panel(n=800, effect=0.3, seed=7)
    a = did_effect(p, months=(0, 5))
    b = did_effect(p, months=(0, 5), method="bootstrap", n_boot=60, random_state=1)
    assert b.effect == a.effect
    assert 0.7 < b.se_log / a.se_log < 1.4, (a.se_log, b.se_log)
    again = did_effect(p, months=(0, 5), method="bootstrap", n_boot=60, random_state=1)
    assert again.se_log == b.se_log  # deterministic given random_state


def test_did_effect_errors():
    p = _panel(n=200, seed=1)
    with pytest.raises(ValueError, match="months must be"):
        did_effect(p, months=(5, 1))
    with pytest.raises(ValueError, match="panel is missing column.*months_since_enrol"):
        did_effect(p.drop(columns="months_since_enrol"))
    with pytest.raises(ValueError, match="no member months"):
        did_effect(p, months=(40, 50))
    with pytest.raises(ValueError, match="method"):
        did_effect(p, method="magic")
    with pytest.raises(ValueError, match="panel is empty"):
        did_effect(p.iloc[:0])


def test_event_study_shape_of_a_fading_effect():
    p = _panel(n=4000, T=20, effect=0.5, effect_months=range(0, 3), seed=11)
    es = did_event_study(p, window=(-4, 5)).set_index("event_time")
    assert es.index.tolist() == list(range(-4, 6))
    assert es.loc[-1, "estimate"] == "reference" and es.loc[-1, "effect"] == 0
    pre = es.loc[-4:-2]
    assert (pre["ci_low"] < 0).all() and (pre["ci_high"] > 0).all(), pre
    assert (es.loc[0:2, "ci_low"] > 0.3).all(), es
    assert (es.loc[3:5, "effect"].abs() < 0.12).all(), es


def test_event_study_detects_a_pretrend():
    # future members grow 40 %/year before (and after) enrolment: the pre-trend test must show it
    p = _panel(n=4000, T=20, effect=0.0, trend_member=0.4, seed=13)
    es = did_event_study(p, window=(-6, 0)).set_index("event_time")
    assert es.loc[-6, "ci_high"] < 0, es  # six months earlier members bought clearly less
    assert pretrend_test(p, n_pre=6).p_value < 1e-3
    assert pretrend_test(_panel(n=4000, T=20, effect=0.3, seed=13), n_pre=6).p_value > 0.01
    with pytest.raises(ValueError, match="n_pre"):
        pretrend_test(p, n_pre=1)


def test_cluster_option_groups_the_influence_function():
    p = _panel(n=1500, effect=0.3, seed=31)
    # 30 "cities" of 50 customers
    p["city"] = p["customer_id"].str[1:].astype(int) // 50
    base = did_effect(p, months=(0, 5))
    by_city = did_effect(p, months=(0, 5), cluster="city")
    assert by_city.effect == base.effect
    assert by_city.se_log != base.se_log and 0.5 < by_city.se_log / base.se_log < 2
    with pytest.raises(ValueError, match="panel is missing column.*town"):
        did_effect(p, cluster="town")


def test_effect_by_segment_by_column_and_no_regression_to_the_mean():
    p = _panel(n=3000, T=16, effect=0.0, seed=17)
    res = effect_by_segment(p, months=(0, 5))
    assert res["group"].astype(str).tolist() == ["light", "moderate", "heavy"]
    assert res["pre_rate"].is_monotonic_increasing
    # no effect anywhere: classifying on separate months keeps every group near 0
    assert ((res["ci_low"] < 0) & (res["ci_high"] > 0)).all(), res
    # heterogeneous effects by a pre-treatment attribute are recovered
    by = effect_by_segment(_heterogeneous_panel(), by="kind", months=(0, 5)).set_index("group")
    assert by.loc[0, "ci_low"] < 0 < by.loc[0, "ci_high"]
    assert by.loc[1, "ci_low"] < 0.6 < by.loc[1, "ci_high"]


def _heterogeneous_panel():
    rng = np.random.default_rng(23)
    p = _panel(n=3000, T=16, effect=0.0, seed=23)
    lift = np.where((p["kind"] == 1) & (p["months_since_enrol"] >= 0), 1.6, 1.0)
    lam = p.groupby("customer_id")["orders"].transform("mean").to_numpy() + 0.05
    return p.assign(orders=rng.poisson(lam * lift))


def test_effect_by_segment_errors():
    p = _panel(n=300, seed=2)
    with pytest.raises(ValueError, match="panel is missing column.*nope"):
        effect_by_segment(p, by="nope")
    with pytest.raises(ValueError, match="n_groups"):
        effect_by_segment(p, n_groups=1)


# ============================================================================ matching
def test_propensity_matching_balances_and_shrinks_the_bias():
    p = _panel(n=4000, T=16, effect=0.2, selection=2.0, seed=29)
    res = propensity_matching(p, months=(1, 5), pre_months=3)
    bal = res.balance.set_index("feature")
    assert (bal["smd_after"].abs() < 0.1).all(), bal
    assert bal.loc["pre_orders", "smd_before"] > 0.3
    assert res.n_matched >= 0.9 * res.n_members
    # closer to the truth than the unmatched comparison, but selection on the latent rate remains
    assert 0.2 < res.effect < res.unmatched_effect, res


def test_propensity_matching_errors():
    p = _panel(n=300, seed=2)
    with pytest.raises(ValueError, match="first_month"):
        propensity_matching(p.drop(columns="first_month"))
    with pytest.raises(ValueError, match="no cohort"):
        propensity_matching(p, pre_months=40)


# ============================================================================ bunching
def _spend(moved_share, seed=0, n=20000):
    rng = np.random.default_rng(seed)
    spend = rng.exponential(12000, n)
    moved = (spend > 16000) & (spend < 20000) & (rng.random(n) < moved_share)
    spend[moved] = 20000 + rng.uniform(0, 900, moved.sum())
    return pd.DataFrame({"qualifying_spend": spend}), int(moved.sum())


def test_bunching_estimate_recovers_moved_mass():
    loyalty, moved = _spend(0.4)
    res = bunching_estimate(loyalty, 20000)
    assert abs(res.excess - moved) < 3 * res.excess_se, (res, moved)
    assert res.excess > 3 * res.excess_se
    assert abs(res.missing - moved) < 0.5 * moved
    assert res.density_ratio > 2 and res.p_value < 1e-6


def test_bunching_estimate_without_manipulation_is_null():
    loyalty, _ = _spend(0.0, seed=1)
    res = bunching_estimate(loyalty, 20000)
    assert abs(res.excess) < 2.5 * res.excess_se, res
    assert res.p_value > 0.01


def test_tier_threshold_view_layout_and_errors():
    loyalty, _ = _spend(0.3, seed=2, n=2000)
    v = tier_threshold_view(loyalty, 20000, bin_width=1000)
    assert 20000 in v["bin_left"].tolist()
    assert (v["bin_right"] - v["bin_left"] == 1000).all()
    assert v.loc[v["bin_left"] == 20000, "above"].item() and v.loc[v["bin_left"] == 20000, "excluded"].item()
    assert np.allclose(v["excess"], v["count"] - v["counterfactual"])
    with pytest.raises(ValueError, match="qualifying_spend"):
        tier_threshold_view(loyalty.rename(columns={"qualifying_spend": "x"}), 20000)
    with pytest.raises(ValueError, match="excluded"):
        tier_threshold_view(loyalty, 20000, excluded=(1.1, 1.2))


# ============================================================================ points
def _ledger():
    # lots: o1 100 pts expired; o2 300 pts redeemed after 30 days; o3 400 pts open since 2025-06-01;
    # o4 200 pts earned 2025-03-01, redeemed after 120 days
    return pd.DataFrame({
        "customer_id": ["A", "A", "B", "B", "C", "D", "D"],
        "ts": pd.to_datetime(["2024-01-01", "2024-12-31", "2024-02-01", "2024-03-02", "2025-06-01",
                              "2025-03-01", "2025-06-29"]),
        "kind": ["earn", "expire", "earn", "redeem", "earn", "earn", "redeem"],
        "points": [100, -100, 300, -300, 400, 200, -200],
        "order_id": ["o1", "o1", "o2", "o2", "o3", "o4", "o4"],
    })


def test_points_breakage_settled_and_survival_known_answers():
    led = _ledger()
    settled = points_breakage(led, as_of=AS_OF, method="settled")
    assert settled.breakage == pytest.approx(100 / 400)
    assert settled.n_settled_lots == 2 and settled.n_lots == 4
    assert settled.liability_points == 400
    assert settled.face_value_yuan == 4.0 and settled.liability_yuan == 3.0
    surv = points_breakage(led, as_of=AS_OF)
    # Kaplan-Meier with points as weights: at day 30 all 1000 points at risk, 300 redeemed;
    # at day 120 the 700 points of o1, o3, o4 are at risk, 200 redeemed; o3 (age 213) and o1 survive
    assert surv.breakage == pytest.approx((1 - 300 / 1000) * (1 - 200 / 700))
    assert surv.breakage_settled == pytest.approx(0.25)


def test_points_breakage_without_order_ids_uses_timing():
    led = _ledger().drop(columns="order_id")
    assert points_breakage(led, as_of=AS_OF, method="settled").breakage == pytest.approx(0.25)
    with pytest.raises(ValueError, match="order_id"):
        points_breakage(led, as_of=AS_OF)


def test_points_breakage_errors():
    led = _ledger()
    with pytest.raises(ValueError, match="points_ledger is missing column.*kind"):
        points_breakage(led.drop(columns="kind"), as_of=AS_OF)
    with pytest.raises(ValueError, match="breakage is unknown"):
        points_breakage(led, as_of="2024-06-30", method="settled")
    with pytest.raises(ValueError, match="no 'earn'"):
        points_breakage(led[led["kind"] != "earn"], as_of=AS_OF)


# ============================================================================ truth recovery
# datasets and panels per (size, seed): the session fixture loyalty_worlds (tests/conftest.py)
CASES = [(size, seed) for size in ("classroom", "n20000") for seed in (0, 1, 2)]


def _z(res: dict, truth: float) -> float:
    """Standardised error of a ratio effect on the log scale."""
    return (np.log1p(res.effect) - np.log1p(truth)) / res.se_log


# Members enrol only while they are alive (active), so the enrolment-based DiD overstates the planted
# att (immortal time before enrolment: members' pre-enrolment months cannot contain their lapse, the
# never-members' months can). Recovery of the programme's effect is tested through the city-launch
# design and the other estimands in tests/test_loyalty_design.py; here the DiD's precision and its
# distance from the naive comparison.
@pytest.mark.slow
@pytest.mark.parametrize("size,seed", CASES)
def test_did_is_precise_and_naive_is_far_bigger(loyalty_worlds, size, seed):
    d, p = loyalty_worlds(size, seed)
    att = d.truth["loyalty"]["att"]
    res = did_effect(p, strata="profile")
    naive = naive_member_effect(p)
    msg = (f"{size} seed {seed}: truth att {att:.3f}, DiD {res.effect:.3f} "
           f"[{res.ci_low:.3f}, {res.ci_high:.3f}], z {_z(res, att):.2f}, naive {naive.rate_lift:.3f}")
    # the naive member/non-member gap is at least twice the largest plausible causal lift
    assert naive.rate_lift >= 2 * max(res.ci_high, att), msg
    # precision: the 95 % interval is narrower than +-0.3 (classroom) / +-0.12 (20,000 customers)
    # precision on the log scale (the interval is symmetric there; on the ratio scale its width grows with the
    # estimate, which the enrolment DiD overstates - see tests/test_loyalty_design.py)
    assert res.ci_high - res.ci_low < 0.6 if size == "classroom" else res.se_log < 0.05, msg


@pytest.mark.slow
@pytest.mark.parametrize("size,seed", CASES)
def test_event_study_pretrend_coefficients_match_the_test(loyalty_worlds, size, seed):
    d, p = loyalty_worlds(size, seed)
    test = pretrend_test(p, strata="profile")
    es = did_event_study(p, strata="profile", window=(-6, 9))
    pre = es[es["estimate"] == "pre-trend test"].set_index("event_time")["effect"]
    msg = f"{size} seed {seed}: chi2 {test.chi2:.2f} (df {test.df}), p {test.p_value:.3f}, {pre.round(3).tolist()}"
    assert 0 <= test.p_value <= 1 and test.df == 5, msg
    assert np.allclose(pre.to_numpy(), test.coefficients.to_numpy()), msg
    if size == "n20000":  # se of the month 1..5 average ~0.045 there (~0.09 in the classroom)
        post = es[es["event_time"].between(1, 5)]["effect"]
        assert post.mean() > 0, f"{size} seed {seed}: months 1..5 {post.round(3).tolist()}"


@pytest.mark.slow
@pytest.mark.parametrize("size,seed", CASES)
def test_matching_removes_part_of_the_selection_bias(loyalty_worlds, size, seed):
    d, p = loyalty_worlds(size, seed)
    psm = propensity_matching(p)
    did = did_effect(p, strata="profile")
    naive = naive_member_effect(p).rate_lift
    msg = f"{size} seed {seed}: DiD {did.effect:.3f} (hi {did.ci_high:.3f}), matching {psm.effect:.3f}, naive {naive:.3f}"
    assert did.ci_high < psm.effect < naive, msg
    assert (psm.balance["smd_after"].abs() < 0.15).all(), psm.balance


@pytest.mark.slow
@pytest.mark.parametrize("size,seed", [c for c in CASES if c[0] == "n20000"])
def test_effect_by_buyer_type_and_its_heterogeneity_test_agree(loyalty_worlds, size, seed):
    from crmlab.analysis.loyalty import effect_heterogeneity

    d, p = loyalty_worlds(size, seed)
    res = effect_by_segment(p, strata="profile").set_index("group")
    test = effect_heterogeneity(p, strata="profile")
    assert test.estimate == pytest.approx(res.loc["light", "effect"] - res.loc["heavy", "effect"])
    assert test.ci_low < test.estimate < test.ci_high and test.df == 2
    # the planted lifts differ between segments (0 to 0.4), so light and heavy buyers differ in truth;
    # with the enrolment-based design's bias the test is not asked to find it


@pytest.mark.slow
@pytest.mark.parametrize("size,seed", CASES)
def test_breakage_recovered(loyalty_worlds, size, seed):
    d, _ = loyalty_worlds(size, seed)
    res = points_breakage(d.points_ledger, as_of=AS_OF)
    truth = d.truth["loyalty"]["breakage"]
    # sampling sd of the estimate is about 0.024 (5,000 customers) and 0.013 (20,000): about 2 sd
    tol = 0.05 if size == "classroom" else 0.03
    assert abs(res.breakage - truth) < tol, f"{size} seed {seed}: breakage {res.breakage:.3f}, truth {truth:.3f}"


@pytest.mark.slow
@pytest.mark.parametrize("size,seed", CASES)
def test_bunching_at_the_gold_threshold_and_not_elsewhere(loyalty_worlds, size, seed):
    d, _ = loyalty_worlds(size, seed)
    thr = d.truth["loyalty"]["tier_threshold"]
    res = bunching_estimate(d.loyalty, thr)
    msg = f"{size} seed {seed}: excess {res.excess:.1f} (se {res.excess_se:.1f})"
    true_excess = d.truth["loyalty"]["bunching_excess"]
    assert abs(res.excess - true_excess) < 3 * res.excess_se, f"{msg}, truth {true_excess:.1f}"
    if size == "n20000":  # at 5,000 customers only a few dozen members top up: the excess is within noise
        assert res.density_ratio > 1, msg  # the first bin above the threshold is fuller than the last below
        assert res.excess > 2 * res.excess_se, msg
        placebo = bunching_estimate(d.loyalty, 2 * thr, window=(0.6, 1.6))
        assert abs(placebo.excess) < 2.5 * placebo.excess_se, f"placebo at {2 * thr:.0f}: {placebo}"


# ============================================================================ points: statsmodels Kaplan-Meier
def _reference_breakage(ledger: pd.DataFrame, as_of: str, expiry_days: int = 365) -> float:
    """The hand-rolled points-weighted Kaplan-Meier that ``points_breakage`` used before statsmodels."""
    cutoff = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    led = ledger[pd.to_datetime(ledger["ts"]) < cutoff]
    led = led.assign(points=pd.to_numeric(led["points"], errors="coerce").fillna(0))
    earn = led[led["kind"] == "earn"]
    close = led[led["kind"].isin(["redeem", "expire"])].groupby(["customer_id", "order_id"], sort=False).agg(
        close_ts=("ts", "min"), close_kind=("kind", "first"))
    lots = earn.join(close, on=["customer_id", "order_id"])
    age_days = lambda a, b: (a - b) / pd.Timedelta(days=1)  # noqa: E731
    redeemed = (lots["close_kind"] == "redeem").to_numpy()
    t = np.where(redeemed, age_days(lots["close_ts"], lots["ts"]).to_numpy(float),
                 np.minimum(age_days(cutoff, lots["ts"]).to_numpy(float), float(expiry_days)))
    w = lots["points"].to_numpy(float)
    order = np.argsort(t, kind="stable")
    t, w, ev = t[order], w[order], redeemed[order]
    at_risk = np.cumsum(w[::-1])[::-1]
    times, first = np.unique(t, return_index=True)
    red = np.bincount(np.searchsorted(times, t[ev]), weights=w[ev], minlength=len(times))
    risk = at_risk[first]
    keep = (times < expiry_days) & (red > 0)
    return float(np.prod(1 - red[keep] / risk[keep]))


@pytest.fixture(scope="module")
def ledgers():
    from crmlab.io import load_dataset

    return {"tiny": crmlab.make_retail_crm("tiny", seed=1).points_ledger,
            "classroom": load_dataset("classroom").points_ledger}


@pytest.mark.parametrize("name,as_of,expiry_days", [
    ("tiny", "2025-06-30", 365), ("tiny", "2025-01-31", 365), ("tiny", "2025-06-30", 90),
    ("classroom", AS_OF, 365), ("classroom", "2025-03-15", 180),
])
def test_points_breakage_statsmodels_km_matches_the_old_implementation(ledgers, name, as_of, expiry_days):
    led = ledgers[name]
    new = points_breakage(led, as_of=as_of, expiry_days=expiry_days).breakage
    old = _reference_breakage(led, as_of, expiry_days)
    assert 0 < old < 1
    assert new == pytest.approx(old, rel=0, abs=1e-10)
    assert _reference_breakage(_ledger(), AS_OF) == pytest.approx((1 - 300 / 1000) * (1 - 200 / 700))


# ============================================================================ result objects
def test_results_are_frozen_dataclasses_with_the_confidence_level():
    p = _panel(n=600, effect=0.3, seed=41)
    res = did_effect(p, months=(0, 5))
    assert isinstance(res, DidEffect) and res.confidence_level == 0.95 and res.method == "analytic"
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.effect = 0.0  # type: ignore[misc]
    d = res.to_dict()
    assert d["effect"] == res.effect and {"ci_low", "ci_high", "confidence_level", "se_log"} <= set(d)
    narrow = did_effect(p, months=(0, 5), confidence_level=0.5)
    assert narrow.effect == res.effect and narrow.confidence_level == 0.5
    assert res.ci_low < narrow.ci_low < narrow.ci_high < res.ci_high
    es = did_event_study(p, window=(-2, 1), confidence_level=0.5).set_index("event_time")
    es95 = did_event_study(p, window=(-2, 1)).set_index("event_time")
    assert (es.loc[[-2, 0, 1], "ci_high"] < es95.loc[[-2, 0, 1], "ci_high"]).all()
    with pytest.raises(ValueError, match="confidence_level"):
        did_effect(p, months=(0, 5), confidence_level=95)
    with pytest.raises(TypeError):
        did_effect(p, months=(0, 5), alpha=0.05)  # the old name is gone
    assert isinstance(naive_member_effect(p), NaiveComparison)
    assert isinstance(pretrend_test(p, n_pre=2), PretrendTest)
    assert isinstance(points_breakage(_ledger(), as_of=AS_OF), Breakage)
    assert isinstance(bunching_estimate(_spend(0.2, n=2000)[0], 20000), Bunching)


def test_fit_stops_when_a_stratum_trend_runs_off_to_infinity():
    """In some bootstrap resamples of a small dataset a stratum's trend has its maximum at infinity (its few
    customers' orders fall in one corner of the window): the fit must stop once the fitted sums match the
    data, not crawl to the iteration limit with a warning. On the tiny preset (seed 2, lesson 04's DiD
    sample) the seventh resample took all 2,000 iterations before the fix."""
    import warnings

    import crmlab
    from crmlab.analysis import loyalty
    from crmlab.analysis.loyalty._imputation import Imputer, resolve_lapse

    data = crmlab.make_retail_crm("tiny", seed=2)
    panel = loyalty.monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-12-31")
    sub = loyalty.same_members(panel, loyalty.common_members(panel, months=(1, 5), pre_months=6))
    imp = Imputer.from_panel(sub, "profile", "orders", None, lapse=resolve_lapse(sub, None))
    d = imp.design
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fits = [(w, f) for w, f in imp.resamples(10, 0)]
    assert all(f.converged for _, f in fits) and max(f.iterations for _, f in fits) < 500, \
        [f.iterations for _, f in fits]
    w, f = fits[6]
    # the fitted orders match the (weighted) data in every calendar month: a maximum, however far out
    u = d.unit[f.rows]
    wu = w[u]
    mu = wu * f.unit_total[u] * np.exp(f.eta) / f.unit_exp[u]
    m = d.codes[0][f.rows]
    np.testing.assert_allclose(np.bincount(m, weights=mu), np.bincount(m, weights=wu * d.y[f.rows]), atol=1e-6)
