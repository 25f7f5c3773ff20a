r"""Imputation difference-in-differences: the causal effect of enrolment on purchasing.

:func:`did_effect` (the effect over a window of months after enrolment),
:func:`did_event_study` (month by month, with pre-enrolment months),
:func:`pretrend_test` (joint test of the pre-enrolment months) and
:func:`effect_by_segment` (the effect by group of members). The fitting
machinery (Poisson fixed effects, imputation, sandwich standard errors) is in
:mod:`crmlab.analysis.loyalty._imputation`.

Design
------
*Outcome model.* Purchases are counts from a multiplicative process
(``rate = customer level x calendar month x programme effect``), so effects
are estimated in **ratio form**: ``effect = E[Y(1)] / E[Y(0)] - 1`` over
members' post-enrolment months (``+0.10`` = 10 % more orders). The workhorse
is a Poisson model with customer and calendar-month fixed effects,

.. math:: E[y_{it}] = \exp(\alpha_i + \gamma_t + \delta_{s(i)}\, t)\,(1 + \tau_{t - E_i}),

where :math:`E_i` is the enrolment month and :math:`\delta_{s(i)}` an
optional linear trend per stratum of pre-treatment customer attributes
(conditional parallel trends, see below).

*Staggered adoption.* Enrolment dates differ by customer (and the programme
is rolled out city by city), so a plain two-way fixed-effects regression of
orders on a "member after enrolment" dummy is a weighted average of all 2x2
comparisons, some of which use already-enrolled members as controls; with an
effect that changes with time since enrolment the weights can even be
negative (Goodman-Bacon 2021; de Chaisemartin & D'Haultfoeuille 2020; Sun &
Abraham 2021). The estimators here avoid this with the **imputation**
approach (Borusyak, Jaravel & Spiess 2024; Poisson version: Wooldridge 2023):
the fixed effects are fitted on *untreated* customer-months only (never
members, and members before they enrol), the untreated outcome of every
member-month after enrolment is imputed from them, and the effect is
``sum(observed) / sum(imputed) - 1``. Already-treated months are never used
as controls. Pre-trends are tested separately by adding pre-enrolment
event-time dummies to the untreated model (Borusyak et al.'s test).

*Why strata.* Members are heavier buyers *and* churn less, so their expected
orders decline more slowly than a non-member's as customers lapse: parallel
trends (in ratio form) fail and the comparison is biased upward. Customers
of the same kind lapse at similar rates, so the model lets each stratum of a
pre-treatment profile (``profile`` of
:func:`~crmlab.analysis.loyalty.panel.monthly_panel`: age band, city tier
group and value of the first order, all fixed before enrolment) have its own
linear trend on top of the common month effects; members are then compared
with non-members of their own kind. Trends rather than stratum x month
effects keep sparse strata stable: noisy month effects would bias the ratio
downward (Jensen's inequality on the imputed baseline).

*Why a lapse term.* Customers lapse silently: a customer who has stopped
buying for good is still in the panel, with zero orders, and nobody can see
that she has gone. A customer enrols only while she is active, so every
member is *known* to be active in all her months before enrolment - a
survivor by construction - while the customers who never enrol, and whose
months carry most of the month effects, lapse all along. Without a
correction the untreated model's trend includes those lapses, the members'
imputed untreated orders after enrolment fall with it, and the lift is
overstated (the survivor bias; it also shows up as a rising "pre-trend" of
members before enrolment). With ``lapse`` the model adds one slope
:math:`\beta` on the years a customer-month lies after the customer's last
moment known to be active - the first order for never-members, enrolment
for members (their months before enrolment get 0):

.. math:: E[y_{it}] = \exp(\alpha_i + \gamma_t + \delta_{s(i)}\, t + \beta\, a_{it})\,(1 + \tau_{t - E_i}),

so a member's imputed untreated orders start from her level before
enrolment and lapse only from enrolment on, at the rate estimated from the
difference between the members' months before enrolment and the other
customers' months. This is the quantity the programme's effect is defined on
(``truth.loyalty.att``: expected orders on the days the member is still
active, lapses after enrolment included). It assumes that this difference is
a lapse at a constant rate per year (on the log scale), the same for members
after enrolment as for the other customers of the panel.

References
----------
Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs:
robust and efficient estimation. *Review of Economic Studies* 91(6).
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment
timing. *Journal of Econometrics* 225(2).
Roth, J. (2022). Pretest with caution: event-study estimates after testing for
parallel trends. *AER: Insights* 4(3).
Wooldridge, J. M. (2023). Simple approaches to nonlinear difference-in-differences
with panel data. *The Econometrics Journal* 26(3).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from crmlab.analysis.loyalty import did_effect
>>> p = pd.DataFrame({"customer_id": list("AAABBBMMM"),
...                   "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 3),
...                   "orders": [1, 2, 1, 2, 4, 2, 3, 8, 4],
...                   "months_since_enrol": [np.nan] * 6 + [-1.0, 0.0, 1.0]})
>>> res = did_effect(p, months=(0, 1))
>>> res.observed, round(res.imputed, 6), round(res.effect, 6)
(12.0, 9.0, 0.333333)
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ..._checks import require_columns
from .._results import DEFAULT_CONFIDENCE, Result, z_value
from ._imputation import (Imputer, cluster_cov, dummy_offset, fit_design, post_rows, ratio_ci, resolve_lapse,
                          scores_and_bread, with_dummies)
from .panel import check_panel

__all__ = ["did_effect", "did_event_study", "pretrend_test", "effect_by_segment", "effect_heterogeneity",
           "DidEffect", "PretrendTest", "HeterogeneityTest"]


@dataclasses.dataclass(frozen=True, repr=False)
class DidEffect(Result):
    """The causal lift of enrolment over a window of months (:func:`did_effect`).

    Attributes
    ----------
    effect : float
        Relative lift, ``sum(observed) / sum(imputed) - 1``.
    ci_low, ci_high : float
        Confidence interval of ``effect`` (symmetric on the log scale).
    confidence_level : float
    se_log : float
        Standard error of ``log(1 + effect)``.
    observed, imputed : float
        Orders in the window and their imputed untreated expectation.
    n_members : int
        Members with an untreated baseline month and a month in the window.
    n_rows : int
        Member-months in the window that enter the estimate.
    n_dropped_rows : int
        Member-months without a baseline or an estimable month effect.
    n_control_customers : int
        Never-members in the fit.
    method : str
        ``"analytic"`` or ``"bootstrap"``.
    lapse_factor : float
        With the lapse slope: the factor by which a customer's expected
        orders shrink per year in which she may have lapsed unseen
        (``exp(slope)``; 0.6 = 40 % fewer); NaN without it.
    """

    effect: float
    ci_low: float
    ci_high: float
    confidence_level: float
    se_log: float
    observed: float
    imputed: float
    n_members: int
    n_rows: int
    n_dropped_rows: int
    n_control_customers: int
    method: str
    lapse_factor: float = float("nan")


@dataclasses.dataclass(frozen=True, repr=False)
class PretrendTest(Result):
    """Joint Wald test of the pre-enrolment event-time dummies (:func:`pretrend_test`).

    Attributes
    ----------
    chi2 : float
        Wald statistic.
    df : int
        Degrees of freedom (event months with an estimable dummy).
    p_value : float
    coefficients : Series
        Ratio - 1 by event month (index ``event_time``).
    """

    chi2: float
    df: int
    p_value: float
    coefficients: pd.Series


def did_effect(
    panel: pd.DataFrame,
    *,
    months: tuple[int, int] = (1, 5),
    strata: str | Sequence[str] | None = None,
    lapse: bool | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    method: str = "analytic",
    n_boot: int = 200,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> DidEffect:
    r"""Causal lift of enrolment on purchasing over a window of months after enrolment.

    Imputation difference-in-differences in ratio form (see the module
    docstring): a Poisson model with customer and calendar-month fixed
    effects (by stratum, if given) is fitted on untreated customer-months
    (never-members, and members before enrolment); each member-month in the
    window gets its imputed untreated expectation ``mu0``; the effect is
    ``sum(y) / sum(mu0) - 1``: the lift weighted by the members' untreated
    order rates.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`
        (``customer_id, month, orders, months_since_enrol`` are required).
    months : (int, int)
        First and last month after enrolment (inclusive) in the window. The
        default (1, 5) is the full-effect period of a programme whose effect
        lasts ~180 days; month 0 is only partly exposed.
    strata : str or list of str, optional
        Panel column(s) of pre-treatment customer attributes, constant
        within customer; each stratum gets its own linear time trend
        (conditional parallel trends). ``"profile"`` from
        :func:`~crmlab.analysis.loyalty.panel.monthly_panel` is the
        recommended choice.
    lapse : bool, optional
        Give the untreated model a lapse slope (see *Why a lapse term* in the
        module docstring): customer-months lose ``exp(slope)`` of their
        expected orders per year in which the customer may have lapsed
        unseen - never-members from their first order on, members from
        their enrolment on (a customer enrols only while active, so her
        months before it have no lapses). Needs the panel's ``first_month``
        column; the default (``None``) uses it when the panel has that
        column, as :func:`~crmlab.analysis.loyalty.panel.monthly_panel`'s has.
    cluster : str, optional
        Panel column to cluster standard errors on (default: customers).
        The programme's launch date is assigned by city, so ``"city"``
        (assignment-level clustering, Abadie et al. 2023) is the
        conservative choice.
    outcome : str
        Count-like panel column (``orders`` or ``spend``).
    method : {"analytic", "bootstrap"}
        Confidence interval from the delta-method influence function, or
        from a bootstrap resampling customers (or the ``cluster`` groups).
    n_boot : int
        Bootstrap replications (``method="bootstrap"``).
    confidence_level : float, default 0.95
        Confidence level of the interval.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DidEffect
        ``effect, ci_low, ci_high, confidence_level, se_log``, the
        ``observed`` and ``imputed`` orders, and the counts behind them.

    Notes
    -----
    With ``eta_t`` the fitted month effect and ``P_i`` member *i*'s orders
    over its untreated months,

    .. math:: \hat\mu^0_{it} = P_i \, e^{\eta_t} / \textstyle\sum_{s<E_i} e^{\eta_s},
              \qquad 1 + \hat\tau = \sum y_{it} / \sum \hat\mu^0_{it}.

    The interval is symmetric on the log scale,
    ``(1 + effect) * exp(+-z * se_log) - 1``. The analytic standard error
    accounts for the noise in each member's baseline and in the month
    effects (M-estimation sandwich of the concentrated Poisson likelihood).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n, T = 400, 12
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 200, 6, np.nan)[cid]
    >>> lam = rng.gamma(2.0, 0.5, n)[cid] * (1 + 0.3 * (rel >= 0))
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(lam), "months_since_enrol": rel})
    >>> res = did_effect(p, months=(0, 5))
    >>> res.ci_low < 0.3 < res.ci_high, res.confidence_level
    (True, 0.95)
    """
    imp = Imputer.from_panel(panel, strata, outcome, cluster, lapse=resolve_lapse(panel, lapse))
    post = post_rows(imp.design, months)
    if len(post) == 0:
        raise ValueError(f"panel has no member months {months[0]}..{months[1]} after enrolment")
    out = imp.effect(post, confidence_level)
    if out["n_rows"] == 0:
        raise ValueError("no member in the window has a pre-enrolment baseline")
    if method == "bootstrap":
        reps = imp.bootstrap(post, n_boot, random_state)
        out["se_log"] = float(np.std(np.log(reps), ddof=1))
        out["ci_low"], out["ci_high"] = ratio_ci(1 + out["effect"], out["se_log"], confidence_level)
    elif method != "analytic":
        raise ValueError(f"method must be 'analytic' or 'bootstrap', got {method!r}")
    d = imp.design
    never = imp.fit.rows[~np.isfinite(d.rel[imp.fit.rows])]
    return DidEffect(
        effect=float(out["effect"]), ci_low=float(out["ci_low"]), ci_high=float(out["ci_high"]),
        confidence_level=float(confidence_level), se_log=float(out["se_log"]),
        observed=out["observed"], imputed=out["imputed"], n_members=out["n_members"], n_rows=out["n_rows"],
        n_dropped_rows=out["n_dropped_rows"], n_control_customers=int(len(np.unique(d.unit[never]))), method=method,
        lapse_factor=float(np.exp(imp.fit.theta[d.slopes[-1][0][0]])) if d.lapse else float("nan"),
    )


def did_event_study(
    panel: pd.DataFrame,
    *,
    window: tuple[int, int] = (-6, 9),
    strata: str | Sequence[str] | None = None,
    lapse: bool | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Event-study coefficients (ratio form) by month relative to enrolment.

    Post-enrolment months ``k >= 0`` use the imputation estimator of
    :func:`did_effect` month by month. Pre-enrolment months ``k <= -2`` come
    from the pre-trend test of Borusyak, Jaravel & Spiess (2024): event-time
    dummies for the months before enrolment are added to the untreated model
    (month ``-1`` is the reference, months before the window share one
    binned dummy). Under parallel trends they are 0.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`.
    window : (int, int)
        First (negative) and last (non-negative) event month to report.
    strata, lapse, cluster, outcome, confidence_level
        As in :func:`did_effect`.

    Returns
    -------
    DataFrame with one row per event month: ``event_time, effect`` (relative
    change in the order rate, ratio - 1), ``ci_low, ci_high, se_log,
    n_members, n_rows`` and ``estimate`` (``"pre-trend test"``,
    ``"reference"`` or ``"imputation"``).

    Notes
    -----
    The pre-enrolment months come from the plain model (no ``lapse`` slope:
    the event-time dummies leave no pre-enrolment trend to estimate it
    from), so they show the survivor pattern the lapse slope corrects:
    members are known to be active before enrolment, the other customers
    are not, and the members' early months look low against month -1.

    A pre-trend test that passes is necessary, not sufficient: slowly
    diverging trends (here: members churn less than non-members) may be too
    small to detect month by month and still bias the post-period estimate
    (Roth 2022). :func:`pretrend_test` tests the pre-period months jointly.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n, T = 600, 14
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 300, 4 + np.arange(n) % 6, np.nan)[cid]
    >>> lam = rng.gamma(2.0, 0.5, n)[cid] * (1 + 0.5 * (rel >= 0))
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(lam), "months_since_enrol": rel})
    >>> es = did_event_study(p, window=(-3, 2))
    >>> es["event_time"].tolist()
    [-3, -2, -1, 0, 1, 2]
    >>> bool((es.loc[es.event_time >= 0, "effect"] > 0.2).all())
    True
    """
    lo, hi = window
    if lo > -2 or hi < 0:
        raise ValueError(f"window must be (first <= -2, last >= 0), got {window!r}")
    imp = Imputer.from_panel(panel, strata, outcome, cluster, lapse=resolve_lapse(panel, lapse))
    d = imp.design
    rows = []
    # the pre-period dummies leave no linear pre-enrolment trend to estimate a lapse slope from: plain model
    plain = imp if not imp.lapse else Imputer.from_panel(panel, strata, outcome, cluster)
    rows += _pretrend_rows(plain, lo, confidence_level)
    rows.append(dict(event_time=-1, effect=0.0, ci_low=0.0, ci_high=0.0, se_log=0.0,
                     n_members=int(len(np.unique(d.unit[d.rel == -1]))), n_rows=int((d.rel == -1).sum()),
                     estimate="reference"))
    for k in range(0, hi + 1):
        post = np.flatnonzero(d.rel == k)
        res = imp.effect(post, confidence_level) if len(post) else dict(
            effect=np.nan, ci_low=np.nan, ci_high=np.nan, se_log=np.nan, n_members=0, n_rows=0)
        rows.append(dict(event_time=k, effect=res["effect"], ci_low=res["ci_low"], ci_high=res["ci_high"],
                         se_log=res["se_log"], n_members=res["n_members"], n_rows=res["n_rows"],
                         estimate="imputation"))
    return pd.DataFrame(rows)


def _pretrend_fit(imp: Imputer, lo: int) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Pre-enrolment event-time dummies added to the untreated model (reference: month -1).

    Returns the event months ``lo .. -2``, their log coefficients and their
    covariance matrix (sandwich, clustered like ``imp``). Months before
    ``lo`` share one binned dummy.
    """
    d = imp.design
    rel = d.rel
    ks = list(range(lo, -1))
    dummies = np.full(len(rel), -1)
    fin = np.isfinite(rel)
    for j, k in enumerate(ks):
        dummies[fin & (rel == k)] = j
    dummies[fin & (rel < lo)] = len(ks)
    aug = with_dummies(d, dummies, len(ks) + 1)
    fit = fit_design(aug, imp.untreated)
    S, bread = scores_and_bread(aug, fit)
    if imp.clusters is not None:
        C = sparse.csr_matrix((np.ones(d.n_units), (imp.clusters, np.arange(d.n_units))))
        S = sparse.csr_matrix(C @ S)
    g = max(int(np.asarray((abs(S) @ np.ones(aug.n_params)) != 0).sum()), 2)
    V = bread @ (S.T @ S).toarray() @ bread * g / (g - 1)
    cols = dummy_offset(d) + np.arange(len(ks))
    return ks, fit.theta[cols], V[np.ix_(cols, cols)]


def _pretrend_rows(imp: Imputer, lo: int, confidence_level: float) -> list[dict]:
    ks, b, V = _pretrend_fit(imp, lo)
    d = imp.design
    fin = np.isfinite(d.rel)
    z = z_value(confidence_level)
    out = []
    for j, k in enumerate(ks):
        se = float(np.sqrt(max(V[j, j], 0.0)))
        sel = fin & (d.rel == k)
        ok = np.isfinite(b[j])
        out.append(dict(event_time=k, effect=float(np.expm1(b[j])) if ok else np.nan,
                        ci_low=float(np.expm1(b[j] - z * se)) if ok else np.nan,
                        ci_high=float(np.expm1(b[j] + z * se)) if ok else np.nan,
                        se_log=se if ok else np.nan, n_members=int(len(np.unique(d.unit[sel]))),
                        n_rows=int(sel.sum()), estimate="pre-trend test"))
    return out


def pretrend_test(
    panel: pd.DataFrame,
    *,
    n_pre: int = 6,
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
) -> PretrendTest:
    r"""Joint Wald test that members' pre-enrolment months follow the untreated model.

    Event-time dummies for months ``-n_pre .. -2`` before enrolment (month
    ``-1`` is the reference; earlier months share one dummy) are added to the
    untreated Poisson model of :func:`did_effect` (without its lapse slope, see
    Notes); under parallel trends they are all 0 (Borusyak, Jaravel & Spiess 2024, test of pre-trends).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`.
    n_pre : int
        Number of months before enrolment to test (at least 2).
    strata, cluster, outcome
        As in :func:`did_effect`.

    Returns
    -------
    PretrendTest
        ``chi2``, ``df``, ``p_value`` and ``coefficients`` (Series of
        ratio - 1 by event month).

    Notes
    -----
    :math:`\chi^2 = \hat b' \hat V^{-1} \hat b` with :math:`\hat b` the log
    coefficients and :math:`\hat V` their sandwich covariance.

    The model is the plain one, without the ``lapse`` slope of
    :func:`did_effect` (the dummies leave no pre-enrolment trend to
    estimate it from). So the test asks whether members' months before
    enrolment drift away from the other customers' months at all; members
    are active by construction until they enrol while the others lapse
    unseen, so a steady rise towards month -1 is expected and is what the
    lapse slope corrects. A pattern that is not a steady drift (a dip or a
    jump just before enrolment) is not corrected by it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> n, T = 1000, 14
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 500, 7 + np.arange(n) % 5, np.nan)[cid]
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(rng.gamma(2.0, 0.5, n)[cid]), "months_since_enrol": rel})
    >>> test = pretrend_test(p, n_pre=4)
    >>> test.df, test.p_value > 0.05
    (3, True)
    """
    if n_pre < 2:
        raise ValueError("n_pre must be at least 2")
    imp = Imputer.from_panel(panel, strata, outcome, cluster)
    ks, b, V = _pretrend_fit(imp, -n_pre)
    ok = np.isfinite(b)
    if not ok.any():
        raise ValueError(f"no member has orders in the {n_pre} months before enrolment")
    bb, VV = b[ok], V[np.ix_(ok, ok)]
    chi2 = float(bb @ np.linalg.pinv(VV) @ bb)
    df = int(ok.sum())
    return PretrendTest(chi2=chi2, df=df, p_value=float(stats.chi2.sf(chi2, df)),
                        coefficients=pd.Series(np.expm1(b), index=pd.Index(ks, name="event_time")))


def effect_by_segment(
    panel: pd.DataFrame,
    *,
    by: str | None = None,
    months: tuple[int, int] = (1, 5),
    n_groups: int = 3,
    baseline_months: int = 3,
    strata: str | Sequence[str] | None = None,
    lapse: bool | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """The causal lift of :func:`did_effect` by group of members.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`.
    by : str, optional
        A panel column of pre-treatment customer attributes to group members
        by (e.g. ``city_tier``). By default members are grouped by buyer type:
        terciles (``n_groups`` quantiles) of their pre-enrolment order rate,
        labelled ``light``, ``moderate``, ``heavy``.
    months : (int, int)
        Window of months after enrolment, as in :func:`did_effect`.
    n_groups : int
        Number of buyer types (``by=None``).
    baseline_months : int
        ``by=None``: the last ``baseline_months`` months before enrolment form
        the baseline; the order rate of the months before them classifies the
        member (members need at least one month of each).
    strata, lapse, cluster, outcome, confidence_level
        As in :func:`did_effect`.

    Returns
    -------
    DataFrame with one row per group: ``group, effect, ci_low, ci_high,
    se_log, n_members, n_rows`` and ``pre_rate`` (mean pre-enrolment orders
    per month of the group's members, classification months only with
    ``by=None``).

    Notes
    -----
    Classifying members by the *same* months that serve as their baseline
    would manufacture heterogeneity: members who were unlucky in the
    baseline look "light" and then regress to their mean after enrolment
    (regression to the mean), inflating the light group's effect. Splitting
    the pre-period (classify on the early months, anchor on the late ones)
    keeps the two independent.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> n, T = 900, 14
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 450, 8, np.nan)[cid]
    >>> kind = np.arange(n) % 2
    >>> lam = rng.gamma(2.0, 0.5, n)[cid] * (1 + np.where(kind[cid] == 1, 0.8, 0.0) * (rel >= 0))
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(lam), "months_since_enrol": rel, "kind": kind[cid]})
    >>> res = effect_by_segment(p, by="kind", months=(0, 5))
    >>> bool(res.set_index("group").loc[1, "effect"] > res.set_index("group").loc[0, "effect"] + 0.4)
    True
    """
    seg = _segments(panel, by, n_groups, baseline_months, strata, outcome, cluster, months, lapse)
    out = []
    for g, sel in seg["post"].items():
        res = seg["imp"].effect(sel, confidence_level)
        who = seg["labels"].index[seg["labels"] == g]
        out.append(dict(group=g, effect=res["effect"], ci_low=res["ci_low"], ci_high=res["ci_high"],
                        se_log=res["se_log"], n_members=res["n_members"], n_rows=res["n_rows"],
                        pre_rate=float(seg["pre_rate"].reindex(who).mean())))
    res = pd.DataFrame(out)
    if by is None:
        res["group"] = pd.Categorical(res["group"], categories=seg["names"], ordered=True)
    return res.sort_values("group").reset_index(drop=True)


def _segments(panel: pd.DataFrame, by: str | None, n_groups: int, baseline_months: int, strata, outcome: str,
              cluster: str | None, months: tuple[int, int] = (1, 5), lapse: bool | None = None) -> dict:
    """Group labels of members, the fitted imputer and each group's post rows (see :func:`effect_by_segment`)."""
    check_panel(panel)
    lapse = resolve_lapse(panel, lapse)
    rel = panel["months_since_enrol"].to_numpy(float)
    names = None
    if by is not None:
        require_columns(panel, [by], table="panel")
        imp = Imputer.from_panel(panel, strata, outcome, cluster, lapse=lapse)
        labels = panel.loc[np.isfinite(rel)].groupby("customer_id", sort=True)[by].first()
        pre_rate = _pre_rate(panel, rel < 0)
    else:
        if n_groups < 2 or baseline_months < 1:
            raise ValueError("n_groups must be >= 2 and baseline_months >= 1")
        classify = np.isfinite(rel) & (rel < -baseline_months)
        base = np.isfinite(rel) & (rel < 0) & ~classify
        pre_rate = _pre_rate(panel, classify)
        has_base = panel.loc[base, "customer_id"].unique()
        pre_rate = pre_rate[pre_rate.index.isin(has_base)]
        if len(pre_rate) < n_groups:
            raise ValueError(f"too few members with {baseline_months + 1}+ pre-enrolment months "
                             f"to form {n_groups} groups")
        names = ["light", "moderate", "heavy"] if n_groups == 3 else [f"q{i + 1}" for i in range(n_groups)]
        labels = pd.Series(pd.qcut(pre_rate.rank(method="first"), n_groups, labels=names).astype(str),
                           index=pre_rate.index)
        # classification months leave the model; members without a grouping are not estimated
        imp = Imputer.from_panel(panel, strata, outcome, cluster, exclude=classify, lapse=lapse)
    d = imp.design
    ids = pd.Index(np.sort(panel["customer_id"].unique()))
    unit_label = labels.reindex(ids).to_numpy()
    post_all = post_rows(d, months)
    post = {g: post_all[unit_label[d.unit[post_all]] == g] for g in pd.unique(labels.dropna())}
    return dict(imp=imp, labels=labels, names=names, pre_rate=pre_rate, post=post)


@dataclasses.dataclass(frozen=True, repr=False)
class HeterogeneityTest(Result):
    """Wald test that the lift is the same in every group of members (:func:`effect_heterogeneity`).

    Attributes
    ----------
    chi2 : float
        Wald statistic of the hypothesis "all group effects are equal".
    df : int
        Degrees of freedom (groups with an estimate - 1).
    p_value : float
    first, last : str
        The groups compared by ``estimate`` (e.g. ``"light"`` and ``"heavy"``).
    estimate, ci_low, ci_high : float
        Effect of ``first`` minus effect of ``last`` (relative lifts), with
        its confidence interval.
    confidence_level : float
    """

    chi2: float
    df: int
    p_value: float
    first: str
    last: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float


def effect_heterogeneity(
    panel: pd.DataFrame,
    *,
    by: str | None = None,
    months: tuple[int, int] = (1, 5),
    n_groups: int = 3,
    baseline_months: int = 3,
    strata: str | Sequence[str] | None = None,
    lapse: bool | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> HeterogeneityTest:
    r"""Does the lift differ between groups of members? Wald test of equal effects.

    The groups and their effects are those of :func:`effect_by_segment` (same
    arguments). The group estimates share the fitted month effects, so they
    are correlated; their joint covariance comes from the influence values of
    the ratio estimator (summed within ``cluster``), and the test statistic is
    :math:`\chi^2 = (C\hat b)'(C\hat V C')^{-1}(C\hat b)` on the log ratios
    :math:`\hat b`, with :math:`C` the contrasts of every group against the
    first. The result also gives the first group's effect minus the last
    group's (light minus heavy buyers by default) with a delta-method interval.

    Returns
    -------
    HeterogeneityTest
        ``chi2, df, p_value`` and ``first, last, estimate, ci_low, ci_high``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> n, T = 900, 14
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 450, 8, np.nan)[cid]
    >>> kind = np.arange(n) % 2
    >>> lam = rng.gamma(2.0, 0.5, n)[cid] * (1 + np.where(kind[cid] == 1, 0.8, 0.0) * (rel >= 0))
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(lam), "months_since_enrol": rel, "kind": kind[cid]})
    >>> test = effect_heterogeneity(p, by="kind", months=(0, 5))
    >>> test.df, test.p_value < 0.01, test.ci_high < 0
    (1, True, True)
    """
    seg = _segments(panel, by, n_groups, baseline_months, strata, outcome, cluster, months, lapse)
    imp = seg["imp"]
    order = seg["names"] if seg["names"] is not None else sorted(seg["post"], key=str)
    groups, logs, psis, ratios = [], [], [], []
    for g in order:
        if g not in seg["post"]:
            continue
        r, psi, _ = imp.influence(seg["post"][g])
        if not np.isfinite(r) or r <= 0:
            continue
        groups.append(str(g))
        ratios.append(r)
        logs.append(np.log(r))
        psis.append(psi / r)
    if len(groups) < 2:
        raise ValueError("fewer than two groups have an estimate")
    V = cluster_cov(np.column_stack(psis), imp.clusters)
    b = np.array(logs)
    C = np.column_stack([-np.ones(len(b) - 1), np.eye(len(b) - 1)])
    cb = C @ b
    chi2 = float(cb @ np.linalg.pinv(C @ V @ C.T) @ cb)
    df = len(b) - 1
    # first minus last on the lift scale, delta method: d(r1 - rL) = r1 dlog r1 - rL dlog rL
    grad = np.zeros(len(b))
    grad[0], grad[-1] = ratios[0], -ratios[-1]
    se = float(np.sqrt(max(grad @ V @ grad, 0.0)))
    est = ratios[0] - ratios[-1]
    z = z_value(confidence_level)
    return HeterogeneityTest(chi2=chi2, df=df, p_value=float(stats.chi2.sf(chi2, df)), first=groups[0],
                             last=groups[-1], estimate=float(est), ci_low=float(est - z * se),
                             ci_high=float(est + z * se), confidence_level=float(confidence_level))


def _pre_rate(panel: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    """Orders per month over the rows in ``mask``, per customer."""
    g = panel.loc[mask].groupby("customer_id", sort=True)["orders"]
    return g.sum() / g.size()
