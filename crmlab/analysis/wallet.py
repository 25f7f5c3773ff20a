"""Share of wallet (钱包份额) and low loyalty from two survey questions.

The survey table may carry two optional columns (:mod:`crmlab.schema`):
``wallet_share`` - the stated share (0-100, in steps of 10) of the respondent's
3C/appliance spending in the last 12 months that went to Suning - and
``stores_visited`` - how many different 3C retailers the respondent visited in
the last month (1-6, 6 = six or more). The questions' wording is in
:func:`crmlab.analysis.survey.instrument`.

* :func:`wallet_share_mean` - the mean stated share with a t interval;
* :func:`wallet_share_by` and :func:`wallet_share_difference` - the mean share by
  group (e.g. NPS group, :func:`nps_groups`; satisfied or not,
  :func:`satisfaction_groups`) and the difference of two groups (Welch);
* :func:`wallet_share_slope` - the least-squares slope of the share on the 1-5
  overall satisfaction, with a heteroskedasticity-robust interval;
* :func:`stores_share` - the share visiting at least 3 retailers (Wilson);
* :func:`implied_wallet` - each respondent's total category spending implied by
  their spending at Suning and their stated share, with a bootstrap interval.

Stated shares are what people say, rounded: the mean is a mean of answers, not
of bookings. The association with satisfaction is cross-sectional: satisfied
customers give Suning more of their wallet, and customers who buy much at
Suning may be more satisfied; the survey cannot tell the direction.

Examples
--------
>>> import pandas as pd
>>> sv = pd.DataFrame({"wallet_share": [10, 30, 50, 70, 40, 20], "overall_satisfaction": [2, 3, 4, 5, 4, 3],
...                    "recommend": [3, 7, 9, 10, 8, 6], "stores_visited": [4, 3, 2, 1, 2, 5]})
>>> round(wallet_share_mean(sv).estimate.estimate, 1)
36.7
>>> wallet_share_by(sv, nps_groups(sv["recommend"]))["mean"].tolist()
[15.0, 35.0, 60.0]
>>> round(wallet_share_slope(sv).slope.estimate, 2)
20.0
>>> stores_share(sv).share.estimate
0.5
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from ..domain import COUNTED_STATUSES, counted_orders, order_values
from ._proportions import wilson_interval
from ._results import DEFAULT_CONFIDENCE, Estimate, Result, t_value

__all__ = ["nps_groups", "satisfaction_groups", "wallet_share_mean", "wallet_share_by", "wallet_share_difference",
           "wallet_share_slope", "stores_share", "implied_wallet", "WalletMean", "WalletDifference",
           "WalletSlope", "StoresShare", "ImpliedWallet", "NPS_GROUPS", "SATISFACTION_GROUPS"]

#: Group labels of :func:`nps_groups` (recommend 0-6, 7-8, 9-10), in order.
NPS_GROUPS = ("detractor", "passive", "promoter")
#: Group labels of :func:`satisfaction_groups` (overall satisfaction 1-3, 4-5), in order.
SATISFACTION_GROUPS = ("1-3", "4-5")


def _column(survey: pd.DataFrame, column: str) -> pd.Series:
    if column not in survey.columns:
        raise ValueError(f"the survey has no {column!r} column (an optional column of the data contract; "
                         f"real extracts may not have it)")
    return pd.to_numeric(survey[column], errors="coerce").astype(float)


def nps_groups(recommend: pd.Series) -> pd.Series:
    """NPS group of each 0-10 recommend answer: ``detractor`` (0-6), ``passive`` (7-8), ``promoter`` (9-10).

    Missing answers stay missing.

    Examples
    --------
    >>> import pandas as pd
    >>> nps_groups(pd.Series([0, 6, 7, 9, None])).tolist()
    ['detractor', 'detractor', 'passive', 'promoter', nan]
    """
    r = pd.to_numeric(pd.Series(recommend), errors="coerce").astype(float)
    out = pd.Series(np.select([r <= 6, r <= 8, r <= 10], list(NPS_GROUPS), default=""), index=r.index, dtype=object)
    return out.where(r.notna(), np.nan)


def satisfaction_groups(overall: pd.Series) -> pd.Series:
    """``4-5`` (satisfied, top-2-box) or ``1-3`` for each 1-5 overall satisfaction answer.

    Examples
    --------
    >>> import pandas as pd
    >>> satisfaction_groups(pd.Series([1, 3, 4, 5])).tolist()
    ['1-3', '1-3', '4-5', '4-5']
    """
    x = pd.to_numeric(pd.Series(overall), errors="coerce").astype(float)
    out = pd.Series(np.where(x >= 4, SATISFACTION_GROUPS[1], SATISFACTION_GROUPS[0]), index=x.index, dtype=object)
    return out.where(x.notna(), np.nan)


@dataclasses.dataclass(frozen=True, repr=False)
class WalletMean(Result):
    """Mean stated share of wallet (:func:`wallet_share_mean`).

    Attributes
    ----------
    estimate : Estimate
        Mean stated share (percent) with its t interval.
    n : int
        Respondents who answered.
    sd : float
        Standard deviation of the answers.
    confidence_level : float
    """

    estimate: Estimate
    n: int
    sd: float
    confidence_level: float = DEFAULT_CONFIDENCE


def wallet_share_mean(survey: pd.DataFrame, *, column: str = "wallet_share",
                      confidence_level: float = DEFAULT_CONFIDENCE) -> WalletMean:
    """Mean stated share of wallet with a t interval (missing answers left out).

    Parameters
    ----------
    survey : DataFrame
        The survey table with ``column``.
    column : str, default ``"wallet_share"``
    confidence_level : float, default 0.95
    """
    y = _column(survey, column).dropna().to_numpy()
    n = len(y)
    if n < 2:
        raise ValueError(f"need at least 2 answers to {column!r}, got {n}")
    m, sd = float(y.mean()), float(y.std(ddof=1))
    half = t_value(confidence_level, n - 1) * sd / math.sqrt(n)
    return WalletMean(Estimate(m, m - half, m + half, confidence_level), n=n, sd=sd,
                      confidence_level=confidence_level)


def _groups(survey: pd.DataFrame, by) -> pd.Series:
    if isinstance(by, str):
        if by not in survey.columns:
            raise ValueError(f"the survey has no {by!r} column")
        return survey[by]
    g = pd.Series(by)
    if len(g) != len(survey):
        raise ValueError(f"by has {len(g)} values for {len(survey)} survey rows")
    return pd.Series(g.to_numpy(), index=survey.index)


def wallet_share_by(survey: pd.DataFrame, by, *, column: str = "wallet_share",
                    confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Mean stated share of wallet per group, with t intervals.

    Parameters
    ----------
    survey : DataFrame
    by : str or array-like
        A column of ``survey`` or one label per row (e.g. :func:`nps_groups`).
        Rows with a missing group or answer are left out.
    column : str, default ``"wallet_share"``
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Indexed by group (sorted): ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``.
    """
    y = _column(survey, column)
    g = _groups(survey, by)
    d = pd.DataFrame({"g": g.to_numpy(dtype=object), "y": y.to_numpy()}).dropna()
    out = d.groupby("g")["y"].agg(n="size", mean="mean", sd="std")
    half = t_value(confidence_level, out["n"].to_numpy() - 1) * out["sd"].to_numpy() / np.sqrt(out["n"])
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    out.index.name = by if isinstance(by, str) else "group"
    return out


@dataclasses.dataclass(frozen=True, repr=False)
class WalletDifference(Result):
    """Difference in mean stated share between two groups (:func:`wallet_share_difference`).

    Attributes
    ----------
    difference : Estimate
        ``mean(a) - mean(b)`` (percentage points) with a Welch interval.
    mean_a, mean_b : float
    n_a, n_b : int
    group_a, group_b : str
    confidence_level : float
    """

    difference: Estimate
    mean_a: float
    mean_b: float
    n_a: int
    n_b: int
    group_a: str
    group_b: str
    confidence_level: float = DEFAULT_CONFIDENCE


def wallet_share_difference(survey: pd.DataFrame, by, a, b, *, column: str = "wallet_share",
                            confidence_level: float = DEFAULT_CONFIDENCE) -> WalletDifference:
    """Mean stated share of group ``a`` minus that of group ``b``, with a Welch t interval.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"wallet_share": [10, 20, 30, 50, 60, 70], "recommend": [2, 5, 6, 9, 10, 9]})
    >>> d = wallet_share_difference(sv, nps_groups(sv["recommend"]), "promoter", "detractor")
    >>> round(d.difference.estimate, 1), d.n_a, d.n_b
    (40.0, 3, 3)
    """
    tab = wallet_share_by(survey, by, column=column, confidence_level=confidence_level)
    for g in (a, b):
        if g not in tab.index or tab.loc[g, "n"] < 2:
            raise ValueError(f"group {g!r} has fewer than 2 answers (groups: {tab['n'].to_dict()})")
    ra, rb = tab.loc[a], tab.loc[b]
    va, vb = ra["sd"] ** 2 / ra["n"], rb["sd"] ** 2 / rb["n"]
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (ra["n"] - 1) + vb**2 / (rb["n"] - 1)) if se > 0 else float(ra["n"] + rb["n"] - 2)
    d = float(ra["mean"] - rb["mean"])
    half = t_value(confidence_level, df) * se
    return WalletDifference(Estimate(d, d - half, d + half, confidence_level), mean_a=float(ra["mean"]),
                            mean_b=float(rb["mean"]), n_a=int(ra["n"]), n_b=int(rb["n"]), group_a=str(a),
                            group_b=str(b), confidence_level=confidence_level)


@dataclasses.dataclass(frozen=True, repr=False)
class WalletSlope(Result):
    """Least-squares slope of the stated share on a satisfaction score (:func:`wallet_share_slope`).

    Attributes
    ----------
    slope : Estimate
        Percentage points of share per point of the score, with an HC1-robust interval.
    intercept : float
    se : float
        Robust (HC1) standard error of the slope.
    n : int
    x : str
        The score's column.
    confidence_level : float
    """

    slope: Estimate
    intercept: float
    se: float
    n: int
    x: str
    confidence_level: float = DEFAULT_CONFIDENCE


def wallet_share_slope(survey: pd.DataFrame, x: str = "overall_satisfaction", *, column: str = "wallet_share",
                       confidence_level: float = DEFAULT_CONFIDENCE) -> WalletSlope:
    """Slope of the stated share of wallet on a satisfaction score (ordinary least squares).

    The interval uses the heteroskedasticity-robust (HC1) standard error: the
    spread of the shares differs between satisfaction levels. The slope
    describes an association across respondents, not what raising one
    customer's satisfaction would do.

    Parameters
    ----------
    survey : DataFrame
    x : str, default ``"overall_satisfaction"``
        The score (1-5 overall satisfaction, the 0-10 recommend, a dimension score ...).
    column : str, default ``"wallet_share"``
    confidence_level : float, default 0.95
    """
    d = pd.DataFrame({"x": _column(survey, x).to_numpy(), "y": _column(survey, column).to_numpy()}).dropna()
    n = len(d)
    xv, yv = d["x"].to_numpy(), d["y"].to_numpy()
    if n < 3 or np.ptp(xv) == 0:
        raise ValueError(f"need at least 3 answers with varying {x!r}, got {n}")
    xc = xv - xv.mean()
    slope = float((xc * (yv - yv.mean())).sum() / (xc**2).sum())
    intercept = float(yv.mean() - slope * xv.mean())
    resid = yv - intercept - slope * xv
    se = math.sqrt((xc**2 * resid**2).sum() / (xc**2).sum() ** 2 * n / (n - 2))
    half = t_value(confidence_level, n - 2) * se
    return WalletSlope(Estimate(slope, slope - half, slope + half, confidence_level), intercept=intercept, se=se,
                       n=n, x=x, confidence_level=confidence_level)


@dataclasses.dataclass(frozen=True, repr=False)
class StoresShare(Result):
    """Share of respondents visiting at least ``at_least`` retailers (:func:`stores_share`).

    Attributes
    ----------
    share : Estimate
        With its Wilson interval.
    k, n : int
        Respondents at or above the cut-off, respondents who answered.
    at_least : int
    confidence_level : float
    """

    share: Estimate
    k: int
    n: int
    at_least: int
    confidence_level: float = DEFAULT_CONFIDENCE


def stores_share(survey: pd.DataFrame, at_least: int = 3, *, column: str = "stores_visited",
                 confidence_level: float = DEFAULT_CONFIDENCE) -> StoresShare:
    """Share of respondents who visited at least ``at_least`` different 3C retailers last month (Wilson interval)."""
    v = _column(survey, column).dropna().to_numpy()
    n, k = len(v), int((v >= at_least).sum())
    if n == 0:
        raise ValueError(f"no answers to {column!r}")
    lo, hi = wilson_interval(k, n, confidence_level)
    return StoresShare(Estimate(k / n, float(lo), float(hi), confidence_level), k=k, n=n, at_least=int(at_least),
                       confidence_level=confidence_level)


@dataclasses.dataclass(frozen=True, repr=False)
class ImpliedWallet(Result):
    """Total category spending implied by spending at Suning and the stated share (:func:`implied_wallet`).

    Attributes
    ----------
    median, mean : Estimate
        Median and mean implied wallet (yuan per respondent and 12 months) with
        percentile-bootstrap intervals (respondents resampled).
    n : int
        Respondents used (a customer id and a stated share above 0).
    n_zero_share : int
        Respondents left out because they stated 0% (the ratio is undefined).
    frame : DataFrame
        Per respondent: ``customer_id``, ``wallet_share``, ``spend`` (counted
        orders in the ``days`` before the answer), ``implied_wallet``.
    confidence_level : float
    """

    median: Estimate
    mean: Estimate
    n: int
    n_zero_share: int
    frame: pd.DataFrame
    confidence_level: float = DEFAULT_CONFIDENCE


def implied_wallet(survey: pd.DataFrame, orders: pd.DataFrame, order_items: pd.DataFrame | None = None, *,
                   days: int = 365, statuses=COUNTED_STATUSES, n_boot: int = 2000, random_state: int = 0,
                   confidence_level: float = DEFAULT_CONFIDENCE) -> ImpliedWallet:
    """Each respondent's total 3C/appliance spending implied by their stated share of wallet.

    ``implied_wallet = spend / (wallet_share / 100)``, where ``spend`` is the
    value of the respondent's counted orders (:func:`crmlab.domain.order_values`)
    in the ``days`` before their answer (the question asks about the last 12
    months). The median and the mean over respondents get percentile-bootstrap
    intervals.

    Caveats: the stated share is a rough, rounded recollection, and a small
    stated share multiplies the spend (a respondent saying 10% counts ten
    times): the mean is dominated by a few such answers and the median is the
    more stable summary. Respondents who state 0% are left out (the ratio is
    undefined), although some of them did buy at Suning. Orders before the
    start of the data are missing, so spend is understated for answers early in
    the window. And the answer may describe a different 12 months than the
    orders. Treat the result as an order of magnitude of the headroom, not as
    a measurement (the synthetic data plant no truth for it).

    Parameters
    ----------
    survey : DataFrame
        ``customer_id``, ``response_date``, ``wallet_share``.
    orders : DataFrame
        ``order_id``, ``customer_id``, ``order_ts`` (``status``, ``order_value``).
    order_items : DataFrame, optional
        Used for order values where ``order_value`` is missing.
    days : int, default 365
    statuses : sequence of str or None
    n_boot : int, default 2000
    random_state : int, default 0
    confidence_level : float, default 0.95

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"customer_id": ["a", "b", "c"], "response_date": pd.to_datetime(["2025-01-10"] * 3),
    ...                    "wallet_share": [50, 20, 0]})
    >>> od = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "b", "b"],
    ...                    "order_ts": pd.to_datetime(["2024-06-01", "2024-12-01", "2023-01-01"]),
    ...                    "status": ["completed"] * 3, "order_value": [3000.0, 1000.0, 9999.0]})
    >>> w = implied_wallet(sv, od, n_boot=200)
    >>> w.frame["implied_wallet"].tolist(), w.n_zero_share
    ([6000.0, 5000.0], 1)
    """
    for c in ("customer_id", "response_date", "wallet_share"):
        if c not in survey.columns:
            raise ValueError(f"the survey has no {c!r} column")
    sv = pd.DataFrame({"customer_id": survey["customer_id"].to_numpy(dtype=object),
                       "response_date": pd.to_datetime(survey["response_date"]).to_numpy(),
                       "wallet_share": pd.to_numeric(survey["wallet_share"], errors="coerce").astype(float).to_numpy()})
    sv = sv.dropna(subset=["customer_id", "wallet_share", "response_date"])
    zero = int((sv["wallet_share"] <= 0).sum())
    sv = sv[sv["wallet_share"] > 0].reset_index(drop=True)
    o = counted_orders(orders, statuses)
    o = pd.DataFrame({"customer_id": o["customer_id"].to_numpy(dtype=object),
                      "order_ts": pd.to_datetime(o["order_ts"]).to_numpy(),
                      "value": order_values(o, order_items).to_numpy(float)})
    m = sv.reset_index().merge(o, on="customer_id", how="left")
    lo_ts = m["response_date"] - pd.Timedelta(days=int(days))
    inside = (m["order_ts"] < m["response_date"]) & (m["order_ts"] >= lo_ts)
    spend = m["value"].where(inside, 0.0).fillna(0.0).groupby(m["index"]).sum()
    sv["spend"] = spend.reindex(sv.index, fill_value=0.0).to_numpy()
    sv["implied_wallet"] = sv["spend"] / (sv["wallet_share"] / 100)
    v = sv["implied_wallet"].to_numpy(float)
    n = len(v)
    if n < 2:
        raise ValueError(f"need at least 2 respondents with a customer id and a stated share above 0, got {n}")
    rng = np.random.default_rng(int(random_state))
    idx = rng.integers(0, n, size=(int(n_boot), n))
    boots = v[idx]
    alpha = (1 - confidence_level) / 2
    med_b, mean_b = np.median(boots, axis=1), boots.mean(axis=1)
    est = lambda x, b: Estimate(float(x), float(np.quantile(b, alpha)), float(np.quantile(b, 1 - alpha)),  # noqa: E731
                                confidence_level)
    return ImpliedWallet(median=est(np.median(v), med_b), mean=est(v.mean(), mean_b), n=n, n_zero_share=zero,
                         frame=sv[["customer_id", "wallet_share", "spend", "implied_wallet"]],
                         confidence_level=confidence_level)
