"""Tests of crmlab.analysis.churn (definition, prediction, dropout): unit tests on hand-made data,
truth recovery of the whole churn case (with survival, BG/NBD and uplift) on the classroom preset."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import special  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import crmlab  # noqa: E402
from crmlab import plots  # noqa: E402
from crmlab.analysis import churn as C  # noqa: E402
from crmlab.analysis import uplift as U  # noqa: E402
from crmlab.analysis.churn import definition, dropout, prediction  # noqa: E402
from crmlab.analysis.clv.bgnbd import BGNBD, MBGNBD, rfm_summary  # noqa: E402
from crmlab.domain import FAILURE_KINDS  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """BLAS and OpenMP on one thread: the machine is shared, and threads only add overhead here."""
    with threadpool_limits(limits=1):
        yield


@pytest.mark.parametrize("module", [C, definition, prediction, dropout], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    res = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} docstring example(s) failed"
    assert res.attempted >= 1


def test_package_reexports_the_methods_of_its_modules():
    for mod in (definition, prediction, dropout):
        for name in mod.__all__:
            assert getattr(C, name) is getattr(mod, name), name
    assert sorted(C.__all__) == sorted(definition.__all__ + prediction.__all__ + dropout.__all__)
    assert not hasattr(C, "FAILURE_KINDS"), "the failure kinds are crmlab.domain.FAILURE_KINDS"


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
    # statuses=None counts every order: b's cancelled order keeps b active
    assert C.churn_labels(o, cutoff="2024-01-31", window_days=90, statuses=None)["churned"]["b"] == False  # noqa: E712
    # an extract without a status column: every order counts (crmlab.domain.counted_orders)
    no_status = C.churn_labels(o.drop(columns="status"), cutoff="2024-01-31", window_days=90)
    assert no_status["churned"].to_dict() == {"a": False, "b": False, "d": True}
    with pytest.raises(ValueError, match="customer_id"):
        C.churn_labels(o.drop(columns="customer_id"), cutoff="2024-01-31", window_days=90)
    with pytest.raises(ValueError, match="ISO 8601"):
        C.churn_labels(o.assign(order_ts="31/01/2024"), cutoff="2024-01-31", window_days=90)
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
    assert isinstance(ev, C.ChurnModelEvaluation)
    assert ev.auc == pytest.approx(20 / 21) and ev.gini == pytest.approx(2 * 20 / 21 - 1)
    assert ev.top_decile_lift == pytest.approx(1 / 0.3)
    assert ev.base_rate == pytest.approx(0.3) and ev.n == 10
    assert np.isnan(ev.brier)  # scores are not probabilities
    assert set(ev.to_dict()) == {"auc", "gini", "top_decile_lift", "top_decile_rate", "base_rate", "brier", "n",
                                 "top_share", "auc_ci_low", "auc_ci_high", "lift_ci_low", "lift_ci_high",
                                 "confidence_level"}
    t = C.gains_table(y, s, n_bins=5)
    assert t["n"].tolist() == [2] * 5
    assert t["n_churners"].tolist() == [2, 1, 0, 0, 0]
    assert t["lift"].tolist() == pytest.approx([1 / 0.3, 0.5 / 0.3, 0, 0, 0])
    assert t["cum_lift"].iloc[-1] == pytest.approx(1.0)
    assert t["cum_share_churners"].iloc[0] == pytest.approx(2 / 3)
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    cal = C.calibration_table(y, p, n_bins=2)
    assert cal.table["mean_predicted"].tolist() == pytest.approx([0.7, 0.21])
    assert cal.table["observed_rate"].tolist() == pytest.approx([0.6, 0.0])
    assert cal.ece == pytest.approx((5 * 0.1 + 5 * 0.21) / 10)
    assert not cal.table.attrs, "statistics are fields of the result, not DataFrame.attrs"
    with pytest.raises(ValueError, match="both"):
        C.evaluate_churn_model([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="binary"):
        C.gains_table([0, 2, 1], [1, 2, 3], n_bins=2)
    with pytest.raises(ValueError, match="length"):
        C.gains_table([0, 1, 1], [1, 2], n_bins=2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        C.calibration_table([0, 1], [0.5, 1.5], n_bins=2)


def test_gains_chart_draws_a_gains_table_as_it_is():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
    t = C.gains_table(y, np.arange(10, 0, -1).astype(float), n_bins=5)
    ax = plots.gains_chart(t, "gains")  # no x/y: the defaults are gains_table's columns
    try:
        model = ax.get_lines()[0]
        assert model.get_xdata().tolist() == pytest.approx([0.0, *t["cum_share_customers"]])
        assert model.get_ydata().tolist() == pytest.approx([0.0, *t["cum_share_churners"]])
    finally:
        plt.close(ax.figure)


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


# ---------------------------------------------------------------------------- dropout model
def _gamma_nodes(shape, rate, n=120):
    """Nodes and weights of E[f(X)], X ~ Gamma(shape, rate) (generalised Gauss-Laguerre)."""
    x, w = special.roots_genlaguerre(n, shape - 1)
    return x / rate, w / special.gamma(shape)


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
    # the fit is a frozen result; a lower confidence level narrows the interval around the same estimate
    assert isinstance(fit, C.DropoutFit) and fit.confidence_level == 0.95
    assert "theta" not in repr(fit) and repr(fit).startswith("DropoutFit(hazard_ratios=<DataFrame 2x5>")
    with pytest.raises(AttributeError):
        fit.loglik = 0.0
    fit90 = C.fit_dropout_model(o, e, as_of=end, n_classes=1, kinds=kinds, confidence_level=0.9)
    assert fit90.confidence_level == 0.9
    np.testing.assert_allclose(fit90.hazard_ratios["hazard_ratio"], hr, rtol=1e-12)
    assert (fit90.hazard_ratios["ci_low"] > fit.hazard_ratios["ci_low"]).all()
    assert (fit90.hazard_ratios["ci_high"] < fit.hazard_ratios["ci_high"]).all()
    with pytest.raises(ValueError, match="confidence_level"):
        C.fit_dropout_model(o, e, as_of=end, n_classes=1, kinds=kinds, confidence_level=95)
    # the ratio of two hazard ratios uses the covariance of the two estimates (one model)
    V = fit.covariance
    assert list(V.index) == kinds and np.allclose(V.to_numpy(), V.to_numpy().T)
    np.testing.assert_allclose(np.sqrt(np.diag(V)), fit.hazard_ratios["se_log"], rtol=1e-12)
    r = fit.ratio("price_change_cancel", "late_delivery")
    assert r.estimate == pytest.approx(hr["price_change_cancel"] / hr["late_delivery"])
    se = np.sqrt(V.iloc[0, 0] + V.iloc[1, 1] - 2 * V.iloc[0, 1])
    assert np.log(r.ci_high / r.estimate) == pytest.approx(1.959964 * se, rel=1e-5)
    assert r.ci_low < 2.0 < r.ci_high  # the planted ratio 2.0 / 1.0
    back = fit.ratio("late_delivery", "price_change_cancel")
    assert (back.estimate, back.ci_low, back.ci_high) == pytest.approx((1 / r.estimate, 1 / r.ci_high, 1 / r.ci_low))
    assert fit90.ratio("price_change_cancel", "late_delivery").ci_high < r.ci_high
    assert np.isnan(fit3.ratio("failed_delivery", "late_delivery").estimate)
    with pytest.raises(KeyError, match="expired_coupon"):
        fit.ratio("expired_coupon", "late_delivery")


def test_failure_hazard_ratios_interface(tiny):
    out = C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", n_classes=1)
    assert list(out.index) == list(FAILURE_KINDS)
    assert (out["ci_low"] <= out["hazard_ratio"]).all() and (out["hazard_ratio"] <= out["ci_high"]).all()
    assert (out["method"] == "frailty").all() and (out["n_events"] > 0).all()
    cox = C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", window_days=180,
                                  method="cox")
    assert list(cox.index) == list(FAILURE_KINDS) and (cox["hazard_ratio"] > 0).all()
    cox90 = C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", window_days=180,
                                    method="cox", confidence_level=0.9)
    pd.testing.assert_series_equal(cox90["hazard_ratio"], cox["hazard_ratio"])
    assert (cox90["ci_high"] < cox["ci_high"]).all() and (cox90["ci_low"] > cox["ci_low"]).all()
    with pytest.raises(ValueError, match="window_days"):
        C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", method="cox")
    with pytest.raises(ValueError, match="method"):
        C.failure_hazard_ratios(tiny.orders, tiny.service_events, as_of="2025-07-01", method="probit")
    with pytest.raises(ValueError, match="n_classes"):
        C.fit_dropout_model(tiny.orders, tiny.service_events, as_of="2025-07-01", n_classes=5)
    with pytest.raises(ValueError, match="order_id"):
        C.fit_dropout_model(tiny.orders.drop(columns="order_id"), tiny.service_events, as_of="2025-07-01")


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
            rfm = rfm_summary(d.orders, as_of=AS_OF)
            churned = tc.loc[rfm.index, "churned"]
            for variant, model in (("bgnbd", BGNBD), ("mbgnbd", MBGNBD)):
                pa = model().fit(rfm["frequency"], rfm["recency"], rfm["T"]).p_alive(rfm["frequency"], rfm["recency"],
                                                                                       rfm["T"])
                r[f"auc_{variant}"] = roc_auc_score(churned, -pa)
            r["campaign"] = d.campaigns
            r["ate"] = U.campaign_effect(d.campaigns)
            # targeting: risk from a churn model trained one window before the send date, uplift cross-fitted
            sent = d.campaigns["sent_date"].iloc[0]
            X = C.churn_features(d.orders, d.service_events, d.customers, cutoff=sent - pd.Timedelta(seconds=1))
            cut = sent - pd.Timedelta(days=150)
            Xtr = C.churn_features(d.orders, d.service_events, d.customers, cutoff=cut)
            ytr = C.churn_labels(d.orders, cutoff=cut, window_days=150)["churned"]
            risk = C.predict_churn(C.train_churn_model(Xtr, ytr), X)
            up = U.tlearner_uplift(X, d.campaigns, random_state=seed)
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
    hits = {s: r["ate"].ci_low <= r["truth"]["campaign"]["ate"] <= r["ate"].ci_high for s, r in runs.items()}
    detail = {s: (round(r["ate"].ate, 4), round(r["ate"].ci_low, 4), round(r["ate"].ci_high, 4),
                  r["truth"]["campaign"]["ate"]) for s, r in runs.items()}
    assert sum(hits.values()) >= 4, f"95% CI covers the true ATE in {sum(hits.values())}/5 seeds (need >= 4): {detail}"


@pytest.mark.slow
def test_sleeping_dogs_have_negative_uplift(runs):
    pooled = pd.concat([r["campaign"].assign(customer_id=r["campaign"]["customer_id"] + f"_{s}",
                                             segment=r["campaign"]["customer_id"].map(r["seg"]).to_numpy())
                        for s, r in runs.items()], ignore_index=True)
    u = U.uplift_by_group(pooled, "segment")
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
    res = {s: (round(r["model"].auc, 3), round(r["model"].top_decile_lift, 2), round(r["model"].base_rate, 3))
           for s, r in runs.items()}
    for s, r in runs.items():
        ev = r["model"]
        assert 0.70 <= ev.auc <= 0.88, f"seed {s}: AUC {ev.auc:.3f} outside 0.70-0.88; all: {res}"
        # Top-decile lift cannot exceed 1 / base_rate (about 1.4 here: most customers buy less than once a
        # year, so 70% are inactive in any 180-day window). The lead's target of 1.8 is unreachable on this
        # preset; we require a lift of at least 1.2 that reaches 85% of the attainable maximum.
        cap = 1 / ev.base_rate
        assert ev.top_decile_lift >= 1.2 and ev.top_decile_lift >= 0.85 * cap, (
            f"seed {s}: top-decile lift {ev.top_decile_lift:.2f} (cap {cap:.2f}); all (auc, lift, base): {res}")


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



def test_auc_interval_is_delong():
    """Every headline has an interval: the AUC's is DeLong's (checked against the pairwise definition)."""
    rng = np.random.default_rng(5)
    y = rng.random(300) < 0.4
    s = np.round(rng.normal(size=300) + 0.8 * y, 1)  # rounded: ties
    r = C.evaluate_churn_model(y, s)
    pos, neg = s[y], s[~y]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))
    assert r.auc == pytest.approx(psi.mean())
    assert (r.auc_ci_low, r.auc_ci_high) == pytest.approx((r.auc - 1.959964 * se, r.auc + 1.959964 * se), rel=1e-6)
    k = 30
    rate = y[np.argsort(-s, kind="stable")[:k]].mean()
    assert r.lift_ci_low * r.base_rate == pytest.approx(rate - 1.959964 * np.sqrt(rate * (1 - rate) / k), rel=1e-6)
    assert C.evaluate_churn_model(y, s, confidence_level=0.5).auc_ci_high < r.auc_ci_high


def test_churn_by_failure_counts_failures_up_to_the_cutoff():
    labels = pd.DataFrame({"churned": [True, True, False, False, True]}, index=list("abcde"))
    ev = pd.DataFrame({"customer_id": ["c", "d", "a", "e", "zz"],
                       "event_ts": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-03-01", "2024-01-05", "2024-01-01"]),
                       "event_type": ["late_delivery", "complaint", "late_delivery", "complaint", "late_delivery"],
                       "resolved": pd.array([None, False, None, True, None], dtype="boolean")})
    t = C.churn_by_failure(labels, ev, cutoff="2024-02-01", kinds=["late_delivery", "unresolved_complaint"])
    assert list(t.index) == ["late_delivery", "unresolved_complaint", "any"]
    # a's failure is after the cutoff, e's complaint was resolved, zz is not labelled
    assert t.loc["late_delivery", ["n_with", "churn_with", "churn_without"]].tolist() == [1, 0.0, 0.75]
    assert t.loc["any", ["n_with", "n_without"]].tolist() == [2, 3]
    assert t.loc["any", "difference"] == pytest.approx(0.0 - 1.0)


def test_churn_lesson_texts_word_a_finding_by_its_interval():
    """Issue 10: the churn notebook's findings come from claim templates; only the 'unclear' sentence may be
    used without a supported interval, and it (and only it) says that the data cannot tell."""
    from crmlab.notebook.texts.churn import MESSAGES

    ids = {k.rsplit(".", 1)[0] for k in MESSAGES if k.startswith("churn.")}
    assert len(ids) >= 20
    for cid in ids:
        kinds = {k.rsplit(".", 1)[1] for k in MESSAGES if k.rsplit(".", 1)[0] == cid}
        assert kinds in ({"up", "down", "unclear"}, {"leader", "unclear"}), (cid, kinds)
        for kind in kinds:
            en, zh = MESSAGES[f"{cid}.{kind}"]["en"], MESSAGES[f"{cid}.{kind}"]["zh"]
            assert ("cannot tell" in en) == (kind == "unclear"), (cid, kind, en)
            assert ("无法判断" in zh) == (kind == "unclear"), (cid, kind, zh)
            assert "{ci_low" in en or "{ratio_low" in en, f"{cid}.{kind} gives no interval"
