"""Customer value: RFM, the customer pyramid and the 80/20 rule.

The course's vocabulary, one function each:

* **RFM** - recency 最近一次消费, frequency 消费频率, monetary 消费金额 and
  average spend 平均金额 per customer (:func:`rfm_table`), cut into quintile
  scores and a code such as ``"545"`` (:func:`rfm_scores`);
* the **customer pyramid** - top 1 % (key customers 重要客户), big 4 %,
  medium 15 %, small 80 % of customers by value (:func:`customer_pyramid`);
* the **80/20 rule** - the Pareto (Lorenz-type) curve of value and the share of
  value held by the top 20 % (:func:`pareto_curve`, :func:`top_share`, with a
  bootstrap interval :func:`top_share_interval`);
* **repeat buying** - the share of customers who bought at most a few times,
  with a Wilson interval (:func:`low_frequency_share`);
* **value by group** - each group's share of the total value (customer equity
  by segment) with bootstrap intervals and the leader's lead (:func:`value_shares`).

Which orders count is the project's one rule (:func:`crmlab.domain.counted_orders`,
``statuses=COUNTED_STATUSES``); :func:`snapshot_orders` applies it together with
the snapshot date. Behavioural segments are in :mod:`crmlab.analysis.segmentation`,
customer lifetime value in :mod:`crmlab.analysis.clv.simple`.

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
>>> print(rfm[["recency_days", "frequency", "monetary", "avg_spend"]].to_string())  # doctest: +NORMALIZE_WHITESPACE
             recency_days  frequency  monetary  avg_spend
customer_id
A                      30          2     400.0      200.0
B                      58          1      50.0       50.0
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._checks import as_datetimes, as_timestamp, check_confidence_level, fraction, positive_int, require_columns
from ..domain import COUNTED_STATUSES, counted_orders, order_values
from ._proportions import wilson_interval
from ._results import DEFAULT_CONFIDENCE, Estimate, Result

__all__ = [
    "Pyramid",
    "snapshot_orders",
    "rfm_table",
    "rfm_scores",
    "customer_pyramid",
    "pareto_curve",
    "top_share",
    "top_share_interval",
    "low_frequency_share",
    "ValueShares",
    "value_shares",
]


def snapshot_orders(
    orders: pd.DataFrame,
    *,
    as_of: Any,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """The orders a snapshot counts: with a customer, of a counted status, placed on or before ``as_of``.

    Parameters
    ----------
    orders : DataFrame
        Order headers with ``customer_col`` and ``order_ts`` (datetime or ISO
        8601 text); ``status`` and ``order_id`` are used when present.
    as_of : date-like
        Snapshot date; orders placed on this calendar day or earlier count.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count (``None``: every order); see
        :func:`crmlab.domain.counted_orders`.
    customer_col : str, default "customer_id"
        Column identifying the customer; rows without one are dropped.

    Returns
    -------
    DataFrame
        The selected rows, one per ``order_id`` (repeated rows of a duplicate
        extract count once), with ``order_ts`` parsed to ``datetime64``.

    Raises
    ------
    ValueError
        A column is missing, ``orders`` is empty, ``order_ts`` holds
        non-ISO text, or no order is left.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3", "o3"], "customer_id": ["a", "a", "b", "b"],
    ...                        "order_ts": ["2025-01-05", "2025-02-01", "2025-01-09", "2025-01-09"],
    ...                        "status": ["completed", "cancelled", "completed", "completed"]})
    >>> snapshot_orders(orders, as_of="2025-01-31")["order_id"].tolist()
    ['o1', 'o3']
    >>> snapshot_orders(orders, as_of="2025-12-31", statuses=None)["order_id"].tolist()
    ['o1', 'o2', 'o3']
    """
    as_of = as_timestamp(as_of, "as_of", normalize=True)
    require_columns(orders, (customer_col, "order_ts"), table="orders", non_empty=True)
    o = counted_orders(orders[orders[customer_col].notna()], statuses)
    ts = as_datetimes(o["order_ts"], "orders.order_ts")
    o = o.assign(order_ts=ts)[ts.notna() & (ts.dt.normalize() <= as_of)]
    if "order_id" in o:
        o = o.drop_duplicates(subset="order_id")
    if o.empty:
        which = "" if statuses is None or "status" not in orders else f" with status in {tuple(statuses)}"
        raise ValueError(f"orders has no order{which} and a {customer_col!r} on or before {as_of.date()}")
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



def rfm_table(
    orders: pd.DataFrame,
    *,
    as_of: Any,
    order_items: pd.DataFrame | None = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
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
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count (``None``: every order).
    customer_col : str, default "customer_id"
        Column identifying the customer.

    Returns
    -------
    DataFrame
        One row per customer with at least one counted order, indexed by
        ``customer_col`` (sorted), columns

        ``recency_days``
            Days from the last order's date to ``as_of`` (0 = bought that day).
        ``frequency``
            Number of distinct counted orders.
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
        A required column is missing, or no counted order is left.

    Notes
    -----
    By default only completed orders count (cancelled and returned orders
    bring no revenue); rows without a customer are dropped; repeated
    ``order_id`` rows (duplicate extracts) count once (:func:`snapshot_orders`);
    an order whose value is missing and cannot be computed from
    ``order_items`` counts as 0.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...                        "order_ts": ["2025-01-01 10:00", "2025-01-11 21:00", "2025-01-05 09:00"],
    ...                        "order_value": [10.0, 30.0, 5.0]})
    >>> rfm_table(orders, as_of="2025-01-31")[["recency_days", "frequency", "tenure_days"]].loc["A"].tolist()
    [20, 2, 30]
    """
    as_of = as_timestamp(as_of, "as_of", normalize=True)
    o = snapshot_orders(orders, as_of=as_of, statuses=statuses, customer_col=customer_col)
    o = o.assign(_value=order_values(o, order_items).to_numpy(), _day=o["order_ts"].dt.normalize())
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
    require_columns(rfm, ("recency_days", "frequency", "monetary"), table="rfm")
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



@dataclasses.dataclass(frozen=True, repr=False)
class Pyramid(Result):
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
        require_columns(rfm, (value_col,), table="rfm")
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
        :func:`crmlab.realism.stylized_facts`.

    Examples
    --------
    >>> top_share([50, 20, 10, 10, 5, 5, 0, 0, 0, 0], share=0.2)
    0.7
    """
    v = np.sort(_check_values(values))[::-1]
    share = fraction(share, "share")
    k = max(1, math.ceil(share * len(v) - 1e-9))
    return float(v[:k].sum() / v.sum())



def low_frequency_share(frequency: Any, max_orders: int = 2, *,
                        confidence_level: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of customers with at most ``max_orders`` orders, with a Wilson interval.

    Parameters
    ----------
    frequency : array-like of int
        Orders per customer (customers with at least one order).
    max_orders : int, default 2
    confidence_level : float, default 0.95

    Examples
    --------
    >>> e = low_frequency_share([1, 1, 2, 5, 1, 3, 1, 2], max_orders=2)
    >>> e.estimate, round(e.ci_low, 3), round(e.ci_high, 3)
    (0.75, 0.409, 0.929)
    """
    f = _check_values(frequency)
    k = int((f <= positive_int(max_orders, "max_orders")).sum())
    lo, hi = wilson_interval(k, len(f), confidence_level)
    return Estimate(k / len(f), float(lo), float(hi), check_confidence_level(confidence_level))


def _boot_weights(n: int, n_boot: int, random_state: int, chunk: int = 100):
    """Bootstrap resampling counts (multinomial: n draws from n rows), ``chunk`` replicates at a time."""
    rng = np.random.default_rng(random_state)
    for b0 in range(0, n_boot, chunk):
        yield rng.multinomial(n, np.full(n, 1.0 / n), size=min(chunk, n_boot - b0)).astype(float)


def top_share_interval(
    values: Any,
    share: float = 0.2,
    *,
    n_boot: int = 1000,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> Estimate:
    """:func:`top_share` with a percentile bootstrap interval (customers resampled).

    Examples
    --------
    >>> import numpy as np
    >>> v = np.random.default_rng(0).lognormal(7, 1.2, 2000)
    >>> e = top_share_interval(v, 0.2, n_boot=200)
    >>> round(e.estimate, 2), bool(e.ci_low < e.estimate < e.ci_high)
    (0.63, True)
    """
    v = np.sort(_check_values(values))[::-1]
    share = fraction(share, "share")
    level = check_confidence_level(confidence_level)
    n = len(v)
    k = max(1, math.ceil(share * n - 1e-9))
    boot = []
    for w in _boot_weights(n, positive_int(n_boot, "n_boot"), random_state):
        # v is sorted, so the top k of a resample are its first k draws in this order
        cum = np.cumsum(w, axis=1)
        take = np.clip(k - (cum - w), 0, w)  # copies of each value among the k largest
        boot.append((take * v).sum(axis=1) / (w * v).sum(axis=1))
    a = (1 - level) / 2
    lo, hi = np.quantile(np.concatenate(boot), [a, 1 - a])
    return Estimate(float(v[:k].sum() / v.sum()), float(lo), float(hi), level)


@dataclasses.dataclass(frozen=True, repr=False)
class ValueShares(Result):
    """Each group's share of the total value, with bootstrap intervals (:func:`value_shares`).

    Attributes
    ----------
    table : DataFrame
        Indexed by group, largest share first: ``n``, ``value``, ``share``, ``ci_low``, ``ci_high``.
    leader, runner_up : str
        The groups with the largest and second-largest share.
    lead : Estimate
        The leader's share minus the runner-up's, with its bootstrap interval.
    n_boot : int
    confidence_level : float
    """

    table: pd.DataFrame
    leader: str
    runner_up: str
    lead: Estimate
    n_boot: int
    confidence_level: float = DEFAULT_CONFIDENCE

    def estimates(self) -> dict[str, Estimate]:
        """Group -> its share as an :class:`~crmlab.analysis._results.Estimate`."""
        return {str(g): Estimate(float(r.share), float(r.ci_low), float(r.ci_high), self.confidence_level)
                for g, r in self.table.iterrows()}


def value_shares(
    values: Any,
    groups: Any,
    *,
    n_boot: int = 1000,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> ValueShares:
    """Each group's share of the total value (e.g. customer equity by segment), with bootstrap intervals.

    Parameters
    ----------
    values : array-like of float >= 0
        One value per customer (e.g. CLV).
    groups : array-like
        The group of each customer (e.g. the segment name); missing groups are left out.
    n_boot : int, default 1000
    confidence_level : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    ValueShares
        ``table`` by group (``n``, ``value``, ``share``, ``ci_low``,
        ``ci_high``, largest share first), ``leader``, ``runner_up`` and
        ``lead`` (leader minus runner-up, with its interval).

    Notes
    -----
    Percentile bootstrap over customers, with the groups held fixed: it
    measures how much the shares would move with another sample of customers
    from the same segments, not the uncertainty of the segmentation itself.
    "Segment X holds the largest share" is supported when the interval of the
    lead excludes 0.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(["a", "b", "c"], [500, 300, 200])
    >>> v = rng.lognormal(np.select([g == "a", g == "b"], [5.0, 6.0], 4.0), 0.5)
    >>> out = value_shares(v, g, n_boot=200)
    >>> out.leader, out.runner_up, bool(out.lead.ci_low > 0)
    ('b', 'a', True)
    """
    level = check_confidence_level(confidence_level)
    v = _check_values(values)
    g = pd.Series(np.asarray(groups, dtype=object))
    if len(g) != len(v):
        raise ValueError(f"values and groups must have the same length, got {len(v)} and {len(g)}")
    keep = g.notna().to_numpy()
    v, g = v[keep], g[keep]
    codes, names = pd.factorize(g, sort=True)
    if len(names) < 2:
        raise ValueError(f"value_shares needs at least two groups, got {len(names)}")
    onehot = np.zeros((len(v), len(names)))
    onehot[np.arange(len(v)), codes] = v
    total = onehot.sum(axis=0)
    share = total / total.sum()
    boot = np.concatenate([(w @ onehot) / (w @ v)[:, None]
                           for w in _boot_weights(len(v), positive_int(n_boot, "n_boot"), random_state)])
    a = (1 - level) / 2
    lo, hi = np.quantile(boot, [a, 1 - a], axis=0)
    order = np.argsort(-share, kind="stable")
    i, j = int(order[0]), int(order[1])
    d_lo, d_hi = np.quantile(boot[:, i] - boot[:, j], [a, 1 - a])
    table = pd.DataFrame({"n": np.bincount(codes, minlength=len(names)), "value": total, "share": share,
                          "ci_low": lo, "ci_high": hi}, index=pd.Index([str(x) for x in names], name="group"))
    return ValueShares(table=table.iloc[order], leader=str(names[i]), runner_up=str(names[j]),
                       lead=Estimate(float(share[i] - share[j]), float(d_lo), float(d_hi), level),
                       n_boot=int(len(boot)), confidence_level=level)
