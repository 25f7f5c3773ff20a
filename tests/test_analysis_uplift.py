"""Tests of crmlab.analysis.uplift: campaign effect, uplift by group, T-learner, uplift and Qini curves,
Qini coefficient, targeting, profit."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis import uplift as U


@pytest.mark.parametrize("module", [U, *(importlib.import_module(f"crmlab.analysis.uplift.{m}")
                                             for m in ("_common", "effect", "curves", "targeting"))],
                         ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    res = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} docstring example(s) failed"
    assert res.attempted >= 1


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


def test_uplift_curve_and_targeting_comparison_known_answer():
    # 400 customers: the first 100 respond only if treated (persuadables); the rest never respond.
    n = 400
    rng = np.random.default_rng(0)
    treated = rng.permutation(np.r_[np.ones(n // 2, bool), np.zeros(n // 2, bool)])
    persuadable = np.arange(n) < 100
    c = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "treated": treated,
                      "responded": persuadable & treated})
    uplift_score = pd.Series(persuadable.astype(float) + rng.random(n) * 0.1, index=c["customer_id"])
    risk_score = pd.Series(1.0 - uplift_score.to_numpy(), index=c["customer_id"])
    q = U.uplift_curve(c, uplift_score, n_bins=4)
    assert q.loc[1, "uplift"] == pytest.approx(1.0) and q.loc[2:, "uplift"].abs().max() == 0
    # cumulative: no control responds, so incremental = n_targeted x treated response rate among them
    order = np.argsort(-uplift_score.to_numpy(), kind="stable")
    expect = [(k * 100) * persuadable[order[:k * 100]][treated[order[:k * 100]]].sum() / treated[order[:k * 100]].sum()
              for k in range(1, 5)]
    assert q["cum_incremental"].tolist() == pytest.approx(expect)
    assert q.loc[1, "cum_incremental"] == pytest.approx(100.0)
    # offer cost: 2 yuan per contact, 10 more per redemption (only treated customers pay)
    cost = np.where(treated, 2.0 + 10.0 * c["responded"].to_numpy(), 0.0)
    t = U.targeting_comparison(c.assign(offer_cost=cost), risk_score, uplift_score, budget_share=0.25, value=100.0,
                               n_boot=300)
    assert list(t.table.index) == ["random", "risk", "uplift"]
    tab = t.table
    assert tab.loc["uplift", "uplift"] == pytest.approx(1.0) and tab.loc["risk", "uplift"] == pytest.approx(0.0)
    assert tab.loc["uplift", "profit"] == pytest.approx(100 * (100.0 - 2.0 - 1.0 * 10.0))
    assert tab.loc["risk", "profit"] == pytest.approx(-200.0)
    assert tab.loc["uplift", "value_gain"] - tab.loc["uplift", "cost"] == pytest.approx(tab.loc["uplift", "profit"])
    with pytest.raises(ValueError, match="budget_share"):
        U.targeting_comparison(c, risk_score, uplift_score, budget_share=0)
    # the interval of the random row's uplift is the campaign's ATE interval at the same confidence level
    ate = U.campaign_effect(c, confidence_level=0.8)
    t80 = U.targeting_comparison(c, risk_score, uplift_score, budget_share=0.25, confidence_level=0.8, n_boot=100)
    random_row = t80.table.loc["random", ["uplift", "ci_low", "ci_high"]].tolist()
    assert random_row == pytest.approx([ate.ate, ate.ci_low, ate.ci_high])


def _hand_profit(c: pd.DataFrame, members: np.ndarray, value: np.ndarray, k: int) -> float:
    """N p (gamma LTV - c): k x (uplift in S x mean value in S - mean offer cost of the treated in S)."""
    y, t, cost = c["responded"].to_numpy(float), c["treated"].to_numpy(bool), c["offer_cost"].to_numpy(float)
    uplift = y[members & t].mean() - y[members & ~t].mean()
    return k * (uplift * value[members].mean() - cost[members & t].mean())


def _campaign_with_costs(n=600, seed=7):
    rng = np.random.default_rng(seed)
    t = rng.random(n) < 0.5
    x = rng.random(n)
    p0 = 0.1 + 0.05 * x
    tau = 0.25 * x - 0.03
    y = rng.random(n) < p0 + t * tau
    cost = np.where(t, 1.0 + 50.0 * y, 0.0)
    ids = [f"c{i}" for i in range(n)]
    value = pd.Series(rng.gamma(2.0, 150.0, n), index=ids)
    c = pd.DataFrame({"customer_id": ids, "treated": t, "responded": y, "offer_cost": cost})
    truth = dict(tau=pd.Series(tau, index=ids), cost=pd.Series(1.0 + 50.0 * (p0 + tau), index=ids))
    return c, value, pd.Series(rng.random(n), index=ids), pd.Series(x, index=ids), truth


def test_targeting_profit_uses_the_offer_cost_and_the_value_of_the_targeted():
    """Issue 10: the profit ignored campaigns.offer_cost and valued every response at a fixed 500 yuan."""
    c, value, risk, up, _ = _campaign_with_costs()
    n = len(c)
    res = U.targeting_comparison(c, risk, up, budget_share=0.3, value=value, n_boot=400)
    k = int(round(0.3 * n))
    top_up = np.isin(np.arange(n), np.argsort(-up.to_numpy(), kind="stable")[:k])
    top_risk = np.isin(np.arange(n), np.argsort(-risk.to_numpy(), kind="stable")[:k])
    v = value.to_numpy()
    expect = {"random": _hand_profit(c, np.ones(n, bool), v, k), "risk": _hand_profit(c, top_risk, v, k),
              "uplift": _hand_profit(c, top_up, v, k)}
    assert res.table["profit"].to_dict() == pytest.approx(expect)
    assert res.table.loc["uplift", "value_per_response"] == pytest.approx(v[top_up].mean())
    assert res.table.loc["uplift", "cost_per_contact"] == pytest.approx(
        c["offer_cost"].to_numpy()[top_up & c["treated"].to_numpy()].mean())
    # a dearer offer lowers every profit by exactly k x the extra cost per treated customer
    t = c["treated"].to_numpy()
    dear = U.targeting_comparison(c.assign(offer_cost=c["offer_cost"] + np.where(t, 5.0, 0.0)), risk, up,
                                  budget_share=0.3, value=value, n_boot=50)
    assert (res.table["profit"] - dear.table["profit"]).tolist() == pytest.approx([5.0 * k] * 3)
    # without the column every treated customer costs cost_per_contact
    plain = U.targeting_comparison(c.drop(columns="offer_cost"), risk, up, budget_share=0.3, value=value, n_boot=50,
                                   cost_per_contact=3.0)
    assert plain.table.loc["uplift", "cost"] == pytest.approx(3.0 * k)
    # one value for everyone: N p (gamma V - c) with the fixed V
    flat = U.targeting_comparison(c, risk, up, budget_share=0.3, value=200.0, n_boot=50)
    r = flat.table.loc["random"]
    assert r["profit"] == pytest.approx(U.retention_profit(k, 1.0, r["uplift"], 200.0, r["cost_per_contact"]))
    # differences, their intervals, who is targeted
    d = res.difference("uplift", "risk")
    assert d.estimate == pytest.approx(expect["uplift"] - expect["risk"])
    assert d.ci_low < d.estimate < d.ci_high
    back = res.difference("risk", "uplift")
    assert (back.estimate, back.ci_low, back.ci_high) == pytest.approx((-d.estimate, -d.ci_high, -d.ci_low))
    leader, runner, lead = res.lead()
    assert leader == res.table["profit"].idxmax() and lead.estimate >= 0
    assert res.weights["uplift"].sum() == k and res.weights["random"].sum() == pytest.approx(k)
    # the bootstrap is reproducible
    again = U.targeting_comparison(c, risk, up, budget_share=0.3, value=value, n_boot=400)
    pd.testing.assert_frame_equal(again.table, res.table)


def test_targeting_expected_profit_and_interval_coverage():
    """The bootstrap interval of each rule's profit covers its expected profit (known uplift and cost)."""
    covered = {s: 0 for s in ("random", "risk", "uplift")}
    diff_covered = 0
    reps = 40
    for r in range(reps):
        c, value, risk, up, truth = _campaign_with_costs(n=1500, seed=100 + r)
        res = U.targeting_comparison(c, risk, up, budget_share=0.3, value=value, n_boot=300, random_state=r)
        true = res.expected_profit(truth["tau"], truth["cost"])
        for s in covered:
            covered[s] += res.table.loc[s, "profit_ci_low"] <= true[s] <= res.table.loc[s, "profit_ci_high"]
        d = res.difference("uplift", "risk")
        diff_covered += d.ci_low <= true["uplift"] - true["risk"] <= d.ci_high
    assert all(v >= 0.85 * reps for v in covered.values()), covered
    assert diff_covered >= 0.85 * reps, diff_covered
    # expected_profit by hand for the uplift rule
    m = res.weights["uplift"].to_numpy() == 1
    tau, cost, v = truth["tau"].to_numpy(), truth["cost"].to_numpy(), value.to_numpy()
    assert true["uplift"] == pytest.approx(tau[m].sum() * v[m].mean() - cost[m].sum())


def test_qini_curve_by_hand():
    # score order a..f; treated a, c, e; responders a, c (treated) and d (control)
    ids = list("abcdef")
    c = pd.DataFrame({"customer_id": ids, "treated": [True, False, True, False, True, False],
                      "responded": [1, 0, 1, 1, 0, 0]})
    q = U.qini_curve(c, pd.Series([6.0, 5, 4, 3, 2, 1], index=ids))
    # Q(k) = R_T(k) - R_C(k) N_T(k) / N_C(k): k=1: 1 (no control yet); k=2: 1 - 0; k=3: 2 - 0;
    # k=4: 2 - 1 * 2 / 2 = 1; k=5: 2 - 1 * 3 / 2 = 0.5; k=6: 2 - 1 * 3 / 3 = 1
    assert q["qini"].tolist() == pytest.approx([1.0, 1.0, 2.0, 1.0, 0.5, 1.0])
    assert q["customer_id"].tolist() == ids and q["n_targeted"].tolist() == [1, 2, 3, 4, 5, 6]
    assert q["gain"].tolist() == pytest.approx(np.array([1.0, 1.0, 2.0, 1.0, 0.5, 1.0]) / 3)
    assert q["random"].tolist() == pytest.approx(np.arange(1, 7) / 6 * (1 / 3))
    # the score decides the order, not the table
    rev = U.qini_curve(c, pd.Series([1.0, 2, 3, 4, 5, 6], index=ids))
    assert rev["customer_id"].tolist() == ids[::-1]
    # coefficient = mean over k of gain(k) - (k / N) gain(N)
    coef = U.qini_coefficient(c.sample(frac=1, random_state=1), pd.Series([6.0, 5, 4, 3, 2, 1], index=ids),
                              n_boot=50)
    assert coef.estimate == pytest.approx(np.mean(q["gain"] - q["random"]))
    assert coef.n == 6 and coef.n_boot == 50


def test_qini_coefficient_interval_covers_the_oracle_value():
    rng = np.random.default_rng(11)
    n = 3000
    x, t = rng.random(n), rng.random(n) < 0.5
    tau = 0.25 * x - 0.05
    c = pd.DataFrame({"customer_id": np.arange(n), "treated": t, "responded": rng.random(n) < 0.15 + t * tau})
    good = U.qini_coefficient(c, pd.Series(x), n_boot=400)
    truth = U.oracle_qini_coefficient(pd.Series(x), pd.Series(tau))
    assert good.ci_low < truth < good.ci_high and good.ci_low > 0
    # a score unrelated to the uplift: coefficient near 0, interval covers 0; a reversed score is negative
    noise = U.qini_coefficient(c, pd.Series(rng.random(n)), n_boot=400)
    assert noise.ci_low < 0 < noise.ci_high
    assert U.qini_coefficient(c, pd.Series(-x), n_boot=100).ci_high < 0
    assert U.oracle_qini_coefficient(pd.Series(-x), pd.Series(tau)) == pytest.approx(-truth)
    with pytest.raises(ValueError, match="score"):
        U.qini_coefficient(c, pd.Series([1.0], index=[-5]))


def test_uplift_by_group_keeps_the_order_of_categories():
    """Issue 10: value terciles came out alphabetically (high, low, mid); bars must follow value order."""
    rng = np.random.default_rng(2)
    n = 300
    c = pd.DataFrame({"customer_id": np.arange(n), "treated": rng.random(n) < 0.5, "responded": rng.random(n) < 0.2})
    value = pd.Series(rng.gamma(2.0, 100.0, n))
    tercile = pd.qcut(value.rank(method="first"), 3, labels=["low", "mid", "high"])
    u = U.uplift_by_group(c, tercile)
    assert u.index.tolist() == ["low", "mid", "high"]
    assert U.uplift_by_group(c.assign(v=tercile.array), "v").index.tolist() == ["low", "mid", "high"]
    assert U.uplift_by_group(c, tercile.astype(str)).index.tolist() == ["high", "low", "mid"]  # plain strings: sorted


def test_uplift_heterogeneity_is_cochrans_q():
    t = pd.DataFrame({"uplift": [0.1, 0.05, -0.02], "se": [0.02, 0.03, 0.04]}, index=list("abc"))
    w = 1 / t["se"] ** 2
    ubar = (w * t["uplift"]).sum() / w.sum()
    q = (w * (t["uplift"] - ubar) ** 2).sum()
    r = U.uplift_heterogeneity(t)
    from scipy import stats

    assert (r.chi2, r.df, r.p_value) == pytest.approx((q, 2, stats.chi2.sf(q, 2)))
    assert U.uplift_heterogeneity(t.assign(uplift=0.03)).p_value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="two groups"):
        U.uplift_heterogeneity(t.iloc[:1])


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




def test_held_out_uplift_scores_do_not_see_the_evaluation_outcomes():
    """Scores for the evaluation half come from models fitted on the other half only: changing the outcomes of
    the evaluation customers leaves their scores unchanged (cross-fitted scores would move), so the intervals of
    the Qini coefficient and of the targeting profit computed on them hold."""
    rng = np.random.default_rng(9)
    n = 800
    x = rng.normal(size=(n, 2))
    t = rng.random(n) < 0.5
    y = rng.random(n) < 0.1 + 0.3 * t * (x[:, 0] > 0)
    ids = [f"c{i}" for i in range(n)]
    c = pd.DataFrame({"customer_id": ids, "treated": t, "responded": y})
    F = pd.DataFrame(x, index=ids, columns=["a", "b"])
    fit_ids, eval_ids = U.split_campaign(c, random_state=1)
    assert len(fit_ids) == len(eval_ids) == n // 2 and not fit_ids.intersection(eval_ids).size
    # stratified: both halves keep the arms' response rates
    half = c.set_index("customer_id")
    assert abs(half.loc[fit_ids, "treated"].mean() - half.loc[eval_ids, "treated"].mean()) < 0.01
    s = U.tlearner_uplift(F, c, evaluate_on=eval_ids, random_state=0)
    assert set(s.index) == set(eval_ids)
    flipped = c.assign(responded=np.where(c["customer_id"].isin(eval_ids), ~c["responded"], c["responded"]))
    pd.testing.assert_series_equal(U.tlearner_uplift(F, flipped, evaluate_on=eval_ids, random_state=0), s)
    cross = U.tlearner_uplift(F, c, random_state=0)
    assert not np.allclose(U.tlearner_uplift(F, flipped, random_state=0).reindex(eval_ids), cross.reindex(eval_ids))
    assert s[x[np.isin(ids, eval_ids), 0] > 0].mean() > s[x[np.isin(ids, eval_ids), 0] <= 0].mean() + 0.1
    with pytest.raises(ValueError, match="evaluate_on"):
        U.tlearner_uplift(F, c, evaluate_on=pd.Index(ids))
    with pytest.raises(ValueError, match="evaluation_share"):
        U.split_campaign(c, evaluation_share=1.0)
