r"""The staggered city launch as a natural experiment: intention-to-treat of the programme.

Members choose *when* to enrol, and the choice is tied to their purchasing:
only customers who are still active join (a customer who has silently lapsed
does not walk into a store to sign up), and customers tend to join at a
purchase. Their months before enrolment are therefore not a fair picture of
what they would have bought without the card, and the enrolment-based
difference-in-differences (:func:`~crmlab.analysis.loyalty.did.did_effect`)
can show pre-trends and overstate the effect.

The programme's *launch date* in a city is not chosen by the customer: the
chain rolls the card out city by city. :func:`launch_effect` compares every
customer of a launched city (member or not) with customers of cities where
the programme has not launched yet - the imputation estimator of
:mod:`~crmlab.analysis.loyalty.did` with the city's launch month as the event.
This **intention-to-treat** (ITT) effect answers "what did launching the card
do to the orders of a city's customers?"; its parallel-trends assumption holds
when the launch order of the cities is unrelated to how their customers'
purchasing would have developed. Divided by the share of the customers'
untreated orders that fall in months in which they were enrolled, it becomes
the effect per enrolled member-month (a Wald / instrumental-variable scaling,
which assumes the launch affects only members).

References
----------
Angrist, J. D., Imbens, G. W. & Rubin, D. B. (1996). Identification of causal
effects using instrumental variables. *JASA* 91(434).
Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs:
robust and efficient estimation. *Review of Economic Studies* 91(6).

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import launch_effect, monthly_panel
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> panel = monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-12-31")
>>> res = launch_effect(panel)
>>> res.ci_low < res.effect < res.ci_high, res.enrolled_share < 1
(True, True)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..._checks import as_datetimes, require_columns
from .._results import DEFAULT_CONFIDENCE, Result
from ._imputation import Imputer, cluster_se, post_rows, ratio_ci
from .panel import check_panel

__all__ = ["launch_panel", "launch_effect", "LaunchEffect"]


def launch_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with the city's launch as the event: ``months_since_enrol`` := months since launch.

    Every customer with a known launch month becomes "treated" at her city's
    launch; the enrolment month moves to ``months_since_member`` (NaN for
    non-members). Customers without a launch month are dropped.

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["A", "A"], "month": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                   "orders": [1, 0], "months_since_enrol": [float("nan")] * 2,
    ...                   "launch_month": pd.to_datetime(["2024-02-01"] * 2)})
    >>> launch_panel(p)["months_since_enrol"].tolist()
    [-1.0, 0.0]
    """
    check_panel(panel)
    require_columns(panel, ["launch_month"], table="panel")
    lm = as_datetimes(panel["launch_month"], "panel.launch_month")
    m = as_datetimes(panel["month"], "panel.month")
    rel = ((m.dt.year - lm.dt.year) * 12 + (m.dt.month - lm.dt.month)).to_numpy(dtype=float)
    out = panel.assign(months_since_member=panel["months_since_enrol"], months_since_enrol=rel)
    return out[np.isfinite(rel)].reset_index(drop=True)


@dataclasses.dataclass(frozen=True, repr=False)
class LaunchEffect(Result):
    """Intention-to-treat effect of the city launch (:func:`launch_effect`).

    Attributes
    ----------
    effect : float
        ITT: relative lift in orders of the launched cities' customers,
        ``sum(observed) / sum(imputed) - 1`` over the window after launch.
    ci_low, ci_high : float
        Its confidence interval (symmetric on the log scale).
    confidence_level : float
    per_member, per_member_ci_low, per_member_ci_high : float
        The extra orders divided by the imputed untreated orders of the
        customer-months in which the customer was enrolled (Wald scaling;
        the interval scales the ITT interval, treating the share as known).
    enrolled_share : float
        Share of the imputed untreated orders that fall in enrolled months.
    observed, imputed : float
    n_customers, n_rows, n_dropped_rows : int
        Customers and customer-months in the window that enter the estimate,
        and months without a not-yet-launched city to compare with.
    n_clusters : int
        Cities (or other ``cluster`` groups) in the data.
    """

    effect: float
    ci_low: float
    ci_high: float
    confidence_level: float
    per_member: float
    per_member_ci_low: float
    per_member_ci_high: float
    enrolled_share: float
    observed: float
    imputed: float
    n_customers: int
    n_rows: int
    n_dropped_rows: int
    n_clusters: int


def launch_effect(
    panel: pd.DataFrame,
    *,
    months: tuple[int, int] = (0, 6),
    cluster: str | None = "city",
    strata=None,
    outcome: str = "orders",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> LaunchEffect:
    """Intention-to-treat effect of the programme's staggered city launch on customers' orders.

    The imputation estimator of :func:`~crmlab.analysis.loyalty.did.did_effect`
    on :func:`launch_panel`: a Poisson model with customer and calendar-month
    effects is fitted on the customer-months *before* each city's launch
    (every customer, member or not); each customer-month in the window after
    launch gets its imputed untreated expectation. Months after the last
    city's launch have no not-yet-launched city to compare with and drop out.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`
        (``launch_month`` required; ``city`` for the default clustering).
    months : (int, int)
        First and last month after the launch month (inclusive).
    cluster : str or None, default "city"
        The launch is assigned by city, so standard errors are clustered by
        city (the level of assignment); ``None`` clusters by customer.
    strata : str or list of str, optional
        Panel column(s) of pre-treatment attributes whose groups get their own
        time trend. When the launch order depends on an attribute (bigger
        cities first), pass it (``"tier_group"``): parallel trends then need to
        hold only within its groups.
    outcome, confidence_level
        As in :func:`~crmlab.analysis.loyalty.did.did_effect`.

    Returns
    -------
    LaunchEffect
        ``effect, ci_low, ci_high`` (ITT), ``per_member`` with its interval,
        ``enrolled_share`` and the counts.

    Notes
    -----
    Customers need a panel month before their city's launch (a first order
    at least two months before it); the ITT is about them. It is diluted: most
    customers never enrol, so it is much smaller than the effect on members,
    and at classroom size its interval is wide.
    """
    lp = launch_panel(panel)
    imp = Imputer.from_panel(lp, strata, outcome, cluster)
    post = post_rows(imp.design, months)
    if len(post) == 0:
        raise ValueError(f"panel has no customer-months {months[0]}..{months[1]} after a launch")
    r, psi, used = imp.influence(post)
    if not np.isfinite(r) or r <= 0:
        raise ValueError("no customer in the window has months before the launch of her city")
    se_log = cluster_se(psi, imp.clusters) / r
    lo, hi = ratio_ci(r, se_log, confidence_level)
    rows = used["post"]
    mu0 = used["mu0"]
    member_rel = lp["months_since_member"].to_numpy(float)[rows]
    enrolled = np.isfinite(member_rel) & (member_rel >= 0)
    share = float(mu0[enrolled].sum() / mu0.sum())
    per = (r - 1) / share if share > 0 else float("nan")
    n_cl = int(imp.clusters.max() + 1) if imp.clusters is not None else int(imp.design.n_units)
    return LaunchEffect(
        effect=float(r - 1), ci_low=lo, ci_high=hi, confidence_level=float(confidence_level),
        per_member=float(per), per_member_ci_low=float(lo / share) if share > 0 else float("nan"),
        per_member_ci_high=float(hi / share) if share > 0 else float("nan"), enrolled_share=share,
        observed=float(imp.design.y[rows].sum()), imputed=float(mu0.sum()),
        n_customers=int(len(np.unique(imp.design.unit[rows]))), n_rows=int(len(rows)),
        n_dropped_rows=int(used["n_dropped"]), n_clusters=n_cl,
    )
