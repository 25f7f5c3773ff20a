"""Up-sell (购买升级): do customers trade up to higher price tiers as their relationship ages?

The products of the big-ticket categories (:data:`crmlab.domain.TIERED_CATEGORIES`)
are cut into price tiers 1-3 by :func:`crmlab.domain.price_tiers`. When a customer
buys in the same category again (a new TV, a second air conditioner, the next
phone), the later purchase can be in a higher tier (up), the same tier or a lower
one (down). :func:`tier_pairs` lists these consecutive same-category purchases,
:func:`tier_moves` counts the moves with Wilson intervals, and
:func:`upsell_drift` estimates how the odds of moving up change per year between
the two purchases.

Why a conditional model
-----------------------
Customers differ in their price preference: a premium buyer buys high tiers at
every tenure. Comparing the tiers of early and late purchases across customers
mixes that preference with who stays long. :func:`upsell_drift` compares the two
purchases of the *same* customer: for a pair in different tiers, under an
adjacent-category logit of the tier choice with a customer-specific baseline and
a common drift ``beta`` per year, the chance that the later purchase is the
higher one is ``logistic(beta * dt * |tier difference|)`` (``dt`` in years):
the customer's baseline cancels. ``beta`` is estimated by maximising the product
of these pair probabilities (a conditional, pairwise logit without intercept),
with a standard error clustered by customer (pairs of one customer share
purchases). Pairs in the same tier carry no information about ``beta`` and
drop out.

Examples
--------
>>> import pandas as pd
>>> products = pd.DataFrame({"sku": ["T1", "T2", "T3"], "category": ["tv"] * 3,
...                          "list_price": [1999.0, 3999.0, 7999.0]})
>>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4"], "customer_id": ["a", "a", "a", "b"],
...                        "order_ts": pd.to_datetime(["2024-01-05", "2024-09-01", "2025-06-01", "2024-03-01"]),
...                        "status": ["completed"] * 4})
>>> items = pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4"], "sku": ["T1", "T2", "T2", "T3"]})
>>> tier_pairs(orders, items, products)[["customer_id", "from_tier", "to_tier", "move"]]
  customer_id  from_tier  to_tier  move
0           a          1        2    up
1           a          2        2  same
>>> tier_moves(orders, items, products)["n"].tolist()
[1, 1, 0]
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from ..domain import COUNTED_STATUSES, counted_orders, price_tiers
from ._proportions import wilson_interval
from ._results import DEFAULT_CONFIDENCE, Estimate, Result, z_value

__all__ = ["tier_pairs", "tier_moves", "upsell_drift", "UpsellDrift", "MOVES"]

#: The three moves between consecutive purchases, in table order.
MOVES = ("up", "same", "down")


def tier_pairs(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *,
               statuses=COUNTED_STATUSES) -> pd.DataFrame:
    """Consecutive purchases of one customer in one tiered category, with their price tiers.

    Parameters
    ----------
    orders : DataFrame
        ``order_id``, ``customer_id``, ``order_ts`` (and ``status``: only counted
        orders, :func:`crmlab.domain.counted_orders`, are purchases).
    order_items : DataFrame
        ``order_id``, ``sku``.
    products : DataFrame
        ``sku``, ``category``, ``list_price`` (tiers: :func:`crmlab.domain.price_tiers`).
    statuses : sequence of str or None
        Order statuses that count (None: every order).

    Returns
    -------
    DataFrame
        One row per pair of consecutive purchases (in time order) of the same
        customer in the same tiered category: ``customer_id``, ``category``,
        ``from_ts``, ``to_ts``, ``gap_years`` (``(to_ts - from_ts)`` in years of
        365.25 days), ``from_tier``, ``to_tier``, ``move`` (``up``, ``same``,
        ``down``). A purchase is an order line with a tiered SKU; an order with
        several lines of one category (rare) counts once, with its highest tier.
    """
    for name, df, cols in (("orders", orders, ("order_id", "customer_id", "order_ts")),
                           ("order_items", order_items, ("order_id", "sku")),
                           ("products", products, ("sku", "category", "list_price"))):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ValueError(f"{name} is missing column(s): {', '.join(missing)}")
    o = counted_orders(orders, statuses)[["order_id", "customer_id", "order_ts"]].dropna()
    o = o.drop_duplicates("order_id")
    tiers = pd.DataFrame({"sku": products["sku"].to_numpy(), "category": products["category"].to_numpy(),
                          "tier": price_tiers(products).to_numpy()}).dropna(subset=["tier"])
    it = order_items[["order_id", "sku"]].merge(tiers, on="sku", how="inner")
    it = it.groupby(["order_id", "category"], as_index=False)["tier"].max()
    p = it.merge(o, on="order_id", how="inner")
    p["order_ts"] = pd.to_datetime(p["order_ts"])
    p = p.sort_values(["customer_id", "category", "order_ts", "order_id"], kind="stable").reset_index(drop=True)
    same = (p["customer_id"].shift(-1) == p["customer_id"]) & (p["category"].shift(-1) == p["category"])
    a = p[same.to_numpy()]
    b = p.shift(-1)[same.to_numpy()]
    from_t, to_t = a["tier"].to_numpy(np.int64), b["tier"].to_numpy(np.int64)
    out = pd.DataFrame({
        "customer_id": a["customer_id"].to_numpy(),
        "category": a["category"].to_numpy(),
        "from_ts": a["order_ts"].to_numpy(),
        "to_ts": pd.to_datetime(b["order_ts"]).to_numpy(),
        "from_tier": from_t,
        "to_tier": to_t,
    })
    out.insert(4, "gap_years", (out["to_ts"] - out["from_ts"]).dt.total_seconds().to_numpy() / (365.25 * 86400))
    out["move"] = np.where(to_t > from_t, "up", np.where(to_t < from_t, "down", "same"))
    return out


def tier_moves(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *,
               statuses=COUNTED_STATUSES, confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """How often a repeat purchase in the same category moves up, stays, or moves down a price tier.

    Parameters
    ----------
    orders, order_items, products, statuses
        As in :func:`tier_pairs`.
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Indexed by ``move`` (``up``, ``same``, ``down``): ``n`` (pairs), ``share``
        of all pairs, and its Wilson interval ``ci_low``, ``ci_high``. The
        difference between the up and the down share is the net up-sell of repeat
        purchases; it mixes the drift with tenure and how far apart the
        purchases are (see :func:`upsell_drift`).
    """
    pairs = tier_pairs(orders, order_items, products, statuses=statuses)
    n = pairs["move"].value_counts().reindex(list(MOVES), fill_value=0).to_numpy(np.int64)
    total = int(n.sum())
    lo, hi = wilson_interval(n, total, confidence_level)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n / total if total else np.full(len(MOVES), np.nan)
    return pd.DataFrame({"n": n, "share": share, "ci_low": lo, "ci_high": hi},
                        index=pd.Index(list(MOVES), name="move"))


@dataclasses.dataclass(frozen=True, repr=False)
class UpsellDrift(Result):
    """The up-sell drift per year of tenure (:func:`upsell_drift`).

    Attributes
    ----------
    log_odds_per_year : Estimate
        ``beta``: change per year in the log-odds of each next price tier
        (adjacent-category scale), with its confidence interval (cluster-robust
        by customer).
    odds_ratio_per_year : Estimate
        ``exp(beta)``: how the odds of the next tier up multiply per year.
    se : float
        Cluster-robust standard error of ``beta``.
    n_pairs : int
        Consecutive same-category pairs in different tiers (those that inform ``beta``).
    n_pairs_same : int
        Pairs in the same tier (no information; left out).
    n_customers : int
        Customers (clusters) with at least one informative pair.
    share_up : float
        Share of the informative pairs that move up.
    confidence_level : float
    """

    log_odds_per_year: Estimate
    odds_ratio_per_year: Estimate
    se: float
    n_pairs: int
    n_pairs_same: int
    n_customers: int
    share_up: float
    confidence_level: float = DEFAULT_CONFIDENCE


def _pairwise_logit(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Slope of a logit without intercept, P(y) = logistic(b x), and its cluster-robust SE."""
    b = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-b * x))
        score = float(((y - p) * x).sum())
        info = float((p * (1 - p) * x**2).sum())
        if info <= 0:
            return float("nan"), float("nan")
        step = score / info
        b += step
        if abs(step) < 1e-10:
            break
    p = 1 / (1 + np.exp(-b * x))
    info = float((p * (1 - p) * x**2).sum())
    s = pd.Series((y - p) * x).groupby(groups).sum().to_numpy()
    g = len(s)
    meat = float((s**2).sum()) * (g / (g - 1) if g > 1 else float("nan"))
    return float(b), math.sqrt(meat) / info


def upsell_drift(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *,
                 statuses=COUNTED_STATUSES, confidence_level: float = DEFAULT_CONFIDENCE,
                 min_pairs: int = 10) -> UpsellDrift:
    """Estimate the up-sell drift: change per year in the log-odds of a higher price tier.

    A conditional (pairwise) logit on the pairs of :func:`tier_pairs` whose tiers
    differ: ``P(later purchase is the higher tier) = logistic(beta * gap_years *
    |to_tier - from_tier|)``, no intercept, maximum likelihood; the standard
    error is clustered by customer (sandwich, with the ``G / (G - 1)``
    correction) and the interval is Wald. Each customer's own price preference
    cancels (see the module docstring), so ``beta`` is a within-customer drift;
    under no drift, up and down moves are equally likely whatever the gap.

    Parameters
    ----------
    orders, order_items, products, statuses
        As in :func:`tier_pairs`.
    confidence_level : float, default 0.95
    min_pairs : int, default 10
        Fewer informative pairs raise ``ValueError``.

    Returns
    -------
    UpsellDrift

    Notes
    -----
    The drift is per year of *time between the purchases*, which is the same as
    per year of tenure since both purchases age the relationship equally. A
    drift that depends on the calendar (a market-wide shift to bigger TVs)
    would show up here too: the model cannot tell tenure from calendar time
    within a customer.

    Examples
    --------
    >>> from crmlab.config import get_scenario
    >>> from crmlab.simulate.engine import simulate_tables
    >>> t, truth, _ = simulate_tables(get_scenario("tiny", seed=3, n_customers=3000))
    >>> fit = upsell_drift(t["orders"], t["order_items"], t["products"])
    >>> fit.n_pairs > 100, fit.log_odds_per_year.ci_low < fit.log_odds_per_year.ci_high
    (True, True)
    """
    pairs = tier_pairs(orders, order_items, products, statuses=statuses)
    moved = pairs[pairs["move"] != "same"]
    if len(moved) < min_pairs:
        raise ValueError(f"only {len(moved)} consecutive same-category purchases in different price tiers "
                         f"(need at least {min_pairs})")
    y = (moved["move"] == "up").to_numpy(float)
    x = moved["gap_years"].to_numpy(float) * np.abs(moved["to_tier"] - moved["from_tier"]).to_numpy(float)
    b, se = _pairwise_logit(y, x, moved["customer_id"].to_numpy())
    z = z_value(confidence_level)
    lo, hi = b - z * se, b + z * se
    return UpsellDrift(
        log_odds_per_year=Estimate(b, lo, hi, confidence_level),
        odds_ratio_per_year=Estimate(math.exp(b), math.exp(lo), math.exp(hi), confidence_level),
        se=se,
        n_pairs=int(len(moved)),
        n_pairs_same=int((pairs["move"] == "same").sum()),
        n_customers=int(moved["customer_id"].nunique()),
        share_up=float(y.mean()),
        confidence_level=confidence_level,
    )
