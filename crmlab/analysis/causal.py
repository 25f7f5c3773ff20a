r"""Did the loyalty programme raise purchasing? Causal evaluation of a loyalty programme.

Loyalty programmes look far more effective in naive comparisons than they are:
customers who already buy a lot are the ones who enrol (self-selection), so
members out-buy non-members whatever the programme does (Leenheer et al. 2007
find naive estimates several times the causal effect). This module builds the
customer x month panel and the estimators a notebook needs to show the naive
number first and the causal one next.

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
pre-treatment profile (``profile`` of :func:`monthly_panel`: age band, city
tier group and value of the first order, all fixed before enrolment) have
its own linear trend on top of the common month effects; members are then
compared with non-members of their own kind. Trends rather than stratum x
month effects keep sparse strata stable: noisy month effects would bias the
ratio downward (Jensen's inequality on the imputed baseline).

Every function takes tables that follow the data contract
(:mod:`crmlab.schema`) or the panel built by :func:`monthly_panel`, and works
on real extracts: none reads planted truth.

References
----------
Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs:
robust and efficient estimation. *Review of Economic Studies* 91(6).
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment
timing. *Journal of Econometrics* 225(2).
Kleven, H. J. (2016). Bunching. *Annual Review of Economics* 8.
Leenheer, J., van Heerde, H. J., Bijmolt, T. H. A. & Smidts, A. (2007). Do
loyalty programs really enhance behavioral loyalty? *IJRM* 24(1).
Roth, J. (2022). Pretest with caution: event-study estimates after testing for
parallel trends. *AER: Insights* 4(3).
McCrary, J. (2008). Manipulation of the running variable in the regression
discontinuity design. *Journal of Econometrics* 142(2).
Wooldridge, J. M. (2023). Simple approaches to nonlinear difference-in-differences
with panel data. *The Econometrics Journal* 26(3).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy import stats

__all__ = [
    "monthly_panel",
    "naive_member_effect",
    "did_event_study",
    "did_effect",
    "pretrend_test",
    "effect_by_segment",
    "propensity_matching",
    "tier_threshold_view",
    "bunching_estimate",
    "points_breakage",
]

#: Value of one loyalty point in yuan.
POINT_VALUE = 0.01


# ============================================================================ helpers
def _require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table} must be a DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table} is missing required column(s): {', '.join(missing)}")


def _month_index(values) -> np.ndarray:
    """Months since year 0 (``year * 12 + month - 1``); NaN for missing dates."""
    ts = pd.to_datetime(pd.Series(values), errors="coerce")
    out = (ts.dt.year * 12 + ts.dt.month - 1).to_numpy(dtype=float)
    return out


def _month_start(index: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_month_index`: first day of each month (datetime64[s])."""
    idx = np.asarray(index, dtype=float)
    ok = np.isfinite(idx)
    months = np.where(ok, idx, 0).astype(np.int64) - (1970 * 12)
    out = months.astype("datetime64[M]").astype("datetime64[s]")
    return np.where(ok, out, np.datetime64("NaT", "s"))


def _as_of(as_of) -> pd.Timestamp:
    ts = pd.Timestamp(as_of)
    if ts is pd.NaT:
        raise ValueError("as_of must be a date")
    return ts


# ============================================================================ panel
_PANEL_COLUMNS = ("customer_id", "month", "orders", "months_since_enrol")


def monthly_panel(
    orders: pd.DataFrame,
    customers: pd.DataFrame,
    loyalty: pd.DataFrame,
    *,
    as_of,
) -> pd.DataFrame:
    """Customer x calendar-month panel of purchasing around loyalty enrolment.

    A customer enters the panel in the month *after* her first order (the
    first order is the acquisition, not repeat behaviour, and the customer is
    known and "at risk" for every day of the following months) and stays until
    the last complete month on or before ``as_of``. Customers without orders
    are not in the panel; orders without a customer or a time are ignored.

    Parameters
    ----------
    orders : DataFrame
        Contract table ``orders``: ``customer_id, order_ts, status`` and, for
        spend, ``order_value``.
    customers : DataFrame
        Contract table ``customers``: ``customer_id``; ``city``,
        ``city_tier`` and ``birth_year`` are used when present.
    loyalty : DataFrame
        Contract table ``loyalty``: ``customer_id, enrol_date``;
        ``city_launch_date`` (with ``customers.city``) gives each city's
        launch month.
    as_of : date-like
        Last day of data (inclusive). Months ending after it are left out.

    Returns
    -------
    DataFrame, one row per customer and month, with columns

    ``customer_id, month`` (first day of the month), ``orders`` (orders
    placed, any status - the purchase decisions), ``completed`` (completed
    orders), ``spend`` (completed order value, yuan; NaN without
    ``order_value``), ``first_month`` (month of the first order),
    ``enrol_month`` (NaT for non-members), ``months_since_enrol`` (event
    time; NaN for non-members), ``launch_month`` (programme launch in the
    customer's city; NaT if unknown), ``member`` (ever enrolled),
    ``city`` (when ``customers`` has it), ``city_tier``, ``tier_group``,
    ``age_band``, ``first_value_band`` (tercile of the
    first order's value), ``profile`` (``age_band|tier group|first_value_band``,
    a pre-treatment customer profile to use as ``strata``).

    Notes
    -----
    Event time is counted in calendar months: ``months_since_enrol = 0`` is
    the month of enrolment, only partly exposed (enrolment falls on a random
    day of it), so the full-effect window of a programme whose effect lasts
    ~180 days is months 1..5.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_ts": pd.to_datetime(["2024-01-05", "2024-03-02", "2024-01-20"]),
    ...     "status": ["completed"] * 3, "order_value": [100.0, 50.0, 80.0]})
    >>> customers = pd.DataFrame({"customer_id": ["A", "B"]})
    >>> loyalty = pd.DataFrame({"customer_id": ["A"], "enrol_date": pd.to_datetime(["2024-03-01"])})
    >>> p = monthly_panel(orders, customers, loyalty, as_of="2024-03-31")
    >>> print(p[["customer_id", "month", "orders", "months_since_enrol"]].to_string(index=False))
    customer_id      month  orders  months_since_enrol
              A 2024-02-01       0                -1.0
              A 2024-03-01       1                 0.0
              B 2024-02-01       0                 NaN
              B 2024-03-01       0                 NaN
    """
    _require(orders, ["customer_id", "order_ts", "status"], "orders")
    _require(customers, ["customer_id"], "customers")
    _require(loyalty, ["customer_id", "enrol_date"], "loyalty")
    as_of = _as_of(as_of)
    ts = pd.to_datetime(orders["order_ts"], errors="coerce")
    o = orders[ts.notna() & orders["customer_id"].notna() & (ts < as_of.normalize() + pd.Timedelta(days=1))]
    if o.empty:
        raise ValueError("orders has no rows on or before as_of")
    last = (as_of.year * 12 + as_of.month - 1) - (0 if (as_of + pd.Timedelta(days=1)).day == 1 else 1)

    om = _month_index(o["order_ts"]).astype(np.int64)
    cid, ids = pd.factorize(o["customer_id"], sort=True)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, cid, om)
    start = first + 1
    n_rows = np.maximum(last - start + 1, 0)
    unit = np.repeat(np.arange(len(ids)), n_rows)
    month = start[unit] + (np.arange(n_rows.sum()) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows))

    completed = (o["status"] == "completed").to_numpy()
    value = (pd.to_numeric(o["order_value"], errors="coerce").to_numpy(float)
             if "order_value" in o.columns else np.full(len(o), np.nan))
    base = int(first.min())
    width = int(last - base + 2)
    rkey = unit * width + (month - base)
    okey = cid * width + (om - base)
    pos = np.searchsorted(rkey, okey)
    inside = (pos < len(rkey)) & (rkey[np.minimum(pos, len(rkey) - 1)] == okey) if len(rkey) else np.zeros(len(okey), bool)
    n_orders = np.bincount(pos[inside], minlength=len(rkey)).astype(np.int64)
    n_comp = np.bincount(pos[inside], weights=completed[inside].astype(float), minlength=len(rkey)).astype(np.int64)
    spend = np.bincount(pos[inside], weights=np.where(completed, np.nan_to_num(value), 0.0)[inside],
                        minlength=len(rkey))
    if "order_value" not in o.columns:
        spend = np.full(len(rkey), np.nan)

    panel = pd.DataFrame({
        "customer_id": ids.to_numpy()[unit],
        "month": _month_start(month),
        "orders": n_orders,
        "completed": n_comp,
        "spend": np.round(spend, 2),
        "first_month": _month_start(first[unit]),
    })
    enrol = pd.Series(_month_index(loyalty["enrol_date"]), index=loyalty["customer_id"].to_numpy())
    enrol = enrol[~enrol.index.duplicated()]
    em = enrol.reindex(ids).to_numpy()[unit]
    panel["enrol_month"] = _month_start(em)
    panel["months_since_enrol"] = month - em
    panel["member"] = np.isfinite(em)
    panel = panel.join(_customer_attributes(o, customers, loyalty, ids, first), on="customer_id")
    return panel


def _customer_attributes(o: pd.DataFrame, customers: pd.DataFrame, loyalty: pd.DataFrame,
                         ids: pd.Index, first: np.ndarray) -> pd.DataFrame:
    """Pre-treatment attributes per customer: tier, age band, first-order value band, launch month."""
    c = customers.drop_duplicates("customer_id").set_index("customer_id").reindex(ids)
    out = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    # launch month per city, from the members' rows
    launch = pd.Series(np.nan, index=ids)
    if "city_launch_date" in loyalty.columns and "city" in c.columns:
        city_of = customers.drop_duplicates("customer_id").set_index("customer_id")["city"]
        lm = pd.Series(_month_index(loyalty["city_launch_date"]), index=loyalty["customer_id"].to_numpy())
        by_city = lm.groupby(city_of.reindex(lm.index).to_numpy()).min()
        launch = c["city"].map(by_city).astype(float)
    out["launch_month"] = _month_start(launch.to_numpy(float))
    if "city" in c.columns:
        out["city"] = c["city"].to_numpy()
    tier = pd.to_numeric(c["city_tier"], errors="coerce") if "city_tier" in c.columns else pd.Series(np.nan, index=ids)
    out["city_tier"] = tier.astype("Int64").to_numpy()
    tier_group = np.where(tier.isna(), "tier?", np.where(tier <= 2, "tier1-2", "tier3-5"))
    first_year = (first // 12).astype(float)
    by = pd.to_numeric(c["birth_year"], errors="coerce").to_numpy(float) if "birth_year" in c.columns \
        else np.full(len(ids), np.nan)
    age = first_year - by
    age_band = np.select([age < 35, age < 45, age >= 45], ["<35", "35-44", "45+"], default="age?")
    out["age_band"] = age_band
    # value of the first order (sum if several on the first day)
    if "order_value" in o.columns:
        oo = o.assign(_d=pd.to_datetime(o["order_ts"]).dt.normalize())
        fday = oo.groupby("customer_id")["_d"].transform("min")
        fv = oo[oo["_d"] == fday].groupby("customer_id")["order_value"].sum().reindex(ids)
        ranks = fv.rank(method="first", pct=True).to_numpy(float)
        band = np.select([ranks <= 1 / 3, ranks <= 2 / 3, ranks <= 1], ["low", "mid", "high"], default="value?")
    else:
        band = np.full(len(ids), "value?")
    out["first_value_band"] = band
    out["tier_group"] = tier_group
    out["profile"] = pd.Series(age_band, index=out.index) + "|" + tier_group + "|" + band
    return out


def _check_panel(panel: pd.DataFrame) -> None:
    _require(panel, _PANEL_COLUMNS, "panel")
    if panel.empty:
        raise ValueError("panel is empty")


# ============================================================================ naive
def naive_member_effect(panel: pd.DataFrame) -> dict:
    """Members' vs non-members' purchasing after launch: the naive comparison.

    Members' customer-months from enrolment on are compared with non-members'
    customer-months from their city's launch on (all months when the launch
    month is unknown).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`monthly_panel`.

    Returns
    -------
    dict with ``member_rate, nonmember_rate`` (orders per customer-month),
    ``rate_lift`` (``member_rate / nonmember_rate - 1``), ``member_spend,
    nonmember_spend, spend_lift`` (completed spend per customer-month) and
    ``n_members, n_nonmembers``.

    Notes
    -----
    This is what a dashboard shows and it mixes the programme's effect with
    self-selection: members would have bought more anyway.

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> p = pd.DataFrame({"customer_id": ["A", "A", "B", "B"], "month": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
    ...     "orders": [1, 3, 1, 1], "spend": [10.0, 30.0, 10.0, 10.0],
    ...     "months_since_enrol": [-1.0, 0.0, np.nan, np.nan], "launch_month": pd.to_datetime(["2024-01-01"] * 4)})
    >>> naive_member_effect(p)["rate_lift"]
    2.0
    """
    _check_panel(panel)
    rel = panel["months_since_enrol"].to_numpy(float)
    member_rows = rel >= 0
    non = ~np.isfinite(rel)
    if "launch_month" in panel.columns:
        lm = pd.to_datetime(panel["launch_month"])
        after = (pd.to_datetime(panel["month"]) >= lm).to_numpy() | lm.isna().to_numpy()
        non &= after
    if not member_rows.any() or not non.any():
        raise ValueError("panel needs member months after enrolment and non-member months after launch")
    y = panel["orders"].to_numpy(float)
    s = panel["spend"].to_numpy(float) if "spend" in panel.columns else np.full(len(panel), np.nan)
    out = dict(
        member_rate=float(y[member_rows].mean()),
        nonmember_rate=float(y[non].mean()),
        member_spend=float(s[member_rows].mean()),
        nonmember_spend=float(s[non].mean()),
        n_members=int(panel.loc[member_rows, "customer_id"].nunique()),
        n_nonmembers=int(panel.loc[non, "customer_id"].nunique()),
    )
    out["rate_lift"] = out["member_rate"] / out["nonmember_rate"] - 1
    out["spend_lift"] = out["member_spend"] / out["nonmember_spend"] - 1
    return out


# ============================================================================ Poisson FE engine
@dataclass
class _Design:
    """A panel as arrays ready for estimation (row order of the panel).

    Parameters are laid out as: calendar months, then event-time dummies
    (if any), then one linear time trend per stratum (if any).
    ``codes[f][row]`` is the parameter of categorical factor *f* acting on
    the row (-1: none); ``trend[row]`` the row's stratum trend parameter and
    ``x[row]`` its time in years (centred).
    """

    unit: np.ndarray
    codes: list[np.ndarray]
    trend: np.ndarray | None
    x: np.ndarray
    y: np.ndarray
    rel: np.ndarray
    n_units: int
    n_params: int


def _design(panel: pd.DataFrame, strata: str | Sequence[str] | None, outcome: str) -> _Design:
    _check_panel(panel)
    if outcome not in panel.columns:
        raise ValueError(f"panel has no outcome column {outcome!r}")
    y = pd.to_numeric(panel[outcome], errors="coerce").to_numpy(float)
    if np.isnan(y).any() or (y < 0).any():
        raise ValueError(f"panel column {outcome!r} must be non-negative with no missing values")
    unit, uid = pd.factorize(panel["customer_id"], sort=True)
    month = _month_index(panel["month"])
    if np.isnan(month).any():
        raise ValueError("panel column 'month' has missing dates")
    mcode, mcats = pd.factorize(month.astype(np.int64), sort=True)
    x = (month - month.mean()) / 12.0
    n_params = len(mcats)
    trend = None
    if strata is not None:
        cols = [strata] if isinstance(strata, str) else list(strata)
        _require(panel, cols, "panel")
        key = panel[cols[0]].astype(str)
        for c in cols[1:]:
            key = key + "|" + panel[c].astype(str)
        scode, scats = pd.factorize(key, sort=True)
        if (pd.Series(scode).groupby(unit).nunique() > 1).any():
            raise ValueError(f"strata column(s) {', '.join(cols)} must be constant within customer")
        trend = scode + n_params
        n_params += len(scats)
    return _Design(unit=unit, codes=[mcode], trend=trend, x=x, y=y,
                   rel=panel["months_since_enrol"].to_numpy(float), n_units=len(uid), n_params=n_params)


def _dummy_offset(design: _Design) -> int:
    """Index of the first parameter after the categorical ones (where dummies go)."""
    return design.n_params if design.trend is None else int(design.trend.min())


def _with_dummies(design: _Design, dummies: np.ndarray, n_dummies: int) -> _Design:
    """The design plus a factor of event-time dummies (-1 = reference); trends move behind them."""
    code = np.where(dummies >= 0, dummies + _dummy_offset(design), -1)
    trend = None if design.trend is None else design.trend + n_dummies
    return _Design(unit=design.unit, codes=[*design.codes, code], trend=trend, x=design.x, y=design.y,
                   rel=design.rel, n_units=design.n_units, n_params=design.n_params + n_dummies)


def _eta(design: _Design, theta: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Linear predictor without the unit effect (-inf where a month is unidentified)."""
    out = np.zeros(len(rows))
    for c in design.codes:
        k = c[rows]
        m = k >= 0
        out[m] += theta[k[m]]
    if design.trend is not None:
        out += theta[design.trend[rows]] * design.x[rows]
    return out


@dataclass
class _Fit:
    """A fitted Poisson model with the unit effects concentrated out."""

    rows: np.ndarray  # panel rows used
    theta: np.ndarray  # -inf: a month or dummy without information
    eta: np.ndarray  # per fit row
    unit_total: np.ndarray  # per unit, over fit rows
    unit_exp: np.ndarray  # per unit: sum of exp(eta) over fit rows
    iterations: int
    converged: bool


def _rake(y: np.ndarray, unit: np.ndarray, codes: list[np.ndarray], trend: np.ndarray | None, x: np.ndarray,
          n_params: int, n_units: int, weights: np.ndarray | None = None, theta0: np.ndarray | None = None,
          tol: float = 1e-9, max_iter: int = 2000) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Poisson maximum likelihood with unit effects, categorical factors and stratum trends.

    Block coordinate ascent on the concentrated (multinomial) likelihood:
    the unit effects are concentrated out exactly, each categorical factor's
    score equation ``sum(y) = sum(mu)`` is solved in closed form
    (iterative proportional fitting), and each stratum trend takes an exact
    Newton step given the rest.
    """
    w = np.ones_like(y) if weights is None else weights
    wy = w * y
    theta = np.zeros(n_params) if theta0 is None else np.where(np.isfinite(theta0), theta0, 0.0)
    eta = np.zeros(len(y))
    masks = [(c >= 0) for c in codes]
    for c, m in zip(codes, masks):
        eta[m] += theta[c[m]]
    if trend is not None:
        eta += theta[trend] * x
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
        if trend is not None:
            mu = fitted()
            grad = np.bincount(trend, weights=x * (wy - mu), minlength=n_params)
            sx = np.bincount(unit, weights=x * mu, minlength=n_units)
            sm = np.maximum(np.bincount(unit, weights=mu, minlength=n_units), 1e-300)
            hess = np.bincount(trend, weights=x * x * mu, minlength=n_params)
            first = np.zeros(n_units)
            first[unit] = trend  # units sit in one stratum
            hess -= np.bincount(first.astype(np.int64), weights=sx * sx / sm, minlength=n_params)
            ok = hess > 1e-12
            step = np.zeros(n_params)
            step[ok] = np.clip(grad[ok] / hess[ok], -1.0, 1.0)
            theta += step
            eta += step[trend] * x
            biggest = max(biggest, float(np.abs(step).max()))
        if biggest < tol:
            converged = True
            break
    return theta, eta, it, converged


def _fit(design: _Design, rows: np.ndarray, weights: np.ndarray | None = None,
         theta0: np.ndarray | None = None) -> _Fit:
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
    trend = None if design.trend is None else design.trend[rows]
    w = None if weights is None else wu[design.unit[rows]]
    y, unit = design.y[rows], design.unit[rows]
    theta, eta, it, conv = _rake(y, unit, codes, trend, design.x[rows], design.n_params, design.n_units, w, theta0)
    if not conv:
        warnings.warn(f"the Poisson fixed-effects fit did not converge in {it} iterations", RuntimeWarning,
                      stacklevel=3)
    present = np.zeros(design.n_params, bool)
    for c in codes:
        present[c[c >= 0]] = True
    if trend is not None:
        present[trend] = True
    theta = np.where(present, theta, -np.inf)
    if trend is not None:  # a stratum without rows has no trend: use 0 for its members
        t_idx = np.unique(design.trend)
        theta[t_idx] = np.where(np.isfinite(theta[t_idx]), theta[t_idx], 0.0)
    ww = np.ones(len(rows)) if w is None else w
    utot = np.bincount(unit, weights=ww * y, minlength=design.n_units)
    uexp = np.bincount(unit, weights=ww * np.exp(eta), minlength=design.n_units)
    return _Fit(rows=rows, theta=theta, eta=eta, unit_total=utot, unit_exp=uexp, iterations=it, converged=conv)


def _row_matrix(design: _Design, rows: np.ndarray) -> sparse.csr_matrix:
    """Sparse design of ``rows`` (one column per parameter: 0/1 dummies, time for trends)."""
    r, c, v = [], [], []
    for code in design.codes:
        k = code[rows]
        m = k >= 0
        r.append(np.flatnonzero(m))
        c.append(k[m])
        v.append(np.ones(int(m.sum())))
    if design.trend is not None:
        r.append(np.arange(len(rows)))
        c.append(design.trend[rows])
        v.append(design.x[rows])
    r, c, v = np.concatenate(r), np.concatenate(c), np.concatenate(v)
    return sparse.csr_matrix((v, (r, c)), shape=(len(rows), design.n_params))


def _scores_and_bread(design: _Design, fit: _Fit) -> tuple[sparse.csr_matrix, np.ndarray]:
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


def _imputation(design: _Design, fit: _Fit, post: np.ndarray, pre: np.ndarray) -> dict:
    """Imputed untreated expectation ``mu0`` of member-months ``post``.

    A member's level is ``P_i / E_i`` with ``P_i`` its orders and ``E_i`` the
    summed ``exp(eta)`` over its own untreated months ``pre``; then
    ``mu0_it = P_i exp(eta_it) / E_i``. Rows whose month effect is not
    identified, and members without untreated months, are dropped.
    """
    eta_post = _eta(design, fit.theta, post)
    ok = np.isfinite(eta_post)
    eta_pre = _eta(design, fit.theta, pre)
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


def _ratio_influence(design: _Design, imp: dict, S: sparse.csr_matrix, bread: np.ndarray) -> tuple[float, np.ndarray]:
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


def _cluster_se(psi: np.ndarray, clusters: np.ndarray | None = None) -> float:
    """Standard error from per-unit influence values, summed within clusters (default: each unit)."""
    if clusters is not None:
        psi = np.bincount(clusters, weights=psi)
    g = max(int((psi != 0).sum()), 2)
    return float(np.sqrt((psi ** 2).sum() * g / (g - 1)))


def _unit_clusters(panel: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    """Cluster code of every unit (customer, sorted like the design), or None for customers."""
    if cluster is None or cluster == "customer_id":
        return None
    _require(panel, [cluster], "panel")
    first = panel.groupby("customer_id", sort=True)[cluster].first()
    return pd.factorize(first.astype(str), sort=True)[0]


def _ci(ratio: float, se_log: float, alpha: float) -> tuple[float, float]:
    z = stats.norm.ppf(1 - alpha / 2)
    return float(ratio * np.exp(-z * se_log) - 1), float(ratio * np.exp(z * se_log) - 1)


def _untreated_rows(design: _Design) -> np.ndarray:
    rel = design.rel
    return np.flatnonzero(~np.isfinite(rel) | (rel < 0))


def _treated_pre_rows(design: _Design) -> np.ndarray:
    rel = design.rel
    return np.flatnonzero(np.isfinite(rel) & (rel < 0))


def _post_rows(design: _Design, months: tuple[int, int]) -> np.ndarray:
    lo, hi = months
    if lo > hi or lo < 0:
        raise ValueError(f"months must be (first, last) with 0 <= first <= last, got {months!r}")
    rel = design.rel
    return np.flatnonzero(np.isfinite(rel) & (rel >= lo) & (rel <= hi))


# ============================================================================ DiD estimators
@dataclass
class _Imputer:
    """The untreated-outcome model of a panel, fitted once and reused."""

    design: _Design
    fit: _Fit
    untreated: np.ndarray
    pre: np.ndarray
    clusters: np.ndarray | None = None
    _bread: tuple | None = None

    @classmethod
    def from_panel(cls, panel: pd.DataFrame, strata, outcome: str, cluster: str | None = None,
                   exclude: np.ndarray | None = None) -> "_Imputer":
        design = _design(panel, strata, outcome)
        untreated = _untreated_rows(design)
        pre = _treated_pre_rows(design)
        if exclude is not None:
            untreated = untreated[~exclude[untreated]]
            pre = pre[~exclude[pre]]
        return cls(design, _fit(design, untreated), untreated, pre, _unit_clusters(panel, cluster))

    def bread(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        if self._bread is None:
            self._bread = _scores_and_bread(self.design, self.fit)
        return self._bread

    def effect(self, post: np.ndarray, alpha: float) -> dict:
        """Ratio effect over member-months ``post`` with its analytic CI."""
        imp = _imputation(self.design, self.fit, post, self.pre)
        if len(imp["post"]) == 0 or imp["mu0"].sum() <= 0:
            return dict(effect=np.nan, ci_low=np.nan, ci_high=np.nan, se_log=np.nan, observed=0.0, imputed=0.0,
                        n_members=0, n_rows=0, n_dropped_rows=imp["n_dropped"])
        S, bread = self.bread()
        ratio, psi = _ratio_influence(self.design, imp, S, bread)
        if ratio <= 0:  # no orders at all among these member-months (tiny samples): no log-scale CI
            return dict(effect=ratio - 1, ci_low=np.nan, ci_high=np.nan, se_log=np.nan,
                        observed=float(self.design.y[imp["post"]].sum()), imputed=float(imp["mu0"].sum()),
                        n_members=int(len(np.unique(self.design.unit[imp["post"]]))), n_rows=int(len(imp["post"])),
                        n_dropped_rows=imp["n_dropped"])
        se_log = _cluster_se(psi, self.clusters) / ratio
        lo, hi = _ci(ratio, se_log, alpha)
        return dict(effect=ratio - 1, ci_low=lo, ci_high=hi, se_log=se_log,
                    observed=float(self.design.y[imp["post"]].sum()), imputed=float(imp["mu0"].sum()),
                    n_members=int(len(np.unique(self.design.unit[imp["post"]]))), n_rows=int(len(imp["post"])),
                    n_dropped_rows=imp["n_dropped"])

    def bootstrap(self, post: np.ndarray, n_boot: int, random_state: int) -> np.ndarray:
        """Cluster bootstrap of the ratio: resample customers (multinomial weights), refit, re-impute."""
        if n_boot < 2:
            raise ValueError("n_boot must be at least 2")
        d = self.design
        rng = np.random.default_rng(random_state)
        cl = np.arange(d.n_units) if self.clusters is None else self.clusters
        n_cl = int(cl.max()) + 1
        out = np.empty(n_boot)
        for b in range(n_boot):
            w = rng.multinomial(n_cl, np.full(n_cl, 1.0 / n_cl)).astype(float)[cl]
            fb = _fit(d, self.untreated, weights=w, theta0=self.fit.theta)
            imp = _imputation(d, fb, post, self.pre)
            wp = w[d.unit[imp["post"]]]
            out[b] = float((wp * d.y[imp["post"]]).sum() / (wp * imp["mu0"]).sum())
        return out


def did_effect(
    panel: pd.DataFrame,
    *,
    months: tuple[int, int] = (1, 5),
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    method: str = "analytic",
    n_boot: int = 200,
    alpha: float = 0.05,
    random_state: int = 0,
) -> dict:
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
        Output of :func:`monthly_panel` (``customer_id, month, orders,
        months_since_enrol`` are required).
    months : (int, int)
        First and last month after enrolment (inclusive) in the window. The
        default (1, 5) is the full-effect period of a programme whose effect
        lasts ~180 days; month 0 is only partly exposed.
    strata : str or list of str, optional
        Panel column(s) of pre-treatment customer attributes, constant
        within customer; each stratum gets its own linear time trend
        (conditional parallel trends). ``"profile"`` from
        :func:`monthly_panel` is the recommended choice.
    cluster : str, optional
        Panel column to cluster standard errors on (default: customers).
        The programme's launch date is assigned by city, so ``"city"``
        (assignment-level clustering, Abadie et al. 2023) is the
        conservative choice.
    outcome : str
        Count-like panel column (``orders``, ``completed`` or ``spend``).
    method : {"analytic", "bootstrap"}
        Confidence interval from the delta-method influence function, or
        from a bootstrap resampling customers (or the ``cluster`` groups).
    n_boot : int
        Bootstrap replications (``method="bootstrap"``).
    alpha : float
        1 - confidence level.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    dict with ``effect, ci_low, ci_high, se_log`` (standard error of
    ``log(1 + effect)``), ``observed, imputed`` (orders in the window and
    their imputed untreated expectation), ``n_members`` (members with an
    untreated baseline month and a month in the window), ``n_rows``,
    ``n_dropped_rows`` (member-months without a baseline or an estimable
    month effect), ``n_control_customers`` (never-members in the fit) and
    ``method``.

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
    >>> res["ci_low"] < 0.3 < res["ci_high"]
    True
    """
    imp = _Imputer.from_panel(panel, strata, outcome, cluster)
    post = _post_rows(imp.design, months)
    if len(post) == 0:
        raise ValueError(f"panel has no member months {months[0]}..{months[1]} after enrolment")
    out = imp.effect(post, alpha)
    if out["n_rows"] == 0:
        raise ValueError("no member in the window has a pre-enrolment baseline")
    if method == "bootstrap":
        reps = imp.bootstrap(post, n_boot, random_state)
        out["se_log"] = float(np.std(np.log(reps), ddof=1))
        out["ci_low"], out["ci_high"] = _ci(1 + out["effect"], out["se_log"], alpha)
    elif method != "analytic":
        raise ValueError(f"method must be 'analytic' or 'bootstrap', got {method!r}")
    d = imp.design
    never = imp.fit.rows[~np.isfinite(d.rel[imp.fit.rows])]
    out["n_control_customers"] = int(len(np.unique(d.unit[never])))
    out["method"] = method
    return out


def did_event_study(
    panel: pd.DataFrame,
    *,
    window: tuple[int, int] = (-6, 9),
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    alpha: float = 0.05,
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
        Output of :func:`monthly_panel`.
    window : (int, int)
        First (negative) and last (non-negative) event month to report.
    strata, cluster, outcome, alpha
        As in :func:`did_effect`.

    Returns
    -------
    DataFrame with one row per event month: ``event_time, effect`` (relative
    change in the order rate, ratio - 1), ``ci_low, ci_high, se_log,
    n_members, n_rows`` and ``estimate`` (``"pre-trend test"``,
    ``"reference"`` or ``"imputation"``).

    Notes
    -----
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
    imp = _Imputer.from_panel(panel, strata, outcome, cluster)
    d = imp.design
    rows = []
    rows += _pretrend_rows(imp, lo, alpha)
    rows.append(dict(event_time=-1, effect=0.0, ci_low=0.0, ci_high=0.0, se_log=0.0,
                     n_members=int(len(np.unique(d.unit[d.rel == -1]))), n_rows=int((d.rel == -1).sum()),
                     estimate="reference"))
    for k in range(0, hi + 1):
        post = np.flatnonzero(d.rel == k)
        res = imp.effect(post, alpha) if len(post) else dict(effect=np.nan, ci_low=np.nan, ci_high=np.nan,
                                                             se_log=np.nan, n_members=0, n_rows=0)
        rows.append(dict(event_time=k, effect=res["effect"], ci_low=res["ci_low"], ci_high=res["ci_high"],
                         se_log=res["se_log"], n_members=res["n_members"], n_rows=res["n_rows"],
                         estimate="imputation"))
    return pd.DataFrame(rows)


def _pretrend_fit(imp: _Imputer, lo: int) -> tuple[list[int], np.ndarray, np.ndarray]:
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
    aug = _with_dummies(d, dummies, len(ks) + 1)
    fit = _fit(aug, imp.untreated)
    S, bread = _scores_and_bread(aug, fit)
    if imp.clusters is not None:
        C = sparse.csr_matrix((np.ones(d.n_units), (imp.clusters, np.arange(d.n_units))))
        S = sparse.csr_matrix(C @ S)
    g = max(int(np.asarray((abs(S) @ np.ones(aug.n_params)) != 0).sum()), 2)
    V = bread @ (S.T @ S).toarray() @ bread * g / (g - 1)
    cols = _dummy_offset(d) + np.arange(len(ks))
    return ks, fit.theta[cols], V[np.ix_(cols, cols)]


def _pretrend_rows(imp: _Imputer, lo: int, alpha: float) -> list[dict]:
    ks, b, V = _pretrend_fit(imp, lo)
    d = imp.design
    fin = np.isfinite(d.rel)
    z = stats.norm.ppf(1 - alpha / 2)
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
) -> dict:
    r"""Joint Wald test that members' pre-enrolment months follow the untreated model.

    Event-time dummies for months ``-n_pre .. -2`` before enrolment (month
    ``-1`` is the reference; earlier months share one dummy) are added to the
    untreated Poisson model of :func:`did_effect`; under parallel trends
    they are all 0 (Borusyak, Jaravel & Spiess 2024, test of pre-trends).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`monthly_panel`.
    n_pre : int
        Number of months before enrolment to test (at least 2).
    strata, cluster, outcome
        As in :func:`did_effect`.

    Returns
    -------
    dict with ``chi2``, ``df``, ``p_value`` and ``coefficients`` (Series of
    ratio - 1 by event month).

    Notes
    -----
    :math:`\chi^2 = \hat b' \hat V^{-1} \hat b` with :math:`\hat b` the log
    coefficients and :math:`\hat V` their sandwich covariance.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> n, T = 1000, 14
    >>> cid = np.repeat(np.arange(n), T); t = np.tile(np.arange(T), n)
    >>> rel = t - np.where(np.arange(n) < 500, 7 + np.arange(n) % 5, np.nan)[cid]
    >>> p = pd.DataFrame({"customer_id": cid, "month": pd.Timestamp("2024-01-01") + pd.to_timedelta(t * 31, "D"),
    ...                   "orders": rng.poisson(rng.gamma(2.0, 0.5, n)[cid]), "months_since_enrol": rel})
    >>> pretrend_test(p, n_pre=4)["p_value"] > 0.05
    True
    """
    if n_pre < 2:
        raise ValueError("n_pre must be at least 2")
    imp = _Imputer.from_panel(panel, strata, outcome, cluster)
    ks, b, V = _pretrend_fit(imp, -n_pre)
    ok = np.isfinite(b)
    if not ok.any():
        raise ValueError(f"no member has orders in the {n_pre} months before enrolment")
    bb, VV = b[ok], V[np.ix_(ok, ok)]
    chi2 = float(bb @ np.linalg.pinv(VV) @ bb)
    df = int(ok.sum())
    return dict(chi2=chi2, df=df, p_value=float(stats.chi2.sf(chi2, df)),
                coefficients=pd.Series(np.expm1(b), index=pd.Index(ks, name="event_time")))


def effect_by_segment(
    panel: pd.DataFrame,
    *,
    by: str | None = None,
    months: tuple[int, int] = (1, 5),
    n_groups: int = 3,
    baseline_months: int = 3,
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    outcome: str = "orders",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The causal lift of :func:`did_effect` by group of members.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`monthly_panel`.
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
    strata, cluster, outcome, alpha
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
    _check_panel(panel)
    rel = panel["months_since_enrol"].to_numpy(float)
    if by is not None:
        _require(panel, [by], "panel")
        imp = _Imputer.from_panel(panel, strata, outcome, cluster)
        members = panel.loc[np.isfinite(rel)].groupby("customer_id", sort=True)[by].first()
        pre_rate = _pre_rate(panel, rel < 0)
        labels = members
    else:
        if n_groups < 2 or baseline_months < 1:
            raise ValueError("n_groups must be >= 2 and baseline_months >= 1")
        classify = np.isfinite(rel) & (rel < -baseline_months)
        base = np.isfinite(rel) & (rel < 0) & ~classify
        pre_rate = _pre_rate(panel, classify)
        has_base = panel.loc[base, "customer_id"].unique()
        pre_rate = pre_rate[pre_rate.index.isin(has_base)]
        if len(pre_rate) < n_groups:
            raise ValueError(f"too few members with {baseline_months + 1}+ pre-enrolment months to form {n_groups} groups")
        names = ["light", "moderate", "heavy"] if n_groups == 3 else [f"q{i + 1}" for i in range(n_groups)]
        labels = pd.Series(pd.qcut(pre_rate.rank(method="first"), n_groups, labels=names).astype(str),
                           index=pre_rate.index)
        # classification months leave the model; members without a grouping are not estimated
        imp = _Imputer.from_panel(panel, strata, outcome, cluster, exclude=classify)
    d = imp.design
    ids = pd.Index(np.sort(panel["customer_id"].unique()))
    unit_label = labels.reindex(ids).to_numpy()
    post_all = _post_rows(d, months)
    out = []
    for g in pd.unique(labels.dropna()):
        sel = post_all[unit_label[d.unit[post_all]] == g]
        res = imp.effect(sel, alpha)
        who = labels.index[labels == g]
        out.append(dict(group=g, effect=res["effect"], ci_low=res["ci_low"], ci_high=res["ci_high"],
                        se_log=res["se_log"], n_members=res["n_members"], n_rows=res["n_rows"],
                        pre_rate=float(pre_rate.reindex(who).mean())))
    res = pd.DataFrame(out)
    if by is None:
        res["group"] = pd.Categorical(res["group"], categories=names, ordered=True)
    return res.sort_values("group").reset_index(drop=True)


def _pre_rate(panel: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    """Orders per month over the rows in ``mask``, per customer."""
    g = panel.loc[mask].groupby("customer_id", sort=True)["orders"]
    return g.sum() / g.size()


# ============================================================================ matching
def propensity_matching(
    panel: pd.DataFrame,
    *,
    months: tuple[int, int] = (1, 5),
    pre_months: int = 6,
    caliper: float = 0.2,
    outcome: str = "orders",
) -> dict:
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
        Output of :func:`monthly_panel`; ``spend`` and ``city_tier`` are used
        when present.
    months : (int, int)
        Outcome window in months after enrolment.
    pre_months : int
        Length of the matching window before enrolment.
    caliper : float
        Maximum distance of a match, in standard deviations of the logit
        propensity score.
    outcome : str
        Panel column summed over the outcome window.

    Returns
    -------
    dict with ``effect`` (``mean(members) / mean(matched non-members) - 1``
    of the outcome over the window), ``unmatched_effect`` (the same against
    all eligible non-members), ``n_members, n_matched, n_controls`` and
    ``balance``, a DataFrame of standardised mean differences of the
    features before and after matching.

    Notes
    -----
    Matching on observed behaviour removes the part of self-selection that
    the pre-period reveals, not the rest: members with the same past orders
    as a non-member still have a higher *latent* purchase rate (they chose to
    enrol), so the matched comparison still overstates the effect. Compare
    with :func:`did_effect`, which uses each member's own history.

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
    >>> bool(abs(res["effect"]) < abs(res["unmatched_effect"]))
    True
    """
    _check_panel(panel)
    _require(panel, ["first_month", outcome], "panel")
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
    return dict(
        effect=float(mt["post"].mean() / mc["post"].mean() - 1),
        unmatched_effect=float(tr["post"].mean() / ctrl_all["post"].mean() - 1),
        n_members=int(len(tr)), n_matched=int(len(mt)), n_controls=int(mc["unit"].nunique()),
        balance=balance,
    )


def _dense_panel(panel: pd.DataFrame, outcome: str):
    """Customers x months arrays of the panel (zeros where a customer is not in the panel)."""
    unit, ids = pd.factorize(panel["customer_id"], sort=True)
    month = _month_index(panel["month"]).astype(np.int64)
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
    fm = _month_index(panel["first_month"]) - m0
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


# ============================================================================ tiers: bunching
def tier_threshold_view(
    loyalty: pd.DataFrame,
    threshold: float,
    *,
    bin_width: float = 500.0,
    window: tuple[float, float] = (0.5, 1.75),
    excluded: tuple[float, float] = (0.75, 1.1),
    degree: int = 3,
) -> pd.DataFrame:
    """Histogram of qualifying spend around a tier threshold, with a smooth counterfactual.

    Parameters
    ----------
    loyalty : DataFrame
        Contract table ``loyalty`` with ``qualifying_spend``.
    threshold : float
        The tier threshold (yuan), e.g. ``truth["loyalty"]["tier_threshold"]``
        or the programme's published rule.
    bin_width : float
        Width of the histogram bins (yuan); the threshold is a bin edge.
    window : (float, float)
        Range of the histogram, as multiples of the threshold.
    excluded : (float, float)
        The manipulation region, as multiples of the threshold: bins inside
        it are left out of the polynomial fit (members just below may have
        topped up to just above).
    degree : int
        Degree of the polynomial in spend fitted, as a Poisson regression
        (log link: spend densities fall off roughly exponentially), to the
        bin counts outside the excluded region (Chetty et al. 2011;
        Kleven 2016).

    Returns
    -------
    DataFrame, one row per bin: ``bin_left, bin_right, count, counterfactual``
    (polynomial fit), ``excess`` (count - counterfactual), ``excluded``
    (bin in the manipulation region) and ``above`` (bin at or above the
    threshold).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> spend = rng.uniform(5000, 40000, 4000)
    >>> moved = (spend > 16000) & (spend < 20000) & (rng.random(4000) < 0.5)
    >>> spend[moved] = 20000 + rng.uniform(0, 800, moved.sum())
    >>> view = tier_threshold_view(pd.DataFrame({"qualifying_spend": spend}), 20000)
    >>> int(view.loc[view.bin_left == 20000, "excess"].round(-1).iloc[0]) > 100
    True
    """
    _require(loyalty, ["qualifying_spend"], "loyalty")
    if threshold <= 0 or bin_width <= 0:
        raise ValueError("threshold and bin_width must be positive")
    lo_w, hi_w = window
    ex_lo, ex_hi = excluded
    if not (lo_w < ex_lo <= 1 <= ex_hi < hi_w):
        raise ValueError("need window[0] < excluded[0] <= 1 <= excluded[1] < window[1]")
    q = pd.to_numeric(loyalty["qualifying_spend"], errors="coerce").dropna().to_numpy(float)
    n_below = int(np.floor((1 - lo_w) * threshold / bin_width))
    n_above = int(np.ceil((hi_w - 1) * threshold / bin_width))
    edges = threshold + bin_width * np.arange(-n_below, n_above + 1)
    counts, _ = np.histogram(q, bins=edges)
    left, right = edges[:-1], edges[1:]
    mid = (left + right) / 2
    excl = (right > ex_lo * threshold) & (left < ex_hi * threshold)
    if (~excl).sum() <= degree + 1:
        raise ValueError("too few bins outside the excluded region for the polynomial fit")
    z = (mid - threshold) / threshold
    cf = _poisson_poly(z, counts, ~excl, degree)
    return pd.DataFrame({"bin_left": left, "bin_right": right, "count": counts, "counterfactual": cf,
                         "excess": counts - cf, "excluded": excl, "above": left >= threshold})


def _poisson_poly(z: np.ndarray, counts: np.ndarray, fit: np.ndarray, degree: int) -> np.ndarray:
    """Fitted counts of a Poisson regression of ``counts[fit]`` on a polynomial in ``z``."""
    import statsmodels.api as sm

    X = np.vander(z, degree + 1, increasing=True)
    res = sm.GLM(counts[fit], X[fit], family=sm.families.Poisson()).fit()
    return np.asarray(res.predict(X))


def bunching_estimate(
    loyalty: pd.DataFrame,
    threshold: float,
    **kwargs,
) -> dict:
    """Excess mass just above a tier threshold (bunching) and missing mass just below.

    Parameters
    ----------
    loyalty : DataFrame
        Contract table ``loyalty`` with ``qualifying_spend``.
    threshold : float
        The tier threshold (yuan).
    **kwargs
        Passed to :func:`tier_threshold_view` (``bin_width, window,
        excluded, degree``).

    Returns
    -------
    dict with ``excess`` (members above the threshold in the manipulation
    region beyond the counterfactual), ``missing`` (members missing below
    it; less reliable, as top-ups may overshoot past the excluded region),
    ``excess_se`` (Poisson standard error of ``excess``), ``b`` (``excess``
    divided by the counterfactual count of one bin at the threshold:
    Kleven's normalised bunching), ``density_ratio`` (count in the first bin
    above / count in the last bin below; about 1, or a bit below on a
    falling density, without manipulation) and ``p_value`` (one-sided
    binomial test that the first bin above holds more than half of the two
    bins around the threshold: a local, McCrary-style check).

    Notes
    -----
    With bunching, members just above the threshold are not comparable to
    members just below (they chose to get there), so a regression
    discontinuity at the tier threshold (gold vs standard) is invalid
    (McCrary 2008).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> spend = rng.uniform(5000, 40000, 4000)
    >>> bunching_estimate(pd.DataFrame({"qualifying_spend": spend}), 20000)["excess"] < 60
    True
    """
    view = tier_threshold_view(loyalty, threshold, **kwargs)
    above = view["excluded"] & view["above"]
    below = view["excluded"] & ~view["above"]
    excess = float(view.loc[above, "excess"].sum())
    missing = float(-view.loc[below, "excess"].sum())
    first_above = view.loc[view["above"]].iloc[0]
    last_below = view.loc[~view["above"]].iloc[-1]
    n_up, n_down = int(first_above["count"]), int(last_below["count"])
    p_local = float(stats.binomtest(n_up, n_up + n_down, 0.5, alternative="greater").pvalue) if n_up + n_down else 1.0
    return dict(
        excess=excess,
        missing=missing,
        excess_se=float(np.sqrt(view.loc[above, "count"].sum() + view.loc[above, "counterfactual"].clip(lower=0).sum())),
        b=excess / float(first_above["counterfactual"]) if first_above["counterfactual"] > 0 else np.nan,
        density_ratio=float(n_up / n_down) if n_down > 0 else np.inf,
        p_value=p_local,
    )


# ============================================================================ points
def points_breakage(
    points_ledger: pd.DataFrame,
    *,
    as_of,
    expiry_days: int = 365,
    point_value: float = POINT_VALUE,
    method: str = "survival",
) -> dict:
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
    dict with ``breakage``, ``breakage_settled`` (the settled-lots estimate),
    ``n_lots``, ``n_settled_lots``, ``liability_points`` (outstanding
    balance at ``as_of``), ``face_value_yuan`` (``balance * point_value``)
    and ``liability_yuan`` (``balance * point_value * (1 - breakage)``:
    what the balance is expected to cost).

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
    >>> res["breakage"], res["liability_points"], res["liability_yuan"]
    (0.25, 400, 3.0)
    """
    _require(points_ledger, ["customer_id", "ts", "kind", "points"], "points_ledger")
    if expiry_days <= 0:
        raise ValueError("expiry_days must be positive")
    if method not in ("survival", "settled"):
        raise ValueError(f"method must be 'survival' or 'settled', got {method!r}")
    cutoff = _as_of(as_of).normalize() + pd.Timedelta(days=1)
    led = points_ledger.assign(ts=pd.to_datetime(points_ledger["ts"]))
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
    return dict(
        breakage=breakage,
        breakage_settled=b_settled,
        n_lots=int(len(earn)),
        n_settled_lots=int(len(settled)),
        liability_points=balance,
        face_value_yuan=round(balance * point_value, 2),
        liability_yuan=round(balance * point_value * (1 - breakage), 2),
    )


def _km_no_redemption(lots: pd.DataFrame, cutoff: pd.Timestamp, expiry_days: int) -> float:
    """Points-weighted Kaplan-Meier probability that a lot is not redeemed before it expires."""
    age_days = lambda a, b: (a - b) / pd.Timedelta(days=1)  # noqa: E731
    redeemed = (lots["close_kind"] == "redeem").to_numpy()
    t = np.where(redeemed, age_days(lots["close_ts"], lots["ts"]).to_numpy(float),
                 np.minimum(age_days(cutoff, lots["ts"]).to_numpy(float), float(expiry_days)))
    w = lots["points"].to_numpy(float)
    order = np.argsort(t, kind="stable")
    t, w, ev = t[order], w[order], redeemed[order]
    at_risk = np.cumsum(w[::-1])[::-1]  # points still unredeemed and observed at t_j (ties: first of the group)
    times, first = np.unique(t, return_index=True)
    red = np.bincount(np.searchsorted(times, t[ev]), weights=w[ev], minlength=len(times))
    risk = at_risk[first]
    keep = (times < expiry_days) & (red > 0)
    return float(np.prod(1 - red[keep] / risk[keep]))
