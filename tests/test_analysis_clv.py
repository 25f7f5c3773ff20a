"""Tests of crmlab.analysis.clv.bgnbd: the BG/NBD and MBG/NBD fit objects and the frequency/recency summary."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import special

from crmlab.analysis.clv import bgnbd
from crmlab.analysis.clv.bgnbd import BGNBD, MBGNBD, rfm_summary


def test_docstring_examples_run():
    res = doctest.testmod(bgnbd, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} docstring example(s) failed"
    assert res.attempted >= 8


def _gamma_nodes(shape, rate, n=120):
    """Nodes and weights of E[f(X)], X ~ Gamma(shape, rate) (generalised Gauss-Laguerre)."""
    x, w = special.roots_genlaguerre(n, shape - 1)
    return x / rate, w / special.gamma(shape)


def _beta_nodes(a, b, n=120):
    """Nodes and weights of E[f(P)], P ~ Beta(a, b) (shifted Gauss-Jacobi)."""
    x, w = special.roots_sh_jacobi(n, a + b - 1, a)
    return x, w / special.beta(a, b)


CDNOW = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)


def _simulate_bgnbd(n, params, T, *, model="bgnbd", seed=0):
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    T = np.broadcast_to(np.asarray(T, float), (n,)).copy()
    x, tx = np.zeros(n), np.zeros(n)
    alive = np.ones(n, bool) if model == "bgnbd" else rng.random(n) >= p
    t = np.zeros(n)
    while alive.any():
        i = np.flatnonzero(alive)
        t[i] += rng.exponential(1 / lam[i])
        ok = t[i] < T[i]
        j = i[ok]
        x[j] += 1
        tx[j] = t[j]
        alive[i[~ok]] = False
        alive[j[rng.random(len(j)) < p[j]]] = False
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})


MODELS = {"bgnbd": BGNBD, "mbgnbd": MBGNBD}


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_bgnbd_formulas_match_numerical_integration(model):
    P = dict(r=0.5, alpha=3.0, a=1.6, b=2.4)
    m = MODELS[model].from_params(**P)
    sh = 1 if model == "mbgnbd" else 0
    lam, wl = _gamma_nodes(P["r"], P["alpha"])
    p, wp = _beta_nodes(P["a"], P["b"])
    lam, p = lam[:, None], p[None, :]
    for x, tx, T in [(0, 0.0, 20.0), (3, 12.0, 20.0)]:
        alive = (1 - p) ** (x + sh) * lam ** x * np.exp(-lam * T)
        dead = p * (1 - p) ** (x - 1 + sh) * lam ** x * np.exp(-lam * tx) if (x > 0 or sh) else 0 * alive
        la, ld = wl @ alive @ wp, wl @ dead @ wp
        fut = wl @ (alive * (1 - np.exp(-lam * p * 10.0)) / p) @ wp
        assert m.loglik([x], [tx], [T])[0] == pytest.approx(np.log(la + ld), abs=1e-7)
        assert m.p_alive([x], [tx], [T])[0] == pytest.approx(la / (la + ld), abs=1e-7)
        assert m.expected_purchases(10.0, [x], [tx], [T])[0] == pytest.approx(fut / (la + ld), abs=1e-7)
    sim = _simulate_bgnbd(200_000, P, 15.0, model=model, seed=5)
    e = float(m.expected_purchases(15.0))
    assert sim["frequency"].mean() == pytest.approx(e, rel=0.02), "E[X(t)] disagrees with simulation"


def test_bgnbd_loglik_finite_and_p_alive_behaviour():
    rfm = _simulate_bgnbd(2000, CDNOW, 39.0, seed=1)
    m = BGNBD.from_params(**CDNOW)
    ll = m.loglik(rfm["frequency"], rfm["recency"], rfm["T"])
    assert np.isfinite(ll).all() and (ll <= 0).all()
    pa = m.p_alive([0, 3, 3, 3], [0.0, 35.0, 20.0, 5.0], [39.0] * 4)
    assert pa[0] == 1.0 and 1 > pa[1] > pa[2] > pa[3] > 0, "P(alive) must fall as the last purchase recedes"
    with pytest.raises(ValueError, match="recency"):
        m.loglik([1], [5.0], [3.0])
    with pytest.raises(ValueError, match="> 0"):
        BGNBD.from_params(r=1, alpha=-1, a=1, b=1)
    with pytest.raises(ValueError, match="not fitted"):
        BGNBD().p_alive([1], [1.0], [2.0])
    with pytest.raises(ValueError, match="not fitted"):
        BGNBD().r
    with pytest.raises(ValueError, match="a = 1"):
        BGNBD.from_params(r=1, alpha=1, a=1, b=1).expected_purchases(5.0)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_bgnbd_fit_recovers_parameters_of_simulated_data(model):
    # the published CDNOW estimates (Fader, Hardie & Lee 2005) as the truth of a CDNOW-like simulation
    rng = np.random.default_rng(2)
    T = rng.uniform(26, 78, 6000)  # customers acquired at different times, as in CDNOW
    rfm = _simulate_bgnbd(6000, CDNOW, T, model=model, seed=3)
    m = MODELS[model]()
    fit = m.fit(rfm["frequency"], rfm["recency"], rfm["T"])
    assert fit is m and fit.converged_ and fit.n_ == 6000
    assert list(fit.params_) == ["r", "alpha", "a", "b"]
    assert (fit.r, fit.alpha, fit.a, fit.b) == tuple(fit.params_.values())
    assert fit.loglik_ == pytest.approx(fit.loglik(rfm["frequency"], rfm["recency"], rfm["T"]).sum(), rel=1e-12)
    for k, tol in (("r", 0.15), ("alpha", 0.25), ("a", 0.35), ("b", 0.35)):
        est = fit.params_[k]
        assert est == pytest.approx(CDNOW[k], rel=tol), f"{model} {k}: {est:.3f} vs {CDNOW[k]} (±{tol:.0%})"
    # the variant is part of the model: only the MBG/NBD lets one-time buyers be dead
    pa = fit.p_alive(rfm["frequency"], rfm["recency"], rfm["T"])
    assert (pa[rfm["frequency"].to_numpy() == 0] < 1).all() == (model == "mbgnbd")
    assert repr(fit).startswith(type(fit).__name__ + "(r=")




def test_penalizer_shrinks_the_parameters():
    rfm = _simulate_bgnbd(1000, CDNOW, 39.0, seed=4)
    args = rfm["frequency"], rfm["recency"], rfm["T"]
    plain = BGNBD().fit(*args)
    assert BGNBD(penalizer=0.0).fit(*args).params_ == plain.params_
    pen = BGNBD(penalizer=0.1).fit(*args)
    assert sum(v**2 for v in pen.params_.values()) < sum(v**2 for v in plain.params_.values())
    assert pen.loglik_ < plain.loglik_  # loglik_ is the unpenalised log-likelihood
    with pytest.raises(ValueError, match="penalizer"):
        BGNBD(penalizer=-1.0)
    with pytest.raises(ValueError, match="at least 20"):
        BGNBD().fit([1, 0], [1.0, 0.0], [2.0, 2.0])


def test_rfm_summary_counts_purchase_days():
    o = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "a"],
                      "order_ts": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-20", "2024-02-15",
                                                  "2024-04-01"]),
                      "status": ["completed", "completed", "cancelled", "completed", "completed"],
                      "order_value": [100.0, 300.0, 80.0, 50.0, 999.0]})
    rfm = rfm_summary(o, as_of="2024-03-01", time_unit_days=1.0)
    assert rfm.loc["a", ["frequency", "recency", "T"]].tolist() == [1.0, 31.0, 60.0]
    assert rfm.loc["b", ["frequency", "recency", "T"]].tolist() == [0.0, 0.0, 15.0]
    assert rfm.loc["a", "monetary"] == 200.0
    # every status counts with statuses=None: the cancelled order of Feb 20 becomes a's last purchase day
    assert rfm_summary(o, as_of="2024-03-01", time_unit_days=1.0, statuses=None).loc["a", "recency"] == 50.0
    with pytest.raises(ValueError, match="no purchase"):
        rfm_summary(o, as_of="2023-01-01")
    with pytest.raises(ValueError, match="time_unit_days"):
        rfm_summary(o, as_of="2024-03-01", time_unit_days=0)
