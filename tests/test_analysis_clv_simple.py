"""Tests of crmlab.analysis.clv.simple (retention, simple CLV, customer equity by segment)."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import crmlab
from crmlab.analysis import rfm as R
from crmlab.analysis.clv import simple as C

SEEDS = (0, 1, 2)


def test_simple_clv_formula():
    rfm = pd.DataFrame({"monetary": [1000.0, 4000.0], "tenure_days": [100, 730], "recency_days": [5, 5]},
                       index=["A", "B"])
    clv = C.simple_clv(rfm, margin=0.1, annual_retention=0.8, discount_rate=0.25, horizon_years=3)
    q = 0.8 / 1.25
    factor = q + q**2 + q**3
    assert clv.tolist() == pytest.approx([0.1 * 1000 * factor, 0.1 * 2000 * factor])
    per = pd.Series({"B": 0.0, "A": 1.0})
    clv2 = C.simple_clv(rfm, margin=1.0, annual_retention=per, discount_rate=0.0, horizon_years=2)
    assert clv2.tolist() == [2000.0, 0.0]
    with pytest.raises(ValueError, match="retention"):
        C.simple_clv(rfm, annual_retention=1.5)
    with pytest.raises(ValueError, match="rfm is missing column.*tenure_days"):
        C.simple_clv(rfm.drop(columns="tenure_days"))
    with pytest.raises(ValueError, match="horizon_years"):
        C.simple_clv(rfm, annual_retention=0.5, horizon_years=0)
    with pytest.raises(ValueError, match="margin"):
        C.simple_clv(rfm, annual_retention=0.5, margin=1.5)


def test_estimate_retention_and_clv_by_segment():
    rfm = pd.DataFrame({"recency_days": [10, 400, 100, 20, 500], "tenure_days": [500, 600, 700, 30, 800],
                        "monetary": [365.0] * 5})
    assert C.estimate_retention(rfm) == pytest.approx(0.5)
    clv = C.simple_clv(rfm, margin=1.0, discount_rate=0.0, horizon_years=1)
    assert clv.iloc[3] == pytest.approx(0.5 * 365.0)
    table = C.clv_by_segment(pd.Series([10.0, 30.0, 60.0], index=list("abc")),
                             pd.Series({"c": "y", "a": "x", "b": "x"}))
    assert table.index.tolist() == ["y", "x"]
    assert table["equity"].tolist() == [60.0, 40.0] and table["mean_clv"].tolist() == [60.0, 20.0]
    assert table["equity_share"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="tenure_days >= 365"):
        C.estimate_retention(rfm.assign(tenure_days=10))

def test_docstring_examples_run():
    result = doctest.testmod(C, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0, result


# ============================================================================ truth recovery
@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_clv_ranks_premium_loyalists_first(seed):
    d = crmlab.make_retail_crm("classroom", seed=seed)
    rfm = R.rfm_table(d.orders, as_of=d.scenario.end)
    seg = d.truth_customers.set_index("customer_id")["segment"].reindex(rfm.index)
    table = C.clv_by_segment(C.simple_clv(rfm), seg)
    assert table["mean_clv"].idxmax() == "premium_loyalists", f"seed {seed}:\n{table}"
    assert table["mean_clv"].idxmin() in ("bargain_hunters", "occasional_shoppers"), f"seed {seed}:\n{table}"
