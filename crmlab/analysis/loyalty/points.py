r"""Loyalty points: breakage (points that expire unredeemed) and the outstanding liability.

:func:`points_breakage` estimates the share of points that will never be
redeemed, from the lots whose fate is known or - using every lot for as long
as it is observed - as a points-weighted Kaplan-Meier estimate
(:class:`statsmodels.duration.survfunc.SurvfuncRight` with the points as
frequency weights), and values the outstanding balance.

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import points_breakage
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> res = points_breakage(data.points_ledger, as_of="2025-06-30")
>>> 0 < res.breakage < 1, res.liability_yuan <= res.face_value_yuan
(True, True)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import as_datetimes, as_timestamp, positive_int, require_columns
from .._results import Result

__all__ = ["points_breakage", "Breakage", "POINT_VALUE"]

#: Value of one loyalty point in yuan.
POINT_VALUE = 0.01


@dataclasses.dataclass(frozen=True, repr=False)
class Breakage(Result):
    """Breakage and the points liability at a balance date (:func:`points_breakage`).

    Attributes
    ----------
    breakage : float
        Share of points expected to expire unredeemed (by the chosen method).
    breakage_settled : float
        The settled-lots estimate (NaN when no lot is settled).
    n_lots, n_settled_lots : int
        Points lots (earn entries) up to ``as_of``, and those earned
        ``expiry_days`` or more before it.
    liability_points : int
        Outstanding balance at ``as_of``.
    face_value_yuan : float
        ``balance * point_value``.
    liability_yuan : float
        ``balance * point_value * (1 - breakage)``: what the balance is expected to cost.
    """

    breakage: float
    breakage_settled: float
    n_lots: int
    n_settled_lots: int
    liability_points: int
    face_value_yuan: float
    liability_yuan: float


def points_breakage(
    points_ledger: pd.DataFrame,
    *,
    as_of: Any,
    expiry_days: int = 365,
    point_value: float = POINT_VALUE,
    method: str = "survival",
) -> Breakage:
    r"""Breakage (share of points that expire unredeemed) and the outstanding points liability.

    Parameters
    ----------
    points_ledger : DataFrame
        Contract table ``points_ledger``: ``customer_id, ts, kind, points``
        and, for ``method="survival"``, ``order_id`` (the lot an entry
        belongs to).
    as_of : date-like
        The balance date (inclusive).
    expiry_days : int
        Days after which unredeemed points expire.
    point_value : float
        Yuan per point.
    method : {"survival", "settled"}
        ``"settled"`` uses only lots whose fate is known: points earned at
        least ``expiry_days`` before ``as_of`` have been redeemed or have
        expired. ``"survival"`` also uses the recent, still-open lots: the
        time from earning to redemption is a survival time, censored at
        ``as_of`` for open lots and at ``expiry_days`` for expired ones, and
        breakage is the points-weighted Kaplan-Meier probability of no
        redemption before expiry.

    Returns
    -------
    Breakage
        ``breakage``, ``breakage_settled``, ``n_lots``, ``n_settled_lots``,
        ``liability_points``, ``face_value_yuan`` and ``liability_yuan``.

    Notes
    -----
    Counting open lots as "not expired" understates breakage (they may
    still expire); dropping them wastes most of the data when the programme
    is young. The survival estimate (Kaplan-Meier with points as weights)

    .. math:: \hat b = \prod_{t_j < D} \Big(1 - \frac{\text{points redeemed at } t_j}
              {\text{points at risk at } t_j}\Big)

    uses every lot for as long as it is observed (independent censoring:
    the redemption time does not depend on when a lot was earned).

    Examples
    --------
    >>> import pandas as pd
    >>> ledger = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B", "B", "C"],
    ...     "ts": pd.to_datetime(["2024-01-01", "2025-01-01", "2024-02-01", "2024-03-01", "2025-06-01"]),
    ...     "kind": ["earn", "expire", "earn", "redeem", "earn"],
    ...     "points": [100, -100, 300, -300, 400], "order_id": ["o1", "o1", "o2", "o2", "o3"]})
    >>> res = points_breakage(ledger, as_of="2025-12-31", method="settled")
    >>> res.breakage, res.liability_points, res.liability_yuan
    (0.25, 400, 3.0)
    """
    require_columns(points_ledger, ["customer_id", "ts", "kind", "points"], table="points_ledger")
    expiry_days = positive_int(expiry_days, "expiry_days")
    if method not in ("survival", "settled"):
        raise ValueError(f"method must be 'survival' or 'settled', got {method!r}")
    cutoff = as_timestamp(as_of, "as_of", normalize=True) + pd.Timedelta(days=1)
    led = points_ledger.assign(ts=as_datetimes(points_ledger["ts"], "points_ledger.ts"))
    led = led[led["ts"] < cutoff]
    led = led.assign(points=pd.to_numeric(led["points"], errors="coerce").fillna(0))
    earn = led[led["kind"] == "earn"]
    if earn.empty:
        raise ValueError("points_ledger has no 'earn' entries on or before as_of")
    balance = int(led["points"].sum())
    horizon = cutoff - pd.Timedelta(days=expiry_days)
    settled = earn[earn["ts"] < horizon]
    linked = "order_id" in led.columns and earn["order_id"].notna().all()
    if linked:
        closing = led[led["kind"].isin(["redeem", "expire"])]
        close = closing.groupby(["customer_id", "order_id"], sort=False).agg(close_ts=("ts", "min"),
                                                                            close_kind=("kind", "first"))
        lots = earn.join(close, on=["customer_id", "order_id"])
    elif method == "survival":
        raise ValueError("points_ledger needs an order_id on every 'earn' entry for method='survival'")
    b_settled = np.nan
    if len(settled):
        if linked:
            ls = lots[lots["ts"] < horizon]
            b_settled = float(ls.loc[ls["close_kind"] == "expire", "points"].sum() / ls["points"].sum())
        else:  # an expiry up to as_of closes a lot earned expiry_days earlier
            b_settled = float(-led.loc[led["kind"] == "expire", "points"].sum() / settled["points"].sum())
    if method == "settled":
        if not len(settled):
            raise ValueError(f"points_ledger has no points earned {expiry_days}+ days before as_of: "
                             "breakage is unknown (try method='survival')")
        breakage = b_settled
    else:
        breakage = _km_no_redemption(lots, cutoff, expiry_days)
    return Breakage(
        breakage=breakage,
        breakage_settled=b_settled,
        n_lots=int(len(earn)),
        n_settled_lots=int(len(settled)),
        liability_points=balance,
        face_value_yuan=round(balance * point_value, 2),
        liability_yuan=round(balance * point_value * (1 - breakage), 2),
    )


def _km_no_redemption(lots: pd.DataFrame, cutoff: pd.Timestamp, expiry_days: int) -> float:
    """Points-weighted Kaplan-Meier probability that a lot is not redeemed before it expires.

    A lot's time is its age at redemption (event), else its age at ``cutoff``
    capped at ``expiry_days`` (censored); the points are frequency weights.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    redeemed = (lots["close_kind"] == "redeem").to_numpy()
    age_at_close = ((lots["close_ts"] - lots["ts"]) / pd.Timedelta(days=1)).to_numpy(float)
    age_at_cutoff = ((cutoff - lots["ts"]) / pd.Timedelta(days=1)).to_numpy(float)
    time = np.where(redeemed, age_at_close, np.minimum(age_at_cutoff, float(expiry_days)))
    km = SurvfuncRight(time, redeemed.astype(float), freq_weights=lots["points"].to_numpy(float))
    before = km.surv_times < expiry_days
    return float(km.surv_prob[before][-1]) if before.any() else 1.0
