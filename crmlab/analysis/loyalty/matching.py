"""Propensity-score matching of members to non-members on pre-enrolment behaviour.

:func:`propensity_matching` compares members' purchasing after enrolment with
that of non-members who looked the same before (orders, spend, recency,
tenure, city tier). It removes the part of self-selection that the pre-period
reveals and no more; compare it with :func:`~crmlab.analysis.loyalty.did.did_effect`.

References
----------
Rosenbaum, P. R. & Rubin, D. B. (1983). The central role of the propensity score
in observational studies for causal effects. *Biometrika* 70(1).

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import monthly_panel, propensity_matching
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> panel = monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-06-30")
>>> res = propensity_matching(panel, pre_months=3)
>>> res.n_matched <= res.n_members, list(res.balance.columns)
(True, ['feature', 'smd_before', 'smd_after'])
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..._checks import require_columns
from .._results import DEFAULT_CONFIDENCE, Result
from .panel import check_panel, month_index

__all__ = ["propensity_matching", "MatchingEffect"]


@dataclasses.dataclass(frozen=True, repr=False)
class MatchingEffect(Result):
    """Members vs matched non-members after enrolment (:func:`propensity_matching`).

    Attributes
    ----------
    effect : float
        ``mean(members) / mean(matched non-members) - 1`` of the outcome over the window.
    unmatched_effect : float
        The same against all eligible non-members.
    n_members : int
        Members eligible for matching (complete pre-period and follow-up).
    n_matched : int
        Members with a match within the caliper.
    n_controls : int
        Distinct non-members used as matches.
    balance : DataFrame
        ``feature, smd_before, smd_after``: standardised mean differences of
        the matching features before and after matching.
    ci_low, ci_high : float
        Percentile interval of ``effect`` from a bootstrap of the matched
        pairs (the matching itself held fixed).
    confidence_level : float
    """

    effect: float
    unmatched_effect: float
    n_members: int
    n_matched: int
    n_controls: int
    balance: pd.DataFrame
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    confidence_level: float = DEFAULT_CONFIDENCE


def propensity_matching(
    panel: pd.DataFrame,
    *,
    months: tuple[int, int] = (1, 5),
    pre_months: int = 6,
    caliper: float = 0.2,
    outcome: str = "orders",
    confidence_level: float = DEFAULT_CONFIDENCE,
    n_boot: int = 1000,
    random_state: int = 0,
) -> MatchingEffect:
    """Match members to non-members on pre-enrolment behaviour; compare their post-period purchasing.

    For every enrolment month *g* (cohort), members enrolled in *g* are
    compared with customers not enrolled by ``g + months[1]`` (never- or
    later members), all with a complete ``pre_months`` history before *g*.
    A logistic propensity score of membership is fitted on the pre-period
    features ``orders, log(1 + spend), months since last order, tenure,
    city tier`` and each member is matched, within its cohort, to the
    non-member with the nearest logit score (with replacement, within
    ``caliper`` standard deviations of the logit).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`~crmlab.analysis.loyalty.panel.monthly_panel`;
        ``spend`` and ``city_tier`` are used when present.
    months : (int, int)
        Outcome window in months after enrolment.
    pre_months : int
        Length of the matching window before enrolment.
    caliper : float
        Maximum distance of a match, in standard deviations of the logit
        propensity score.
    outcome : str
        Panel column summed over the outcome window.
    confidence_level : float, default 0.95
        Level of the bootstrap interval of ``effect``.
    n_boot : int
        Bootstrap replications (resampling matched pairs).
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    MatchingEffect
        ``effect``, ``unmatched_effect``, ``n_members, n_matched,
        n_controls`` and the ``balance`` table.

    Notes
    -----
    Matching on observed behaviour removes the part of self-selection that
    the pre-period reveals, not the rest: members with the same past orders
    as a non-member still have a higher *latent* purchase rate (they chose to
    enrol), so the matched comparison still overstates the effect. Compare
    with :func:`~crmlab.analysis.loyalty.did.did_effect`, which uses each
    member's own history.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> n, T = 1000, 14
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> lam0 = rng.gamma(2.0, 0.5, n)
    >>> member = rng.random(n) < lam0 / (1 + lam0)
    >>> rel = t - np.where(member, 7, np.nan)[cid]
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(lam0[cid]), "months_since_enrol": rel,
    ...                   "first_month": pd.Timestamp("2023-12-01")})
    >>> res = propensity_matching(p)
    >>> bool(abs(res.effect) < abs(res.unmatched_effect))
    True
    """
    check_panel(panel)
    require_columns(panel, ["first_month", outcome], table="panel")
    lo, hi = months
    if lo < 0 or hi < lo or pre_months < 1:
        raise ValueError("months must be (first >= 0, last >= first) and pre_months >= 1")
    y, spend, avail, enrol, first, tier = _dense_panel(panel, outcome)
    n_months = y.shape[1]
    cy, cs = _cumsum0(y), _cumsum0(spend)
    rows = []
    cohorts = np.unique(enrol[np.isfinite(enrol)]).astype(int)
    for g in cohorts:
        if g - pre_months < 0 or g + hi >= n_months:
            continue
        ok = (first + 1 <= g - pre_months) & avail[:, g + hi]
        treat = ok & (enrol == g)
        ctrl = ok & ~(enrol <= g + hi)
        if not treat.any() or not ctrl.any():
            continue
        idx = np.flatnonzero(treat | ctrl)
        pre_o = cy[idx, g] - cy[idx, g - pre_months]
        pre_s = cs[idx, g] - cs[idx, g - pre_months]
        last = _last_order_before(y[idx], g)
        recency = np.where(last >= 0, g - last, g - first[idx])
        rows.append(pd.DataFrame({
            "unit": idx, "cohort": g, "treated": treat[idx],
            "pre_orders": pre_o, "pre_log_spend": np.log1p(np.maximum(pre_s, 0)),
            "recency": recency, "tenure": g - first[idx], "city_tier": tier[idx],
            "post": cy[idx, g + hi + 1] - cy[idx, g + lo],
        }))
    if not rows:
        raise ValueError(f"no cohort has members and non-members with {pre_months} months of history "
                         f"and {hi} months of follow-up")
    df = pd.concat(rows, ignore_index=True)
    feats = [f for f in ("pre_orders", "pre_log_spend", "recency", "tenure", "city_tier")
             if df[f].notna().any() and df[f].nunique() > 1]
    X = df[feats].to_numpy(float)
    X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    logit = _propensity_logit(X, df["treated"].to_numpy())
    df["logit"] = logit
    matched = _match_within(df, caliper * float(np.std(logit)))
    tr = df[df["treated"]]
    ctrl_all = df[~df["treated"]]
    mt = tr.loc[matched.index]
    mc = df.loc[matched.to_numpy()]
    if len(mt) == 0:
        raise ValueError("no member found a match within the caliper")
    balance = pd.DataFrame({
        "feature": feats,
        "smd_before": [_smd(tr[f], ctrl_all[f]) for f in feats],
        "smd_after": [_smd(mt[f], mc[f]) for f in feats],
    })
    yt, yc = mt["post"].to_numpy(float), mc["post"].to_numpy(float)
    rng = np.random.default_rng(random_state)
    idx = rng.integers(0, len(yt), size=(n_boot, len(yt)))
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = yt[idx].mean(axis=1) / yc[idx].mean(axis=1) - 1
    alpha = (1 - confidence_level) / 2
    ci = np.nanquantile(reps, [alpha, 1 - alpha]) if len(yt) > 1 else (np.nan, np.nan)
    return MatchingEffect(
        ci_low=float(ci[0]), ci_high=float(ci[1]), confidence_level=float(confidence_level),
        effect=float(mt["post"].mean() / mc["post"].mean() - 1),
        unmatched_effect=float(tr["post"].mean() / ctrl_all["post"].mean() - 1),
        n_members=int(len(tr)), n_matched=int(len(mt)), n_controls=int(mc["unit"].nunique()),
        balance=balance,
    )


def _dense_panel(panel: pd.DataFrame, outcome: str):
    """Customers x months arrays of the panel (zeros where a customer is not in the panel)."""
    unit, ids = pd.factorize(panel["customer_id"], sort=True)
    month = month_index(panel["month"], "panel.month").astype(np.int64)
    m0 = int(month.min())
    col = month - m0
    n_m = int(col.max()) + 1
    y = np.zeros((len(ids), n_m))
    s = np.zeros((len(ids), n_m))
    avail = np.zeros((len(ids), n_m), bool)
    y[unit, col] = pd.to_numeric(panel[outcome], errors="coerce").fillna(0).to_numpy(float)
    if "spend" in panel.columns:
        s[unit, col] = pd.to_numeric(panel["spend"], errors="coerce").fillna(0).to_numpy(float)
    avail[unit, col] = True
    rel = panel["months_since_enrol"].to_numpy(float)
    enrol = np.full(len(ids), np.nan)
    enrol[unit] = col - rel  # NaN for never-members
    first = np.full(len(ids), np.inf)
    fm = month_index(panel["first_month"], "panel.first_month") - m0
    np.minimum.at(first, unit, fm)
    tier = np.full(len(ids), np.nan)
    if "city_tier" in panel.columns:
        tier[unit] = pd.to_numeric(panel["city_tier"], errors="coerce").to_numpy(float)
    return y, s, avail, enrol, first, tier


def _cumsum0(a: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)


def _last_order_before(y: np.ndarray, g: int) -> np.ndarray:
    """Column of the last month before ``g`` with an order (-1 if none)."""
    has = y[:, :g] > 0
    last = g - 1 - np.argmax(has[:, ::-1], axis=1)
    return np.where(has.any(axis=1), last, -1)


def _propensity_logit(X: np.ndarray, treated: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(X)
    model = LogisticRegression(C=1e4, max_iter=1000).fit(Z, treated)
    return model.decision_function(Z)


def _match_within(df: pd.DataFrame, max_dist: float) -> pd.Series:
    """Nearest control (by logit) within cohort for every treated row: treated index -> control index."""
    out = {}
    for _, g in df.groupby("cohort", sort=True):
        c = g[~g["treated"]].sort_values("logit")
        if c.empty:
            continue
        cl = c["logit"].to_numpy()
        t = g[g["treated"]]
        pos = np.searchsorted(cl, t["logit"].to_numpy())
        left = np.clip(pos - 1, 0, len(cl) - 1)
        right = np.clip(pos, 0, len(cl) - 1)
        dl = np.abs(t["logit"].to_numpy() - cl[left])
        dr = np.abs(cl[right] - t["logit"].to_numpy())
        best = np.where(dr < dl, right, left)
        dist = np.minimum(dl, dr)
        for ti, b, dd in zip(t.index, best, dist):
            if dd <= max_dist:
                out[ti] = c.index[b]
    return pd.Series(out, dtype="int64")


def _smd(a: pd.Series, b: pd.Series) -> float:
    sd = np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2) if len(a) > 1 and len(b) > 1 else np.nan
    return float((a.mean() - b.mean()) / sd) if sd and sd > 0 else 0.0
