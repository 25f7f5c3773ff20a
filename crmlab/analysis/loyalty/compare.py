"""Naive, matching and difference-in-differences estimates on the same members, and their ratio.

Comparing estimators only makes sense on the same members: each estimator
drops different members (matching needs a full pre-period and follow-up,
the difference-in-differences a baseline month), and a gap between two
numbers computed on 1,300 and on 340 members mixes the estimators'
difference with the difference between the member sets.
:func:`common_members` gives the members every estimator can use and
:func:`same_members` the panel restricted to them (non-members kept).
:func:`naive_did_ratio` measures how many times the naive comparison
overstates the causal estimate, with a bootstrap interval.

Examples
--------
>>> import crmlab
>>> from crmlab.analysis.loyalty import common_members, monthly_panel, naive_did_ratio, same_members
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> panel = monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-12-31")
>>> sub = same_members(panel, common_members(panel, months=(1, 5), pre_months=6))
>>> res = naive_did_ratio(sub, months=(1, 5), n_boot=20)
>>> res.n_boot
20
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd

from ..._checks import as_datetimes
from .._results import DEFAULT_CONFIDENCE, Result
from ._imputation import Imputer, impute, post_rows, resolve_lapse
from .panel import check_panel

__all__ = ["common_members", "same_members", "naive_did_ratio", "RatioEstimate"]


def common_members(panel: pd.DataFrame, *, months: tuple[int, int] = (1, 5), pre_months: int = 6) -> pd.Index:
    """Members with ``pre_months`` panel months before enrolment and every month of the window after it.

    These members enter the naive comparison, propensity matching (same
    ``pre_months``) and the difference-in-differences alike.

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["A"] * 4 + ["B"] * 2,
    ...                   "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01",
    ...                                            "2024-03-01", "2024-04-01"]),
    ...                   "orders": 0, "months_since_enrol": [-2.0, -1.0, 0.0, 1.0, -1.0, 0.0]})
    >>> common_members(p, months=(1, 1), pre_months=2).tolist()
    ['A']
    """
    check_panel(panel)
    rel = panel["months_since_enrol"].to_numpy(float)
    m = pd.DataFrame({"c": panel["customer_id"].to_numpy(), "rel": rel})[np.isfinite(rel)]
    g = m.groupby("c", sort=True)["rel"].agg(["min", "max"])
    ok = (g["min"] <= -pre_months) & (g["max"] >= months[1])
    return pd.Index(g.index[ok.to_numpy()], name="customer_id")


def same_members(panel: pd.DataFrame, members: Sequence) -> pd.DataFrame:
    """The panel with non-members and the given ``members`` only."""
    check_panel(panel)
    rel = panel["months_since_enrol"].to_numpy(float)
    keep = ~pd.Series(rel).groupby(panel["customer_id"].to_numpy()).transform(lambda s: np.isfinite(s).any()).to_numpy()
    keep |= panel["customer_id"].isin(pd.Index(members)).to_numpy()
    return panel[keep].reset_index(drop=True)


@dataclasses.dataclass(frozen=True, repr=False)
class RatioEstimate(Result):
    """Naive lift divided by the difference-in-differences lift (:func:`naive_did_ratio`).

    Attributes
    ----------
    estimate : float
        ``naive / did`` (lifts, ratio - 1 each).
    ci_low, ci_high : float
        Percentile bootstrap interval (customers resampled; NaN when the
        ratio is undefined in more than the tail share of replications).
    confidence_level : float
    naive, did : float
        The two lifts.
    did_ci_low, did_ci_high : float
        Percentile bootstrap interval of the DiD lift (when it includes 0 the
        ratio has no meaning: the data cannot tell how large the overstatement is).
    n_boot : int
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    naive: float
    did: float
    did_ci_low: float
    did_ci_high: float
    n_boot: int


def _naive_rows(panel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    rel = panel["months_since_enrol"].to_numpy(float)
    member = rel >= 0
    non = ~np.isfinite(rel)
    if "launch_month" in panel.columns:
        lm = as_datetimes(panel["launch_month"], "panel.launch_month")
        non &= (as_datetimes(panel["month"], "panel.month") >= lm).to_numpy() | lm.isna().to_numpy()
    return member, non


def naive_did_ratio(
    panel: pd.DataFrame,
    *,
    months: tuple[int, int] = (1, 5),
    strata=None,
    lapse: bool | None = None,
    outcome: str = "orders",
    n_boot: int = 200,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> RatioEstimate:
    """How many times the naive member vs non-member lift overstates the DiD lift, with a bootstrap interval.

    The naive lift is that of
    :func:`~crmlab.analysis.loyalty.panel.naive_member_effect`, the DiD lift
    that of :func:`~crmlab.analysis.loyalty.did.did_effect` (same panel, so
    pass :func:`same_members` output to compare on one member set). Each
    bootstrap replication resamples customers (multinomial weights), refits
    the untreated model and recomputes both lifts and their ratio.

    Returns
    -------
    RatioEstimate
        ``estimate, ci_low, ci_high`` of the ratio, the two lifts and the
        bootstrap interval of the DiD lift.

    Notes
    -----
    A ratio of two noisy numbers is unstable when the denominator can be
    near 0: read the ratio only when the DiD interval excludes 0.
    """
    check_panel(panel)
    if n_boot < 2:
        raise ValueError("n_boot must be at least 2")
    imp = Imputer.from_panel(panel, strata, outcome, lapse=resolve_lapse(panel, lapse))
    d = imp.design
    post = post_rows(d, months)
    member, non = _naive_rows(panel)
    y = panel[outcome].to_numpy(float)

    def lifts(w: np.ndarray | None, fit) -> tuple[float, float]:
        wr = np.ones(len(y)) if w is None else w[d.unit]
        naive = (wr[member] * y[member]).sum() / wr[member].sum() / ((wr[non] * y[non]).sum() / wr[non].sum()) - 1
        im = impute(d, fit, post, imp.pre)
        wp = wr[im["post"]]
        did = (wp * d.y[im["post"]]).sum() / (wp * im["mu0"]).sum() - 1
        return float(naive), float(did)

    naive, did = lifts(None, imp.fit)
    reps = np.array([lifts(w, fb) for w, fb in imp.resamples(n_boot, random_state)])
    alpha = (1 - confidence_level) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = reps[:, 0] / reps[:, 1]
    dlo, dhi = np.quantile(reps[:, 1], [alpha, 1 - alpha])
    lo, hi = np.quantile(ratio, [alpha, 1 - alpha]) if dlo > 0 or dhi < 0 else (np.nan, np.nan)
    return RatioEstimate(estimate=naive / did if did != 0 else float("nan"), ci_low=float(lo), ci_high=float(hi),
                         confidence_level=float(confidence_level), naive=naive, did=did, did_ci_low=float(dlo),
                         did_ci_high=float(dhi), n_boot=int(n_boot))
