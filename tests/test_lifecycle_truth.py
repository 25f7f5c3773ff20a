"""truth["lifecycle"]: the win-back truth computed the way an analyst would, from the tables."""

from __future__ import annotations

import pandas as pd

from crmlab.config import get_scenario
from crmlab.domain import counted_orders
from crmlab.simulate.engine import simulate_tables


def test_lapsed_alive_share_matches_the_tables_and_latent_lifetimes():
    sc = get_scenario("tiny", seed=5, n_customers=2000, chunk_size=700)
    t, truth, latent = simulate_tables(sc)
    lc = truth["lifecycle"]
    as_of = pd.Timestamp(sc.end)
    last = counted_orders(t["orders"]).groupby("customer_id")["order_ts"].max().dt.normalize()
    lapsed = last[(as_of - last).dt.days >= lc["lapse_days"]].index
    alive = ~latent.set_index("customer_id").loc[lapsed, "churned"]
    assert lc["lapsed_n"] == len(lapsed) > 50
    assert lc["lapsed_alive_share"] == round(float(alive.mean()), 6)
    assert lc["lapse_days"] == 365


def test_lifecycle_truth_is_the_same_for_any_chunking():
    a = simulate_tables(get_scenario("tiny", seed=6, n_customers=1200, chunk_size=1200))[1]["lifecycle"]
    b = simulate_tables(get_scenario("tiny", seed=6, n_customers=1200, chunk_size=400))[1]["lifecycle"]
    assert set(a) == set(b)
    for k in ("lapse_days", "upsell_log_odds_per_year", "wallet_share_log_odds_per_sat_sd"):
        assert a[k] == b[k]
