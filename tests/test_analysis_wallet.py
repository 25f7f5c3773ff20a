"""Share of wallet (钱包份额): the survey's optional columns, their estimators and the planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis import wallet as W
from crmlab.config import get_scenario
from crmlab.simulate.engine import simulate_tables

#: Unseen seeds; 20,000 customers give about 3,000 respondents each.
SEEDS = [41, 42, 43]
N = 20_000


@pytest.fixture(scope="module")
def runs():
    out = {}
    for s in SEEDS:
        t, truth, _ = simulate_tables(get_scenario("classroom", seed=s, n_customers=N))
        out[s] = (t, truth["lifecycle"])
    return out


def _covers(e, truth, slack=0.0):
    return e.ci_low - slack <= truth <= e.ci_high + slack


def test_estimators_cover_their_truth(runs):
    """Each interval covers its estimand on every seed (tolerance: a quarter of its half-width, for the
    few % of misses a 95% interval has), and the mean error over seeds is small."""
    errs = {"mean": [], "slope": [], "diff": [], "sat_diff": [], "stores": []}
    for s, (t, lc) in runs.items():
        sv = t["survey"]
        checks = {
            "mean": (W.wallet_share_mean(sv).estimate, lc["wallet_share_mean"]["respondents"]),
            "slope": (W.wallet_share_slope(sv).slope, lc["wallet_share_slope_per_satisfaction_point"]),
            "diff": (W.wallet_share_difference(sv, W.nps_groups(sv["recommend"]), "promoter", "detractor").difference,
                     lc["wallet_share_promoter_minus_detractor"]),
            "sat_diff": (W.wallet_share_difference(sv, W.satisfaction_groups(sv["overall_satisfaction"]), "4-5",
                                                   "1-3").difference, lc["wallet_share_satisfied_minus_not"]),
            "stores": (W.stores_share(sv).share, lc["stores_3plus_share"]["respondents"]),
        }
        for k, (e, truth) in checks.items():
            half = (e.ci_high - e.ci_low) / 2
            assert _covers(e, truth, 0.25 * half), f"seed {s} {k}: {e} vs truth {truth}"
            errs[k].append(e.estimate - truth)
    assert abs(np.mean(errs["mean"])) < 0.8
    assert abs(np.mean(errs["slope"])) < 0.8
    assert abs(np.mean(errs["diff"])) < 2.0
    assert abs(np.mean(errs["stores"])) < 0.02


def test_planted_structure_is_visible(runs):
    for s, (t, lc) in runs.items():
        assert 0.45 < lc["stores_3plus_share"]["population"] < 0.57  # "about half visit 3+ stores a month"
        assert lc["wallet_share_by_nps_group"]["detractor"] < lc["wallet_share_by_nps_group"]["promoter"]
        sv = t["survey"]
        assert set(sv["wallet_share"].unique()) <= set(range(0, 101, 10))
        assert sv["stores_visited"].between(1, 6).all()
        # high-share customers shop around less
        hi = sv["wallet_share"] >= 60
        assert sv.loc[hi, "stores_visited"].mean() < sv.loc[~hi, "stores_visited"].mean()


def test_adding_the_wallet_columns_leaves_every_other_column_unchanged():
    """The two columns come from their own random stream: other wallet parameters, same other data."""
    sc = get_scenario("tiny", seed=7, n_customers=1500, chunk_size=500)
    a, ta, _ = simulate_tables(sc)
    b, tb, _ = simulate_tables(sc.replace(wallet_share_base_log_odds=1.0, wallet_share_log_odds_per_sat_sd=0.0,
                                          wallet_share_precision=20.0, stores_visited_rate=1.0))
    for name in a:
        cols = [c for c in a[name].columns if c not in ("wallet_share", "stores_visited")]
        pd.testing.assert_frame_equal(a[name][cols], b[name][cols])
    assert not a["survey"]["wallet_share"].equals(b["survey"]["wallet_share"])
    for key in ta:
        if key not in ("scenario", "lifecycle"):
            assert ta[key] == tb[key], key


def test_small_examples_and_errors():
    sv = pd.DataFrame({"customer_id": ["a", "b", None, "d"], "response_date": pd.to_datetime(["2025-03-01"] * 4),
                       "wallet_share": [50, 0, 30, None], "recommend": [9, 3, 7, 10],
                       "overall_satisfaction": [5, 2, 4, 5], "stores_visited": [2, 5, 3, None]})
    assert W.wallet_share_mean(sv).n == 3
    assert W.stores_share(sv).k == 2 and W.stores_share(sv).n == 3
    with pytest.raises(ValueError, match="optional column"):
        W.wallet_share_mean(sv.drop(columns="wallet_share"))
    with pytest.raises(ValueError, match="fewer than 2"):
        W.wallet_share_difference(sv, W.nps_groups(sv["recommend"]), "promoter", "detractor")
    od = pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "a"],
                       "order_ts": pd.to_datetime(["2024-05-01", "2025-04-01"]), "status": ["completed"] * 2,
                       "order_value": [1000.0, 500.0]})
    with pytest.raises(ValueError, match="at least 2"):
        W.implied_wallet(sv, od)  # one usable respondent (b said 0%, the third has no id)
