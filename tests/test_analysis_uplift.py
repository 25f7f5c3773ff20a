"""Tests of crmlab.analysis.uplift: campaign effect, uplift by group, T-learner, Qini, targeting, profit."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis import uplift as U


def test_docstring_examples_run():
    res = doctest.testmod(U, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} docstring example(s) failed"
    assert res.attempted >= 5


def _campaign(n1, k1, n0, k0, prefix="c"):
    return pd.DataFrame({"customer_id": [f"{prefix}{i}" for i in range(n1 + n0)],
                         "treated": [True] * n1 + [False] * n0,
                         "responded": [True] * k1 + [False] * (n1 - k1) + [True] * k0 + [False] * (n0 - k0)})


def test_campaign_effect_neyman_interval():
    c = _campaign(200, 60, 100, 20)
    r = U.campaign_effect(c)
    se = np.sqrt(0.3 * 0.7 / 200 + 0.2 * 0.8 / 100)
    assert isinstance(r, U.CampaignEffect) and r.confidence_level == 0.95
    assert r.ate == pytest.approx(0.1) and r.se == pytest.approx(se)
    assert r.ci_low == pytest.approx(0.1 - 1.959964 * se, rel=1e-5)
    assert (r.n_treated, r.n_control) == (200, 100)
    assert (r.rate_treated, r.rate_control) == pytest.approx((0.3, 0.2))
    assert r.excludes(0.0) == (r.ci_low > 0)
    half = U.campaign_effect(c, confidence_level=0.5)
    assert half.ci_high < r.ci_high and half.confidence_level == 0.5
    assert r.to_dict()["ate"] == r.ate
    with pytest.raises(AttributeError):
        r.ate = 0.0
    with pytest.raises(ValueError, match="confidence_level"):
        U.campaign_effect(c, confidence_level=95)
    with pytest.raises(ValueError, match="responded"):
        U.campaign_effect(c.drop(columns="responded"))
    with pytest.raises(ValueError, match="control"):
        U.campaign_effect(c[c["treated"]])


def test_uplift_by_group_with_series_and_column():
    a, b = _campaign(50, 25, 50, 10, "a"), _campaign(50, 5, 50, 15, "b")
    c = pd.concat([a, b], ignore_index=True)
    seg = pd.Series(["x"] * 100 + ["y"] * 100, index=c["customer_id"])
    u = U.uplift_by_group(c, seg)
    assert u["uplift"].to_dict() == pytest.approx({"x": 0.3, "y": -0.2})
    assert u.loc["y", "ci_high"] < 0
    u2 = U.uplift_by_group(c.assign(seg=seg.to_numpy()), "seg")
    pd.testing.assert_frame_equal(u, u2)
    assert list(u.columns) == ["uplift", "se", "ci_low", "ci_high", "n_treated", "n_control", "rate_treated",
                               "rate_control"]
    with pytest.raises(ValueError, match="campaigns is missing column.*nope"):
        U.uplift_by_group(c, "nope")
    with pytest.raises(ValueError, match="no campaign customer"):
        U.uplift_by_group(c, pd.Series(["x"], index=["someone else"]))
    u90 = U.uplift_by_group(c, seg, confidence_level=0.9)
    assert (u90["ci_high"] < u["ci_high"]).all() and u90["uplift"].equals(u["uplift"])


def test_qini_and_targeting_comparison_known_answer():
    # 400 customers: the first 100 respond only if treated (persuadables); the rest never respond.
    n = 400
    rng = np.random.default_rng(0)
    treated = rng.permutation(np.r_[np.ones(n // 2, bool), np.zeros(n // 2, bool)])
    persuadable = np.arange(n) < 100
    c = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "treated": treated,
                      "responded": persuadable & treated})
    uplift_score = pd.Series(persuadable.astype(float) + rng.random(n) * 0.1, index=c["customer_id"])
    risk_score = pd.Series(1.0 - uplift_score.to_numpy(), index=c["customer_id"])
    q = U.qini_table(c, uplift_score, n_bins=4)
    assert q.loc[1, "uplift"] == pytest.approx(1.0) and q.loc[2:, "uplift"].abs().max() == 0
    # cumulative: no control responds, so incremental = n_targeted x treated response rate among them
    order = np.argsort(-uplift_score.to_numpy(), kind="stable")
    expect = [(k * 100) * persuadable[order[:k * 100]][treated[order[:k * 100]]].sum() / treated[order[:k * 100]].sum()
              for k in range(1, 5)]
    assert q["cum_incremental"].tolist() == pytest.approx(expect)
    assert q.loc[1, "cum_incremental"] == pytest.approx(100.0)
    t = U.targeting_comparison(c, risk_score, uplift_score, budget_share=0.25, value_per_response=100.0,
                               cost_per_contact=2.0, cost_per_redemption=10.0)
    assert list(t.index) == ["random", "risk", "uplift"]
    assert t.loc["uplift", "uplift"] == pytest.approx(1.0) and t.loc["risk", "uplift"] == pytest.approx(0.0)
    assert t.loc["uplift", "response_rate_treated"] == 1.0
    assert t.loc["uplift", "profit"] == pytest.approx(100 * (100.0 - 2.0 - 1.0 * 10.0))
    assert t.loc["risk", "profit"] == pytest.approx(-200.0)
    with pytest.raises(ValueError, match="budget_share"):
        U.targeting_comparison(c, risk_score, uplift_score, budget_share=0)
    # the interval of the random row is the campaign's ATE interval at the same confidence level
    ate = U.campaign_effect(c, confidence_level=0.8)
    t80 = U.targeting_comparison(c, risk_score, uplift_score, budget_share=0.25, confidence_level=0.8)
    random_row = t80.loc["random", ["uplift", "ci_low", "ci_high"]].tolist()
    assert random_row == pytest.approx([ate.ate, ate.ci_low, ate.ci_high])


def test_tlearner_uplift_finds_heterogeneous_effect():
    rng = np.random.default_rng(4)
    n = 3000
    x = rng.normal(size=n)
    t = rng.random(n) < 0.5
    p = 0.1 + np.where(t, 0.3 * (x > 0), 0.0)
    ids = [f"c{i}" for i in range(n)]
    c = pd.DataFrame({"customer_id": ids, "treated": t, "responded": rng.random(n) < p})
    X = pd.DataFrame({"x": x, "z": rng.normal(size=n)}, index=ids)
    u = U.tlearner_uplift(X, c, n_folds=3, random_state=0)
    assert u.index.equals(pd.Index(ids))
    assert u[x > 0].mean() - u[x <= 0].mean() > 0.15, "the uplift score should separate x > 0 from x <= 0"
    assert U.tlearner_uplift(X, c, n_folds=3, random_state=0).equals(u), "not deterministic"


def test_retention_profit_formula():
    assert U.retention_profit(10_000, 0.1, 0.05, 2_000.0, 30.0) == pytest.approx(70_000.0)
    assert U.retention_profit(1000, 0.2, 0.01, 500.0, 10.0) == pytest.approx(-1000.0)
    arr = U.retention_profit(1000, np.array([0.1, 0.2]), 0.1, 100.0, 5.0)
    assert arr.tolist() == pytest.approx([500.0, 1000.0])
    with pytest.raises(ValueError, match="p_targeted"):
        U.retention_profit(1000, 1.5, 0.1, 100.0, 5.0)


