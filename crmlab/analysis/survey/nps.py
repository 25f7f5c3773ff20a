"""Net Promoter Score: the point estimate and a bootstrap confidence interval.

* :func:`nps` - % promoters (9-10) minus % detractors (0-6), in points;
* :func:`nps_bootstrap` - the NPS with a percentile bootstrap interval
  (:class:`NPSEstimate`);
* :func:`nps_by_group` - the NPS of each group (city tier, survey channel) with its interval;
* :func:`nps_difference` - the NPS of one group minus another's, with a bootstrap
  interval (:class:`NPSDifference`).

Examples
--------
>>> from crmlab.analysis.survey.nps import nps
>>> nps([10, 9, 8, 7, 3])
20.0
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd

from ..._checks import check_confidence_level, positive_int
from .._results import DEFAULT_CONFIDENCE, Result

__all__ = ["NPSEstimate", "NPSDifference", "nps", "nps_bootstrap", "nps_by_group", "nps_difference"]


@dataclasses.dataclass(frozen=True, repr=False)
class NPSEstimate(Result):
    """The Net Promoter Score with its bootstrap confidence interval (:func:`nps_bootstrap`).

    Attributes
    ----------
    nps : float
        NPS in points (-100 to 100).
    ci_low, ci_high : float
        Percentile bootstrap interval.
    se : float
        Bootstrap standard error.
    n : int
        Answers used.
    promoters, passives, detractors : float
        Shares of answers 9-10, 7-8 and 0-6.
    confidence_level : float
    """

    nps: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    promoters: float
    passives: float
    detractors: float
    confidence_level: float = DEFAULT_CONFIDENCE


def _recommend(recommend: pd.Series | np.ndarray | Sequence[float]) -> np.ndarray:
    s = pd.Series(recommend)
    if not pd.api.types.is_numeric_dtype(s) and len(s.dropna()):
        raise ValueError(f"recommend must be numeric 0-10, got dtype {s.dtype}")
    r = s.to_numpy(dtype=float, na_value=np.nan)
    r = r[~np.isnan(r)]
    if len(r) == 0:
        raise ValueError("recommend has no answers: cannot compute the NPS")
    if r.min() < 0 or r.max() > 10:
        raise ValueError(f"recommend must be on the 0-10 scale, found values from {r.min():g} to {r.max():g}")
    return r


def nps(recommend: pd.Series | np.ndarray | Sequence[float]) -> float:
    """Net Promoter Score in points (-100 to 100).

    Parameters
    ----------
    recommend : array-like
        Answers to "How likely are you to recommend ...?" on 0-10; missing
        answers are ignored.

    Returns
    -------
    float
        ``100 * (share of promoters (9-10) - share of detractors (0-6))``.

    Notes
    -----
    Reichheld, F. F. (2003). The one number you need to grow.
    *Harvard Business Review* 81(12), 46-54.

    Examples
    --------
    >>> nps([10, 9, 9, 8, 7, 6, 0, 10])
    25.0
    """
    r = _recommend(recommend)
    return float(100 * ((r >= 9).mean() - (r <= 6).mean()))


def nps_bootstrap(
    recommend: pd.Series | np.ndarray | Sequence[float],
    n_boot: int = 2000,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> NPSEstimate:
    """NPS with a percentile bootstrap confidence interval.

    Parameters
    ----------
    recommend : array-like
        0-10 answers; missing answers are ignored.
    n_boot : int, default 2000
        Bootstrap replicates.
    confidence_level : float, default 0.95
        Coverage of the interval.
    random_state : int, default 0
        Seed of the numpy Generator.

    Returns
    -------
    NPSEstimate
        ``nps``, ``ci_low``, ``ci_high``, ``se`` (bootstrap standard error),
        ``n``, ``promoters``, ``passives``, ``detractors`` (shares) and
        ``confidence_level``.

    Notes
    -----
    The NPS depends on the data only through the counts of promoters,
    passives and detractors, so resampling n respondents with replacement is
    the same as drawing the counts from
    :math:`\\mathrm{Multinomial}(n, (\\hat p_+, \\hat p_0, \\hat p_-))`; all
    replicates are drawn in one vectorised call. The analytic standard error
    is :math:`100\\sqrt{(p_+ + p_- - (p_+ - p_-)^2)/n}`.

    Examples
    --------
    >>> out = nps_bootstrap([10] * 50 + [8] * 30 + [3] * 20, random_state=1)
    >>> out.nps, out.ci_low < 30 < out.ci_high
    (30.0, True)
    """
    n_boot = positive_int(n_boot, "n_boot")
    ci = check_confidence_level(confidence_level)
    r = _recommend(recommend)
    n = len(r)
    p = np.array([(r >= 9).mean(), ((r > 6) & (r < 9)).mean(), (r <= 6).mean()])
    rng = np.random.default_rng(random_state)
    counts = rng.multinomial(n, p / p.sum(), size=int(n_boot))
    boot = 100 * (counts[:, 0] - counts[:, 2]) / n
    a = (1 - ci) / 2
    lo, hi = np.quantile(boot, [a, 1 - a])
    return NPSEstimate(nps=float(100 * (p[0] - p[2])), ci_low=float(lo), ci_high=float(hi), se=float(boot.std(ddof=1)),
                       n=int(n), promoters=float(p[0]), passives=float(p[1]), detractors=float(p[2]),
                       confidence_level=ci)


@dataclasses.dataclass(frozen=True, repr=False)
class NPSDifference(Result):
    """The NPS of one group minus that of another, with a bootstrap interval (:func:`nps_difference`).

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        ``nps_a - nps_b`` in points and its percentile bootstrap interval.
    nps_a, nps_b : float
        The two groups' NPS.
    n_a, n_b : int
        Answers in each group.
    confidence_level : float
    """

    estimate: float
    ci_low: float
    ci_high: float
    nps_a: float
    nps_b: float
    n_a: int
    n_b: int
    confidence_level: float = DEFAULT_CONFIDENCE


def _shares(r: np.ndarray) -> np.ndarray:
    return np.array([(r >= 9).mean(), ((r > 6) & (r < 9)).mean(), (r <= 6).mean()])


def nps_by_group(
    recommend: pd.Series,
    groups: pd.Series,
    n_boot: int = 2000,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> pd.DataFrame:
    """NPS of each group with its bootstrap interval (city tiers, survey channels, ...).

    Parameters
    ----------
    recommend : Series
        0-10 answers.
    groups : Series
        Group of each answer (same index); answers with a missing group or answer are left out.
    n_boot, confidence_level, random_state
        As in :func:`nps_bootstrap` (each group gets its own stream).

    Returns
    -------
    DataFrame
        Indexed by group (sorted): ``n``, ``nps``, ``ci_low``, ``ci_high``, ``promoters``,
        ``detractors``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series([10, 10, 3, 8, 9, 2, 1, 7])
    >>> g = pd.Series(["a", "a", "a", "a", "b", "b", "b", "b"])
    >>> nps_by_group(r, g)[["n", "nps"]].to_dict()
    {'n': {'a': 4, 'b': 4}, 'nps': {'a': 25.0, 'b': -25.0}}
    """
    d = pd.DataFrame({"r": pd.Series(recommend).to_numpy(dtype=float, na_value=np.nan),
                      "g": pd.Series(groups).to_numpy(dtype=object)})
    d = d[d["r"].notna() & pd.notna(d["g"])]
    if d.empty:
        raise ValueError("no answer has both a recommend score and a group")
    rows = {}
    for i, (g, part) in enumerate(d.groupby("g", sort=True)):
        est = nps_bootstrap(part["r"], n_boot=n_boot, confidence_level=confidence_level,
                            random_state=random_state + 7919 * (i + 1))
        rows[g] = {"n": est.n, "nps": est.nps, "ci_low": est.ci_low, "ci_high": est.ci_high,
                   "promoters": est.promoters, "detractors": est.detractors}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = getattr(groups, "name", None) or "group"
    return out


def nps_difference(
    recommend_a: pd.Series | np.ndarray | Sequence[float],
    recommend_b: pd.Series | np.ndarray | Sequence[float],
    n_boot: int = 2000,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> NPSDifference:
    """The NPS of group A minus that of group B, with a percentile bootstrap interval.

    Parameters
    ----------
    recommend_a, recommend_b : array-like
        0-10 answers of two independent groups (missing answers ignored).
    n_boot : int, default 2000
        Bootstrap replicates; each resamples both groups independently.
    confidence_level : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    NPSDifference
        ``estimate`` (points), ``ci_low``, ``ci_high``, the two NPS and group sizes.

    Notes
    -----
    As in :func:`nps_bootstrap`, a resample of a group is a multinomial draw of its
    promoter, passive and detractor counts. Compare groups chosen *before* looking at
    the data: picking the best and the worst of many groups afterwards makes any
    interval too optimistic.

    Examples
    --------
    >>> d = nps_difference([10] * 60 + [3] * 40, [10] * 40 + [3] * 60, random_state=1)
    >>> round(d.estimate, 6), bool(d.ci_low > 0)
    (40.0, True)
    """
    n_boot = positive_int(n_boot, "n_boot")
    ci = check_confidence_level(confidence_level)
    a, b = _recommend(recommend_a), _recommend(recommend_b)
    pa, pb = _shares(a), _shares(b)
    rng = np.random.default_rng(random_state)
    ca = rng.multinomial(len(a), pa / pa.sum(), size=int(n_boot))
    cb = rng.multinomial(len(b), pb / pb.sum(), size=int(n_boot))
    boot = 100 * ((ca[:, 0] - ca[:, 2]) / len(a) - (cb[:, 0] - cb[:, 2]) / len(b))
    q = (1 - ci) / 2
    lo, hi = np.quantile(boot, [q, 1 - q])
    na, nb = float(100 * (pa[0] - pa[2])), float(100 * (pb[0] - pb[2]))
    return NPSDifference(estimate=na - nb, ci_low=float(lo), ci_high=float(hi), nps_a=na, nps_b=nb, n_a=len(a),
                         n_b=len(b), confidence_level=ci)
