"""Tests of crmlab.analysis.churn: unit tests on hand-made data, truth recovery on the classroom preset."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import special
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

import crmlab
from crmlab.analysis import churn as C

SEEDS = (0, 1, 2, 3, 4)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """BLAS and OpenMP on one thread: the machine is shared, and threads only add overhead here."""
    with threadpool_limits(limits=1):
        yield


def test_docstring_examples_run():
    res = doctest.testmod(C, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} docstring example(s) failed"
    assert res.attempted >= 20


# ============================================================================ hand-made data
def _orders(rows):
    """rows: (customer, date, status[, channel, value])."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_ts", "status", "channel", "order_value"][: len(rows[0])])
    df["order_ts"] = pd.to_datetime(df["order_ts"], format="ISO8601")
    df.insert(0, "order_id", [f"O{i:03d}" for i in range(len(df))])
    return df


def test_interpurchase_gaps_per_customer_and_status_filter():
    o = _orders([("a", "2024-01-01", "completed"), ("a", "2024-01-05", "cancelled"),
                 ("a", "2024-01-11", "completed"), ("b", "2024-02-01", "completed"),
                 ("b", "2024-02-03 12:00", "completed")])
    g = C.interpurchase_gaps(o)
    assert g.to_dict() == {"a": 10.0, "b": 2.5}
    assert sorted(C.interpurchase_gaps(o, statuses=None).tolist()) == [2.5, 4.0, 6.0]


def test_suggest_window_corrects_right_truncation():
    # gaps ~ Exp(mean 100 days); first orders over 400 days; a second order is seen only before day 450
    rng = np.random.default_rng(3)
    n = 4000
    start = pd.Timestamp("2024-01-01")
    first = rng.uniform(0, 400, n)
    second = first + rng.exponential(100.0, n)
    seen = second < 450
    o = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)] + [f"c{i}" for i in np.flatnonzero(seen)],
                      "order_ts": start + pd.to_timedelta(np.r_[first, second[seen]], unit="D"),
                      "status": "completed"})
    true_p90 = -100.0 * np.log(0.1)  # 230 days
    end = start + pd.Timedelta(days=450)
    plain = C.suggest_window(o, 0.9, as_of=end, correct_truncation=False)
    corrected = C.suggest_window(o, 0.9, as_of=end)
    assert plain < 0.8 * true_p90, f"plain quantile {plain} should be biased down from {true_p90:.0f}"
    assert abs(corrected - true_p90) < 0.05 * true_p90, f"corrected {corrected} vs true {true_p90:.0f} (±5%)"


def test_suggest_window_errors():
    o = _orders([("a", "2024-01-01", "completed"), ("a", "2024-01-05", "completed")])
    with pytest.raises(ValueError, match="repeat orders"):
        C.suggest_window(o)
    with pytest.raises(ValueError, match="quantile"):
        C.suggest_window(o, 1.5)
    with pytest.raises(ValueError, match="order_ts"):
        C.suggest_window(o.drop(columns="order_ts"))


def test_churn_labels_window_and_population():
    o = _orders([("a", "2024-01-05", "completed"), ("a", "2024-03-01", "completed"),
                 ("b", "2024-01-20", "completed"), ("b", "2024-02-15", "cancelled"),
                 ("c", "2024-02-10", "completed"), ("d", "2024-01-10", "completed"),
                 ("d", "2024-04-30 10:00", "completed"), ("e", "2024-07-01", "completed")])
    lab = C.churn_labels(o, cutoff="2024-01-31", window_days=90)
    # c buys only after the cutoff -> not in the population; b's cancelled order does not count;
    # d's order is on day 90.4 after the cutoff -> outside (cutoff, cutoff + 90 days]
    assert list(lab.index) == ["a", "b", "d"]
    assert lab["churned"].to_dict() == {"a": False, "b": True, "d": True}
    assert lab.loc["a", "n_orders_after"] == 1
    assert lab.loc["a", "last_order"] == pd.Timestamp("2024-01-05")
    with pytest.raises(ValueError, match="end of the data"):
        C.churn_labels(o, cutoff="2024-06-01", window_days=90)
    with pytest.raises(ValueError, match="no customer"):
        C.churn_labels(o, cutoff="2023-06-01", window_days=90)
    with pytest.raises(ValueError, match="status"):
        C.churn_labels(o.drop(columns="status"), cutoff="2024-01-31", window_days=90)
    with pytest.raises(ValueError, match="window_days"):
        C.churn_labels(o, cutoff="2024-01-31", window_days=0)


@pytest.fixture()
def small_tables():
    o = _orders([("a", "2024-01-01", "completed", "web", 100.0), ("a", "2024-02-01", "completed", "app", 300.0),
                 ("a", "2024-02-20", "cancelled", "app", 80.0), ("b", "2024-02-15", "completed", "store", 50.0),
                 ("a", "2024-04-01", "completed", "web", 999.0)])
    ev = pd.DataFrame({
        "event_id": ["E1", "E2", "E3", "E4"],
        "customer_id": ["a", "a", "a", "a"],
        "order_id": ["O000", "O002", "O002", "O004"],
        "event_ts": pd.to_datetime(["2024-01-02", "2024-02-20", "2024-02-25", "2024-04-02"]),
        "event_type": ["late_delivery", "price_change_cancel", "complaint", "failed_delivery"],
        "resolved": pd.array([None, None, False, None], dtype="boolean"),
    })
    cust = pd.DataFrame({"customer_id": ["a", "b"], "birth_year": pd.array([1990, None], dtype="Int64"),
                         "gender": ["female", "male"], "city_tier": [1, 3], "signup_channel": ["web", "store"],
                         "is_member": [True, False]})
    return o, ev, cust


def test_churn_features_values_and_no_leakage(small_tables):
    o, ev, cust = small_tables
    f = C.churn_features(o, ev, cust, cutoff="2024-03-01")
    assert list(f.index) == ["a", "b"]
    a = f.loc["a"]
    assert a["recency_days"] == 29.0 and a["frequency"] == 2.0 and a["tenure_days"] == 60.0
    assert a["monetary"] == 200.0 and a["total_spend"] == 400.0  # the April order is in the future
    assert a["n_cancelled"] == 1.0
    assert a["share_app"] == pytest.approx(2 / 3) and a["share_web"] == pytest.approx(1 / 3)
    assert a["n_late_delivery"] == 1 and a["n_price_change_cancel"] == 1 and a["n_unresolved_complaint"] == 1
    assert a["n_failed_delivery"] == 0, "an event after the cutoff leaked into the features"
    assert a["n_complaints"] == 1 and a["failures_last_180d"] == 2
    assert a["age"] == 34 and a["female"] == 1 and a["signup_web"] == 1
    assert np.isnan(f.loc["b", "age"])
    assert "is_member" not in f.columns, "is_member describes the end of the window: leakage"
    assert f.dtypes.map(pd.api.types.is_float_dtype).all()
    # lookback keeps only recent history
    f2 = C.churn_features(o, ev, cutoff="2024-03-01", lookback_days=40)
    assert f2.loc["a", "frequency"] == 1.0 and f2.loc["a", "n_late_delivery"] == 0
    with pytest.raises(ValueError, match="channel"):
        C.churn_features(o.drop(columns="channel"), ev, cutoff="2024-03-01")
    with pytest.raises(ValueError, match="no purchases"):
        C.churn_features(o, ev, cutoff="2023-01-01")


def test_evaluate_gains_and_calibration_known_answers():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
    s = np.arange(10, 0, -1).astype(float)
    ev = C.evaluate_churn_model(y, s)
    # churners rank 1, 2, 4 among 10: 3*7 pairs, 1 discordant pair (rank 3 non-churner above rank 4 churner)
    assert ev["auc"] == pytest.approx(20 / 21)
    assert ev["top_decile_lift"] == pytest.approx(1 / 0.3)
    assert ev["base_rate"] == pytest.approx(0.3)
    assert np.isnan(ev["brier"])  # scores are not probabilities
    t = C.gains_table(y, s, n_bins=5)
    assert t["n"].tolist() == [2] * 5
    assert t["n_churners"].tolist() == [2, 1, 0, 0, 0]
    assert t["lift"].tolist() == pytest.approx([1 / 0.3, 0.5 / 0.3, 0, 0, 0])
    assert t["cum_lift"].iloc[-1] == pytest.approx(1.0)
    assert t["cum_share_churners"].iloc[0] == pytest.approx(2 / 3)
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    cal = C.calibration_table(y, p, n_bins=2)
    assert cal["mean_predicted"].tolist() == pytest.approx([0.7, 0.21])
    assert cal["observed_rate"].tolist() == pytest.approx([0.6, 0.0])
    assert cal.attrs["ece"] == pytest.approx((5 * 0.1 + 5 * 0.21) / 10)
    with pytest.raises(ValueError, match="both"):
        C.evaluate_churn_model([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="binary"):
        C.gains_table([0, 2, 1], [1, 2, 3], n_bins=2)
    with pytest.raises(ValueError, match="length"):
        C.gains_table([0, 1, 1], [1, 2], n_bins=2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        C.calibration_table([0, 1], [0.5, 1.5], n_bins=2)


def test_train_and_predict_churn_model_learns_a_planted_signal():
    rng = np.random.default_rng(0)
    n = 1500
    X = pd.DataFrame({"recency_days": rng.exponential(100, n), "frequency": rng.poisson(2, n).astype(float),
                      "noise": rng.normal(size=n)}, index=[f"c{i}" for i in range(n)])
    logit = -1 + 0.012 * X["recency_days"] - 0.5 * X["frequency"]
    y = pd.Series(rng.random(n) < 1 / (1 + np.exp(-logit)), index=X.index)
    for model in ("logistic", "gbm"):
        m = C.train_churn_model(X.iloc[:1000], y.iloc[:1000], model=model, random_state=0)
        p = C.predict_churn(m, X.iloc[1000:].assign(extra=1.0)[["extra", "noise", "frequency", "recency_days"]])
        assert p.between(0, 1).all() and p.name == "churn_probability"
        auc = roc_auc_score(y.iloc[1000:], p)
        assert auc > 0.75, f"{model}: AUC {auc:.3f} on a strong planted signal"
    with pytest.raises(ValueError, match="missing column"):
        C.predict_churn(m, X.drop(columns="noise"))
    with pytest.raises(ValueError, match="model"):
        C.train_churn_model(X, y, model="forest")
    with pytest.raises(ValueError, match="both"):
        C.train_churn_model(X, y & False)


def test_out_of_time_split_uses_only_the_past(tiny):
    as_of = "2025-07-01"
    sp = C.out_of_time_split(tiny.orders, tiny.service_events, tiny.customers, as_of=as_of, window_days=150)
    assert sp.train_cutoff == pd.Timestamp(as_of) - pd.Timedelta(days=300)
    assert sp.test_cutoff == pd.Timestamp(as_of) - pd.Timedelta(days=150)
    past = tiny.orders[tiny.orders["order_ts"] <= sp.train_cutoff]
    ev_past = tiny.service_events[tiny.service_events["event_ts"] <= sp.train_cutoff]
    ref = C.churn_features(past, ev_past, tiny.customers, cutoff=sp.train_cutoff).loc[sp.X_train.index]
    pd.testing.assert_frame_equal(sp.X_train, ref)
    assert sp.y_train.index.equals(sp.X_train.index) and sp.y_test.index.equals(sp.X_test.index)
    assert 0.3 < sp.y_test.mean() < 0.95
    with pytest.raises(ValueError, match="training cutoff"):
        C.out_of_time_split(tiny.orders, tiny.service_events, as_of=as_of, window_days=300)


# ---------------------------------------------------------------------------- survival
def test_survival_frame_definition():
    o = _orders([("a", "2024-01-01", "completed"), ("a", "2024-01-21", "completed"),
                 ("a", "2024-05-01", "completed"),   # a: gap of 101 days after Jan 21 -> churned at day 20
                 ("b", "2024-02-01", "completed"),   # b: one order, never back -> churned at day 0
                 ("c", "2024-03-20", "completed"), ("c", "2024-04-10", "completed"),  # c: censored at horizon
                 ("d", "2024-05-01", "completed"),   # d: first order after the horizon -> left out
                 ("e", "2024-01-10", "completed"), ("e", "2024-02-01", "cancelled")])
    sf = C.survival_frame(o, as_of="2024-06-01", window_days=60)
    assert list(sf.index) == ["a", "b", "c", "e"]
    assert sf["duration_days"].tolist() == [20.0, 0.0, 13.0, 0.0]
    assert sf["churned"].tolist() == [True, True, False, True]
    assert sf["n_orders"].tolist() == [2, 1, 1, 1]
    # with every status counting as activity, e's cancelled order is its last one
    sf_all = C.survival_frame(o, as_of="2024-06-01", window_days=60, statuses=None)
    assert sf_all.loc["e", "duration_days"] == 22.0 and sf_all.loc["e", "churned"]
    with pytest.raises(ValueError, match="window_days"):
        C.survival_frame(o, as_of="2024-02-01", window_days=60)


def test_kaplan_meier_known_example():
    # hand computation: n=5; t=1: 1/5 -> 0.8; t=2: 1 of 4 -> 0.6 (one censored at 2); t=3: 1 of 2 -> 0.3
    f = pd.DataFrame({"duration_days": [1, 2, 2, 3, 4, 1, 1], "churned": [1, 1, 0, 1, 0, 0, 0],
                      "g": ["x"] * 5 + ["y"] * 2})
    km = C.kaplan_meier(f.iloc[:5])
    assert km["survival"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.3])
    assert km["n_at_risk"].tolist() == [5, 5, 4, 2]
    assert (km["ci_low"] <= km["survival"] + 1e-12).all() and (km["ci_high"] >= km["survival"] - 1e-12).all()
    assert km["ci_low"].between(0, 1).all() and km["ci_high"].between(0, 1).all()
    # Greenwood: var(log S(2)) = 1/(5*4) + 1/(4*3); log-log band at 95%
    s, v = 0.6, 1 / 20 + 1 / 12
    lo = s ** np.exp(1.959964 * np.sqrt(v) / abs(np.log(s)))
    assert km.loc[km["time"] == 2, "ci_low"].item() == pytest.approx(lo, rel=1e-5)
    by = C.kaplan_meier(f, "g")
    assert set(by["group"]) == {"x", "y"}
    assert by.loc[by["group"] == "y", "survival"].tolist() == [1.0]
    events_at_zero = C.kaplan_meier(pd.DataFrame({"duration_days": [0, 0, 5], "churned": [1, 0, 1]}))
    assert events_at_zero["time"].tolist() == [0.0, 5.0]
    assert events_at_zero["survival"].tolist() == pytest.approx([2 / 3, 0.0])
    with pytest.raises(ValueError, match="durations"):
        C.kaplan_meier(pd.DataFrame({"duration_days": [-1, 2], "churned": [1, 0]}))
    with pytest.raises(ValueError, match="group column"):
        C.kaplan_meier(f, "nope")


def test_logrank_test_separates_groups():
    rng = np.random.default_rng(1)
    t = np.r_[rng.exponential(10, 200), rng.exponential(30, 200)]
    f = pd.DataFrame({"duration_days": t, "churned": 1, "g": ["fast"] * 200 + ["slow"] * 200})
    assert C.logrank_test(f, "g")["p_value"] < 1e-6
    same = f.assign(g=rng.permutation(f["g"].to_numpy()))
    assert C.logrank_test(same, "g")["p_value"] > 0.01
    with pytest.raises(ValueError, match="two groups"):
        C.logrank_test(f.assign(g="x"), "g")


# ---------------------------------------------------------------------------- dropout model
def _gamma_nodes(shape, rate, n=120):
    """Nodes and weights of E[f(X)], X ~ Gamma(shape, rate) (generalised Gauss-Laguerre)."""
    x, w = special.roots_genlaguerre(n, shape - 1)
    return x / rate, w / special.gamma(shape)


def _beta_nodes(a, b, n=120):
    """Nodes and weights of E[f(P)], P ~ Beta(a, b) (shifted Gauss-Jacobi)."""
    x, w = special.roots_sh_jacobi(n, a + b - 1, a)
    return x, w / special.beta(a, b)


def _simulate_failure_dropout(n, *, hr, p_fail, r=2.0, alpha=1.0, s=2.0, b=4.0, seed=0):
    """Pareto/NBD with failure-dependent dropout, written out as contract tables (years from 2024-01-01)."""
    rng = np.random.default_rng(seed)
    kinds = list(hr)
    log_hr = np.log(np.array([hr[k] for k in kinds]))
    lam = rng.gamma(r, 1 / alpha, n)
    mu = rng.gamma(s, 1 / b, n)
    t = rng.uniform(0, 1.5, n)
    H = np.zeros(n)
    end = 2.0
    rows, ev = [], []
    active = np.arange(n)
    while active.size:
        fails = rng.random((active.size, len(kinds))) < np.array([p_fail[k] for k in kinds])
        for j, i in enumerate(active):
            rows.append((i, t[i]))
            for k in np.flatnonzero(fails[j]):
                ev.append((i, t[i], kinds[k], len(rows) - 1))
        H[active] += fails @ log_hr
        nxt = t[active] + rng.exponential(1 / lam[active])
        death = t[active] + rng.exponential(1 / (mu[active] * np.exp(H[active])))
        go = (nxt < death) & (nxt < end)
        t[active[go]] = nxt[go]
        active = active[go]
    start = pd.Timestamp("2024-01-01")
    o = pd.DataFrame({"order_id": [f"O{j:07d}" for j in range(len(rows))],
                      "customer_id": [f"C{i:05d}" for i, _ in rows],
                      "order_ts": [start + pd.Timedelta(days=tt * 365.25) for _, tt in rows],
                      "status": "completed"})
    e = pd.DataFrame({"event_id": [f"E{j:07d}" for j in range(len(ev))],
                      "customer_id": [f"C{i:05d}" for i, *_ in ev],
                      "order_id": [o["order_id"].iloc[j] for *_, j in ev],
                      "event_ts": [o["order_ts"].iloc[j] for *_, j in ev],
                      "event_type": [k for _, _, k, _ in ev],
                      "resolved": pd.array([None] * len(ev), dtype="boolean")})
    return o, e, start + pd.Timedelta(days=end * 365.25)


def test_dropout_loglik_matches_numerical_integration():
    o = _orders([("a", "2024-01-01", "completed"), ("a", "2024-03-01", "completed"),
                 ("a", "2024-08-01", "completed"), ("b", "2024-06-01", "completed")])
    ev = pd.DataFrame({"event_id": ["E1"], "customer_id": ["a"], "order_id": ["O001"],
                       "event_ts": pd.to_datetime(["2024-03-02"]), "event_type": ["price_change_cancel"],
                       "resolved": pd.array([None], dtype="boolean")})
    as_of = pd.Timestamp("2025-01-01")
    params = dict(r=1.3, alpha=0.8, s=0.9, beta=1.7)
    hr = dict(price_change_cancel=2.5, late_delivery=1.0)
    ll = C.dropout_loglik(params, hr, o, ev, as_of=as_of, kinds=list(hr))
    y = lambda ts: (pd.Timestamp(ts) - pd.Timestamp("2024-01-01")).days / 365.25  # noqa: E731

    def lik(lam, mu, times, c, T):
        # alive through the last order; hazards mu*c[k] between orders; then alive to T or dead before a purchase
        x = len(times) - 1
        A = sum(c[k] * (times[k + 1] - times[k]) for k in range(x))
        tau, cx = T - times[-1], c[-1]
        h = lam + mu * cx
        return lam ** x * np.exp(-lam * times[-1] - mu * A) * (np.exp(-h * tau) + mu * cx / h * (1 - np.exp(-h * tau)))

    def marginal(times, c, T):
        lam, wl = _gamma_nodes(params["r"], params["alpha"])
        mu, wm = _gamma_nodes(params["s"], params["beta"])
        return np.log(wl @ lik(lam[:, None], mu[None, :], times, c, T) @ wm)

    ta = [0.0, y("2024-03-01"), y("2024-08-01")]
    exp_a = marginal(ta, [1.0, 2.5, 2.5], y("2025-01-01"))
    exp_b = marginal([0.0], [1.0], y("2025-01-01") - y("2024-06-01"))
    assert ll.loc["a"] == pytest.approx(exp_a, abs=1e-5)
    assert ll.loc["b"] == pytest.approx(exp_b, abs=1e-5)


def test_fit_dropout_model_recovers_hazard_ratio_on_its_own_model():
    o, e, end = _simulate_failure_dropout(3000, hr=dict(price_change_cancel=2.0, late_delivery=1.0),
                                          p_fail=dict(price_change_cancel=0.15, late_delivery=0.15))
    kinds = ["price_change_cancel", "late_delivery"]
    fit = C.fit_dropout_model(o, e, as_of=end, n_classes=1, kinds=kinds)
    hr = fit.hazard_ratios["hazard_ratio"]
    assert fit.converged
    assert abs(np.log(hr["price_change_cancel"] / 2.0)) < np.log(1.25), f"HR {hr['price_change_cancel']:.2f} vs 2.0"
    assert abs(np.log(hr["late_delivery"])) < np.log(1.25), f"HR {hr['late_delivery']:.2f} vs 1.0"
    ci = fit.hazard_ratios.loc["price_change_cancel"]
    assert ci["ci_low"] < 2.0 < ci["ci_high"], f"95% CI {ci['ci_low']:.2f}-{ci['ci_high']:.2f} misses 2.0"
    cls = fit.classes.iloc[0]
    assert cls["mean_purchase_rate"] == pytest.approx(2.0, rel=0.15), cls.to_dict()
    assert cls["mean_dropout_rate"] == pytest.approx(0.5, rel=0.3), cls.to_dict()
    # events without an order id are attached to the customer's latest order before them: same fit
    fit2 = C.fit_dropout_model(o, e.assign(order_id=None), as_of=end, n_classes=1, kinds=kinds)
    np.testing.assert_allclose(fit2.hazard_ratios["hazard_ratio"], hr, rtol=1e-6)
    # a kind that never happened is reported as NaN and does not change the others
    fit3 = C.fit_dropout_model(o, e, as_of=end, n_classes=1, kinds=kinds + ["failed_delivery"])
    assert np.isnan(fit3.hazard_ratios.loc["failed_delivery", "hazard_ratio"])
    assert fit3.hazard_ratios.loc["failed_delivery", "n_events"] == 0
    np.testing.assert_allclose(fit3.hazard_ratios.loc[kinds, "hazard_ratio"], hr, rtol=1e-6)


def test_failure_hazard_ratios_interface(tiny):
    out = C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", n_classes=1)
    assert list(out.index) == list(C.FAILURE_KINDS)
    assert (out["ci_low"] <= out["hazard_ratio"]).all() and (out["hazard_ratio"] <= out["ci_high"]).all()
    assert (out["method"] == "frailty").all() and (out["n_events"] > 0).all()
    cox = C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", window_days=180,
                                  method="cox")
    assert list(cox.index) == list(C.FAILURE_KINDS) and (cox["hazard_ratio"] > 0).all()
    with pytest.raises(ValueError, match="window_days"):
        C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", method="cox")
    with pytest.raises(ValueError, match="method"):
        C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", method="probit")
    with pytest.raises(ValueError, match="n_classes"):
        C.fit_dropout_model(tiny.orders, tiny.service_events, as_of="2025-07-01", n_classes=5)
    with pytest.raises(ValueError, match="order_id"):
        C.fit_dropout_model(tiny.orders.drop(columns="order_id"), tiny.service_events, as_of="2025-07-01")


# ---------------------------------------------------------------------------- BG/NBD
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


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_bgnbd_formulas_match_numerical_integration(model):
    P = dict(r=0.5, alpha=3.0, a=1.6, b=2.4)
    sh = 1 if model == "mbgnbd" else 0
    lam, wl = _gamma_nodes(P["r"], P["alpha"])
    p, wp = _beta_nodes(P["a"], P["b"])
    lam, p = lam[:, None], p[None, :]
    for x, tx, T in [(0, 0.0, 20.0), (3, 12.0, 20.0)]:
        alive = (1 - p) ** (x + sh) * lam ** x * np.exp(-lam * T)
        dead = p * (1 - p) ** (x - 1 + sh) * lam ** x * np.exp(-lam * tx) if (x > 0 or sh) else 0 * alive
        la, ld = wl @ alive @ wp, wl @ dead @ wp
        fut = wl @ (alive * (1 - np.exp(-lam * p * 10.0)) / p) @ wp
        assert C.bgnbd_loglik(P, [x], [tx], [T], model=model)[0] == pytest.approx(np.log(la + ld), abs=1e-7)
        assert C.bgnbd_p_alive(P, [x], [tx], [T], model=model)[0] == pytest.approx(la / (la + ld), abs=1e-7)
        assert C.bgnbd_expected_purchases(P, 10.0, [x], [tx], [T], model=model)[0] == pytest.approx(
            fut / (la + ld), abs=1e-7)
    sim = _simulate_bgnbd(200_000, P, 15.0, model=model, seed=5)
    e = float(C.bgnbd_expected_purchases(P, 15.0, model=model))
    assert sim["frequency"].mean() == pytest.approx(e, rel=0.02), "E[X(t)] disagrees with simulation"


def test_bgnbd_loglik_finite_and_p_alive_behaviour():
    rfm = _simulate_bgnbd(2000, CDNOW, 39.0, seed=1)
    ll = C.bgnbd_loglik(CDNOW, rfm["frequency"], rfm["recency"], rfm["T"])
    assert np.isfinite(ll).all() and (ll <= 0).all()
    pa = C.bgnbd_p_alive(CDNOW, [0, 3, 3, 3], [0.0, 35.0, 20.0, 5.0], [39.0] * 4)
    assert pa[0] == 1.0 and 1 > pa[1] > pa[2] > pa[3] > 0, "P(alive) must fall as the last purchase recedes"
    with pytest.raises(ValueError, match="recency"):
        C.bgnbd_loglik(CDNOW, [1], [5.0], [3.0])
    with pytest.raises(ValueError, match="alpha"):
        C.bgnbd_p_alive(dict(r=1, a=1, b=1), [1], [1.0], [2.0])


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_bgnbd_fit_recovers_parameters_of_simulated_data(model):
    rng = np.random.default_rng(2)
    T = rng.uniform(26, 78, 6000)  # customers acquired at different times, as in CDNOW
    rfm = _simulate_bgnbd(6000, CDNOW, T, model=model, seed=3)
    fit = C.bgnbd_fit(rfm, model=model)
    assert fit["converged"] and fit["model"] == model
    for k, tol in (("r", 0.15), ("alpha", 0.25), ("a", 0.35), ("b", 0.35)):
        assert fit[k] == pytest.approx(CDNOW[k], rel=tol), f"{model} {k}: {fit[k]:.3f} vs {CDNOW[k]} (±{tol:.0%})"
    # the fitted model carries its variant into P(alive)
    pa = C.bgnbd_p_alive(fit, rfm["frequency"], rfm["recency"], rfm["T"])
    assert (pa[rfm["frequency"].to_numpy() == 0] < 1).all() == (model == "mbgnbd")


def test_rfm_summary_counts_purchase_days(small_tables):
    o, _, _ = small_tables
    rfm = C.rfm_summary(o, as_of="2024-03-01", time_unit_days=1.0)
    assert rfm.loc["a", ["frequency", "recency", "T"]].tolist() == [1.0, 31.0, 60.0]
    assert rfm.loc["b", ["frequency", "recency", "T"]].tolist() == [0.0, 0.0, 15.0]
    with pytest.raises(ValueError, match="no purchase"):
        C.rfm_summary(o, as_of="2023-01-01")


# ---------------------------------------------------------------------------- campaign
def _campaign(n1, k1, n0, k0, prefix="c"):
    return pd.DataFrame({"customer_id": [f"{prefix}{i}" for i in range(n1 + n0)],
                         "treated": [True] * n1 + [False] * n0,
                         "responded": [True] * k1 + [False] * (n1 - k1) + [True] * k0 + [False] * (n0 - k0)})


def test_campaign_effect_neyman_interval():
    c = _campaign(200, 60, 100, 20)
    r = C.campaign_effect(c)
    se = np.sqrt(0.3 * 0.7 / 200 + 0.2 * 0.8 / 100)
    assert r["ate"] == pytest.approx(0.1) and r["se"] == pytest.approx(se)
    assert r["ci_low"] == pytest.approx(0.1 - 1.959964 * se, rel=1e-5)
    assert (r["n_treated"], r["n_control"]) == (200, 100)
    assert C.campaign_effect(c, ci=0.5)["ci_high"] < r["ci_high"]
    with pytest.raises(ValueError, match="responded"):
        C.campaign_effect(c.drop(columns="responded"))
    with pytest.raises(ValueError, match="control"):
        C.campaign_effect(c[c["treated"]])


def test_uplift_by_group_with_series_and_column():
    a, b = _campaign(50, 25, 50, 10, "a"), _campaign(50, 5, 50, 15, "b")
    c = pd.concat([a, b], ignore_index=True)
    seg = pd.Series(["x"] * 100 + ["y"] * 100, index=c["customer_id"])
    u = C.uplift_by_group(c, seg)
    assert u["uplift"].to_dict() == pytest.approx({"x": 0.3, "y": -0.2})
    assert u.loc["y", "ci_high"] < 0
    u2 = C.uplift_by_group(c.assign(seg=seg.to_numpy()), "seg")
    pd.testing.assert_frame_equal(u, u2)


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
    q = C.qini_table(c, uplift_score, n_bins=4)
    assert q.loc[1, "uplift"] == pytest.approx(1.0) and q.loc[2:, "uplift"].abs().max() == 0
    # cumulative: no control responds, so incremental = n_targeted x treated response rate among them
    order = np.argsort(-uplift_score.to_numpy(), kind="stable")
    expect = [(k * 100) * persuadable[order[:k * 100]][treated[order[:k * 100]]].sum() / treated[order[:k * 100]].sum()
              for k in range(1, 5)]
    assert q["cum_incremental"].tolist() == pytest.approx(expect)
    assert q.loc[1, "cum_incremental"] == pytest.approx(100.0)
    t = C.targeting_comparison(c, risk_score, uplift_score, budget_share=0.25, value_per_response=100.0,
                               cost_per_contact=2.0, cost_per_redemption=10.0)
    assert list(t.index) == ["random", "risk", "uplift"]
    assert t.loc["uplift", "uplift"] == pytest.approx(1.0) and t.loc["risk", "uplift"] == pytest.approx(0.0)
    assert t.loc["uplift", "response_rate_treated"] == 1.0
    assert t.loc["uplift", "profit"] == pytest.approx(100 * (100.0 - 2.0 - 1.0 * 10.0))
    assert t.loc["risk", "profit"] == pytest.approx(-200.0)
    with pytest.raises(ValueError, match="budget_share"):
        C.targeting_comparison(c, risk_score, uplift_score, budget_share=0)


def test_tlearner_uplift_finds_heterogeneous_effect():
    rng = np.random.default_rng(4)
    n = 3000
    x = rng.normal(size=n)
    t = rng.random(n) < 0.5
    p = 0.1 + np.where(t, 0.3 * (x > 0), 0.0)
    ids = [f"c{i}" for i in range(n)]
    c = pd.DataFrame({"customer_id": ids, "treated": t, "responded": rng.random(n) < p})
    X = pd.DataFrame({"x": x, "z": rng.normal(size=n)}, index=ids)
    u = C.tlearner_uplift(X, c, n_folds=3, random_state=0)
    assert u.index.equals(pd.Index(ids))
    assert u[x > 0].mean() - u[x <= 0].mean() > 0.15, "the uplift score should separate x > 0 from x <= 0"
    assert C.tlearner_uplift(X, c, n_folds=3, random_state=0).equals(u), "not deterministic"


def test_retention_profit_formula():
    assert C.retention_profit(10_000, 0.1, 0.05, 2_000.0, 30.0) == pytest.approx(70_000.0)
    assert C.retention_profit(1000, 0.2, 0.01, 500.0, 10.0) == pytest.approx(-1000.0)
    arr = C.retention_profit(1000, np.array([0.1, 0.2]), 0.1, 100.0, 5.0)
    assert arr.tolist() == pytest.approx([500.0, 1000.0])
    with pytest.raises(ValueError, match="p_targeted"):
        C.retention_profit(1000, 1.5, 0.1, 100.0, 5.0)


# ============================================================================ truth recovery (classroom)
AS_OF = "2026-01-01"
MODEL_WINDOW = 180  # two years of data: the out-of-time design needs 2 windows + history


@pytest.fixture(scope="module")
def runs():
    """Every estimate on the classroom preset for each seed, computed once."""
    out = {}
    with threadpool_limits(limits=1):
        for seed in SEEDS:
            d = crmlab.make_retail_crm("classroom", seed=seed)
            tc = d.truth_customers.set_index("customer_id")
            r = dict(truth=d.truth, seg=tc["segment"])
            r["window"] = C.suggest_window(d.orders, as_of=AS_OF)
            r["hr"] = C.failure_hazard_ratios(d.orders, d.service_events, as_of=AS_OF)["hazard_ratio"]
            r["hr_cox"] = C.failure_hazard_ratios(d.orders, d.service_events, as_of=AS_OF,
                                                  window_days=d.truth["churn"]["window_days"],
                                                  method="cox")["hazard_ratio"]
            sp = C.out_of_time_split(d.orders, d.service_events, d.customers, as_of=AS_OF, window_days=MODEL_WINDOW)
            m = C.train_churn_model(sp.X_train, sp.y_train)
            r["model"] = C.evaluate_churn_model(sp.y_test, C.predict_churn(m, sp.X_test))
            rfm = C.rfm_summary(d.orders, as_of=AS_OF)
            churned = tc.loc[rfm.index, "churned"]
            for variant in ("bgnbd", "mbgnbd"):
                pa = C.bgnbd_p_alive(C.bgnbd_fit(rfm, model=variant), rfm["frequency"], rfm["recency"], rfm["T"])
                r[f"auc_{variant}"] = roc_auc_score(churned, -pa)
            r["campaign"] = d.campaigns
            r["ate"] = C.campaign_effect(d.campaigns)
            # targeting: risk from a churn model trained one window before the send date, uplift cross-fitted
            sent = d.campaigns["sent_date"].iloc[0]
            X = C.churn_features(d.orders, d.service_events, d.customers, cutoff=sent - pd.Timedelta(seconds=1))
            cut = sent - pd.Timedelta(days=150)
            Xtr = C.churn_features(d.orders, d.service_events, d.customers, cutoff=cut)
            ytr = C.churn_labels(d.orders, cutoff=cut, window_days=150)["churned"]
            risk = C.predict_churn(C.train_churn_model(Xtr, ytr), X)
            up = C.tlearner_uplift(X, d.campaigns, random_state=seed)
            true_up = tc["campaign_uplift"]
            ids = d.campaigns["customer_id"]
            k = int(round(0.3 * len(ids)))
            for name, sc in (("risk", risk), ("uplift", up)):
                top = sc.reindex(ids).fillna(-np.inf).sort_values(ascending=False, kind="stable").index[:k]
                r[f"true_incremental_{name}"] = float(true_up.reindex(top).sum())
            out[seed] = r
    return out


@pytest.mark.slow
def test_campaign_ate_interval_covers_truth(runs):
    hits = {s: r["ate"]["ci_low"] <= r["truth"]["campaign"]["ate"] <= r["ate"]["ci_high"] for s, r in runs.items()}
    detail = {s: (round(r["ate"]["ate"], 4), round(r["ate"]["ci_low"], 4), round(r["ate"]["ci_high"], 4),
                  r["truth"]["campaign"]["ate"]) for s, r in runs.items()}
    assert sum(hits.values()) >= 4, f"95% CI covers the true ATE in {sum(hits.values())}/5 seeds (need >= 4): {detail}"


@pytest.mark.slow
def test_sleeping_dogs_have_negative_uplift(runs):
    pooled = pd.concat([r["campaign"].assign(customer_id=r["campaign"]["customer_id"] + f"_{s}",
                                             segment=r["campaign"]["customer_id"].map(r["seg"]).to_numpy())
                        for s, r in runs.items()], ignore_index=True)
    u = C.uplift_by_group(pooled, "segment")
    dogs = runs[0]["truth"]["campaign"]["sleeping_dog_segments"]
    assert dogs, "the scenario plants no sleeping-dog segment"
    truth = runs[0]["truth"]["campaign"]["uplift_by_segment"]
    for seg in dogs:
        assert u.loc[seg, "uplift"] < 0, (f"{seg}: pooled uplift {u.loc[seg, 'uplift']:.4f} should be negative; "
                                          f"estimates {u['uplift'].round(4).to_dict()}, truth {truth}")


@pytest.mark.slow
def test_uplift_targeting_beats_risk_targeting(runs):
    wins = {s: (round(r["true_incremental_uplift"], 1), round(r["true_incremental_risk"], 1)) for s, r in runs.items()}
    n_wins = sum(u > k for u, k in wins.values())
    assert n_wins >= 4, f"true incremental responses (uplift, risk) at a 30% budget: {wins}"


@pytest.mark.slow
def test_out_of_time_churn_model(runs):
    res = {s: (round(r["model"]["auc"], 3), round(r["model"]["top_decile_lift"], 2), round(r["model"]["base_rate"], 3))
           for s, r in runs.items()}
    for s, r in runs.items():
        ev = r["model"]
        assert 0.70 <= ev["auc"] <= 0.88, f"seed {s}: AUC {ev['auc']:.3f} outside 0.70-0.88; all: {res}"
        # Top-decile lift cannot exceed 1 / base_rate (about 1.4 here: most customers buy less than once a
        # year, so 70% are inactive in any 180-day window). The lead's target of 1.8 is unreachable on this
        # preset; we require a lift of at least 1.2 that reaches 85% of the attainable maximum.
        cap = 1 / ev["base_rate"]
        assert ev["top_decile_lift"] >= 1.2 and ev["top_decile_lift"] >= 0.85 * cap, (
            f"seed {s}: top-decile lift {ev['top_decile_lift']:.2f} (cap {cap:.2f}); all (auc, lift, base): {res}")


@pytest.mark.slow
def test_failure_hazard_ratio_price_change_cancel(runs):
    truth = runs[0]["truth"]["churn"]["hazard_ratios"]
    est = pd.DataFrame({s: r["hr"] for s, r in runs.items()})
    naive = pd.DataFrame({s: r["hr_cox"] for s, r in runs.items()})
    gm = np.exp(np.log(est).mean(axis=1))  # the average over seeds, on the log scale
    k = "price_change_cancel"
    msg = (f"frailty estimates by seed:\n{est.round(2)}\ngeometric means {gm.round(2).to_dict()}\n"
           f"naive Cox:\n{naive.round(2)}\ntruth {truth}")
    assert abs(np.log(gm[k] / truth[k])) <= np.log(1.35), f"{k}: {gm[k]:.2f} vs {truth[k]} (±35%)\n{msg}"
    # every kind on the right side of 1 on average (all planted ratios are > 1)
    assert (gm > 1).all(), msg


@pytest.mark.slow
def test_bgnbd_p_alive_ranks_churners(runs):
    auc = {s: (round(r["auc_bgnbd"], 3), round(r["auc_mbgnbd"], 3)) for s, r in runs.items()}
    # The BG/NBD says a customer without a repeat purchase is alive for sure; most customers here buy once,
    # so only the MBG/NBD (dropout possible right after the first purchase) ranks churners well.
    assert all(m > 0.7 for _, m in auc.values()), f"AUC of 1 - P(alive) vs latent churn (BG/NBD, MBG/NBD): {auc}"


@pytest.mark.slow
def test_suggested_window_close_to_recommended(runs):
    w = {s: (r["window"], r["truth"]["churn"]["window_days"]) for s, r in runs.items()}
    assert all(abs(a - b) <= 0.25 * b for a, b in w.values()), f"suggested vs recommended window: {w}"
