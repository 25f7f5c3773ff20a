"""Lifecycle estimators (lesson 07) on hand-made tables whose answers are known, plus the win-back truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.analysis import lifecycle

AS_OF = "2024-12-31"


def _orders(rows):
    """rows: (customer, channel, date, value[, status])."""
    frame = pd.DataFrame([r if len(r) == 5 else (*r, "completed") for r in rows],
                         columns=["customer_id", "channel", "order_ts", "order_value", "status"])
    return frame.assign(order_ts=pd.to_datetime(frame["order_ts"]))


@pytest.fixture
def silo_orders():
    # a: store long ago, app recently -> store calls lapsed, unified active (channel shift)
    # b: store long ago only -> lapsed everywhere
    # c: store recently -> active
    # d: web recently, store cancelled recently (not counted) -> not a store customer
    # e: store recently, web long ago -> web calls lapsed, unified active
    return _orders([("a", "store", "2023-01-10", 100.0), ("a", "app", "2024-06-01", 50.0),
                    ("b", "store", "2023-05-01", 80.0),
                    ("c", "store", "2024-07-01", 30.0),
                    ("d", "web", "2024-03-01", 20.0), ("d", "store", "2024-04-01", 999.0, "cancelled"),
                    ("e", "web", "2023-02-01", 10.0), ("e", "store", "2024-09-09", 40.0)])


def test_channel_types(silo_orders):
    p = lifecycle.channel_profile(silo_orders)
    assert p["channel_type"].to_dict() == {"a": "multichannel", "b": "store_only", "c": "store_only",
                                           "d": "web_only", "e": "multichannel"}
    assert p.loc["d", "n_orders"] == 1 and p.loc["d", "spend"] == 20.0  # the cancelled order does not count
    assert p.loc["a", "spend_per_order"] == 75.0


def test_silo_view_counts_and_lapsed_shares(silo_orders):
    s = lifecycle.silo_view(silo_orders, as_of=AS_OF)
    assert s.loc["store", "n_customers"] == 4  # a, b, c, e (d's store order was cancelled)
    assert s.loc["store", "n_lapsed"] == 2  # a, b
    assert s.loc["web", "n_lapsed"] == 1  # e
    assert s.loc["unified", "n_customers"] == 5 and s.loc["unified", "n_lapsed"] == 1  # only b
    assert s.loc["store", "spend_per_customer"] == pytest.approx((100 + 80 + 30 + 40) / 4)
    assert (s["ci_low"] <= s["lapsed_share"]).all() and (s["lapsed_share"] <= s["ci_high"]).all()


def test_silo_false_lapsed_is_the_overstatement(silo_orders):
    r = lifecycle.silo_false_lapsed(silo_orders, as_of=AS_OF, channel="store")
    assert (r.n_customers, r.n_silo_lapsed, r.n_active_elsewhere) == (4, 2, 1)
    assert r.estimate == pytest.approx(0.25) and r.share_of_lapsed == pytest.approx(0.5)
    # equals the silo's lapsed share minus the unified lapsed share among the same customers
    s = lifecycle.silo_view(silo_orders, as_of=AS_OF)
    assert r.estimate == pytest.approx(s.loc["store", "lapsed_share"] - 1 / 4)
    with pytest.raises(ValueError):
        lifecycle.silo_false_lapsed(silo_orders, as_of=AS_OF, channel="phone")


def test_retention_matrix_on_a_tiny_example():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_channel": ["app", "app", "store"],
                              "signup_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-04-01"])})
    orders = _orders([("a", "app", "2024-01-02", 1.0), ("a", "app", "2024-05-01", 1.0),
                      ("b", "app", "2024-02-01", 1.0), ("b", "app", "2024-03-31", 1.0, "cancelled"),
                      ("c", "store", "2024-04-02", 1.0), ("c", "store", "2024-07-15", 1.0)])
    r = lifecycle.retention_curve(orders, customers, as_of="2024-07-20", by="signup_channel", period_days=91)
    got = {(row.cohort, row.period): (row.n, row.k) for row in r.itertuples()}
    # period 2 (days 91-181) has ended for a and b (Jan signups) but not for c (April signup)
    assert got == {("app", 1): (2, 2), ("store", 1): (1, 1), ("app", 2): (2, 1)}
    q = lifecycle.retention_curve(orders, customers, as_of="2024-12-31", by="signup_quarter", period_days=91)
    assert set(q["cohort"]) == {"2024Q1", "2024Q2"}
    assert q.set_index(["cohort", "period"]).loc[("2024Q2", 2), "share"] == 1.0  # c ordered on day 105


def test_retention_difference_sign():
    curve = pd.DataFrame({"cohort": ["app", "store"], "period": [2, 2], "n": [400, 400], "k": [100, 140]})
    e = lifecycle.retention_difference(curve, "app", "store", 2)
    assert e.estimate == pytest.approx(-0.1) and e.ci_high < 0


def test_multichannel_premium_adjusts_for_orders():
    rng = np.random.default_rng(3)
    n = 2000
    n_orders = rng.integers(1, 8, n)
    multi = (n_orders > 1) & (rng.random(n) < n_orders / 8)
    spend = 100 * n_orders * np.exp(rng.normal(0, 0.3, n))  # no channel effect at a given number of orders
    p = pd.DataFrame({"n_orders": n_orders, "spend": spend,
                      "channel_type": np.where(multi, "multichannel", "app_only")})
    raw = lifecycle.multichannel_premium(p, adjust=False)
    adj = lifecycle.multichannel_premium(p, adjust=True)
    assert raw.ci_low > 0.3  # frequent buyers spend more
    assert adj.ci_low < 0 < adj.ci_high and abs(adj.estimate) < 0.05
    assert adj.order_elasticity == pytest.approx(1.0, abs=0.05)


def test_value_by_type_interval():
    p = pd.DataFrame({"channel_type": ["a"] * 4, "spend": [1.0, 2.0, 3.0, 4.0]})
    row = lifecycle.value_by_type(p).loc["a"]
    assert row["mean"] == 2.5 and row["ci_low"] < 2.5 < row["ci_high"]
    assert row["ci_high"] - 2.5 == pytest.approx(3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2, rel=1e-5)


def test_category_mix_rows_sum_to_one():
    orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "format": ["community", "flagship", None],
                           "status": ["completed", "completed", "completed"]})
    items = pd.DataFrame({"order_id": ["o1", "o1", "o2", "o3"], "sku": ["s1", "s2", "s1", "s2"], "quantity": [1, 2, 1, 1],
                          "unit_price": [30.0, 10.0, 50.0, 5.0], "discount": [0.0, 10.0, 0.0, 0.0]})
    products = pd.DataFrame({"sku": ["s1", "s2"], "category": ["tv", "accessory"]})
    mix = lifecycle.category_mix(orders, items, products, "format")
    assert list(mix.index) == ["community", "flagship"]  # no group: left out
    assert mix.loc["community", "accessory"] == pytest.approx(10 / 40)
    np.testing.assert_allclose(mix.sum(axis=1), 1.0)


def test_revenue_new_and_returning():
    orders = _orders([("a", "web", "2024-03-01", 10.0), ("a", "web", "2025-02-01", 30.0),
                      ("b", "web", "2024-05-01", 20.0), ("c", "app", "2025-06-01", 10.0),
                      ("c", "app", "2025-07-01", 999.0, "cancelled")])
    r = lifecycle.revenue_by_customer_age(orders, n_boot=50)
    assert r.loc[2025, "returning_share"] == pytest.approx(0.75)
    assert r.loc[2025, "new_revenue"] == 10.0 and r.loc[2024, "returning_customers"] == 0


def test_winback_lapsed_definition_and_models():
    rng = np.random.default_rng(5)
    rows = []
    for i in range(300):
        k = rng.integers(1, 5)
        start = rng.integers(0, 500)
        for j in range(k):
            rows.append((f"c{i}", "app", pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(start + 40 * j)), 10.0))
    orders = _orders(rows)
    w = lifecycle.winback(orders, as_of="2025-12-31")
    last = orders.groupby("customer_id")["order_ts"].max()
    assert w.n_lapsed == int((pd.Timestamp("2025-12-31") - last >= pd.Timedelta(days=365)).sum())
    assert 0 <= w.estimate <= 1
    assert np.isnan(w.ci_low) or w.ci_low <= w.estimate <= w.ci_high  # NaN only when the likelihood is flat
    orig = lifecycle.winback(orders, as_of="2025-12-31", model="bgnbd")
    once = w.customers["lapsed"] & (w.customers["frequency"] == 0)
    assert (orig.customers.loc[once, "p_alive"] == 1.0).all()  # BG/NBD: one-time buyers are all alive
    assert orig.estimate > w.estimate
    with pytest.raises(ValueError):
        lifecycle.winback(orders, as_of="2025-12-31", model="pareto")


@pytest.mark.slow
def test_winnable_share_recovers_the_truth():
    data = crmlab.make_retail_crm("classroom", seed=202)
    w = lifecycle.winback(data.orders, as_of=data.truth["scenario"]["end"])
    tc = data.truth_customers.set_index("customer_id")
    end = pd.Timestamp(data.truth["scenario"]["end"])
    churned = tc["churned"].astype(bool) & (pd.to_datetime(tc["churn_date"]) <= end)
    lapsed = w.customers.index[w.customers["lapsed"]]
    truth = float((~churned.reindex(lapsed).astype(bool)).mean())
    assert w.ci_low <= truth <= w.ci_high  # seed 202: covered (not on every seed: the model is only an approximation)
