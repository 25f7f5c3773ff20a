"""How well a score ranks customers by uplift: the uplift curve, Radcliffe's Qini curve and coefficient.

Both curves are estimated on a randomised campaign: treatment is random
within every group of customers a score selects, so the treated-minus-control
difference among them estimates the uplift of targeting them.

References
----------
Radcliffe, N. J. (2007). Using control groups to target on predicted lift:
building and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.

Rzepakowski, P. & Jaroszewicz, S. (2012). Decision trees for uplift
modeling with single and multiple treatments. *Knowledge and Information
Systems* 32, 303-327.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.uplift.curves import qini_curve
>>> ids = list("abcd")
>>> c = pd.DataFrame({"customer_id": ids, "treated": [True, False, True, False], "responded": [1, 0, 0, 0]})
>>> qini_curve(c, pd.Series([4.0, 3, 2, 1], index=ids))["qini"].tolist()
[1.0, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._checks import check_confidence_level, positive_int
from .._churn_common import bins_by_score
from .._results import DEFAULT_CONFIDENCE, Result
from ._common import arm_weights, campaign_frame, diff_in_means, percentile_ci

__all__ = ["uplift_curve", "qini_curve", "QiniCoefficient", "qini_coefficient", "oracle_qini_coefficient"]


def uplift_curve(
    campaigns: pd.DataFrame,
    score: pd.Series,
    n_bins: int = 10,
    *,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Incremental responses when targeting the top of a score, by bins (the uplift curve).

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table.
    score : Series
        Targeting score indexed by ``customer_id`` (higher = target first).
    n_bins : int
        Number of equal-count bins.
    outcome : str
        Binary outcome column.

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1 = highest scores): ``n``, ``uplift`` (treated
        minus control response rate in the bin), ``cum_share`` (share of
        customers targeted when the top bins are), ``cum_uplift`` (uplift
        among the targeted) and ``cum_incremental`` (``cum_uplift`` times the
        number targeted: extra responses if everyone targeted were treated).

    Notes
    -----
    Because treatment is randomised within every bin, the treated-minus-
    control difference among the customers a score would target estimates
    the uplift of targeting them. ``cum_incremental`` plotted against
    ``cum_share`` is the *uplift curve* (Rzepakowski & Jaroszewicz 2012);
    Radcliffe's Qini curve (:func:`qini_curve`) counts the incremental
    responders among the *treated* customers of the top instead; with a
    50/50 split it is about half of this curve.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = [f"c{i}" for i in range(8)]
    >>> c = pd.DataFrame({"customer_id": ids, "treated": [True, False] * 4, "responded": [1, 0, 1, 0, 0, 0, 0, 0]})
    >>> q = uplift_curve(c, pd.Series([8.0, 7, 6, 5, 4, 3, 2, 1], index=ids), n_bins=2)
    >>> q[["uplift", "cum_incremental"]].to_dict("list")
    {'uplift': [1.0, 0.0], 'cum_incremental': [4.0, 4.0]}
    """
    c = campaign_frame(campaigns, outcome)
    s = c["customer_id"].map(pd.Series(score))
    c = c[s.notna().to_numpy()]
    s = s.dropna().to_numpy(float)
    if len(c) < n_bins * 4:
        raise ValueError(f"score: only {len(c)} campaign customers have a score")
    b = bins_by_score(s, n_bins)
    y, t = c["_y"].to_numpy(), c["treated"].to_numpy()
    rows = []
    for k in range(1, n_bins + 1):
        m, cm = b == k, b <= k
        d, dc = diff_in_means(y[m], t[m], DEFAULT_CONFIDENCE), diff_in_means(y[cm], t[cm], DEFAULT_CONFIDENCE)
        rows.append(dict(bin=k, n=int(m.sum()), uplift=d.ate, cum_share=cm.mean(), cum_uplift=dc.ate,
                         cum_incremental=dc.ate * cm.sum()))
    return pd.DataFrame(rows).set_index("bin")


def _ordered(campaigns: pd.DataFrame, score: pd.Series, outcome: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome, treatment and customer ids of the scored campaign customers, highest score first."""
    c = campaign_frame(campaigns, outcome)
    s = c["customer_id"].map(pd.Series(score)).to_numpy(float)
    keep = ~np.isnan(s)
    if keep.sum() < 4:
        raise ValueError(f"score: only {int(keep.sum())} campaign customers have a score")
    order = np.argsort(-s[keep], kind="stable")
    return (c["_y"].to_numpy(float)[keep][order], c["treated"].to_numpy(bool)[keep][order],
            c["customer_id"].to_numpy()[keep][order])


def _qini_gain(w: np.ndarray, y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised Qini curve and targeted share for rows of weights ``w`` (replicates x customers, score order)."""
    wt, wc = w * t, w * ~t
    nt, nc = np.cumsum(wt, axis=-1), np.cumsum(wc, axis=-1)
    rt, rc = np.cumsum(wt * y, axis=-1), np.cumsum(wc * y, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = rt - np.where(nc > 0, rc * nt / np.where(nc > 0, nc, 1.0), 0.0)
        gain = q / nt[..., -1:]
    cw = np.cumsum(w, axis=-1)
    return gain, cw / cw[..., -1:]


def _qini_area(w: np.ndarray, gain: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Weighted mean over target sizes of the gain above the random-targeting line."""
    return np.sum(w / w.sum(axis=-1, keepdims=True) * (gain - share * gain[..., -1:]), axis=-1)


def qini_curve(campaigns: pd.DataFrame, score: pd.Series, *, outcome: str = "responded") -> pd.DataFrame:
    """Radcliffe's Qini curve: incremental responders when the top ``k`` customers by a score are targeted.

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table.
    score : Series
        Targeting score indexed by ``customer_id`` (higher = target first;
        ties keep the order of ``campaigns``).
    outcome : str
        Binary outcome column.

    Returns
    -------
    DataFrame
        One row per target size ``k = 1..N`` (customers sorted by score):
        ``customer_id`` (the k-th customer), ``n_targeted`` (k), ``share``
        (k / N), ``n_treated``, ``n_control``, ``responders_treated``,
        ``responders_control`` (cumulative counts in the top k), ``qini``,
        ``gain`` and ``random``.

    Notes
    -----
    With ``R_T(k), R_C(k)`` the responders and ``N_T(k), N_C(k)`` the
    treated and control customers among the top ``k``, the Qini curve is
    (Radcliffe 2007)

    ``Q(k) = R_T(k) - R_C(k) N_T(k) / N_C(k)``

    (``R_T(k)`` while ``N_C(k) = 0``): the responders among the treated of
    the top ``k`` that the offer added. ``gain = Q(k) / N_T(N)`` puts it on
    the scale of the whole base - the extra response rate of the base when
    the top ``k`` are treated, about ``sum of the top k uplifts / N`` - and
    ``random = share * gain(N)`` is the straight line of targeting at
    random. :func:`qini_coefficient` is the area between the two.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = list("abcdef")
    >>> c = pd.DataFrame({"customer_id": ids, "treated": [True, False, True, False, True, False],
    ...                   "responded": [1, 0, 1, 1, 0, 0]})
    >>> q = qini_curve(c, pd.Series([6.0, 5, 4, 3, 2, 1], index=ids))
    >>> q["qini"].tolist()
    [1.0, 1.0, 2.0, 1.0, 0.5, 1.0]
    """
    y, t, ids = _ordered(campaigns, score, outcome)
    n = len(y)
    gain, share = _qini_gain(np.ones(n), y, t)
    out = pd.DataFrame({
        "customer_id": ids, "n_targeted": np.arange(1, n + 1), "share": share,
        "n_treated": np.cumsum(t), "n_control": np.cumsum(~t),
        "responders_treated": np.cumsum(y * t), "responders_control": np.cumsum(y * ~t),
        "qini": gain * t.sum(), "gain": gain, "random": share * gain[-1],
    })
    return out


@dataclass(frozen=True, repr=False)
class QiniCoefficient(Result):
    """Area between the Qini curve of a score and random targeting (:func:`qini_coefficient`).

    Attributes
    ----------
    estimate : float
        Mean over target shares of ``gain - random`` (extra response rate of
        the base above random targeting; 0 = no better than random).
    ci_low, ci_high : float
        Percentile bootstrap interval.
    n : int
        Scored campaign customers.
    n_boot : int
        Bootstrap replicates.
    confidence_level : float
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    n_boot: int
    confidence_level: float = DEFAULT_CONFIDENCE


def qini_coefficient(
    campaigns: pd.DataFrame,
    score: pd.Series,
    *,
    confidence_level: float = DEFAULT_CONFIDENCE,
    n_boot: int = 1000,
    random_state: int = 0,
    outcome: str = "responded",
) -> QiniCoefficient:
    """Qini coefficient of a targeting score, with a bootstrap interval.

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table (the evaluation sample).
    score : Series
        Targeting score indexed by ``customer_id`` (not fitted on the
        evaluation sample: use a cross-fitted score, :func:`tlearner_uplift`).
    confidence_level : float, default 0.95
    n_boot : int, default 1000
        Bootstrap replicates.
    random_state : int
        Seed of the bootstrap.
    outcome : str
        Binary outcome column.

    Returns
    -------
    QiniCoefficient
        ``estimate``, ``ci_low``, ``ci_high``, ``n``, ``n_boot``,
        ``confidence_level``.

    Notes
    -----
    The coefficient is the area between the normalised Qini curve
    ``gain(k)`` of :func:`qini_curve` and the random-targeting line, on a
    share axis from 0 to 1: ``(1/N) sum_k [gain(k) - (k/N) gain(N)]``
    (Radcliffe 2007 calls this area *Q*; dividing by the area of the best
    possible curve gives his normalised *q*, not used here because that
    optimum depends on the noise). Positive means the score ranks customers
    whose response the offer raises above those it does not. It estimates
    the same area computed from each customer's true uplift in the score's
    order (:func:`oracle_qini_coefficient`). The interval is a percentile
    bootstrap resampling treated and control customers separately, the
    score held fixed.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 2000
    >>> x, t = rng.random(n), rng.random(n) < 0.5
    >>> c = pd.DataFrame({"customer_id": np.arange(n), "treated": t, "responded": rng.random(n) < 0.1 + 0.2 * t * x})
    >>> q = qini_coefficient(c, pd.Series(x), n_boot=200)
    >>> bool(q.ci_low > 0), round(oracle_qini_coefficient(pd.Series(x), pd.Series(0.2 * x)), 4)
    (True, 0.0166)
    """
    level = check_confidence_level(confidence_level)
    n_boot = positive_int(n_boot, "n_boot")
    y, t, _ = _ordered(campaigns, score, outcome)
    if t.sum() < 2 or (~t).sum() < 2:
        raise ValueError("campaigns: at least two treated and two control customers need a score")
    ones = np.ones((1, len(y)))
    est = float(_qini_area(ones, *_qini_gain(ones, y, t))[0])
    rng = np.random.default_rng(random_state)
    draws = []
    for size in np.diff(np.r_[np.arange(0, n_boot, 200), n_boot]):
        w = arm_weights(rng, t, int(size))
        draws.append(_qini_area(w, *_qini_gain(w, y, t)))
    lo, hi = percentile_ci(np.concatenate(draws), level)
    return QiniCoefficient(estimate=est, ci_low=float(lo), ci_high=float(hi), n=len(y), n_boot=n_boot,
                           confidence_level=level)


def oracle_qini_coefficient(score: pd.Series, uplift: pd.Series) -> float:
    """The Qini coefficient a score would have if each customer's uplift were known.

    Parameters
    ----------
    score : Series
        Targeting score by ``customer_id`` (ties keep the order of ``score``).
    uplift : Series
        Each customer's uplift (true, or a model's prediction), same index;
        customers without one are left out.

    Returns
    -------
    float
        ``(1/N) sum_k [U(k) - (k/N) U(N)]`` with ``U(k)`` the sum of the
        uplifts of the top ``k`` customers divided by ``N`` - the quantity
        :func:`qini_coefficient` estimates from a campaign. With a model's
        own predictions as ``uplift`` it is the area the model expects.

    Examples
    --------
    >>> import pandas as pd
    >>> round(oracle_qini_coefficient(pd.Series([3.0, 2.0, 1.0]), pd.Series([0.3, 0.0, 0.0])), 6)
    0.033333
    """
    u = pd.Series(uplift).reindex(pd.Series(score).index).to_numpy(float)
    s = pd.Series(score).to_numpy(float)
    keep = ~(np.isnan(u) | np.isnan(s))
    u = u[keep][np.argsort(-s[keep], kind="stable")]
    n = len(u)
    if n == 0:
        raise ValueError("score/uplift: no customer has both")
    gain = np.cumsum(u) / n
    share = np.arange(1, n + 1) / n
    return float(np.mean(gain - share * gain[-1]))
