"""Tests of crmlab.analysis.survival: time to churn, Kaplan-Meier (also weighted), log-rank, Cox."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis import survival as S


def test_docstring_examples_run():
    res = doctest.testmod(S, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} docstring example(s) failed"
    assert res.attempted >= 8


def _orders(rows):
    """rows: (customer, date, status[, channel, value])."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_ts", "status", "channel", "order_value"][: len(rows[0])])
    df["order_ts"] = pd.to_datetime(df["order_ts"], format="ISO8601")
    df.insert(0, "order_id", [f"O{i:03d}" for i in range(len(df))])
    return df


def test_survival_frame_definition():
    o = _orders([("a", "2024-01-01", "completed"), ("a", "2024-01-21", "completed"),
                 ("a", "2024-05-01", "completed"),   # a: gap of 101 days after Jan 21 -> churned at day 20
                 ("b", "2024-02-01", "completed"),   # b: one order, never back -> churned at day 0
                 ("c", "2024-03-20", "completed"), ("c", "2024-04-10", "completed"),  # c: censored at horizon
                 ("d", "2024-05-01", "completed"),   # d: first order after the horizon -> left out
                 ("e", "2024-01-10", "completed"), ("e", "2024-02-01", "cancelled")])
    sf = S.survival_frame(o, as_of="2024-06-01", window_days=60)
    assert list(sf.index) == ["a", "b", "c", "e"]
    assert sf["duration_days"].tolist() == [20.0, 0.0, 13.0, 0.0]
    assert sf["churned"].tolist() == [True, True, False, True]
    assert sf["n_orders"].tolist() == [2, 1, 1, 1]
    # with every status counting as activity, e's cancelled order is its last one
    sf_all = S.survival_frame(o, as_of="2024-06-01", window_days=60, statuses=None)
    assert sf_all.loc["e", "duration_days"] == 22.0 and sf_all.loc["e", "churned"]
    with pytest.raises(ValueError, match="window_days"):
        S.survival_frame(o, as_of="2024-02-01", window_days=60)


def test_kaplan_meier_known_example():
    # hand computation: n=5; t=1: 1/5 -> 0.8; t=2: 1 of 4 -> 0.6 (one censored at 2); t=3: 1 of 2 -> 0.3
    f = pd.DataFrame({"duration_days": [1, 2, 2, 3, 4, 1, 1], "churned": [1, 1, 0, 1, 0, 0, 0],
                      "g": ["x"] * 5 + ["y"] * 2})
    km = S.kaplan_meier(f.iloc[:5])
    assert km["survival"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.3])
    assert km["n_at_risk"].tolist() == [5, 5, 4, 2]
    assert (km["ci_low"] <= km["survival"] + 1e-12).all() and (km["ci_high"] >= km["survival"] - 1e-12).all()
    assert km["ci_low"].between(0, 1).all() and km["ci_high"].between(0, 1).all()
    # Greenwood: var(log S(2)) = 1/(5*4) + 1/(4*3); log-log band at 95%
    s, v = 0.6, 1 / 20 + 1 / 12
    lo = s ** np.exp(1.959964 * np.sqrt(v) / abs(np.log(s)))
    assert km.loc[km["time"] == 2, "ci_low"].item() == pytest.approx(lo, rel=1e-5)
    by = S.kaplan_meier(f, "g")
    assert set(by["group"]) == {"x", "y"}
    assert by.loc[by["group"] == "y", "survival"].tolist() == [1.0]
    events_at_zero = S.kaplan_meier(pd.DataFrame({"duration_days": [0, 0, 5], "churned": [1, 0, 1]}))
    assert events_at_zero["time"].tolist() == [0.0, 5.0]
    assert events_at_zero["survival"].tolist() == pytest.approx([2 / 3, 0.0])
    with pytest.raises(ValueError, match="durations"):
        S.kaplan_meier(pd.DataFrame({"duration_days": [-1, 2], "churned": [1, 0]}))
    with pytest.raises(ValueError, match="missing column.*nope"):
        S.kaplan_meier(f, "nope")


def test_logrank_test_separates_groups():
    rng = np.random.default_rng(1)
    t = np.r_[rng.exponential(10, 200), rng.exponential(30, 200)]
    f = pd.DataFrame({"duration_days": t, "churned": 1, "g": ["fast"] * 200 + ["slow"] * 200})
    r = S.logrank_test(f, "g")
    assert isinstance(r, S.LogrankResult) and r.df == 1 and r.chi2 > 20
    assert r.p_value < 1e-6 and r.to_dict() == {"chi2": r.chi2, "df": 1, "p_value": r.p_value}
    same = f.assign(g=rng.permutation(f["g"].to_numpy()))
    assert S.logrank_test(same, "g").p_value > 0.01
    with pytest.raises(ValueError, match="two groups"):
        S.logrank_test(f.assign(g="x"), "g")




def test_kaplan_meier_is_statsmodels_survfuncright():
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(7)
    n = 500
    t = np.round(rng.exponential(40, n))  # ties
    e = (rng.random(n) < 0.7).astype(int)
    f = pd.DataFrame({"duration_days": t, "churned": e})
    km = S.kaplan_meier(f)
    sf = SurvfuncRight(t, e)
    assert (sf.surv_times == 0).any(), "the test should cover events at time 0"
    body = km  # events at time 0: no separate starting row
    np.testing.assert_allclose(body["time"], sf.surv_times, rtol=0, atol=0)
    np.testing.assert_allclose(body["survival"], sf.surv_prob, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(body["n_at_risk"], sf.n_risk)
    np.testing.assert_array_equal(body["n_events"], sf.n_events)
    # the band: Greenwood's standard error of log S (statsmodels' surv_prob_se / S) on the log(-log) scale
    z = 1.959963984540054
    se_log = sf.surv_prob_se / sf.surv_prob
    lo = sf.surv_prob ** np.exp(z * se_log / np.abs(np.log(sf.surv_prob)))
    hi = sf.surv_prob ** np.exp(-z * se_log / np.abs(np.log(sf.surv_prob)))
    ok = sf.surv_prob > 0
    np.testing.assert_allclose(body["ci_low"][ok], lo[ok], rtol=1e-10)
    np.testing.assert_allclose(body["ci_high"][ok], hi[ok], rtol=1e-10)
    # a lower confidence level narrows the band
    km90 = S.kaplan_meier(f, confidence_level=0.9)
    inner = (km["survival"] > 0) & (km["survival"] < 1)
    assert (km90["ci_low"][inner] > km["ci_low"][inner]).all() and (km90["ci_high"][inner] < km["ci_high"][inner]).all()
    with pytest.raises(ValueError, match="confidence_level"):
        S.kaplan_meier(f, confidence_level=1.0)


def test_weighted_kaplan_meier_equals_the_expanded_data():
    rng = np.random.default_rng(3)
    n = 60
    f = pd.DataFrame({"duration_days": rng.integers(0, 20, n).astype(float), "churned": rng.random(n) < 0.6,
                      "g": rng.choice(["x", "y"], n), "w": rng.integers(1, 5, n)})
    expanded = f.loc[f.index.repeat(f["w"])].reset_index(drop=True)
    for group in (None, "g"):
        weighted = S.kaplan_meier(f, group, weights="w")
        plain = S.kaplan_meier(expanded, group)
        assert weighted["n_at_risk"].dtype == float and plain["n_at_risk"].dtype == np.int64
        pd.testing.assert_frame_equal(weighted, plain.astype({"n_at_risk": float, "n_events": float}),
                                      check_exact=False, rtol=1e-10)
    # weights as a Series on the index or as an array in row order: the same curve
    pd.testing.assert_frame_equal(S.kaplan_meier(f, weights=f["w"]), S.kaplan_meier(f, weights=f["w"].to_numpy()))
    with pytest.raises(ValueError, match="weights"):
        S.kaplan_meier(f, weights=-f["w"])
    with pytest.raises(ValueError, match="weights"):
        S.kaplan_meier(f, weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="nope"):
        S.kaplan_meier(f, weights="nope")


def test_points_weighted_kaplan_meier_matches_the_product_limit_by_hand():
    # lots of points: time to redemption (event) or censoring; breakage = S just before expiry (day 365)
    t = np.array([10.0, 10.0, 50.0, 200.0, 365.0, 400.0, 120.0])
    redeemed = np.array([1, 0, 1, 1, 0, 0, 1])
    points = np.array([100.0, 300.0, 50.0, 250.0, 400.0, 80.0, 20.0])
    km = S.kaplan_meier(pd.DataFrame({"t": t, "r": redeemed, "p": points}), duration="t", event="r", weights="p")
    # hand: at risk = points with time >= t_j; events = points redeemed at t_j
    expect, s = {}, 1.0
    for tj in np.unique(t[redeemed == 1]):
        s *= 1 - points[(t == tj) & (redeemed == 1)].sum() / points[t >= tj].sum()
        expect[tj] = s
    got = km.set_index("time")["survival"]
    for tj, v in expect.items():
        assert got[tj] == pytest.approx(v, rel=1e-12)
    assert km.loc[km["time"] == 10.0, "n_at_risk"].item() == points.sum()
    assert km.loc[km["time"] == 10.0, "n_events"].item() == 100.0


def test_cox_hazard_ratios_confidence_level_and_columns():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, 3000)
    t = rng.exponential(1 / np.where(x == 1, 2.0, 1.0))
    d = pd.DataFrame({"stop": np.minimum(t, 2.0), "event": (t < 2.0).astype(int), "x": x})
    hr = S.cox_hazard_ratios(d, ["x"], start=None)
    assert hr.loc["x", "ci_low"] < 2.0 < hr.loc["x", "ci_high"]
    hr90 = S.cox_hazard_ratios(d, ["x"], start=None, confidence_level=0.9)
    b, lo95, lo90 = np.log(hr.loc["x", ["hazard_ratio", "ci_low"]].tolist() + [hr90.loc["x", "ci_low"]])
    assert (b - lo90) / (b - lo95) == pytest.approx(1.6448536 / 1.9599640, rel=1e-6)
    with pytest.raises(ValueError, match="start"):
        S.cox_hazard_ratios(d, ["x"])  # no start column and start not switched off


def _daily_pieces(d: pd.DataFrame, covariates) -> pd.DataFrame:
    """Each subject's (0, stop] cut into (s, s + 1] pieces, event on the last piece, covariates repeated."""
    reps = d["stop"].astype(int).to_numpy()
    out = d.loc[d.index.repeat(reps), ["id", *covariates]].reset_index(drop=True)
    piece = out.groupby("id").cumcount().to_numpy(float)
    out["start"], out["stop"] = piece, piece + 1
    last = out["stop"].to_numpy() == np.repeat(d["stop"].to_numpy(), reps)
    out["event"] = np.where(last, np.repeat(d["event"].to_numpy(), reps), 0)
    return out


def test_cox_splitting_rows_into_daily_pieces_leaves_the_hazard_ratio_unchanged():
    """Issue 10: PHReg keeps a row at risk at t = entry, so a (start, stop] row starting at an event time was
    counted twice (HR 1.93 -> 1.97 on this example). The helper must count the risk set of (start, stop]."""
    rng = np.random.default_rng(3)
    n = 400
    x = rng.integers(0, 2, n)
    z = rng.normal(size=n)
    t = np.ceil(rng.exponential(30 / np.where(x == 1, 2.0, 1.0) / np.exp(0.3 * z)))  # whole days: many ties
    c = np.ceil(rng.uniform(10, 80, n))
    d = pd.DataFrame({"id": np.arange(n), "start": 0.0, "stop": np.minimum(t, c), "event": (t <= c).astype(int),
                      "x": x, "z": z, "g": rng.integers(0, 2, n)})
    whole = S.cox_hazard_ratios(d, ["x", "z"])
    split = _daily_pieces(d, ["x", "z", "g"])
    assert len(split) > 10 * n
    pieces = S.cox_hazard_ratios(split, ["x", "z"])
    np.testing.assert_allclose(pieces["hazard_ratio"], whole["hazard_ratio"], rtol=1e-6)
    np.testing.assert_allclose(pieces[["ci_low", "ci_high"]], whole[["ci_low", "ci_high"]], rtol=1e-6)
    # no delayed entry at all gives the same fit as start = 0
    np.testing.assert_allclose(S.cox_hazard_ratios(d, ["x", "z"], start=None)["hazard_ratio"],
                               whole["hazard_ratio"], rtol=1e-9)
    # strata too
    np.testing.assert_allclose(S.cox_hazard_ratios(split, ["x", "z"], strata="g")["hazard_ratio"],
                               S.cox_hazard_ratios(d, ["x", "z"], strata="g")["hazard_ratio"], rtol=1e-6)


def test_cox_counting_process_rows_are_checked():
    d = pd.DataFrame({"start": [0.0, 2.0, 0.0, 0.0, 1.0, 0.0], "stop": [2.0, 5.0, 3.0, 4.0, 6.0, 1.5],
                      "event": [0, 1, 1, 1, 0, 1], "x": [0, 0, 1, 0, 1, 1]})
    with pytest.raises(ValueError, match="end before"):
        S.cox_hazard_ratios(d.assign(stop=[2.0, 1.0, 3.0, 4.0, 6.0, 1.5]), ["x"])
    with pytest.raises(ValueError, match="empty"):
        S.cox_hazard_ratios(d.assign(stop=[2.0, 2.0, 3.0, 4.0, 6.0, 1.5]), ["x"])
    # an empty row without an event is never at risk: dropping it changes nothing
    extra = pd.concat([d, pd.DataFrame({"start": [4.0], "stop": [4.0], "event": [0], "x": [1]})], ignore_index=True)
    pd.testing.assert_frame_equal(S.cox_hazard_ratios(extra, ["x"]), S.cox_hazard_ratios(d, ["x"]))


# ----------------------------------------------------------------------------- teaching sample


def _product_limit(durations, events):
    """Kaplan-Meier by hand, as the lesson computes it: S = prod (1 - d_j / n_j) over event times."""
    s, out = 1.0, {}
    for t in sorted(set(durations[events])):
        n = int((durations >= t).sum())
        d = int(((durations == t) & events).sum())
        s *= 1 - d / n
        out[float(t)] = s
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_example_customers_mixes_the_cases_and_hand_km_matches(seed):
    rng = np.random.default_rng(seed)
    n = 500
    t = np.where(rng.random(n) < 0.5, 0.0, rng.exponential(200, n))
    churned = rng.random(n) < 0.7
    f = pd.DataFrame({"duration_days": t, "churned": churned}, index=[f"c{i}" for i in range(n)])
    ten = S.example_customers(f, 10, random_state=seed)
    assert len(ten) == 10 and ten.index.is_unique and set(ten.index) <= set(f.index)
    assert ten["duration_days"].dtype == np.int64 and ten["churned"].dtype == bool
    assert int((ten["churned"] & (ten["duration_days"] == 0)).sum()) == 2
    assert int((~ten["churned"]).sum()) == 3
    assert (ten["duration_days"].to_numpy() == np.floor(f.loc[ten.index, "duration_days"])).all()
    km = S.kaplan_meier(ten)
    hand = _product_limit(ten["duration_days"].to_numpy(), ten["churned"].to_numpy())
    pkg = km.set_index("time")["survival"]
    for time, s in hand.items():
        assert pkg.loc[time] == pytest.approx(s)
    assert S.example_customers(f, 10, random_state=seed).equals(ten)  # reproducible


def test_example_customers_fills_up_a_short_group():
    f = pd.DataFrame({"duration_days": [3.0, 8, 20, 50, 70, 90, 100, 0, 1, 2, 5],
                      "churned": [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]})  # nobody churned at day 0
    ten = S.example_customers(f, 10)
    assert len(ten) == 10 and not (ten["churned"] & (ten["duration_days"] == 0)).any()
    with pytest.raises(ValueError, match="n: 20"):
        S.example_customers(f, 20)
