"""Who answered? Respondents compared with the customer base (sampling bias, 抽样偏差).

A survey describes the customers only if the respondents resemble them. The
retailer knows every customer's behaviour, so it can check: build the sampling
frame (customers who had bought before the fieldwork, with their main channel,
city tier and number of orders) and compare the respondents' composition with it.

* :func:`sampling_frame` - one row per customer who had ordered before the
  fieldwork started, with the features to compare;
* :func:`representativeness` - for each feature level, the share among
  respondents minus the share in the base, with a confidence interval, and the
  shares among the respondents of each survey channel (:class:`Representativeness`).

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.survey.sampling import representativeness, sampling_frame
>>> cu = pd.DataFrame({"customer_id": list("abcdef"), "city_tier": [1, 1, 2, 2, 3, 3]})
>>> od = pd.DataFrame({"customer_id": list("abcdefa"), "channel": ["store"] * 3 + ["app"] * 4,
...                    "order_ts": pd.to_datetime(["2024-01-05"] * 7)})
>>> frame = sampling_frame(cu, od, "2024-02-01")
>>> frame["main_channel"].tolist()
['store', 'store', 'store', 'app', 'app', 'app']
>>> sv = pd.DataFrame({"customer_id": ["a", "b", "c"], "survey_channel": ["store"] * 3})
>>> rep = representativeness(sv, frame, features=["main_channel"])
>>> rep.table.loc[("main_channel", "store"), ["base", "respondents", "difference"]].tolist()
[0.5, 1.0, 0.5]
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd

from ..._checks import as_datetimes, as_timestamp, require_columns
from ...domain import CHANNELS, counted_orders
from .._proportions import newcombe_difference, wilson_interval
from .._results import DEFAULT_CONFIDENCE, Result

__all__ = ["Representativeness", "sampling_frame", "representativeness"]

#: The features :func:`sampling_frame` builds and :func:`representativeness` compares by default.
FRAME_FEATURES = ("main_channel", "repeat_buyer", "city_tier")


@dataclasses.dataclass(frozen=True, repr=False)
class Representativeness(Result):
    """Respondents compared with the customer base (:func:`representativeness`).

    Attributes
    ----------
    table : DataFrame
        Indexed by (``feature``, ``level``; levels as text, e.g. ``"True"``, ``"3"``): ``base`` (share in the frame),
        ``respondents`` (share among the respondents found in the frame),
        ``difference`` = respondents - base with its interval ``ci_low`` / ``ci_high``,
        and one column per survey channel with the share among that channel's respondents.
    by_channel : DataFrame
        Indexed by (``feature``, ``level``, channel): ``n``, ``share`` and its Wilson
        interval ``ci_low`` / ``ci_high``.
    n_frame : int
        Customers in the frame.
    n_respondents : int
        Respondents found in the frame (each counted once).
    n_outside : int
        Responses that are anonymous or whose customer is not in the frame.
    confidence_level : float
    """

    table: pd.DataFrame
    by_channel: pd.DataFrame
    n_frame: int
    n_respondents: int
    n_outside: int
    confidence_level: float = DEFAULT_CONFIDENCE


def sampling_frame(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    start: str | pd.Timestamp,
    *,
    statuses: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The customer base a survey fielded from ``start`` on could reach: customers who had ordered before.

    Parameters
    ----------
    customers : DataFrame
        The customer archive (``customer_id``; ``city_tier`` is kept when present).
    orders : DataFrame
        Orders with ``customer_id``, ``order_ts`` and ``channel``.
    start : date-like
        First day of fieldwork; only orders before it count.
    statuses : sequence of str or None, default None
        Order statuses that count (``None``: every order, also cancelled ones - the
        customer did shop).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``n_orders`` (before ``start``), ``repeat_buyer``
        (two or more orders), ``main_channel`` (the channel of most of those orders; ties
        go to the first of :data:`crmlab.domain.CHANNELS`) and ``city_tier`` if the
        archive has it.

    Examples
    --------
    >>> import pandas as pd
    >>> cu = pd.DataFrame({"customer_id": ["a", "b", "c"]})
    >>> od = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "channel": ["web", "store", "app", "app"],
    ...                    "order_ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-03-01"])})
    >>> sampling_frame(cu, od, "2024-02-01")[["n_orders", "main_channel"]].to_dict(orient="list")
    {'n_orders': [2, 1], 'main_channel': ['store', 'app']}
    """
    require_columns(customers, ["customer_id"], table="customers")
    require_columns(orders, ["customer_id", "order_ts", "channel"], table="orders")
    t0 = as_timestamp(start, "start")
    od = counted_orders(orders, statuses)
    od = pd.DataFrame({"customer_id": od["customer_id"].to_numpy(dtype=object),
                       "ts": as_datetimes(od["order_ts"], "orders.order_ts").to_numpy(),
                       "channel": od["channel"].to_numpy(dtype=object)})
    od = od[(od["ts"] < t0) & od["customer_id"].notna()]
    if od.empty:
        raise ValueError(f"no order before {t0.date()}: the sampling frame is empty")
    rank = {c: i for i, c in enumerate(CHANNELS)}
    counts = od.groupby(["customer_id", "channel"]).size().rename("k").reset_index()
    counts["rank"] = counts["channel"].map(rank).fillna(len(rank))
    counts = counts.sort_values(["customer_id", "k", "rank"], ascending=[True, False, True])
    main = counts.drop_duplicates("customer_id").set_index("customer_id")["channel"]
    n = od.groupby("customer_id").size()
    frame = pd.DataFrame({"n_orders": n, "repeat_buyer": n >= 2, "main_channel": main.reindex(n.index)})
    frame.index.name = "customer_id"
    if "city_tier" in customers:
        tiers = customers.drop_duplicates("customer_id").set_index("customer_id")["city_tier"]
        frame["city_tier"] = tiers.reindex(frame.index).to_numpy()
    frame = frame[frame.index.isin(customers["customer_id"])]
    return frame


def representativeness(
    survey: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    channel: str = "survey_channel",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> Representativeness:
    """Do the respondents look like the customer base? Shares compared, feature by feature.

    Parameters
    ----------
    survey : DataFrame
        Responses with ``customer_id`` and (optionally) the ``channel`` column.
    frame : DataFrame
        The base, indexed by ``customer_id`` (:func:`sampling_frame`).
    features : sequence of str, optional
        Columns of ``frame`` to compare (each level becomes a row); default those of
        :data:`FRAME_FEATURES` present in ``frame``.
    channel : str, default "survey_channel"
        Column of ``survey`` with the fieldwork channel; shares are also given per
        channel when it is present.
    confidence_level : float, default 0.95

    Returns
    -------
    Representativeness

    Notes
    -----
    The respondents are part of the base, so they are not an independent sample.
    With ``n`` respondents among ``N`` customers (``f = n/N``), the share among
    respondents minus the share in the base equals ``(1 - f)`` times the share among
    respondents minus the share among non-respondents; the interval is Newcombe's
    interval of that difference of two independent shares, times ``(1 - f)``. A
    difference whose interval excludes 0 means that the respondents over- or
    under-represent that kind of customer: weight the answers (post-stratification)
    or report the result for the respondents only.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"repeat_buyer": [True] * 50 + [False] * 50}, index=[f"c{i}" for i in range(100)])
    >>> sv = pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)]})
    >>> rep = representativeness(sv, frame, features=["repeat_buyer"])
    >>> row = rep.table.loc[("repeat_buyer", "True")]
    >>> float(row["difference"]), bool(row["ci_low"] > 0)
    (0.5, True)
    """
    require_columns(survey, ["customer_id"], table="survey")
    if features is None:
        features = [f for f in FRAME_FEATURES if f in frame.columns]
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {', '.join(map(repr, missing))}")
    ids = survey["customer_id"]
    inside = ids.notna() & ids.isin(frame.index)
    resp = survey.loc[inside].drop_duplicates("customer_id")
    n_big, n = len(frame), len(resp)
    if n == 0:
        raise ValueError("no respondent is in the sampling frame")
    is_resp = frame.index.isin(resp["customer_id"])
    f = n / n_big
    rows, chan_rows = [], []
    chan = resp.set_index("customer_id")[channel] if channel in resp else None
    for feat in features:
        values = frame[feat]
        for lev in sorted(values.dropna().unique(), key=str):
            hit = (values == lev).to_numpy(bool)
            k_r, k_nr = int(hit[is_resp].sum()), int(hit[~is_resp].sum())
            if n_big - n > 0:
                d, lo, hi = newcombe_difference(k_r, n, k_nr, n_big - n, confidence_level)
            else:
                d = lo = hi = 0.0
            row = {"feature": feat, "level": str(lev), "base": hit.mean(), "respondents": k_r / n,
                   "difference": (1 - f) * d, "ci_low": (1 - f) * lo, "ci_high": (1 - f) * hi}
            if chan is not None:
                lv = values.reindex(chan.index)
                for c, grp in chan.groupby(chan, sort=True):
                    k_c = int((lv.loc[grp.index] == lev).sum())
                    row[c] = k_c / len(grp)
                    w_lo, w_hi = wilson_interval(k_c, len(grp), confidence_level)
                    chan_rows.append({"feature": feat, "level": str(lev), channel: c, "n": len(grp),
                                      "share": k_c / len(grp), "ci_low": float(w_lo), "ci_high": float(w_hi)})
            rows.append(row)
    table = pd.DataFrame(rows).set_index(["feature", "level"])
    by_channel = (pd.DataFrame(chan_rows).set_index(["feature", "level", channel]) if chan_rows
                  else pd.DataFrame(columns=["n", "share", "ci_low", "ci_high"]))
    return Representativeness(table=table, by_channel=by_channel, n_frame=n_big, n_respondents=n,
                              n_outside=int(len(survey) - inside.sum()), confidence_level=confidence_level)
