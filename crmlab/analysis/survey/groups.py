"""Satisfaction across groups, and whether dissatisfied customers stop buying.

* :func:`compare_groups` - a score by group (competitor, city tier) with a
  Kruskal-Wallis or ANOVA test (:class:`GroupComparison`);
* :func:`satisfaction_and_churn` - the share of respondents with no later order,
  by satisfaction level (:class:`SatisfactionChurn`);
* :func:`inactivity_gap` - how much more often the dissatisfied are inactive
  than the satisfied, with a confidence interval and a test (:class:`InactivityGap`);
* :func:`competitor_comparison` - the net share rating the retailer better than the
  competitor the respondent also uses, with its interval.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.survey.groups import compare_groups
>>> df = pd.DataFrame({"city_tier": [1, 1, 1, 3, 3, 3], "overall_satisfaction": [4, 5, 4, 2, 3, 2]})
>>> compare_groups(df, "city_tier").table["mean"].round(2).to_dict()
{1: 4.33, 3: 2.33}
"""

from __future__ import annotations

import dataclasses
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..._checks import as_datetimes, as_timestamp, check_confidence_level, positive_int, require_columns
from ...domain import COUNTED_STATUSES, counted_orders
from .._proportions import newcombe_difference, wilson_interval
from .._results import DEFAULT_CONFIDENCE, Result, t_value, z_value
from ._items import numeric_matrix

__all__ = ["GroupComparison", "SatisfactionChurn", "InactivityGap", "compare_groups", "satisfaction_and_churn",
           "inactivity_gap", "competitor_comparison"]


@dataclasses.dataclass(frozen=True, repr=False)
class GroupComparison(Result):
    """A score compared across groups (:func:`compare_groups`).

    Attributes
    ----------
    table : DataFrame
        Indexed by group: ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``
        (t interval of the mean) and ``median``.
    test : str
        ``"kruskal"`` or ``"anova"``.
    statistic, p_value : float
        The test of equal groups.
    confidence_level : float
        Of the intervals in ``table``.
    """

    table: pd.DataFrame
    test: str
    statistic: float
    p_value: float
    confidence_level: float = DEFAULT_CONFIDENCE


@dataclasses.dataclass(frozen=True, repr=False)
class SatisfactionChurn(Result):
    """Later inactivity by satisfaction level (:func:`satisfaction_and_churn`).

    Attributes
    ----------
    table : DataFrame
        Indexed by level: ``n``, ``n_inactive``, ``share_inactive``, its
        Wilson interval ``ci_low``/``ci_high``, and ``mean_orders``.
    chi2, p_value : float
        Chi-square test of independence of level and inactivity (NaN if it
        cannot be computed).
    n_excluded_window : int
        Identified responses left out because their window ends after ``as_of``.
    n_excluded_anonymous : int
        Responses without a customer id.
    as_of : Timestamp
        End of observation.
    window_days : int
        Length of the follow-up window.
    confidence_level : float
        Of the intervals in ``table``.
    """

    table: pd.DataFrame
    chi2: float
    p_value: float
    n_excluded_window: int
    n_excluded_anonymous: int
    as_of: pd.Timestamp
    window_days: int
    confidence_level: float = DEFAULT_CONFIDENCE


@dataclasses.dataclass(frozen=True, repr=False)
class InactivityGap(Result):
    """Inactive share of the dissatisfied minus that of the satisfied (:func:`inactivity_gap`).

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        The difference of the two shares and its Newcombe interval.
    share_low, share_high : float
        Inactive share among the low (dissatisfied) and high (satisfied) levels.
    n_low, n_high : int
        Respondents in the two groups.
    chi2, p_value : float
        Pearson chi-square test of the 2 x 2 table (no continuity correction).
    low, high : tuple
        The levels pooled into each group.
    confidence_level : float
    """

    estimate: float
    ci_low: float
    ci_high: float
    share_low: float
    share_high: float
    n_low: int
    n_high: int
    chi2: float
    p_value: float
    low: tuple
    high: tuple
    confidence_level: float = DEFAULT_CONFIDENCE


def compare_groups(
    df: pd.DataFrame,
    by: str,
    value: str = "overall_satisfaction",
    *,
    test: Literal["kruskal", "anova"] = "kruskal",
    min_n: int = 2,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> GroupComparison:
    """Compare a score across groups (e.g. by competitor or city tier) with a test.

    Parameters
    ----------
    df : DataFrame
        One row per response, with columns ``by`` and ``value`` (merge the
        customers table first to compare by ``city_tier``).
    by : str
        Grouping column; rows with a missing group are left out.
    value : str, default "overall_satisfaction"
        Numeric column to compare (missing values left out).
    test : {"kruskal", "anova"}
        Kruskal-Wallis H test (rank-based; suits ordinal Likert answers) or
        one-way ANOVA F test.
    min_n : int, default 2
        Groups with fewer responses are shown but left out of the test.
    confidence_level : float, default 0.95
        Coverage of the t interval of each group's mean.

    Returns
    -------
    GroupComparison
        ``table`` indexed by group with ``n``, ``mean``, ``sd``, ``ci_low``,
        ``ci_high`` (t interval of the mean) and ``median``; ``test``,
        ``statistic`` and ``p_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"competitor": ["jd"] * 4 + ["gome"] * 4, "overall_satisfaction": [1, 2, 2, 3, 4, 5, 5, 4]})
    >>> out = compare_groups(df, "competitor")
    >>> out.table["mean"].to_dict(), out.p_value < 0.05
    ({'gome': 4.5, 'jd': 2.0}, True)
    """
    require_columns(df, [by, value], table="survey")
    level = check_confidence_level(confidence_level)
    if test not in ("kruskal", "anova"):
        raise ValueError(f"test must be 'kruskal' or 'anova', got {test!r}")
    v = pd.Series(numeric_matrix(df, [value])[:, 0], index=df.index)
    d = pd.DataFrame({"g": df[by], "v": v}).dropna()
    if d.empty:
        raise ValueError(f"no rows with both {by!r} and {value!r}")
    g = d.groupby("g", sort=True)["v"]
    out = pd.DataFrame({"n": g.size(), "mean": g.mean(), "sd": g.std(ddof=1), "median": g.median()})
    half = t_value(level, np.maximum(out["n"].to_numpy() - 1, 1)) * out["sd"] / np.sqrt(out["n"])
    out.insert(3, "ci_low", out["mean"] - half)
    out.insert(4, "ci_high", out["mean"] + half)
    out.index.name = by
    samples = [grp.to_numpy() for _, grp in g if len(grp) >= min_n]
    if len(samples) < 2:
        raise ValueError(f"need at least 2 groups of {by!r} with {min_n}+ responses to test, got {len(samples)}")
    if test == "kruskal":
        try:
            res = stats.kruskal(*samples)
            stat, pv = float(res.statistic), float(res.pvalue)
        except ValueError:  # all values identical
            stat, pv = 0.0, 1.0
    else:
        res = stats.f_oneway(*samples)
        stat, pv = float(res.statistic), float(res.pvalue)
    return GroupComparison(table=out, test=test, statistic=stat, p_value=pv, confidence_level=level)


def satisfaction_and_churn(
    survey: pd.DataFrame,
    orders: pd.DataFrame,
    window_days: int = 365,
    *,
    level: str = "overall_satisfaction",
    as_of: str | pd.Timestamp | None = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> SatisfactionChurn:
    """Does satisfaction predict later inactivity? Share with no order after the survey.

    Parameters
    ----------
    survey : DataFrame
        Survey responses with ``customer_id``, ``response_date`` and ``level``;
        anonymous responses (no customer id) are left out.
    orders : DataFrame
        Orders with ``customer_id``, ``order_ts`` and (usually) ``status``;
        only the orders that count (``statuses``) are activity.
    window_days : int, default 365
        Length of the follow-up window after each response.
    level : str, default "overall_satisfaction"
        Column defining the groups (e.g. ``recommend`` or a score band).
    as_of : date-like, optional
        End of observation; default the last ``order_ts`` in ``orders``.
        Responses whose window ends after ``as_of`` are left out (their
        follow-up is incomplete).
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count as activity (``None``: every order); see
        :func:`crmlab.domain.counted_orders`.
    confidence_level : float, default 0.95
        Coverage of the Wilson intervals.

    Returns
    -------
    SatisfactionChurn
        ``table`` indexed by level with ``n``, ``n_inactive`` (no counted
        order in ``(response_date, response_date + window_days]``),
        ``share_inactive`` with its Wilson interval ``ci_low``/``ci_high``,
        and ``mean_orders`` (counted orders in the window); ``chi2``,
        ``p_value`` (chi-square test of independence of level and
        inactivity), ``n_excluded_window``, ``n_excluded_anonymous``,
        ``as_of``, ``window_days`` and ``confidence_level``.

    Notes
    -----
    "No purchase within a year" is a behavioural proxy for churn that needs
    no model; for time-to-churn use survival analysis
    (:mod:`crmlab.analysis.survival`).

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"customer_id": ["a", "b", "c"], "overall_satisfaction": [5, 1, 5],
    ...                    "response_date": pd.to_datetime(["2024-01-01"] * 3)})
    >>> od = pd.DataFrame({"customer_id": ["a", "b", "c"], "status": ["completed"] * 3,
    ...                    "order_ts": pd.to_datetime(["2024-03-01", "2023-06-01", "2024-12-31"])})
    >>> out = satisfaction_and_churn(sv, od, window_days=180)
    >>> out.table["n"].to_dict(), out.table["share_inactive"].to_dict()
    ({1: 1, 5: 2}, {1: 1.0, 5: 0.5})

    Customer ``c`` ordered again, but 365 days later: inactive in a 180-day window.
    """
    require_columns(survey, ["customer_id", "response_date", level], table="survey")
    require_columns(orders, ["customer_id", "order_ts"], table="orders")
    window_days = positive_int(window_days, "window_days")
    check_confidence_level(confidence_level)
    if orders.empty:
        raise ValueError("orders is empty: cannot observe later activity")
    ots = as_datetimes(orders["order_ts"], "orders.order_ts")
    end = as_timestamp(as_of, "as_of") if as_of is not None else ots.max()
    sv = pd.DataFrame({"customer_id": survey["customer_id"],
                       "t0": as_datetimes(survey["response_date"], "survey.response_date"),
                       "level": survey[level]})
    anonymous = sv["customer_id"].isna()
    sv = sv[~anonymous & sv["level"].notna()]
    window = pd.Timedelta(days=int(window_days))
    full = sv["t0"] + window <= end
    sv = sv[full].reset_index(drop=True)
    if sv.empty:
        raise ValueError(f"no identified survey response has a full {window_days}-day window before {end}")
    od = counted_orders(pd.DataFrame({"customer_id": orders["customer_id"], "ts": ots,
                                      **({"status": orders["status"]} if "status" in orders else {})}), statuses)
    m = sv.reset_index().merge(od, on="customer_id", how="inner")
    inside = (m["ts"] > m["t0"]) & (m["ts"] <= m["t0"] + window)
    n_orders = m.loc[inside].groupby("index").size().reindex(sv.index, fill_value=0).to_numpy()
    sv["inactive"] = n_orders == 0
    sv["orders"] = n_orders
    g = sv.groupby("level", sort=True)
    out = pd.DataFrame({"n": g.size(), "n_inactive": g["inactive"].sum().astype(int)})
    out["share_inactive"] = out["n_inactive"] / out["n"]
    lo, hi = wilson_interval(out["n_inactive"].to_numpy(float), out["n"].to_numpy(float), confidence_level)
    out["ci_low"], out["ci_high"] = lo, hi
    out["mean_orders"] = g["orders"].mean()
    out.index.name = level
    table = np.column_stack([out["n_inactive"], out["n"] - out["n_inactive"]])
    table = table[:, table.sum(axis=0) > 0]
    if len(out) >= 2 and table.shape[1] == 2:
        chi = stats.chi2_contingency(table, correction=False)
        chi2, pv = float(chi.statistic), float(chi.pvalue)
    else:
        chi2, pv = float("nan"), float("nan")
    return SatisfactionChurn(table=out, chi2=chi2, p_value=pv, n_excluded_window=int((~full).sum()),
                             n_excluded_anonymous=int(anonymous.sum()), as_of=end, window_days=window_days,
                             confidence_level=check_confidence_level(confidence_level))


def inactivity_gap(
    link: SatisfactionChurn,
    low: Sequence = (1, 2),
    high: Sequence = (4, 5),
    *,
    confidence_level: float | None = None,
) -> InactivityGap:
    """Are the dissatisfied more often inactive later? The difference of two shares, with its interval.

    Parameters
    ----------
    link : SatisfactionChurn
        Output of :func:`satisfaction_and_churn`.
    low, high : sequence of levels, default (1, 2) and (4, 5)
        The levels pooled into the dissatisfied and the satisfied group
        (levels absent from ``link.table`` are ignored).
    confidence_level : float, optional
        Default: the level of ``link``.

    Returns
    -------
    InactivityGap
        ``estimate`` = inactive share of ``low`` minus that of ``high``, its
        interval ``ci_low``/``ci_high``, the two shares and sizes, and the
        chi-square test of the 2 x 2 table. Everything but the sizes is NaN
        when a group has no respondent.

    Notes
    -----
    The interval is Newcombe's (1998, *Statistics in Medicine* 17, 873-890,
    method 10): Wilson score intervals of the two shares combined, which
    keeps its coverage when one group is small (the dissatisfied are often a
    few dozen respondents) - the plain Wald interval does not.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"customer_id": list("abcdef"), "overall_satisfaction": [1, 2, 2, 5, 5, 4],
    ...                    "response_date": pd.to_datetime(["2024-01-01"] * 6)})
    >>> od = pd.DataFrame({"customer_id": list("adef"), "status": "completed",
    ...                    "order_ts": pd.to_datetime(["2024-03-01", "2024-02-01", "2024-05-01", "2024-06-01"])})
    >>> gap = inactivity_gap(satisfaction_and_churn(sv, od, window_days=180, as_of="2024-12-31"))
    >>> round(gap.share_low, 3), gap.share_high, round(gap.estimate, 3)
    (0.667, 0.0, 0.667)
    >>> bool(gap.ci_low < gap.estimate < gap.ci_high)
    True
    """
    level = link.confidence_level if confidence_level is None else check_confidence_level(confidence_level)
    t = link.table
    lo_rows, hi_rows = t[t.index.isin(list(low))], t[t.index.isin(list(high))]
    n1, n2 = int(lo_rows["n"].sum()), int(hi_rows["n"].sum())
    if n1 == 0 or n2 == 0:  # nothing to compare: an undefined gap (never a supported claim)
        nan = float("nan")
        return InactivityGap(estimate=nan, ci_low=nan, ci_high=nan, share_low=nan, share_high=nan, n_low=n1,
                             n_high=n2, chi2=nan, p_value=nan, low=tuple(low), high=tuple(high),
                             confidence_level=level)
    k1, k2 = int(lo_rows["n_inactive"].sum()), int(hi_rows["n_inactive"].sum())
    d, ci_low, ci_high = newcombe_difference(k1, n1, k2, n2, level)
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]], float)
    if (table.sum(axis=0) > 0).all():
        chi = stats.chi2_contingency(table, correction=False)
        chi2, pv = float(chi.statistic), float(chi.pvalue)
    else:
        chi2, pv = float("nan"), float("nan")
    return InactivityGap(estimate=d, ci_low=ci_low, ci_high=ci_high, share_low=k1 / n1, share_high=k2 / n2,
                         n_low=n1, n_high=n2, chi2=chi2, p_value=pv, low=tuple(low), high=tuple(high),
                         confidence_level=level)


def competitor_comparison(
    survey: pd.DataFrame,
    *,
    competitor: str = "competitor",
    comparison: str = "competitor_comparison",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """How the respondents rate the retailer against the competitor they also use: net "better".

    Parameters
    ----------
    survey : DataFrame
        Responses with the two columns; rows missing either are left out.
    competitor : str, default "competitor"
        Which competitor the respondent also uses.
    comparison : str, default "competitor_comparison"
        The answer ``better`` / ``same`` / ``worse`` (the retailer compared with that competitor).
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Indexed by competitor (sorted): ``n``, the shares ``better``, ``same``, ``worse``,
        ``net`` = better - worse and its interval ``ci_low`` / ``ci_high``.

    Notes
    -----
    ``net`` is a difference of two shares of the *same* respondents (like the NPS), so
    its variance is ``(p_better + p_worse - net^2) / n``; the interval is the Wald
    interval with that variance. A net above 0 whose interval excludes 0 says that
    users of this competitor more often rate the retailer better than worse. The
    groups are self-selected (customers choose their second retailer), so a
    difference between competitors describes their users, not the competitors alone.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"competitor": ["jd"] * 10 + ["gome"] * 10,
    ...                    "competitor_comparison": ["worse"] * 6 + ["same"] * 2 + ["better"] * 2
    ...                                             + ["better"] * 7 + ["same"] * 3})
    >>> competitor_comparison(sv)["net"].round(2).to_dict()
    {'gome': 0.7, 'jd': -0.4}
    """
    require_columns(survey, [competitor, comparison], table="survey")
    level = check_confidence_level(confidence_level)
    d = pd.DataFrame({"c": survey[competitor].to_numpy(dtype=object),
                      "a": survey[comparison].to_numpy(dtype=object)})
    d = d[pd.notna(d["c"]) & pd.notna(d["a"])]
    if d.empty:
        raise ValueError(f"no response has both {competitor!r} and {comparison!r}")
    unknown = sorted(set(d["a"]) - {"better", "same", "worse"})
    if unknown:
        raise ValueError(f"{comparison} must be 'better', 'same' or 'worse', found {unknown}")
    shares = pd.crosstab(d["c"], d["a"], normalize="index").reindex(columns=["better", "same", "worse"],
                                                                     fill_value=0.0)
    out = pd.DataFrame({"n": d.groupby("c").size()}).join(shares)
    out["net"] = out["better"] - out["worse"]
    z = z_value(level)
    se = np.sqrt(np.maximum(out["better"] + out["worse"] - out["net"] ** 2, 0.0) / out["n"])
    out["ci_low"], out["ci_high"] = out["net"] - z * se, out["net"] + z * se
    out.index.name = competitor
    out.columns.name = None
    return out
