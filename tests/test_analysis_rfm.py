"""Tests of crmlab.analysis.rfm (RFM table and scores, customer pyramid, Pareto curve): unit tests on
hand-made tables, the top-20% revenue share on the classroom preset."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.analysis import rfm as R
from crmlab.realism import stylized_facts

SEEDS = (0, 1, 2)


# ============================================================================ hand-made tables
@pytest.fixture()
def orders():
    return pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4", "O5", "O6", "O6", "O7"],
            "customer_id": ["A", "A", "A", "B", "B", "C", "C", None],
            "order_ts": pd.to_datetime(
                ["2025-01-01 10:00", "2025-02-10 20:30", "2025-03-30 23:59", "2025-03-01 12:00",
                 "2025-03-15 09:00", "2024-12-31 08:00", "2024-12-31 08:00", "2025-03-01 10:00"]
            ),
            "channel": ["store", "app", "app", "web", "store", "store", "store", "web"],
            "status": ["completed", "completed", "completed", "completed", "cancelled",
                       "completed", "completed", "completed"],
            "order_value": [100.0, 250.0, 50.0, 1000.0, 777.0, 40.0, 40.0, 5.0],
        }
    )


@pytest.fixture()
def items():
    return pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O2", "O3", "O4", "O5", "O6"],
            "line_no": [1, 1, 2, 1, 1, 1, 1],
            "sku": ["TV1", "PH1", "AC9", "AC9", "TV2", "TV1", "PH2"],
            "quantity": [1, 1, 2, 1, 1, 1, 1],
            "unit_price": [100.0, 200.0, 25.0, 50.0, 1000.0, 777.0, 40.0],
            "discount": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


# ---------------------------------------------------------------------------- rfm_table
def test_rfm_table_exact_values(orders):
    rfm = R.rfm_table(orders, as_of="2025-03-31")
    assert rfm.index.tolist() == ["A", "B", "C"], "customers with a completed order, sorted; no missing id"
    a, b, c = rfm.loc["A"], rfm.loc["B"], rfm.loc["C"]
    # A: 3 orders, last on 2025-03-30 (23:59 counts by calendar day), first 2025-01-01
    assert (a["recency_days"], a["frequency"], a["monetary"], a["avg_spend"]) == (1, 3, 400.0, 400.0 / 3)
    assert a["tenure_days"] == 89 and a["first_order"] == pd.Timestamp("2025-01-01")
    # B: the cancelled order does not count
    assert (b["recency_days"], b["frequency"], b["monetary"]) == (30, 1, 1000.0)
    # C: the duplicated order row counts once
    assert (c["frequency"], c["monetary"], c["recency_days"], c["tenure_days"]) == (1, 40.0, 90, 90)


def test_rfm_table_as_of_cuts_later_orders(orders):
    rfm = R.rfm_table(orders, as_of="2025-02-10")
    assert rfm.loc["A", "frequency"] == 2 and rfm.loc["A", "recency_days"] == 0
    assert "B" not in rfm.index


def test_rfm_table_values_from_items(orders, items):
    o = orders.drop(columns="order_value")
    rfm = R.rfm_table(o, as_of="2025-03-31", order_items=items)
    assert rfm.loc["A", "monetary"] == pytest.approx(100 + 250 + 50)
    o2 = orders.assign(order_value=orders["order_value"].where(orders["order_id"] != "O4"))
    assert R.rfm_table(o2, as_of="2025-03-31", order_items=items).loc["B", "monetary"] == 1000.0


def test_rfm_table_faults(orders):
    with pytest.raises(ValueError, match="order_items"):
        R.rfm_table(orders.drop(columns="order_value"), as_of="2025-03-31")
    with pytest.raises(ValueError, match="orders is missing column.*order_ts"):
        R.rfm_table(orders.drop(columns="order_ts"), as_of="2025-03-31")
    with pytest.raises(ValueError, match="empty"):
        R.rfm_table(orders.iloc[:0], as_of="2025-03-31")
    with pytest.raises(ValueError, match=r"no order with status in \('completed',\)"):
        R.rfm_table(orders, as_of="2020-01-01")
    with pytest.raises(ValueError, match="as_of"):
        R.rfm_table(orders, as_of="not a date")
    with pytest.raises(ValueError, match="as_of is required"):
        R.rfm_table(orders, as_of=None)
    messy = orders.assign(order_ts=["2025-01-01 10:00", "2025年2月10日", *["2025-03-01"] * 6])
    with pytest.raises(ValueError, match=r"orders.order_ts: 1 value\(s\) are not ISO 8601"):
        R.rfm_table(messy, as_of="2025-03-31")
    text = orders.assign(order_ts=orders["order_ts"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    assert R.rfm_table(text, as_of="2025-03-31").equals(R.rfm_table(orders, as_of="2025-03-31"))


# ---------------------------------------------------------------------------- scores
def test_rfm_scores_known_answer_and_ties():
    rfm = pd.DataFrame(
        {"recency_days": [1, 10, 10, 100, 1000], "frequency": [1, 1, 1, 1, 5],
         "monetary": [10.0, 20.0, 30.0, 40.0, 50.0]},
        index=list("ABCDE"),
    )
    s = R.rfm_scores(rfm, q=5)
    assert s["R"].tolist() == [5, 3, 3, 2, 1], "recency reversed; tied recency shares a score"
    assert s["F"].tolist() == [1, 1, 1, 1, 5], "four tied one-time buyers all score 1"
    assert s["M"].tolist() == [1, 2, 3, 4, 5]
    assert s.loc["A", "rfm_code"] == "511" and s.loc["E", "rfm_sum"] == 11


def test_rfm_scores_quintiles_balanced_without_ties():
    rfm = pd.DataFrame({"recency_days": np.arange(100), "frequency": np.arange(100) + 1,
                        "monetary": np.arange(100.0)})
    s = R.rfm_scores(rfm)
    assert (s["F"].value_counts().sort_index() == 20).all()
    assert s["R"].iloc[0] == 5 and s["R"].iloc[-1] == 1


def test_rfm_scores_faults():
    with pytest.raises(ValueError, match="rfm is missing column.*monetary"):
        R.rfm_scores(pd.DataFrame({"recency_days": [1], "frequency": [1]}))
    with pytest.raises(ValueError, match="q must"):
        R.rfm_scores(pd.DataFrame({"recency_days": [1], "frequency": [1], "monetary": [1.0]}), q=1)


# ---------------------------------------------------------------------------- pyramid, Pareto
def test_customer_pyramid_tier_shares():
    values = pd.Series(np.arange(1000, 0, -1, dtype=float), index=[f"C{i:04d}" for i in range(1000)])
    p = R.customer_pyramid(values)
    assert p.summary["n_customers"].tolist() == [10, 40, 150, 800]
    assert p.summary["customer_share"].tolist() == pytest.approx([0.01, 0.04, 0.15, 0.80])
    total = values.sum()
    assert p.summary.loc["top", "value_share"] == pytest.approx(values.iloc[:10].sum() / total)
    assert p.summary["value_share"].sum() == pytest.approx(1.0)
    assert str(p.customers.loc["C0000", "tier"]) == "top" and p.customers.loc["C0000", "rank"] == 1
    assert str(p.customers.loc["C0010", "tier"]) == "big"
    assert list(p.customers["tier"].cat.categories) == ["top", "big", "medium", "small"]


def test_customer_pyramid_from_rfm_and_faults():
    rfm = pd.DataFrame({"monetary": [5.0, 1.0, 3.0, 2.0]}, index=list("abcd"))
    p = R.customer_pyramid(rfm, tiers=(0.25, 0.75), labels=("gold", "rest"))
    assert p.customers["tier"].astype(str).tolist() == ["gold", "rest", "rest", "rest"]
    assert p.summary.loc["gold", "value_share"] == pytest.approx(5 / 11)
    with pytest.raises(ValueError, match="sum"):
        R.customer_pyramid(rfm, tiers=(0.5, 0.4), labels=("a", "b"))
    with pytest.raises(ValueError, match="missing column.*clv"):
        R.customer_pyramid(rfm, value_col="clv")


def test_top_share_and_pareto_known_vector():
    v = [50, 20, 10, 10, 5, 5, 0, 0, 0, 0]
    assert R.top_share(v, 0.2) == pytest.approx(0.7)
    assert R.top_share(v, 0.1) == pytest.approx(0.5)
    assert R.top_share(v, 1.0) == pytest.approx(1.0)
    assert R.top_share(np.ones(30), 0.1) == pytest.approx(0.1), "k = ceil(0.1 * 30) = 3, not 4"
    curve = R.pareto_curve(v)
    assert len(curve) == 11 and curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert curve.loc[2, "value_share"] == pytest.approx(0.7)
    assert (np.diff(curve["value_share"]) >= 0).all()
    with pytest.raises(ValueError, match="negative"):
        R.top_share([1, -1])
    with pytest.raises(ValueError, match="empty"):
        R.pareto_curve([])
    with pytest.raises(ValueError, match="share must be in"):
        R.top_share(v, 0.0)

def test_rfm_table_statuses_decide_which_orders_count(orders):
    """One rule for which orders count (crmlab.domain.counted_orders): completed by default."""
    default = R.rfm_table(orders, as_of="2025-03-31")
    assert default.equals(R.rfm_table(orders, as_of="2025-03-31", statuses=("completed",)))
    every = R.rfm_table(orders, as_of="2025-03-31", statuses=None)
    assert (every.loc["B", "frequency"], every.loc["B", "monetary"]) == (2, 1000.0 + 777.0)
    assert every.loc["B", "recency_days"] == 16, "the cancelled order of 2025-03-15 is now the last"
    assert every.drop(index="B").equals(default.drop(index="B"))
    no_status = R.rfm_table(orders.drop(columns="status"), as_of="2025-03-31")
    assert no_status.equals(every), "an extract without a status column: every order counts"
    only_cancelled = R.rfm_table(orders, as_of="2025-03-31", statuses=["cancelled"])
    assert only_cancelled.index.tolist() == ["B"] and only_cancelled.loc["B", "monetary"] == 777.0


def test_snapshot_orders_selects_and_parses(orders):
    text = orders.assign(order_ts=orders["order_ts"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    o = R.snapshot_orders(text, as_of="2025-03-01")
    assert o["order_id"].tolist() == ["O1", "O2", "O4", "O6"], "no missing customer, no cancelled, O6 once"
    assert pd.api.types.is_datetime64_any_dtype(o["order_ts"])
    assert R.snapshot_orders(orders, as_of="2025-03-01", statuses=None)["order_id"].tolist() == ["O1", "O2", "O4", "O6"]
    assert "O5" in R.snapshot_orders(orders, as_of="2025-03-31", statuses=None)["order_id"].tolist()


def test_docstring_examples_run():
    result = doctest.testmod(R, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0, result


# ============================================================================ truth recovery
@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_top20_revenue_share(seed):
    d = crmlab.make_retail_crm("classroom", seed=seed)
    rfm = R.rfm_table(d.orders, as_of=d.scenario.end)
    share = R.top_share(rfm["monetary"], 0.2)
    assert share == pytest.approx(stylized_facts(d)["top20_revenue_share"], abs=1e-4)
    assert 0.55 <= share <= 0.80, f"seed {seed}: top-20% revenue share {share:.3f} outside 0.55-0.80"


# ============================================================================ intervals (issue 10)
def test_top_share_interval_matches_top_share_and_covers():
    rng = np.random.default_rng(3)
    v = rng.lognormal(7, 1.1, 1500)
    e = R.top_share_interval(v, 0.2, n_boot=300, random_state=1)
    assert e.estimate == pytest.approx(R.top_share(v, 0.2))
    assert e.ci_low < e.estimate < e.ci_high
    # the bootstrap resamples by hand give the same replicate as the counting shortcut
    w = np.bincount(rng.integers(0, 50, 50), minlength=50).astype(float)
    x = np.sort(rng.lognormal(0, 1, 50))[::-1]
    cum = np.cumsum(w)
    take = np.clip(10 - (cum - w), 0, w)
    assert (take * x).sum() / (w * x).sum() == pytest.approx(R.top_share(np.repeat(x, w.astype(int)), 0.2))
    hits = 0
    pop = rng.lognormal(7, 1.1, 400_000)
    truth = R.top_share(pop, 0.2)
    for s in range(30):
        e = R.top_share_interval(rng.choice(pop, 1500), 0.2, n_boot=200, random_state=s)
        hits += e.ci_low <= truth <= e.ci_high
    assert hits >= 25, hits


def test_value_shares_leader_and_intervals():
    g = np.repeat(["a", "b", "c"], [300, 300, 300])
    v = np.concatenate([np.full(300, 1.0), np.full(300, 3.0), np.full(300, 2.0)])
    out = R.value_shares(v, g, n_boot=200)
    assert out.leader == "b" and out.runner_up == "c"
    assert out.table.loc["b", "share"] == pytest.approx(0.5)
    assert out.lead.estimate == pytest.approx(0.5 - 1 / 3) and out.lead.ci_low > 0
    assert set(out.estimates()) == {"a", "b", "c"} and out.table["n"].sum() == 900
    # two groups of equal value are not told apart
    tie = R.value_shares(np.random.default_rng(0).lognormal(0, 1, 600), np.repeat(["x", "y"], 300), n_boot=300)
    assert tie.lead.ci_low <= 0
    with pytest.raises(ValueError, match="two groups"):
        R.value_shares(v, ["a"] * 900)


def test_low_frequency_share():
    e = R.low_frequency_share([1, 1, 2, 3, 5], max_orders=2)
    assert e.estimate == pytest.approx(0.6) and e.ci_low < 0.6 < e.ci_high
    assert R.low_frequency_share([1, 2, 3], max_orders=3).estimate == 1.0
