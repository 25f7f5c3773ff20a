"""The machinery of the imputation estimator: Poisson fixed-effects fit, imputation, sandwich errors.

Internal to :mod:`crmlab.analysis.loyalty.did`; the public estimators there
explain the method. A panel becomes a :class:`Design` (arrays in panel row
order); :func:`fit_design` fits the Poisson model with customer effects
concentrated out on a set of rows (the untreated customer-months);
:func:`impute` gives the untreated expectation of member-months after
enrolment; :func:`ratio_influence` the ratio ``sum(y) / sum(mu0)`` and its
influence function, from which :func:`cluster_se` gives a (clustered)
standard error. :class:`Imputer` bundles a fitted model with these steps.

Examples
--------
>>> import numpy as np, pandas as pd
>>> p = pd.DataFrame({"customer_id": list("AAABBBMMM"),
...                   "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 3),
...                   "orders": [1, 2, 1, 2, 4, 2, 3, 8, 4],
...                   "months_since_enrol": [np.nan] * 6 + [-1.0, 0.0, 1.0]})
>>> imp = Imputer.from_panel(p, strata=None, outcome="orders")
>>> round(imp.effect(post_rows(imp.design, (0, 1)), 0.95)["imputed"], 6)
9.0
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ..._checks import require_columns
from .._results import z_value
from .panel import check_panel, month_index

__all__ = [
    "Design",
    "design_from_panel",
    "dummy_offset",
    "with_dummies",
    "linear_predictor",
    "Fit",
    "fit_design",
    "scores_and_bread",
    "impute",
    "ratio_influence",
    "cluster_cov",
    "cluster_se",
    "jackknife_se",
    "ratio_ci",
    "post_rows",
    "window_rows",
    "resolve_lapse",
    "Imputer",
]


# ============================================================================ design
@dataclass
class Design:
    """A panel as arrays ready for estimation (row order of the panel).

    Parameters are laid out as: calendar months, then event-time dummies
    (if any), then the slopes: one linear time trend per stratum (if any),
    then the lapse slope(s) (if any). ``codes[f][row]`` is the parameter of
    categorical factor *f* acting on the row (-1: none); each entry of
    ``slopes`` is a pair ``(param, value)`` of arrays: the row's slope
    parameter and the value it multiplies (time in years, centred, for the
    stratum trends; years at risk of an unseen lapse for the lapse slope).
    Every unit has a single parameter in each slope family.
    """

    unit: np.ndarray
    codes: list[np.ndarray]
    slopes: list[tuple[np.ndarray, np.ndarray]]
    y: np.ndarray
    rel: np.ndarray
    n_units: int
    n_params: int
    lapse: bool = False


def design_from_panel(panel: pd.DataFrame, strata: str | Sequence[str] | None, outcome: str,
                      lapse: bool = False) -> Design:
    """The :class:`Design` of a panel: month effects, a trend per stratum (``strata``), a lapse slope (``lapse``).

    The lapse slope multiplies the years a customer-month lies after the
    customer's last moment *known* to be active: for members before
    enrolment none (a customer enrols only while active), after enrolment
    the years since the enrolment month; for customers who never enrol the
    years since their first order month (``first_month``; the panel starts
    the month after it). See :func:`~crmlab.analysis.loyalty.did.did_effect`.
    """
    check_panel(panel)
    if outcome not in panel.columns:
        raise ValueError(f"panel has no outcome column {outcome!r}")
    y = pd.to_numeric(panel[outcome], errors="coerce").to_numpy(float)
    if np.isnan(y).any() or (y < 0).any():
        raise ValueError(f"panel column {outcome!r} must be non-negative with no missing values")
    unit, uid = pd.factorize(panel["customer_id"], sort=True)
    month = month_index(panel["month"], "panel.month")
    if np.isnan(month).any():
        raise ValueError("panel column 'month' has missing dates")
    mcode, mcats = pd.factorize(month.astype(np.int64), sort=True)
    x = (month - month.mean()) / 12.0
    n_params = len(mcats)
    slopes: list[tuple[np.ndarray, np.ndarray]] = []
    if strata is not None:
        cols = [strata] if isinstance(strata, str) else list(strata)
        require_columns(panel, cols, table="panel")
        key = panel[cols[0]].astype(str)
        for c in cols[1:]:
            key = key + "|" + panel[c].astype(str)
        scode, scats = pd.factorize(key, sort=True)
        if (pd.Series(scode).groupby(unit).nunique() > 1).any():
            raise ValueError(f"strata column(s) {', '.join(cols)} must be constant within customer")
        slopes.append((scode + n_params, x))
        n_params += len(scats)
    rel = panel["months_since_enrol"].to_numpy(float)
    if lapse:
        require_columns(panel, ["first_month"], table="panel")
        first = month_index(panel["first_month"], "panel.first_month")
        if np.isnan(first).any():
            raise ValueError("panel column 'first_month' has missing dates")
        at_risk = np.where(np.isfinite(rel), np.maximum(np.nan_to_num(rel), 0.0), month - first) / 12.0
        slopes.append((np.full(len(y), n_params), at_risk))
        n_params += 1
    return Design(unit=unit, codes=[mcode], slopes=slopes, y=y, rel=rel, n_units=len(uid), n_params=n_params,
                  lapse=bool(lapse))


def dummy_offset(design: Design) -> int:
    """Index of the first parameter after the categorical ones (where dummies go)."""
    return int(design.slopes[0][0].min()) if design.slopes else design.n_params


def with_dummies(design: Design, dummies: np.ndarray, n_dummies: int) -> Design:
    """The design plus a factor of event-time dummies (-1 = reference); slopes move behind them."""
    code = np.where(dummies >= 0, dummies + dummy_offset(design), -1)
    slopes = [(k + n_dummies, v) for k, v in design.slopes]
    return Design(unit=design.unit, codes=[*design.codes, code], slopes=slopes, y=design.y,
                  rel=design.rel, n_units=design.n_units, n_params=design.n_params + n_dummies, lapse=design.lapse)


def linear_predictor(design: Design, theta: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Linear predictor without the unit effect (-inf where a month is unidentified)."""
    out = np.zeros(len(rows))
    for c in design.codes:
        k = c[rows]
        m = k >= 0
        out[m] += theta[k[m]]
    for k, v in design.slopes:
        out += theta[k[rows]] * v[rows]
    return out


# ============================================================================ fit
@dataclass
class Fit:
    """A fitted Poisson model with the unit effects concentrated out."""

    rows: np.ndarray  # panel rows used
    theta: np.ndarray  # -inf: a month or dummy without information
    eta: np.ndarray  # per fit row
    unit_total: np.ndarray  # per unit, over fit rows
    unit_exp: np.ndarray  # per unit: sum of exp(eta) over fit rows
    iterations: int
    converged: bool


def _slope_matrix(slopes: list[tuple[np.ndarray, np.ndarray]], n_rows: int, n_params: int) -> sparse.csr_matrix:
    """Sparse ``rows x params`` matrix of the slope regressors (zero columns for the other parameters)."""
    if not slopes:
        return sparse.csr_matrix((n_rows, n_params))
    r = np.concatenate([np.arange(n_rows)] * len(slopes))
    c = np.concatenate([k for k, _ in slopes])
    v = np.concatenate([val for _, val in slopes])
    return sparse.csr_matrix((v, (r, c)), shape=(n_rows, n_params))


def _rake(y: np.ndarray, unit: np.ndarray, codes: list[np.ndarray], slopes: list[tuple[np.ndarray, np.ndarray]],
          n_params: int, n_units: int, weights: np.ndarray | None = None, theta0: np.ndarray | None = None,
          tol: float = 1e-9, max_iter: int = 2000) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Poisson maximum likelihood with unit effects, categorical factors and slopes.

    Block coordinate ascent on the concentrated (multinomial) likelihood:
    the unit effects are concentrated out exactly, each categorical factor's
    score equation ``sum(y) = sum(mu)`` is solved in closed form
    (iterative proportional fitting); with slopes (stratum trends, lapse)
    every sweep ends with a joint Newton step of all parameters.
    """
    w = np.ones_like(y) if weights is None else weights
    wy = w * y
    theta = np.zeros(n_params) if theta0 is None else np.where(np.isfinite(theta0), theta0, 0.0)
    eta = np.zeros(len(y))
    masks = [(c >= 0) for c in codes]
    for c, m in zip(codes, masks):
        eta[m] += theta[c[m]]
    Z = _slope_matrix(slopes, len(y), n_params)
    s_idx = np.unique(np.concatenate([k for k, _ in slopes])) if slopes else np.zeros(0, np.int64)
    if len(s_idx):
        eta += Z[:, s_idx] @ theta[s_idx]
        # all parameters in one matrix for the joint Newton step
        r = [np.flatnonzero(m) for m in masks]
        X = (sparse.csr_matrix((np.ones(sum(len(i) for i in r)), (np.concatenate(r), np.concatenate(
            [c[m] for c, m in zip(codes, masks)]))), shape=(len(y), n_params)) + Z).tocsr()
        cols = np.flatnonzero(np.asarray(abs(X).sum(axis=0)).ravel() > 0)
        Xc = X[:, cols].tocsc()
        U = sparse.csr_matrix((np.ones(len(y)), (unit, np.arange(len(y)))), shape=(n_units, len(y)))
    ytot = np.bincount(unit, weights=wy, minlength=n_units)

    def fitted():
        e = w * np.exp(eta)
        return ytot[unit] * e / np.maximum(np.bincount(unit, weights=e, minlength=n_units), 1e-300)[unit]

    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        biggest = 0.0
        for c, m in zip(codes, masks):
            mu = fitted()[m]
            num = np.bincount(c[m], weights=wy[m], minlength=n_params)
            den = np.bincount(c[m], weights=mu, minlength=n_params)
            ok = (num > 0) & (den > 0)
            step = np.zeros(n_params)
            step[ok] = np.log(num[ok] / den[ok])
            theta += step
            eta[m] += step[c[m]]
            biggest = max(biggest, float(np.abs(step).max()))
        if len(s_idx):
            # joint Newton step of all parameters on the concentrated likelihood (the slopes are
            # correlated with the month effects, so one-block-at-a-time steps would crawl)
            mu = fitted()
            grad = Xc.T @ (wy - mu)
            sm = np.maximum(np.bincount(unit, weights=mu, minlength=n_units), 1e-300)
            Xm = Xc.multiply(mu[:, None]).tocsc()
            Q = (U @ Xm).toarray()
            hess = (Xc.T @ Xm).toarray() - Q.T @ (Q / sm[:, None])
            step = np.clip(np.linalg.lstsq(hess, grad, rcond=1e-12)[0], -1.0, 1.0)
            theta[cols] += step
            eta += Xc @ step
            biggest = max(biggest, float(np.abs(step).max()))
            # a parameter whose maximum lies at infinity (a stratum whose orders vanish in a resample)
            # keeps taking steps while its fitted orders shrink towards zero: converged when no
            # fitted sum is off by more than ``tol`` orders, whatever the steps
            if float(np.abs(grad).max()) < tol:
                converged = True
                break
        if biggest < tol:
            converged = True
            break
    return theta, eta, it, converged


def fit_design(design: Design, rows: np.ndarray, weights: np.ndarray | None = None,
               theta0: np.ndarray | None = None) -> Fit:
    """Fit on the panel rows ``rows``; ``weights`` are per unit (bootstrap)."""
    rows = np.asarray(rows)
    wu = np.ones(design.n_units) if weights is None else np.asarray(weights, float)
    # drop units without orders, and rows of months / dummies without orders
    for _ in range(50):
        wy = wu[design.unit[rows]] * design.y[rows]
        keep = np.bincount(design.unit[rows], weights=wy, minlength=design.n_units)[design.unit[rows]] > 0
        for c in design.codes:
            k = c[rows]
            tot = np.bincount(np.maximum(k, 0), weights=wy * (k >= 0), minlength=design.n_params)
            keep &= (k < 0) | (tot[np.maximum(k, 0)] > 0)
        if keep.all():
            break
        rows = rows[keep]
    if len(rows) == 0:
        raise ValueError("no orders among the untreated customer-months: cannot fit the model")
    codes = [c[rows] for c in design.codes]
    slopes = [(k[rows], v[rows]) for k, v in design.slopes]
    w = None if weights is None else wu[design.unit[rows]]
    y, unit = design.y[rows], design.unit[rows]
    theta, eta, it, conv = _rake(y, unit, codes, slopes, design.n_params, design.n_units, w, theta0)
    if not conv:
        warnings.warn(f"the Poisson fixed-effects fit did not converge in {it} iterations", RuntimeWarning,
                      stacklevel=3)
    present = np.zeros(design.n_params, bool)
    for c in codes:
        present[c[c >= 0]] = True
    for k, _ in slopes:
        present[k] = True
    theta = np.where(present, theta, -np.inf)
    for k, _ in design.slopes:  # a stratum without rows has no trend: use 0 for its members
        t_idx = np.unique(k)
        theta[t_idx] = np.where(np.isfinite(theta[t_idx]), theta[t_idx], 0.0)
    ww = np.ones(len(rows)) if w is None else w
    utot = np.bincount(unit, weights=ww * y, minlength=design.n_units)
    uexp = np.bincount(unit, weights=ww * np.exp(eta), minlength=design.n_units)
    return Fit(rows=rows, theta=theta, eta=eta, unit_total=utot, unit_exp=uexp, iterations=it, converged=conv)


# ============================================================================ sandwich
def _row_matrix(design: Design, rows: np.ndarray) -> sparse.csr_matrix:
    """Sparse design of ``rows`` (one column per parameter: 0/1 dummies, the values of the slopes)."""
    r, c, v = [], [], []
    for code in design.codes:
        k = code[rows]
        m = k >= 0
        r.append(np.flatnonzero(m))
        c.append(k[m])
        v.append(np.ones(int(m.sum())))
    for k, val in design.slopes:
        r.append(np.arange(len(rows)))
        c.append(k[rows])
        v.append(val[rows])
    r, c, v = np.concatenate(r), np.concatenate(c), np.concatenate(v)
    return sparse.csr_matrix((v, (r, c)), shape=(len(rows), design.n_params))


def scores_and_bread(design: Design, fit: Fit) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Per-unit scores and the pseudo-inverse of the information matrix.

    With the unit effects concentrated out the model is multinomial within
    unit, ``p_it = exp(eta_it) / sum_s exp(eta_is)``: unit *i*'s score is
    ``X_i'(y_i - Y_i p_i)`` and the information
    ``sum_i Y_i (X_i' diag(p_i) X_i - X_i'p_i p_i'X_i)``.
    """
    u = design.unit[fit.rows]
    y = design.y[fit.rows]
    X = _row_matrix(design, fit.rows)
    p = np.exp(fit.eta) / fit.unit_exp[u]
    Y = fit.unit_total[u]
    U = sparse.csr_matrix((np.ones(len(u)), (u, np.arange(len(u)))), shape=(design.n_units, len(u)))
    S = sparse.csr_matrix(U @ sparse.diags(y - Y * p) @ X)
    Q = U @ sparse.diags(p) @ X
    info = (X.T @ sparse.diags(Y * p) @ X).toarray() - (Q.T @ sparse.diags(fit.unit_total) @ Q).toarray()
    return S, np.linalg.pinv(info, hermitian=True, rcond=1e-10)


def impute(design: Design, fit: Fit, post: np.ndarray, pre: np.ndarray) -> dict:
    """Imputed untreated expectation ``mu0`` of member-months ``post``.

    A member's level is ``P_i / E_i`` with ``P_i`` its orders and ``E_i`` the
    summed ``exp(eta)`` over its own untreated months ``pre``; then
    ``mu0_it = P_i exp(eta_it) / E_i``. Rows whose month effect is not
    identified, and members without untreated months, are dropped.
    """
    eta_post = linear_predictor(design, fit.theta, post)
    ok = np.isfinite(eta_post)
    eta_pre = linear_predictor(design, fit.theta, pre)
    okp = np.isfinite(eta_pre)
    pre = pre[okp]
    e_pre = np.exp(eta_pre[okp])
    P = np.bincount(design.unit[pre], weights=design.y[pre], minlength=design.n_units)
    E = np.bincount(design.unit[pre], weights=e_pre, minlength=design.n_units)
    ok &= E[design.unit[post]] > 0
    n_dropped = int((~ok).sum())
    post, eta_post = post[ok], eta_post[ok]
    u = design.unit[post]
    mu0 = P[u] * np.exp(eta_post) / E[u]
    return dict(post=post, mu0=mu0, P=P, E=E, pre=pre, e_pre=e_pre, n_dropped=n_dropped)


def ratio_influence(design: Design, imp: dict, S: sparse.csr_matrix, bread: np.ndarray) -> tuple[float, np.ndarray]:
    """Ratio ``sum y / sum mu0`` over ``imp['post']`` and its influence function per unit.

    Delta method: ``psi_j = (Y1_j - r M0_j) / M0 - (r / M0) grad(M0)' bread s_j``,
    where ``s_j`` is unit *j*'s score of the untreated model.
    """
    post, mu0, E = imp["post"], imp["mu0"], imp["E"]
    u = design.unit[post]
    y1 = design.y[post]
    Y1, M0 = float(y1.sum()), float(mu0.sum())
    r = Y1 / M0
    y1_u = np.bincount(u, weights=y1, minlength=design.n_units)
    m0_u = np.bincount(u, weights=mu0, minlength=design.n_units)
    # d M0 / d theta = X_post' mu0 - X_pre' (M0_i p_it) over the members' own untreated months
    pre = imp["pre"]
    up = design.unit[pre]
    keep = m0_u[up] > 0
    pre, up = pre[keep], up[keep]
    w_pre = m0_u[up] * imp["e_pre"][keep] / E[up]
    grad = _row_matrix(design, post).T @ mu0 - _row_matrix(design, pre).T @ w_pre
    psi = (y1_u - r * m0_u) / M0 - (r / M0) * (S @ (bread @ grad))
    return r, psi


def cluster_cov(P: np.ndarray, clusters: np.ndarray | None = None) -> np.ndarray:
    """Covariance of estimates from per-unit influence values (one column per estimate).

    Values are summed within clusters (default: each unit), with the small-sample
    factor ``g / (g - 1)``, ``g`` the number of clusters with a non-zero value.
    """
    P = np.asarray(P, dtype=float).reshape(len(P), -1)
    if clusters is not None:
        P = np.column_stack([np.bincount(clusters, weights=P[:, j]) for j in range(P.shape[1])])
    g = max(int((np.abs(P).sum(axis=1) > 0).sum()), 2)
    return P.T @ P * g / (g - 1)


def cluster_se(psi: np.ndarray, clusters: np.ndarray | None = None) -> float:
    """Standard error from per-unit influence values, summed within clusters (default: each unit)."""
    return float(np.sqrt(cluster_cov(psi, clusters)[0, 0]))


def jackknife_se(replicates: np.ndarray) -> float:
    """Jackknife standard error ``sqrt((G - 1) / G * sum (t_g - mean t)^2)`` of the finite replicates.

    Examples
    --------
    >>> round(jackknife_se(np.array([1.0, 2.0, 3.0, np.nan])), 4)
    1.1547
    """
    t = np.asarray(replicates, float)
    t = t[np.isfinite(t)]
    g = len(t)
    if g < 2:
        return float("nan")
    return float(np.sqrt((g - 1) / g * ((t - t.mean()) ** 2).sum()))


def _unit_clusters(panel: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    """Cluster code of every unit (customer, sorted like the design), or None for customers."""
    if cluster is None or cluster == "customer_id":
        return None
    require_columns(panel, [cluster], table="panel")
    first = panel.groupby("customer_id", sort=True)[cluster].first()
    return pd.factorize(first.astype(str), sort=True)[0]


def ratio_ci(ratio: float, se_log: float, confidence_level: float) -> tuple[float, float]:
    """Interval of ``ratio - 1``, symmetric on the log scale: ``ratio * exp(+-z se_log) - 1``."""
    z = z_value(confidence_level)
    return float(ratio * np.exp(-z * se_log) - 1), float(ratio * np.exp(z * se_log) - 1)


def _untreated_rows(design: Design) -> np.ndarray:
    rel = design.rel
    return np.flatnonzero(~np.isfinite(rel) | (rel < 0))


def _treated_pre_rows(design: Design) -> np.ndarray:
    rel = design.rel
    return np.flatnonzero(np.isfinite(rel) & (rel < 0))


def window_rows(rel: np.ndarray, months: tuple[int, int]) -> np.ndarray:
    """Rows whose months since the event ``rel`` lie in ``months[0] .. months[1]`` (NaN: never)."""
    lo, hi = months
    if lo > hi or lo < 0:
        raise ValueError(f"months must be (first, last) with 0 <= first <= last, got {months!r}")
    rel = np.asarray(rel, float)
    return np.flatnonzero(np.isfinite(rel) & (rel >= lo) & (rel <= hi))


def post_rows(design: Design, months: tuple[int, int]) -> np.ndarray:
    """Rows of member-months ``months[0] .. months[1]`` after enrolment."""
    return window_rows(design.rel, months)


def resolve_lapse(panel: pd.DataFrame, lapse: bool | None) -> bool:
    """The estimators' ``lapse`` argument resolved: by default, when the panel has the ``first_month`` column."""
    return "first_month" in panel.columns if lapse is None else bool(lapse)


# ============================================================================ the imputer
@dataclass
class Imputer:
    """The untreated-outcome model of a panel, fitted once and reused."""

    design: Design
    fit: Fit
    untreated: np.ndarray
    pre: np.ndarray
    clusters: np.ndarray | None = None
    _bread: tuple | None = None

    @classmethod
    def from_panel(cls, panel: pd.DataFrame, strata, outcome: str, cluster: str | None = None,
                   exclude: np.ndarray | None = None, lapse: bool = False) -> "Imputer":
        """Fit the untreated model (never-members, members before enrolment) minus ``exclude`` rows."""
        design = design_from_panel(panel, strata, outcome, lapse)
        untreated = _untreated_rows(design)
        pre = _treated_pre_rows(design)
        if exclude is not None:
            untreated = untreated[~exclude[untreated]]
            pre = pre[~exclude[pre]]
        return cls(design, fit_design(design, untreated), untreated, pre, _unit_clusters(panel, cluster))

    @classmethod
    def from_design(cls, design: Design, clusters: np.ndarray | None = None) -> "Imputer":
        """Fit the untreated model of a ready-made :class:`Design` (rows with ``rel`` missing or negative)."""
        untreated = _untreated_rows(design)
        return cls(design, fit_design(design, untreated), untreated, _treated_pre_rows(design), clusters)

    @property
    def lapse(self) -> bool:
        """Whether the untreated model has a lapse slope (the last parameter)."""
        return self.design.lapse

    def bread(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Per-unit scores and bread of the untreated model (computed once)."""
        if self._bread is None:
            self._bread = scores_and_bread(self.design, self.fit)
        return self._bread

    def effect(self, post: np.ndarray, confidence_level: float) -> dict:
        """Ratio effect over member-months ``post`` with its analytic CI."""
        imp = impute(self.design, self.fit, post, self.pre)
        if len(imp["post"]) == 0 or imp["mu0"].sum() <= 0:
            return dict(effect=np.nan, ci_low=np.nan, ci_high=np.nan, se_log=np.nan, observed=0.0, imputed=0.0,
                        n_members=0, n_rows=0, n_dropped_rows=imp["n_dropped"])
        counts = dict(observed=float(self.design.y[imp["post"]].sum()), imputed=float(imp["mu0"].sum()),
                      n_members=int(len(np.unique(self.design.unit[imp["post"]]))), n_rows=int(len(imp["post"])),
                      n_dropped_rows=imp["n_dropped"])
        S, bread = self.bread()
        ratio, psi = ratio_influence(self.design, imp, S, bread)
        if ratio <= 0:  # no orders at all among these member-months (tiny samples): no log-scale CI
            return dict(effect=ratio - 1, ci_low=np.nan, ci_high=np.nan, se_log=np.nan, **counts)
        se_log = cluster_se(psi, self.clusters) / ratio
        lo, hi = ratio_ci(ratio, se_log, confidence_level)
        return dict(effect=ratio - 1, ci_low=lo, ci_high=hi, se_log=se_log, **counts)

    def influence(self, post: np.ndarray) -> tuple[float, np.ndarray, dict]:
        """Ratio over member-months ``post``, its influence values per unit and the imputation.

        The ratio is NaN (influence zero) when no row of ``post`` can be imputed.
        """
        imp = impute(self.design, self.fit, post, self.pre)
        if len(imp["post"]) == 0 or imp["mu0"].sum() <= 0:
            return float("nan"), np.zeros(self.design.n_units), imp
        S, bread = self.bread()
        ratio, psi = ratio_influence(self.design, imp, S, bread)
        return float(ratio), psi, imp

    def jackknife(self, post: np.ndarray) -> np.ndarray:
        """Delete-one-cluster jackknife of the ratio: drop each cluster (city, or unit) in turn, refit, re-impute.

        Returns the log ratio of every replicate (NaN where nothing is left to
        impute); :func:`jackknife_se` turns them into a standard error.
        """
        d = self.design
        cl = np.arange(d.n_units) if self.clusters is None else self.clusters
        out = np.full(int(cl.max()) + 1, np.nan)
        for g in range(len(out)):
            w = (cl != g).astype(float)
            fg = fit_design(d, self.untreated, weights=w, theta0=self.fit.theta)
            imp = impute(d, fg, post, self.pre)
            wp = w[d.unit[imp["post"]]]
            num, den = float((wp * d.y[imp["post"]]).sum()), float((wp * imp["mu0"]).sum())
            if num > 0 and den > 0:
                out[g] = np.log(num / den)
        return out

    def resamples(self, n_boot: int, random_state: int):
        """Cluster bootstrap replications: per-unit multinomial weights and the refitted untreated model."""
        if n_boot < 2:
            raise ValueError("n_boot must be at least 2")
        d = self.design
        rng = np.random.default_rng(random_state)
        cl = np.arange(d.n_units) if self.clusters is None else self.clusters
        n_cl = int(cl.max()) + 1
        for _ in range(n_boot):
            w = rng.multinomial(n_cl, np.full(n_cl, 1.0 / n_cl)).astype(float)[cl]
            yield w, fit_design(d, self.untreated, weights=w, theta0=self.fit.theta)

    def bootstrap(self, post: np.ndarray, n_boot: int, random_state: int) -> np.ndarray:
        """Cluster bootstrap of the ratio: resample customers (multinomial weights), refit, re-impute."""
        d = self.design
        out = []
        for w, fb in self.resamples(n_boot, random_state):
            imp = impute(d, fb, post, self.pre)
            wp = w[d.unit[imp["post"]]]
            out.append(float((wp * d.y[imp["post"]]).sum() / (wp * imp["mu0"]).sum()))
        return np.array(out)
