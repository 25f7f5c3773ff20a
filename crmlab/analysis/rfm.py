"""Customer value and segmentation: RFM, the customer pyramid, k-means segments, CLV.

The course's vocabulary, one function each:

* **RFM** - recency 最近一次消费, frequency 消费频率, monetary 消费金额 and
  average spend 平均金额 per customer (:func:`rfm_table`), cut into quintile
  scores and a code such as ``"545"`` (:func:`rfm_scores`);
* the **customer pyramid** - top 1 % (key customers 重要客户), big 4 %,
  medium 15 %, small 80 % of customers by value (:func:`customer_pyramid`);
* the **80/20 rule** - the Pareto (Lorenz-type) curve of value and the share of
  value held by the top 20 % (:func:`pareto_curve`, :func:`top_share`);
* **segmentation by buying habits** - behavioural and demographic features
  (:func:`behaviour_features`), standardised k-means (:func:`kmeans_segments`),
  choosing *k* by silhouette (:func:`choose_k`), stability across bootstrap
  resamples (:func:`stability_ari`), profiles and names
  (:func:`segment_profiles`, :func:`name_segments`);
* **customer lifetime value** and **customer equity** (:func:`simple_clv`,
  :func:`clv_by_segment`).

A segmentation in four lines (``F`` has one row per purchaser)::

    F = behaviour_features(orders, order_items, products, customers, as_of="2025-12-31")
    X = segment_matrix(F)                                  # SEGMENT_FEATURES
    labels, centers = kmeans_segments(X, 5, fit_mask=F["frequency"] >= 2)
    names = name_segments(segment_profiles(F, labels))

Fitting the centres on repeat buyers (``fit_mask``) and then assigning every
customer to the nearest centre keeps one-order customers, whose "habits" are
a single purchase, from shaping the segments.

Every function takes tables that follow the data contract
(:mod:`crmlab.schema`), so it works on a real extract as well as on synthetic
data; none of them looks at the planted truth.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({
...     "order_id": ["O1", "O2", "O3", "O4"],
...     "customer_id": ["A", "A", "B", "C"],
...     "order_ts": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", "2025-03-30"]),
...     "status": ["completed", "completed", "completed", "cancelled"],
...     "order_value": [100.0, 300.0, 50.0, 999.0],
... })
>>> rfm = rfm_table(orders, as_of="2025-03-31")
>>> print(rfm[["recency_days", "frequency", "monetary", "avg_spend"]].to_string())
             recency_days  frequency  monetary  avg_spend
customer_id
A                      30          2     400.0      200.0
B                      58          1      50.0       50.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.preprocessing import StandardScaler

from ..config import CATEGORIES
from ..domain import line_values, order_values

__all__ = [
    "CHANNELS",
    "DURABLE_CATEGORIES",
    "CATEGORY_GROUPS",
    "SEGMENT_FEATURES",
    "SEGMENT_NAMES",
    "Pyramid",
    "rfm_table",
    "rfm_scores",
    "customer_pyramid",
    "pareto_curve",
    "top_share",
    "behaviour_features",
    "segment_matrix",
    "choose_k",
    "kmeans_segments",
    "stability_ari",
    "segment_profiles",
    "name_segments",
    "estimate_retention",
    "simple_clv",
    "clv_by_segment",
]

#: Sales channels of the data contract (``orders.channel``).
CHANNELS: tuple[str, ...] = ("store", "web", "app")

#: Categories whose price tier reflects taste (the main purchase of an order);
#: accessories, small add-ons and services are bought by need.
DURABLE_CATEGORIES: tuple[str, ...] = ("tv", "fridge", "washer", "ac", "phone", "laptop")

#: Category groups of a 3C retailer: large home appliances (黑电/白电), digital
#: products (3C 数码) and small appliances with accessories (小家电/配件).
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "home_share": ("tv", "fridge", "washer", "ac"),
    "digital_share": ("phone", "laptop"),
    "small_share": ("small_appliance", "accessory"),
}

#: Columns of :func:`behaviour_features` used for clustering by default: how
#: often and how much a customer buys, at what price tier, what (category
#: groups), where (channel) and who (age, city tier). See
#: :func:`behaviour_features` for why the other columns are left out.
SEGMENT_FEATURES: tuple[str, ...] = (
    "log_frequency",
    "log_avg_spend",
    "price_tier",
    "home_share",
    "digital_share",
    "channel_store",
    "channel_app",
    "age",
    "city_tier",
)

#: The archetypes :func:`name_segments` can assign.
SEGMENT_NAMES: tuple[str, ...] = (
    "premium_loyalists",
    "tech_enthusiasts",
    "family_upgraders",
    "bargain_hunters",
    "occasional_shoppers",
)

_EVENING = (19, 23)  # hours 19:00-23:59


# ============================================================================ helpers
def _need_columns(df: pd.DataFrame, cols: Iterable[str], table: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{table} is missing column(s) {', '.join(repr(c) for c in missing)}")


def _as_of(as_of: Any) -> pd.Timestamp:
    if as_of is None:
        raise ValueError("as_of is required (the snapshot date, e.g. '2025-12-31')")
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ValueError(f"as_of: {as_of!r} is not a date") from None
    if pd.isna(ts):
        raise ValueError(f"as_of: {as_of!r} is not a date")
    return ts.normalize()


def _timestamps(values: pd.Series, name: str) -> pd.Series:
    """Timestamps from a datetime column or ISO 8601 text; anything else is an error."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    ts = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = values.notna() & ts.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in values[bad].unique()[:3])
        raise ValueError(f"{name}: {int(bad.sum())} value(s) are not ISO 8601 dates (e.g. {examples}); "
                         "clean them first")
    return ts


def _completed_orders(orders: pd.DataFrame, as_of: pd.Timestamp, customer_col: str) -> pd.DataFrame:
    """Completed orders with a customer, placed on or before ``as_of``, one row per order id."""
    _need_columns(orders, (customer_col, "order_ts"), "orders")
    if orders.empty:
        raise ValueError("orders is empty")
    o = orders[orders[customer_col].notna()]
    if "status" in o:
        o = o[o["status"].eq("completed").fillna(False).astype(bool)]
    ts = _timestamps(o["order_ts"], "orders.order_ts")
    o = o.assign(_ts=ts)[ts.notna() & (ts.dt.normalize() <= as_of)]
    if "order_id" in o:
        o = o.drop_duplicates(subset="order_id")
    if o.empty:
        raise ValueError(f"orders has no completed order with a {customer_col!r} on or before {as_of.date()}")
    return o


def _check_values(values: Any, name: str = "values") -> np.ndarray:
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(v).any():
        raise ValueError(f"{name} contains missing values")
    if (v < 0).any():
        raise ValueError(f"{name} contains negative values; the Pareto curve needs values >= 0")
    if v.sum() <= 0:
        raise ValueError(f"{name} sums to zero")
    return v


def _matrix(X: Any) -> np.ndarray:
    Z = np.asarray(X.to_numpy(float) if isinstance(X, pd.DataFrame) else X, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got shape {Z.shape}")
    if not np.isfinite(Z).all():
        raise ValueError("X contains missing or infinite values; impute them first")
    return Z


# ============================================================================ RFM
def rfm_table(
    orders: pd.DataFrame,
    *,
    as_of: Any,
    order_items: pd.DataFrame | None = None,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer.

    Parameters
    ----------
    orders : DataFrame
        Order headers (data contract ``orders``): ``customer_id``, ``order_ts``,
        optionally ``order_id``, ``status`` and ``order_value``.
    as_of : date-like
        Snapshot date. Orders placed on this calendar day or earlier count;
        recency is measured from it.
    order_items : DataFrame, optional
        Order lines; needed when ``orders`` has no ``order_value`` (or some are
        missing): ``value = sum(quantity * unit_price - discount)`` per order.
    customer_col : str, default "customer_id"
        Column identifying the customer.

    Returns
    -------
    DataFrame
        One row per customer with at least one completed order, indexed by
        ``customer_col`` (sorted), columns

        ``recency_days``
            Days from the last order's date to ``as_of`` (0 = bought that day).
        ``frequency``
            Number of distinct completed orders.
        ``monetary``
            Total value of those orders, yuan.
        ``avg_spend``
            ``monetary / frequency``.
        ``first_order``, ``last_order``
            Dates (midnight timestamps) of the first and last order.
        ``tenure_days``
            Days from the first order's date to ``as_of``.

    Raises
    ------
    ValueError
        A required column is missing, or no completed order is left.

    Notes
    -----
    Only orders with ``status == "completed"`` count (cancelled and returned
    orders bring no revenue); rows without a customer are dropped; repeated
    ``order_id`` rows (duplicate extracts) count once; an order whose value
    is missing and cannot be computed from ``order_items`` counts as 0.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...                        "order_ts": ["2025-01-01 10:00", "2025-01-11 21:00", "2025-01-05 09:00"],
    ...                        "order_value": [10.0, 30.0, 5.0]})
    >>> rfm_table(orders, as_of="2025-01-31")[["recency_days", "frequency", "tenure_days"]].loc["A"].tolist()
    [20, 2, 30]
    """
    as_of = _as_of(as_of)
    o = _completed_orders(orders, as_of, customer_col)
    o = o.assign(_value=order_values(o, order_items).to_numpy(), _day=o["_ts"].dt.normalize())
    g = o.groupby(customer_col, sort=True)
    first = g["_day"].min()
    last = g["_day"].max()
    out = pd.DataFrame(
        {
            "recency_days": (as_of - last).dt.days.astype(np.int64),
            "frequency": g.size().astype(np.int64),
            "monetary": g["_value"].sum().astype(float),
        }
    )
    out["avg_spend"] = out["monetary"] / out["frequency"]
    out["first_order"] = first
    out["last_order"] = last
    out["tenure_days"] = (as_of - first).dt.days.astype(np.int64)
    out.index.name = customer_col
    return out


def _score(x: pd.Series, q: int) -> pd.Series:
    """Score 1..q by the share of customers with a strictly smaller value."""
    below = (x.rank(method="min").to_numpy() - 1) / len(x)
    return pd.Series(np.minimum(np.floor(below * q).astype(np.int64) + 1, q), index=x.index)


def rfm_scores(rfm: pd.DataFrame, q: int = 5) -> pd.DataFrame:
    """Quantile scores 1..q for recency, frequency and monetary value.

    Parameters
    ----------
    rfm : DataFrame
        Output of :func:`rfm_table` (needs ``recency_days``, ``frequency``,
        ``monetary``).
    q : int, default 5
        Number of score levels (5 = quintiles).

    Returns
    -------
    DataFrame
        Same index, columns ``R``, ``F``, ``M`` (ints 1..q, higher = better),
        ``rfm_code`` (e.g. ``"545"``) and ``rfm_sum`` (R + F + M).

    Notes
    -----
    A customer's score is ``1 + floor(q * s)``, where ``s`` is the share of
    customers with a strictly worse value. Tied customers therefore always
    share a score, the worst value always scores 1, and a large tie (half of
    all customers bought exactly once) does not split arbitrarily the way
    ``qcut(rank(method="first"))`` would; the price is that levels can hold
    unequal numbers of customers. Recency is reversed: fewer days since the
    last order is better (Hughes 1994, *Strategic Database Marketing*).

    Examples
    --------
    >>> import pandas as pd
    >>> rfm = pd.DataFrame({"recency_days": [5, 50, 500, 50], "frequency": [4, 1, 1, 2],
    ...                     "monetary": [400.0, 10.0, 20.0, 90.0]}, index=list("ABCD"))
    >>> rfm_scores(rfm, q=4)
       R  F  M rfm_code  rfm_sum
    A  4  4  4      444       12
    B  2  1  1      211        4
    C  1  1  2      112        4
    D  2  3  3      233        8
    """
    _need_columns(rfm, ("recency_days", "frequency", "monetary"), "rfm")
    if not isinstance(q, (int, np.integer)) or q < 2:
        raise ValueError(f"q must be an integer >= 2, got {q!r}")
    if rfm.empty:
        raise ValueError("rfm is empty")
    out = pd.DataFrame(
        {
            "R": _score(-rfm["recency_days"].astype(float), q),
            "F": _score(rfm["frequency"].astype(float), q),
            "M": _score(rfm["monetary"].astype(float), q),
        },
        index=rfm.index,
    )
    out["rfm_code"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    out["rfm_sum"] = out[["R", "F", "M"]].sum(axis=1)
    return out


# ============================================================================ pyramid and Pareto
@dataclass(frozen=True)
class Pyramid:
    """The customer pyramid.

    Attributes
    ----------
    customers : DataFrame
        Per customer (same index as the input): ``value``, ``rank`` (1 = most
        valuable) and ``tier`` (ordered categorical, top tier first).
    summary : DataFrame
        Per tier: ``n_customers``, ``customer_share``, ``value``,
        ``value_share``, ``min_value``, ``mean_value``.
    """

    customers: pd.DataFrame
    summary: pd.DataFrame


def customer_pyramid(
    rfm: pd.DataFrame | pd.Series,
    tiers: Sequence[float] = (0.01, 0.04, 0.15, 0.80),
    labels: Sequence[str] = ("top", "big", "medium", "small"),
    *,
    value_col: str = "monetary",
) -> Pyramid:
    """Assign customers to value tiers: top 1 %, big 4 %, medium 15 %, small 80 %.

    Parameters
    ----------
    rfm : DataFrame or Series
        Customers; the value is ``rfm[value_col]`` (or the Series itself).
    tiers : sequence of float
        Share of customers in each tier, most valuable first; must sum to 1.
    labels : sequence of str
        Tier names, same length as ``tiers``.
    value_col : str, default "monetary"
        Value column of a DataFrame (e.g. ``"monetary"`` or a CLV column).

    Returns
    -------
    Pyramid
        ``.customers`` (tier per customer) and ``.summary`` (per tier).

    Notes
    -----
    Customers are ranked by value, highest first (ties broken by index order,
    so the result is deterministic). Tier *j* takes ranks
    ``round(n * c_{j-1}) + 1 .. round(n * c_j)`` with ``c_j`` the cumulative
    shares, so tier sizes follow the shares up to rounding. The pyramid
    (Curry & Curry 2000, *The Customer Marketing Method*) shows how much of the
    revenue the few key customers (重要客户) bring.

    Examples
    --------
    >>> import pandas as pd
    >>> values = pd.Series(range(100, 0, -1), index=[f"C{i}" for i in range(100)], dtype=float)
    >>> p = customer_pyramid(values)
    >>> p.summary["n_customers"].tolist()
    [1, 4, 15, 80]
    >>> str(p.customers.loc["C0", "tier"]), str(p.customers.loc["C99", "tier"])
    ('top', 'small')
    """
    if isinstance(rfm, pd.Series):
        value = rfm.astype(float)
    else:
        _need_columns(rfm, (value_col,), "rfm")
        value = rfm[value_col].astype(float)
    if len(value) == 0:
        raise ValueError("rfm is empty")
    if value.isna().any():
        raise ValueError(f"{value_col!r} has missing values")
    tiers = [float(t) for t in tiers]
    if len(tiers) != len(labels) or len(tiers) == 0:
        raise ValueError("tiers and labels must have the same, non-zero length")
    if min(tiers) <= 0 or not math.isclose(sum(tiers), 1.0, abs_tol=1e-9):
        raise ValueError(f"tiers must be positive shares summing to 1, got {tiers}")
    n = len(value)
    order = np.argsort(-value.to_numpy(), kind="stable")
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(1, n + 1)
    bounds = np.round(np.cumsum(tiers) * n).astype(np.int64)
    bounds[-1] = n
    tier_idx = np.searchsorted(bounds, rank, side="left")
    cat = pd.Categorical.from_codes(tier_idx, categories=list(labels), ordered=True)
    customers = pd.DataFrame({"value": value.to_numpy(), "rank": rank, "tier": cat}, index=value.index)
    g = customers.groupby("tier", observed=False)["value"]
    total = float(value.sum())
    summary = pd.DataFrame(
        {
            "n_customers": g.size().astype(np.int64),
            "customer_share": g.size() / n,
            "value": g.sum(),
            "value_share": g.sum() / total if total else np.nan,
            "min_value": g.min(),
            "mean_value": g.mean(),
        }
    )
    summary.index.name = "tier"
    return Pyramid(customers=customers, summary=summary)


def pareto_curve(values: Any) -> pd.DataFrame:
    """The Pareto curve: cumulative share of value against share of customers.

    Parameters
    ----------
    values : array-like of float >= 0
        One value per customer (e.g. ``rfm["monetary"]``).

    Returns
    -------
    DataFrame
        ``n + 1`` rows from ``(0, 0)`` to ``(1, 1)``: ``customer_share``
        (``k / n``) and ``value_share`` (value of the ``k`` most valuable
        customers / total value).

    Notes
    -----
    This is the Lorenz curve read from the top: the "80/20 rule" says the
    curve passes near ``(0.2, 0.8)``. The area between it and the diagonal,
    doubled, is the Gini coefficient.

    Examples
    --------
    >>> pareto_curve([1, 3, 6]).round(3).values.tolist()
    [[0.0, 0.0], [0.333, 0.6], [0.667, 0.9], [1.0, 1.0]]
    """
    v = np.sort(_check_values(values))[::-1]
    n = len(v)
    return pd.DataFrame(
        {
            "customer_share": np.arange(n + 1) / n,
            "value_share": np.concatenate([[0.0], np.cumsum(v) / v.sum()]),
        }
    )


def top_share(values: Any, share: float = 0.2) -> float:
    """Share of the total value held by the top ``share`` of customers.

    Parameters
    ----------
    values : array-like of float >= 0
        One value per customer.
    share : float in (0, 1], default 0.2
        Share of customers, most valuable first.

    Returns
    -------
    float
        ``sum of the k largest values / total`` with ``k = ceil(share * n)``
        (at least one customer), as in
        :func:`crmlab.analysis.facts.stylized_facts`.

    Examples
    --------
    >>> top_share([50, 20, 10, 10, 5, 5, 0, 0, 0, 0], share=0.2)
    0.7
    """
    v = np.sort(_check_values(values))[::-1]
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    k = max(1, math.ceil(share * len(v) - 1e-9))
    return float(v[:k].sum() / v.sum())


# ============================================================================ features
def _price_tier(items: pd.DataFrame, products: pd.DataFrame) -> pd.Series:
    """Mean z-score of log unit price within subcategory, durable lines, per customer."""
    p = products[products["list_price"].astype(float) > 0]
    lp = np.log(p["list_price"].astype(float))
    stats = lp.groupby(p["subcategory"]).agg(["mean", "std", "size"])
    stats = stats[(stats["size"] >= 2) & (stats["std"] > 0)]
    it = items[items["category"].isin(DURABLE_CATEGORIES) & items["subcategory"].isin(stats.index)]
    it = it[it["unit_price"].astype(float) > 0]
    mu = it["subcategory"].map(stats["mean"]).astype(float)
    sd = it["subcategory"].map(stats["std"]).astype(float)
    z = (np.log(it["unit_price"].astype(float)) - mu) / sd
    return z.groupby(it["customer_id"]).mean()


def _counts(df: pd.DataFrame, col: str, index: pd.Index, levels: Sequence[str],
            weights: str | None = None) -> pd.DataFrame:
    """Customers x levels table of counts (or summed ``weights``) of ``df[col]``."""
    w = df[weights].astype(float) if weights else pd.Series(1.0, index=df.index)
    t = w.groupby([df["customer_id"], df[col]]).sum().unstack(fill_value=0.0)
    return t.reindex(index=index, columns=list(levels), fill_value=0.0).fillna(0.0)


def _smoothed_shares(counts: pd.DataFrame, prior: float) -> pd.DataFrame:
    """Row shares shrunk toward the overall mix: ``(n_ic + a p_c) / (n_i + a)``."""
    total = float(counts.to_numpy().sum())
    pop = counts.sum(axis=0) / total if total > 0 else pd.Series(1.0 / counts.shape[1], index=counts.columns)
    n = counts.sum(axis=1)
    num = counts + prior * pop
    den = (n + prior).where(n + prior > 0)
    return num.div(den, axis=0).fillna(pop)


def behaviour_features(
    orders: pd.DataFrame,
    order_items: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any,
    prior_orders: float = 2.0,
) -> pd.DataFrame:
    """Buying-habit (and demographic) features per customer, ready for clustering.

    Parameters
    ----------
    orders, order_items, products : DataFrame
        Tables of the data contract. ``products`` needs ``sku``, ``category``,
        ``subcategory`` and ``list_price``.
    customers : DataFrame, optional
        The customer archive; adds ``age``, ``female`` and ``city_tier``.
    as_of : date-like
        Snapshot date (see :func:`rfm_table`).
    prior_orders : float, default 2.0
        Strength ``a`` of the smoothing of the order-mix and channel shares,
        in pseudo-orders (0 = raw shares).

    Returns
    -------
    DataFrame
        One row per customer with a completed order, indexed by
        ``customer_id``; no missing values. Columns:

        ``frequency``, ``monetary``
            As in :func:`rfm_table` (for masks and profiles).
        ``log_recency``, ``log_frequency``, ``log_monetary``, ``log_avg_spend``
            ``log1p`` of the RFM quantities: they are right-skewed, and k-means
            on raw money would be a clustering of the few biggest spenders.
        ``spend_<category>``
            Share of the customer's line spend in each of the 9 categories
            (for profiles; raw, not smoothed).
        ``home_share``, ``digital_share``, ``small_share``
            Order mix: share of the customer's orders whose *main purchase*
            (the line of highest value) falls in each group of
            :data:`CATEGORY_GROUPS`, smoothed (see Notes).
        ``channel_store``, ``channel_web``, ``channel_app``
            Share of orders per channel, smoothed.
        ``price_tier``
            Mean, over the customer's lines in :data:`DURABLE_CATEGORIES`, of
            ``z = (log unit_price - m_s) / s_s`` where ``m_s`` and ``s_s`` are
            the mean and standard deviation of log list price over the
            catalogue's SKUs of the line's subcategory: above 0 means dearer
            models than the catalogue's typical one. Customers with no durable
            line get the median.
        ``evening_share``
            Share of orders placed 19:00-23:59.
        ``age``, ``female``, ``city_tier``
            ``as_of`` year minus ``birth_year``; 1 if ``gender == "female"``;
            city tier 1-5. Missing values are imputed (median age and tier,
            mean of ``female``). Only with ``customers``.

    Notes
    -----
    Shares describe *what* and *where* a customer buys independently of *how
    much*, which the RFM columns carry; price tier is measured within
    subcategory so that buying a television is not mistaken for buying
    premium. Only lines with positive quantity whose SKU is in ``products``
    count.

    The order mix counts orders by their main purchase rather than summing
    spend, because spend shares are dominated by whatever big ticket a basket
    holds (a phone with a case is "100 % phone" by spend). Most customers
    have one or two orders, so raw shares are 0/1 indicators of the last
    purchase; the order-mix and channel shares are therefore shrunk toward the
    overall mix ``p_c`` (additive, Dirichlet-prior smoothing):

    .. math:: \\hat s_{ic} = \\frac{n_{ic} + a \\, p_c}{n_i + a},

    with ``n_ic`` the customer's orders in level ``c`` and ``n_i`` all their
    orders. With ``a = 2`` a one-order customer's shares are one third their
    own order and two thirds the overall mix; a customer with 20 orders
    hardly moves.

    :data:`SEGMENT_FEATURES` is the subset used for clustering by default. It
    leaves out (i) columns that are (nearly) determined by others -
    ``small_share`` is about ``1 - home_share - digital_share``, ``channel_web``
    is ``1 - store - app``, ``log_monetary`` is about
    ``log_frequency + log_avg_spend`` - because a duplicated direction counts
    twice in a Euclidean distance; (ii) the 9 fine spend shares, which with
    one or two orders per customer split customers by their single last
    purchase rather than by habit; (iii) ``log_recency``, a state (how long
    ago) rather than a habit; ``evening_share``, mostly noise with one or two
    orders per customer; and ``female``, a single 0/1 column that tempts
    k-means into splitting every group by gender.

    Examples
    --------
    >>> import crmlab
    >>> d = crmlab.make_retail_crm("tiny", seed=1)
    >>> X = behaviour_features(d.orders, d.order_items, d.products, d.customers, as_of="2025-06-30")
    >>> set(SEGMENT_FEATURES) <= set(X.columns), bool(X.notna().all().all())
    (True, True)
    """
    as_of = _as_of(as_of)
    if not prior_orders >= 0:
        raise ValueError(f"prior_orders must be >= 0, got {prior_orders!r}")
    rfm = rfm_table(orders, as_of=as_of, order_items=order_items)
    _need_columns(order_items, ("order_id", "sku", "quantity", "unit_price"), "order_items")
    _need_columns(products, ("sku", "category", "subcategory", "list_price"), "products")
    _need_columns(orders, ("order_id",), "orders")
    o = _completed_orders(orders, as_of, "customer_id")
    o = o[o["customer_id"].isin(rfm.index)]
    idx = rfm.index

    out = pd.DataFrame(index=idx)
    out["frequency"] = rfm["frequency"].astype(float)
    out["monetary"] = rfm["monetary"].astype(float)
    out["log_recency"] = np.log1p(rfm["recency_days"].astype(float))
    out["log_frequency"] = np.log1p(rfm["frequency"].astype(float))
    out["log_monetary"] = np.log1p(rfm["monetary"].clip(lower=0).astype(float))
    out["log_avg_spend"] = np.log1p(rfm["avg_spend"].clip(lower=0).astype(float))

    # lines -> category spend shares
    items = order_items[order_items["quantity"].astype(float) > 0]
    items = items.merge(o[["order_id", "customer_id"]], on="order_id", how="inner")
    items = items.merge(products[["sku", "category", "subcategory"]].drop_duplicates("sku"), on="sku", how="inner")
    items = items.assign(_v=line_values(items).clip(lower=0).to_numpy())
    spend = _counts(items, "category", idx, CATEGORIES, weights="_v")
    total = spend.sum(axis=1)
    shares = spend.div(total.where(total > 0), axis=0)
    shares = shares.fillna(spend.sum(axis=0) / max(float(spend.to_numpy().sum()), 1e-12))
    for c in CATEGORIES:
        out[f"spend_{c}"] = shares[c].to_numpy()

    # order mix: the category of each order's most valuable line, smoothed
    main = items.sort_values(["order_id", "_v"], ascending=[True, False], kind="stable").drop_duplicates("order_id")
    mix = _smoothed_shares(_counts(main, "category", idx, CATEGORIES), prior_orders)
    for name, cats in CATEGORY_GROUPS.items():
        out[name] = mix[list(cats)].sum(axis=1).to_numpy()

    # channel mix, smoothed
    _need_columns(o, ("channel",), "orders")
    ch = _smoothed_shares(_counts(o, "channel", idx, CHANNELS), prior_orders)
    for c in CHANNELS:
        out[f"channel_{c}"] = ch[c].to_numpy()

    # price tier
    tier = _price_tier(items, products).reindex(idx)
    out["price_tier"] = tier.fillna(tier.median() if tier.notna().any() else 0.0).to_numpy()

    # evening share
    hour = o["_ts"].dt.hour
    evening = ((hour >= _EVENING[0]) & (hour <= _EVENING[1])).astype(float)
    out["evening_share"] = evening.groupby(o["customer_id"]).mean().reindex(idx).fillna(0.0).to_numpy()

    if customers is not None:
        out = out.join(_demographics(customers, as_of), how="left")
        for col in ("age", "city_tier"):
            out[col] = out[col].fillna(out[col].median() if out[col].notna().any() else 0.0)
        out["female"] = out["female"].fillna(out["female"].mean() if out["female"].notna().any() else 0.5)
    return out.astype(float)


def _demographics(customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    _need_columns(customers, ("customer_id", "birth_year", "gender", "city_tier"), "customers")
    c = customers.drop_duplicates("customer_id").set_index("customer_id")
    by = pd.to_numeric(c["birth_year"], errors="coerce").astype(float)
    g = c["gender"]
    female = pd.Series(np.where(g.isna(), np.nan, g.eq("female").fillna(False).astype(float)), index=c.index)
    return pd.DataFrame(
        {
            "age": as_of.year - by,
            "female": female,
            "city_tier": pd.to_numeric(c["city_tier"], errors="coerce").astype(float),
        }
    )


def segment_matrix(features: pd.DataFrame, columns: Sequence[str] = SEGMENT_FEATURES) -> pd.DataFrame:
    """Select the clustering columns of :func:`behaviour_features`.

    Parameters
    ----------
    features : DataFrame
        Output of :func:`behaviour_features` (or any per-customer table).
    columns : sequence of str, default :data:`SEGMENT_FEATURES`
        Columns to keep, in this order. Columns absent from ``features``
        (e.g. demographics when no customer archive was given) are skipped.

    Returns
    -------
    DataFrame
        ``features[present columns]``; at least one column must be present.

    Examples
    --------
    >>> import pandas as pd
    >>> segment_matrix(pd.DataFrame({"age": [30.0], "price_tier": [0.1], "x": [1.0]})).columns.tolist()
    ['price_tier', 'age']
    """
    if not isinstance(features, pd.DataFrame):
        raise ValueError("features must be a pandas DataFrame")
    cols = [c for c in columns if c in features.columns]
    if not cols:
        raise ValueError(f"features has none of the columns {list(columns)}")
    return features[cols]


# ============================================================================ clustering
def _fit(Z: np.ndarray, k: int, random_state: int, n_init: int) -> tuple[StandardScaler, KMeans]:
    scaler = StandardScaler().fit(Z)
    km = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(scaler.transform(Z))
    return scaler, km


def _check_k(k: int, n: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be an integer >= 2, got {k!r}")
    if n < k + 1:
        raise ValueError(f"X has {n} rows; k-means with k={k} needs more than k rows")


def choose_k(
    X: pd.DataFrame | np.ndarray,
    ks: Iterable[int] = range(2, 9),
    random_state: int = 0,
    *,
    n_init: int = 10,
    sample_size: int | None = None,
) -> pd.DataFrame:
    """Fit standardised k-means for several ``k`` and score each fit.

    Parameters
    ----------
    X : DataFrame or ndarray (n, p)
        Features (e.g. ``segment_matrix(behaviour_features(...))``), no missing
        values; standardised inside.
    ks : iterable of int, default 2..8
        Candidate numbers of clusters.
    random_state : int, default 0
        Seed of the k-means initialisations (and of the silhouette subsample).
    n_init : int, default 10
        k-means restarts per ``k``.
    sample_size : int, optional
        Compute the silhouette on a random subsample of this size (it costs
        ``O(n^2)``); ``None`` uses all rows.

    Returns
    -------
    DataFrame indexed by ``k`` with ``inertia`` (within-cluster sum of squares,
    for the elbow plot), ``silhouette`` (higher is better),
    ``calinski_harabasz`` (higher is better) and ``davies_bouldin`` (lower is
    better). ``table["silhouette"].idxmax()`` is the silhouette choice.

    Notes
    -----
    The silhouette of point *i* is ``(b_i - a_i) / max(a_i, b_i)``, with
    ``a_i`` the mean distance to its own cluster and ``b_i`` to the nearest
    other cluster (Rousseeuw 1987); the score is its mean over points.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(m, 0.3, size=(50, 2)) for m in (0, 3, 6)])
    >>> int(choose_k(X, ks=range(2, 6))["silhouette"].idxmax())
    3
    """
    Z = _matrix(X)
    ks = list(ks)
    if not ks:
        raise ValueError("ks is empty")
    rows = []
    for k in ks:
        _check_k(k, len(Z))
        scaler, km = _fit(Z, k, random_state, n_init)
        S = scaler.transform(Z)
        rows.append(
            dict(
                k=int(k),
                inertia=float(km.inertia_),
                silhouette=float(silhouette_score(S, km.labels_, sample_size=sample_size, random_state=random_state)),
                calinski_harabasz=float(calinski_harabasz_score(S, km.labels_)),
                davies_bouldin=float(davies_bouldin_score(S, km.labels_)),
            )
        )
    return pd.DataFrame(rows).set_index("k")


def kmeans_segments(
    X: pd.DataFrame | np.ndarray,
    k: int,
    random_state: int = 0,
    *,
    n_init: int = 10,
    fit_mask: Any = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """k-means segments on standardised features.

    Parameters
    ----------
    X : DataFrame or ndarray (n, p)
        Features, no missing values.
    k : int
        Number of segments.
    random_state : int, default 0
        Seed of the k-means initialisations.
    n_init : int, default 10
        Restarts; the fit with the lowest inertia is kept.
    fit_mask : array-like of bool, optional
        Rows used to fit the scaler and the centres (e.g. repeat buyers, whose
        habits are measured on more than one order); every row is then
        assigned to its nearest centre. ``None`` fits on all rows.

    Returns
    -------
    labels : ndarray of int (n,)
        Segment 0..k-1 per row, numbered by size in the fitting rows (0 =
        largest), so labels do not depend on k-means' arbitrary numbering.
    centers : DataFrame (k, p)
        Centres in the original units of ``X`` (index = label).

    Notes
    -----
    Each column is standardised, ``z = (x - mean) / sd``, so that no feature
    dominates the Euclidean distance by its unit; k-means then minimises
    ``sum_i ||z_i - c_{label(i)}||^2`` (Lloyd's algorithm, k-means++ starts).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0]])
    >>> labels, centers = kmeans_segments(X, 2)
    >>> labels.tolist()
    [0, 0, 0, 1, 1]
    >>> centers.round(2).values.tolist()
    [[0.03, 0.03], [5.05, 5.0]]
    """
    Z = _matrix(X)
    mask = np.ones(len(Z), bool) if fit_mask is None else np.asarray(fit_mask, bool)
    if mask.shape != (len(Z),):
        raise ValueError(f"fit_mask must have one boolean per row of X ({len(Z)}), got shape {mask.shape}")
    _check_k(k, int(mask.sum()))
    scaler, km = _fit(Z[mask], k, random_state, n_init)
    raw = km.predict(scaler.transform(Z))
    sizes = np.bincount(raw[mask], minlength=k)
    order = np.lexsort((np.arange(k), -sizes))  # largest first, ties by k-means number
    relabel = np.empty(k, np.int64)
    relabel[order] = np.arange(k)
    labels = relabel[raw]
    cols = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j}" for j in range(Z.shape[1])]
    centers = pd.DataFrame(scaler.inverse_transform(km.cluster_centers_[order]), columns=cols)
    centers.index.name = "segment"
    return labels, centers


def stability_ari(
    X: pd.DataFrame | np.ndarray,
    k: int,
    n_resamples: int = 20,
    random_state: int = 0,
    *,
    n_init: int = 10,
) -> np.ndarray:
    """Stability of k-means segments across bootstrap resamples.

    Parameters
    ----------
    X : DataFrame or ndarray (n, p)
        Features, no missing values.
    k : int
        Number of segments.
    n_resamples : int, default 20
        Bootstrap resamples.
    random_state : int, default 0
        Seed of the resampling and of every k-means fit.
    n_init : int, default 10
        k-means restarts per fit.

    Returns
    -------
    ndarray (n_resamples,)
        Adjusted Rand index between the segments fitted on all rows and those
        fitted on each resample, both evaluated on all rows.

    Notes
    -----
    For each resample *b*, rows are drawn with replacement, the scaler and
    k-means are fitted on them, and every original row is assigned to its
    nearest resample centre; ``ARI_b = ARI(labels_full, labels_b)``. The ARI
    is 1 for identical partitions (whatever the numbering) and about 0 for
    unrelated ones (Hubert & Arabie 1985); segments worth naming should
    reach a median of about 0.7 or more (Hennig 2007 uses the Jaccard
    analogue).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(m, 0.3, size=(40, 2)) for m in (0, 4)])
    >>> float(stability_ari(X, 2, n_resamples=5).min())
    1.0
    """
    Z = _matrix(X)
    _check_k(k, len(Z))
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    ref, _ = kmeans_segments(Z, k, random_state, n_init=n_init)
    rng = np.random.default_rng(random_state)
    out = np.empty(n_resamples)
    for b in range(n_resamples):
        rows = rng.integers(0, len(Z), len(Z))
        scaler, km = _fit(Z[rows], k, random_state + 1 + b, n_init)
        out[b] = adjusted_rand_score(ref, km.predict(scaler.transform(Z)))
    return out


# ============================================================================ profiles and names
def segment_profiles(features: pd.DataFrame, labels: Any) -> pd.DataFrame:
    """Size and mean feature values of each segment.

    Parameters
    ----------
    features : DataFrame (n, p)
        Per-customer features (numeric columns are profiled).
    labels : array-like (n,)
        Segment label per row (e.g. from :func:`kmeans_segments`).

    Returns
    -------
    DataFrame indexed by segment (sorted) with ``n``, ``share`` and the mean
    of every numeric feature.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"x": [1.0, 3.0, 10.0]})
    >>> segment_profiles(f, [0, 0, 1])
             n     share     x
    segment
    0        2  0.666667   2.0
    1        1  0.333333  10.0
    """
    if not isinstance(features, pd.DataFrame):
        raise ValueError("features must be a pandas DataFrame")
    labels = np.asarray(labels)
    if labels.shape != (len(features),):
        raise ValueError(f"labels must have one entry per row of features ({len(features)}), got {labels.shape}")
    if len(features) == 0:
        raise ValueError("features is empty")
    num = features.select_dtypes("number")
    g = num.groupby(labels)
    prof = g.mean()
    prof.insert(0, "share", g.size() / len(features))
    prof.insert(0, "n", g.size().astype(np.int64))
    prof.index.name = "segment"
    return prof


def _archetype_scores(profiles: pd.DataFrame) -> pd.DataFrame:
    """How well each segment fits each archetype (z-scores across segments)."""
    need = ("n", "log_frequency", "price_tier", "digital_share", "home_share")
    _need_columns(profiles, need, "profiles")
    w = profiles["n"].astype(float).to_numpy()
    w = w / w.sum()

    def z(col: str) -> pd.Series:
        x = profiles[col].astype(float)
        m = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - m) ** 2)))
        return (x - m) / sd if sd > 0 else x * 0.0

    freq, price = z("log_frequency"), z("price_tier")
    small = z("small_share") if "small_share" in profiles else -(z("home_share") + z("digital_share")) / 2
    return pd.DataFrame(
        {
            "premium_loyalists": freq + price,
            "tech_enthusiasts": z("digital_share"),
            "family_upgraders": z("home_share"),
            "bargain_hunters": small - price,
            "occasional_shoppers": -freq,
        },
        index=profiles.index,
    )[list(SEGMENT_NAMES)]


def name_segments(profiles: pd.DataFrame) -> dict[Any, str]:
    """Give each segment an archetype name from its profile.

    Parameters
    ----------
    profiles : DataFrame
        Output of :func:`segment_profiles` on :func:`behaviour_features`
        (needs ``n``, ``log_frequency``, ``price_tier``, ``home_share``,
        ``digital_share``; ``small_share`` is used if present).

    Returns
    -------
    dict
        Segment label -> name from :data:`SEGMENT_NAMES`; names are unique.
        With more segments than archetypes the extra ones are named after
        their best archetype plus a suffix (``"tech_enthusiasts_2"``).

    Notes
    -----
    Each profile column is standardised across segments (weighted by segment
    size); a segment's fit to each archetype is

    ==================== ============================================
    premium_loyalists    z(log_frequency) + z(price_tier)
    tech_enthusiasts     z(digital_share)  (phones, laptops)
    family_upgraders     z(home_share)     (TV, fridge, washer, AC)
    bargain_hunters      z(small_share) - z(price_tier)
    occasional_shoppers  -z(log_frequency)
    ==================== ============================================

    and names are assigned one-to-one to maximise the total fit (Hungarian
    algorithm, :func:`scipy.optimize.linear_sum_assignment`). The rules are a
    starting point for discussion, not a law: a name must be checked against
    the full profile.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"n": [100, 100, 50], "log_frequency": [0.7, 0.8, 1.6],
    ...                      "price_tier": [-0.8, 0.0, 1.0], "home_share": [0.1, 0.8, 0.5],
    ...                      "digital_share": [0.3, 0.1, 0.3], "small_share": [0.6, 0.1, 0.2]})
    >>> name_segments(prof)
    {0: 'bargain_hunters', 1: 'family_upgraders', 2: 'premium_loyalists'}
    """
    if len(profiles) == 0:
        raise ValueError("profiles is empty")
    S = _archetype_scores(profiles)
    rows, cols = linear_sum_assignment(S.to_numpy(), maximize=True)
    names: dict[Any, str] = {S.index[r]: SEGMENT_NAMES[c] for r, c in zip(rows, cols)}
    used: dict[str, int] = {}
    for lab in S.index:
        if lab not in names:
            best = str(S.loc[lab].idxmax())
            used[best] = used.get(best, 1) + 1
            names[lab] = f"{best}_{used[best]}"
    return {lab: names[lab] for lab in S.index}


# ============================================================================ CLV
def estimate_retention(rfm: pd.DataFrame) -> float:
    """A crude annual retention rate from an RFM table.

    Among customers whose first order is at least a year old
    (``tenure_days >= 365``), the share who ordered in the last year
    (``recency_days < 365``).

    Examples
    --------
    >>> import pandas as pd
    >>> rfm = pd.DataFrame({"recency_days": [10, 400, 100, 20], "tenure_days": [500, 600, 700, 30]})
    >>> estimate_retention(rfm)
    0.6666666666666666
    """
    _need_columns(rfm, ("recency_days", "tenure_days"), "rfm")
    old = rfm[rfm["tenure_days"] >= 365]
    if old.empty:
        raise ValueError("rfm has no customer with tenure_days >= 365; pass annual_retention explicitly")
    return float((old["recency_days"] < 365).mean())


def simple_clv(
    rfm: pd.DataFrame,
    *,
    margin: float = 0.15,
    annual_retention: float | pd.Series | Mapping[Any, float] | None = None,
    discount_rate: float = 0.1,
    horizon_years: int = 3,
) -> pd.Series:
    """Customer lifetime value: discounted margin of the next years.

    Parameters
    ----------
    rfm : DataFrame
        Output of :func:`rfm_table` (``monetary``, ``tenure_days``; and
        ``recency_days`` if ``annual_retention`` is estimated).
    margin : float, default 0.15
        Gross margin on revenue (3C retail margins are thin).
    annual_retention : float, Series or mapping, optional
        Probability that a customer is still a customer a year later: one
        rate, or one per customer (Series or dict keyed like ``rfm.index``,
        e.g. each segment's rate mapped to its members). ``None`` estimates one rate
        with :func:`estimate_retention`.
    discount_rate : float, default 0.1
        Yearly discount rate ``d``.
    horizon_years : int, default 3
        Number of future years ``H``.

    Returns
    -------
    Series ``clv`` (yuan), same index as ``rfm``.

    Notes
    -----
    With annual revenue ``a_i = monetary_i / max(tenure_days_i, 365) * 365``
    (spend so far per observed year, at least one year), retention ``r`` and
    discount rate ``d``,

    .. math:: CLV_i = \\sum_{t=1}^{H} \\frac{m \\, a_i \\, r^t}{(1+d)^t}
                    = m \\, a_i \\, \\frac{q (1 - q^H)}{1 - q}, \\quad q = \\frac{r}{1+d},

    i.e. each future year's margin counts if the customer is still retained
    and is discounted to today; as ``H -> inf`` it tends to
    ``m a_i r / (1 + d - r)`` (Gupta & Lehmann 2003). Customer equity is the
    sum of CLV over customers. It ignores acquisition cost and treats every
    customer as alive; probabilistic models (BG/NBD with Gamma-Gamma spend)
    refine both.

    Examples
    --------
    >>> import pandas as pd
    >>> rfm = pd.DataFrame({"monetary": [1000.0, 4000.0], "tenure_days": [100, 730]}, index=["A", "B"])
    >>> simple_clv(rfm, margin=0.2, annual_retention=0.5, discount_rate=0.0, horizon_years=2).tolist()
    [150.0, 300.0]
    """
    _need_columns(rfm, ("monetary", "tenure_days"), "rfm")
    if not 0 <= margin <= 1:
        raise ValueError(f"margin must be in [0, 1], got {margin!r}")
    if discount_rate <= -1:
        raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
    if not isinstance(horizon_years, (int, np.integer)) or horizon_years < 1:
        raise ValueError(f"horizon_years must be a positive integer, got {horizon_years!r}")
    if annual_retention is None:
        r = pd.Series(estimate_retention(rfm), index=rfm.index)
    elif isinstance(annual_retention, (pd.Series, Mapping)):
        r = pd.Series(annual_retention).reindex(rfm.index).astype(float)
        if r.isna().any():
            raise ValueError("annual_retention has no value for some customers of rfm")
    else:
        r = pd.Series(float(annual_retention), index=rfm.index)
    if ((r < 0) | (r > 1)).any():
        raise ValueError("annual_retention must be in [0, 1]")
    years = np.maximum(rfm["tenure_days"].astype(float), 365.0) / 365.0
    annual = rfm["monetary"].astype(float) / years
    q = r / (1.0 + discount_rate)
    factor = sum(q**t for t in range(1, horizon_years + 1))
    return (margin * annual * factor).rename("clv")


def clv_by_segment(clv: pd.Series, labels: Any) -> pd.DataFrame:
    """Customer equity by segment.

    Parameters
    ----------
    clv : Series
        CLV per customer (:func:`simple_clv`).
    labels : array-like or Series
        Segment per customer (a Series is aligned on ``clv.index``).

    Returns
    -------
    DataFrame indexed by segment, sorted by equity (largest first):
    ``n``, ``customer_share``, ``mean_clv``, ``median_clv``, ``equity``
    (sum of CLV) and ``equity_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> clv = pd.Series([10.0, 30.0, 60.0], index=["A", "B", "C"])
    >>> clv_by_segment(clv, ["x", "x", "y"])[["n", "equity", "equity_share"]]
             n  equity  equity_share
    segment
    y        1    60.0           0.6
    x        2    40.0           0.4
    """
    if not isinstance(clv, pd.Series):
        clv = pd.Series(np.asarray(clv, float))
    if len(clv) == 0:
        raise ValueError("clv is empty")
    if isinstance(labels, pd.Series):
        lab = labels.reindex(clv.index)
        if lab.isna().any():
            raise ValueError("labels has no segment for some customers of clv")
        lab = lab.to_numpy()
    else:
        lab = np.asarray(labels)
        if lab.shape != (len(clv),):
            raise ValueError(f"labels must have one entry per customer ({len(clv)}), got {lab.shape}")
    g = clv.astype(float).groupby(lab)
    total = float(clv.sum())
    out = pd.DataFrame(
        {
            "n": g.size().astype(np.int64),
            "customer_share": g.size() / len(clv),
            "mean_clv": g.mean(),
            "median_clv": g.median(),
            "equity": g.sum(),
            "equity_share": g.sum() / total if total else np.nan,
        }
    )
    out.index.name = "segment"
    return out.sort_values("equity", ascending=False, kind="stable")
