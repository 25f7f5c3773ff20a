"""Up-sell (购买升级): tier pairs, move shares and the drift estimator against the planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis.upsell import MOVES, tier_moves, tier_pairs, upsell_drift
from crmlab.config import get_scenario
from crmlab.domain import price_tiers
from crmlab.simulate.engine import simulate_tables

#: Unseen seeds (not the classroom seed); 10,000 customers give ~1,500 informative pairs each
#: (standard error of the drift about 0.07 log-odds per year).
SEEDS = [21, 22, 23, 24]
N = 10_000


@pytest.fixture(scope="module")
def runs():
    out = {}
    for s in SEEDS:
        t, truth, _ = simulate_tables(get_scenario("classroom", seed=s, n_customers=N))
        out[s] = (upsell_drift(t["orders"], t["order_items"], t["products"]),
                  tier_moves(t["orders"], t["order_items"], t["products"]), truth["lifecycle"])
    return out


def test_drift_interval_covers_the_planted_drift_on_most_seeds(runs):
    beta = runs[SEEDS[0]][2]["upsell_log_odds_per_year"]
    est = np.array([r[0].log_odds_per_year.estimate for r in runs.values()])
    covered = [r[0].log_odds_per_year.ci_low <= beta <= r[0].log_odds_per_year.ci_high for r in runs.values()]
    assert sum(covered) >= len(SEEDS) - 1, f"intervals cover {beta} on {sum(covered)} of {len(SEEDS)} seeds: {est}"
    assert abs(est.mean() - beta) < 0.1, f"mean estimate {est.mean():.3f} vs planted {beta}"
    assert all(r[0].log_odds_per_year.excludes(0.0) for r in runs.values())


def test_move_shares_match_their_truth(runs):
    for s, (_, moves, lc) in runs.items():
        assert int(moves["n"].sum()) == lc["tier_pairs_n"], s
        for m in MOVES:
            assert abs(moves.loc[m, "share"] - lc["tier_move_shares"][m]) < 0.035, (s, m)


def test_no_drift_means_up_and_down_equally_likely():
    t, truth, _ = simulate_tables(get_scenario("classroom", seed=31, n_customers=N, upsell_log_odds_per_year=0.0))
    fit = upsell_drift(t["orders"], t["order_items"], t["products"])
    lc = truth["lifecycle"]
    assert abs(lc["tier_move_shares"]["up"] - lc["tier_move_shares"]["down"]) < 0.01
    assert fit.log_odds_per_year.ci_low - 0.05 < 0 < fit.log_odds_per_year.ci_high + 0.05


def _toy():
    products = pd.DataFrame({"sku": ["T1", "T2", "T3", "P1", "P2", "P3", "X"],
                             "category": ["tv"] * 3 + ["phone"] * 3 + ["accessory"],
                             "list_price": [1999.0, 3999, 7999, 999, 2999, 5999, 49]})
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(7)],
        "customer_id": ["a", "a", "a", "a", "b", "b", "b"],
        "order_ts": pd.to_datetime(["2024-01-01", "2024-07-01", "2025-07-01", "2024-03-01",
                                    "2024-02-01", "2024-05-01", "2024-06-01"]),
        "status": ["completed", "completed", "completed", "completed", "completed", "cancelled", "completed"],
    })
    items = pd.DataFrame({"order_id": ["o0", "o0", "o1", "o2", "o3", "o4", "o5", "o6"],
                          "sku": ["T1", "X", "T3", "T2", "P2", "P3", "P1", "P2"]})
    return orders, items, products


def test_tier_pairs_counts_consecutive_counted_purchases_per_category():
    orders, items, products = _toy()
    pairs = tier_pairs(orders, items, products)
    assert pairs[["customer_id", "category", "from_tier", "to_tier", "move"]].values.tolist() == [
        ["a", "tv", 1, 3, "up"], ["a", "tv", 3, 2, "down"], ["b", "phone", 3, 2, "down"]]
    assert pairs["gap_years"].iloc[0] == pytest.approx(182 / 365.25)
    # the cancelled order is not a purchase; with every status it is
    assert len(tier_pairs(orders, items, products, statuses=None)) == 4
    moves = tier_moves(orders, items, products)
    assert moves["n"].tolist() == [1, 0, 2]
    assert (moves["ci_low"] <= moves["share"]).all() and (moves["share"] <= moves["ci_high"]).all()


def test_drift_needs_enough_pairs_and_names_the_missing_columns():
    orders, items, products = _toy()
    with pytest.raises(ValueError, match="need at least"):
        upsell_drift(orders, items, products)
    with pytest.raises(ValueError, match="list_price"):
        tier_pairs(orders, items, products.drop(columns="list_price"))


def test_price_tiers_split_each_tiered_category_in_thirds():
    from crmlab.simulate.catalog import simulate_products

    p = simulate_products()
    tier = price_tiers(p)
    tiered = tier.notna()
    counts = pd.crosstab(p.loc[tiered, "category"], tier[tiered])
    assert (counts.max(axis=1) - counts.min(axis=1) <= 1).all()
    hi = p[tiered].assign(t=tier[tiered]).groupby(["category", "t"])["list_price"].agg(["min", "max"])
    for c in counts.index:
        assert hi.loc[(c, 1), "max"] <= hi.loc[(c, 2), "min"] and hi.loc[(c, 2), "max"] <= hi.loc[(c, 3), "min"]
