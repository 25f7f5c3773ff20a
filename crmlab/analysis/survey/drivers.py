"""What drives overall satisfaction, and how well does each driver perform?

* :func:`relative_weights` - Johnson's relative weights (shares of R^2);
* :func:`shapley_r2` - the Shapley/LMG decomposition of R^2;
* :func:`relative_weight_shares` - the shares of R^2 of the dimension scores
  with bootstrap intervals, and the leader's lead over the runner-up
  (:class:`RelativeWeightShares`);
* :func:`key_drivers` - standardised OLS, relative weights and Shapley values
  of the dimension scores (:class:`KeyDrivers`);
* :func:`importance_performance` - the importance-performance grid of
  Martilla & James (1977) (:class:`ImportancePerformance`);
* :func:`top2box` - performance as the share of answers in the two highest boxes;
* :func:`top2box_share` - the share over all item answers, with a confidence
  interval that treats each respondent's answers as a cluster.

Examples
--------
>>> import numpy as np
>>> from crmlab.analysis.survey.drivers import relative_weights
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(1000, 2))
>>> y = 2 * x[:, 0] + x[:, 1] + rng.normal(size=1000)
>>> relative_weights(x, y).round(2).tolist()
[0.68, 0.15]
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from ..._checks import check_confidence_level, positive_int, require_columns
from .._results import DEFAULT_CONFIDENCE, Estimate, Result, z_value
from ._items import numeric_matrix
from .factors import dimension_scores
from .reliability import item_columns

__all__ = [
    "QUADRANTS",
    "KeyDrivers",
    "RelativeWeightShares",
    "ImportancePerformance",
    "relative_weights",
    "relative_weight_shares",
    "shapley_r2",
    "key_drivers",
    "importance_performance",
    "top2box",
    "top2box_share",
]

#: importance-performance quadrants (Martilla & James 1977), keyed by
#: (high importance, high performance)
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


@dataclasses.dataclass(frozen=True, repr=False)
class KeyDrivers(Result):
    """Key-driver analysis (:func:`key_drivers`).

    Attributes
    ----------
    table : DataFrame
        Indexed by dimension (driver), sorted by ``rank``: ``r``, ``beta``,
        ``p_value``, ``relative_weight``, ``rw_share``, ``shapley``, ``rank``.
    r2, adj_r2 : float
        R^2 and adjusted R^2 of the regression of the target on the drivers.
    n : int
        Complete responses used.
    target : str
        The outcome column.
    """

    table: pd.DataFrame
    r2: float
    adj_r2: float
    n: int
    target: str

    @property
    def ranking(self) -> list[str]:
        """The drivers, most important first."""
        return [str(d) for d in self.table.index]


@dataclasses.dataclass(frozen=True, repr=False)
class RelativeWeightShares(Result):
    """Relative-weight shares of R^2 with bootstrap intervals (:func:`relative_weight_shares`).

    Attributes
    ----------
    table : DataFrame
        Indexed by dimension, largest share first: ``share``, ``ci_low``, ``ci_high``.
    leader, runner_up : str
        The dimensions with the largest and second-largest share.
    lead : Estimate
        The leader's share minus the runner-up's, with its bootstrap interval.
    n : int
        Complete responses used.
    n_boot : int
        Bootstrap replicates.
    confidence_level : float
    """

    table: pd.DataFrame
    leader: str
    runner_up: str
    lead: Estimate
    n: int
    n_boot: int
    confidence_level: float = DEFAULT_CONFIDENCE

    def estimates(self) -> dict[str, Estimate]:
        """Dimension -> its share as an :class:`~crmlab.analysis._results.Estimate`."""
        return {str(d): Estimate(float(r.share), float(r.ci_low), float(r.ci_high), self.confidence_level)
                for d, r in self.table.iterrows()}


@dataclasses.dataclass(frozen=True, repr=False)
class ImportancePerformance(Result):
    """The importance-performance grid (:func:`importance_performance`).

    Attributes
    ----------
    table : DataFrame
        Indexed by dimension: ``importance``, ``performance``,
        ``high_importance``, ``high_performance``, ``quadrant``.
    importance_cut, performance_cut : float
        The cross-hairs (mean or median over the dimensions).
    center : str
        ``"mean"`` or ``"median"``.
    """

    table: pd.DataFrame
    importance_cut: float
    performance_cut: float
    center: str


def _corr_inputs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    return c[:-1, :-1], c[:-1, -1]


def relative_weights(x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series) -> np.ndarray:
    """Johnson's relative weights: each predictor's share of R^2.

    Parameters
    ----------
    x : array-like, shape (n, p)
        Predictors (complete rows).
    y : array-like, shape (n,)
        Outcome.

    Returns
    -------
    ndarray, shape (p,)
        Raw relative weights; they are non-negative and sum to the R^2 of the
        OLS regression of ``y`` on ``x``.

    Notes
    -----
    With predictor correlation matrix :math:`R_{xx} = V\\Lambda V'`, the
    orthogonal counterparts of the predictors are :math:`Z = X V\\Lambda^{-1/2}V'`
    and the loadings of X on Z are :math:`\\Lambda_* = V\\Lambda^{1/2}V'`.
    Regressing y on Z gives :math:`\\beta_* = \\Lambda_*^{-1} r_{xy}`, and the
    relative weight of predictor j is

    .. math:: \\varepsilon_j = \\sum_k \\lambda_{*jk}^2 \\beta_{*k}^2 .

    Reference: Johnson, J. W. (2000). A heuristic method for estimating the
    relative weight of predictor variables in multiple regression.
    *Multivariate Behavioral Research* 35, 1-19.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(1000, 2))
    >>> y = 2 * x[:, 0] + x[:, 1] + rng.normal(size=1000)
    >>> w = relative_weights(x, y)
    >>> bool(w[0] > w[1]), round(float(w.sum()), 3)
    (True, 0.835)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    rxx, rxy = _corr_inputs(x, y)
    evals, evecs = np.linalg.eigh(rxx)
    if evals.min() <= 1e-10:
        raise ValueError("predictors are perfectly collinear; relative weights are undefined")
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def _shares_batch(data: np.ndarray) -> np.ndarray:
    """Relative-weight shares for a stack of samples ``data`` (b, n, p + 1), the outcome last."""
    z = data - data.mean(axis=1, keepdims=True)
    cov = np.einsum("bni,bnj->bij", z, z)
    sd = np.sqrt(np.einsum("bii->bi", cov))
    c = cov / sd[:, :, None] / sd[:, None, :]
    evals, evecs = np.linalg.eigh(c[:, :-1, :-1])
    lam = evecs @ (np.sqrt(np.clip(evals, 1e-12, None))[:, :, None] * np.swapaxes(evecs, 1, 2))
    beta = np.linalg.solve(lam, c[:, :-1, -1:])[..., 0]
    raw = (lam**2) @ (beta**2)[..., None]
    raw = raw[..., 0]
    return raw / raw.sum(axis=1, keepdims=True)


def relative_weight_shares(
    df: pd.DataFrame,
    target: str = "overall_satisfaction",
    dimensions: Mapping[str, Sequence[str]] | None = None,
    *,
    n_boot: int = 2000,
    confidence_level: float = DEFAULT_CONFIDENCE,
    random_state: int = 0,
) -> RelativeWeightShares:
    """Each dimension's share of the explained variance, with bootstrap intervals.

    Parameters
    ----------
    df : DataFrame
        Survey responses with item columns and ``target``.
    target : str, default "overall_satisfaction"
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`~crmlab.analysis.survey.reliability.item_columns`.
    n_boot : int, default 2000
        Bootstrap replicates.
    confidence_level : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    RelativeWeightShares
        ``table`` (``share``, ``ci_low``, ``ci_high`` by dimension, largest
        first), ``leader``, ``runner_up``, ``lead`` (leader minus runner-up
        with its interval), ``n``, ``n_boot``, ``confidence_level``.

    Notes
    -----
    The shares are Johnson's relative weights divided by R^2 (``rw_share`` of
    :func:`key_drivers`). The intervals are percentile intervals of a
    nonparametric bootstrap over respondents: each replicate resamples the
    complete responses and recomputes every share, so the interval of the lead
    (the leader's share minus the runner-up's, the two named by the full
    sample) accounts for their correlation. "X drives satisfaction most" is
    supported when the lead's interval excludes 0.

    The shares estimate what the answers imply - a regression of the 1-5
    overall score on item means - not the weights of the latent dimensions in
    a structural model: item means carry measurement error, and more
    reliable scales get a larger share.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({"adv_1": x[:, 0], "adv_2": x[:, 0], "price_1": x[:, 1], "price_2": x[:, 1],
    ...                    "overall_satisfaction": x[:, 0] + 2 * x[:, 1] + rng.normal(size=400)})
    >>> out = relative_weight_shares(df, n_boot=200)
    >>> out.leader, out.runner_up, out.lead.ci_low > 0
    ('price', 'advertising', True)
    """
    n_boot = positive_int(n_boot, "n_boot")
    level = check_confidence_level(confidence_level)
    require_columns(df, [target], table="survey")
    scores = dimension_scores(df, dimensions)
    if scores.shape[1] < 2:
        raise ValueError(f"relative_weight_shares needs at least two dimensions, got {scores.shape[1]}")
    data = scores.assign(**{"__y": numeric_matrix(df, [target])[:, 0]}).dropna().to_numpy(float)
    n, p = data.shape[0], scores.shape[1]
    if n < p + 3:
        raise ValueError(f"relative_weight_shares needs at least {p + 3} complete responses, got {n}")
    if np.any(data.std(axis=0) == 0):
        raise ValueError(f"a dimension score or {target!r} has zero variance among the complete responses")
    share = _shares_batch(data[None])[0]
    rng = np.random.default_rng(random_state)
    boot = np.empty((n_boot, p))
    step = max(1, 200_000 // n)
    for b0 in range(0, n_boot, step):
        idx = rng.integers(0, n, size=(min(step, n_boot - b0), n))
        with np.errstate(invalid="ignore", divide="ignore"):
            boot[b0:b0 + len(idx)] = _shares_batch(data[idx])
    boot = boot[np.isfinite(boot).all(axis=1)]
    a = (1 - level) / 2
    lo, hi = np.quantile(boot, [a, 1 - a], axis=0)
    names = list(scores.columns)
    order = np.argsort(-share, kind="stable")
    i, j = int(order[0]), int(order[1])
    d_lo, d_hi = np.quantile(boot[:, i] - boot[:, j], [a, 1 - a])
    table = pd.DataFrame({"share": share, "ci_low": lo, "ci_high": hi},
                         index=pd.Index(names, name="dimension")).iloc[order]
    return RelativeWeightShares(table=table, leader=str(names[i]), runner_up=str(names[j]),
                                lead=Estimate(float(share[i] - share[j]), float(d_lo), float(d_hi), level),
                                n=int(n), n_boot=int(len(boot)), confidence_level=level)


def _r2(rxx: np.ndarray, rxy: np.ndarray, subset: Sequence[int]) -> float:
    if not subset:
        return 0.0
    s = list(subset)
    return float(rxy[s] @ np.linalg.solve(rxx[np.ix_(s, s)], rxy[s]))


def shapley_r2(x: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series) -> np.ndarray:
    """Shapley value (LMG) decomposition of R^2 over the predictors.

    Parameters
    ----------
    x : array-like, shape (n, p)
        Predictors (complete rows); p up to about 12 (2^p regressions).
    y : array-like, shape (n,)
        Outcome.

    Returns
    -------
    ndarray, shape (p,)
        Each predictor's average increase in R^2 when it is added to a model,
        over all orders of entry; they sum to the full model's R^2.

    Notes
    -----
    .. math:: \\phi_j = \\sum_{S \\subseteq P\\setminus\\{j\\}} \\frac{|S|!\\,(p-|S|-1)!}{p!}
              \\left[R^2(S\\cup\\{j\\}) - R^2(S)\\right]

    References: Lindeman, Merenda & Gold (1980), *Introduction to Bivariate
    and Multivariate Analysis*; Grömping, U. (2007). Estimators of relative
    importance in linear regression based on variance decomposition.
    *The American Statistician* 61, 139-147.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(1000, 2))
    >>> y = 2 * x[:, 0] + x[:, 1] + rng.normal(size=1000)
    >>> round(float(shapley_r2(x, y).sum()), 3)
    0.835
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    p = x.shape[1]
    if p > 15:
        raise ValueError(f"shapley_r2 fits 2^p regressions; p = {p} is too many (use relative_weights)")
    rxx, rxy = _corr_inputs(x, y)
    r2 = {s: _r2(rxx, rxy, s) for k in range(p + 1) for s in itertools.combinations(range(p), k)}
    fact = [float(np.prod(range(1, k + 1))) for k in range(p + 1)]
    phi = np.zeros(p)
    for s, v in r2.items():
        for j in range(p):
            if j in s:
                continue
            sj = tuple(sorted((*s, j)))
            phi[j] += fact[len(s)] * fact[p - len(s) - 1] / fact[p] * (r2[sj] - v)
    return phi


def key_drivers(
    df: pd.DataFrame,
    target: str = "overall_satisfaction",
    dimensions: Mapping[str, Sequence[str]] | None = None,
) -> KeyDrivers:
    """Key-driver analysis: what drives overall satisfaction?

    Parameters
    ----------
    df : DataFrame
        Survey responses with item columns and ``target``.
    target : str, default "overall_satisfaction"
        Outcome column.
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`~crmlab.analysis.survey.reliability.item_columns`. The drivers
        are the dimension scores (:func:`~crmlab.analysis.survey.factors.dimension_scores`).

    Returns
    -------
    KeyDrivers
        ``table``: indexed by dimension (driver), sorted by ``rank``, with

        * ``r`` - correlation with the target;
        * ``beta`` - standardised OLS coefficient, ``p_value`` its t-test;
        * ``relative_weight`` - Johnson's relative weight (sums to R^2) and
          ``rw_share`` (sums to 1);
        * ``shapley`` - Shapley/LMG share of R^2 (sums to R^2);
        * ``rank`` - 1 = most important by relative weight.

        and ``r2``, ``adj_r2``, ``n`` (complete responses used) and ``target``.

    Notes
    -----
    Standardised betas are unstable when drivers are correlated (survey
    dimensions share a general satisfaction factor); relative weights and
    Shapley values split the explained variance R^2 into non-negative parts
    that account for the correlation, and usually agree closely
    (Johnson & LeBreton 2004). Use ``rw_share`` as "importance" in
    :func:`importance_performance`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({"adv_1": x[:, 0], "adv_2": x[:, 0], "price_1": x[:, 1], "price_2": x[:, 1],
    ...                    "overall_satisfaction": x[:, 0] + 2 * x[:, 1] + rng.normal(size=400)})
    >>> kd = key_drivers(df)
    >>> kd.ranking, bool(np.isclose(kd.table["relative_weight"].sum(), kd.r2))
    (['price', 'advertising'], True)
    """
    import statsmodels.api as sm

    require_columns(df, [target], table="survey")
    scores = dimension_scores(df, dimensions)
    if scores.shape[1] < 1:
        raise ValueError("key_drivers needs at least one dimension")
    data = scores.assign(**{"__y": numeric_matrix(df, [target])[:, 0]}).dropna()
    n, p = len(data), scores.shape[1]
    if n < p + 3:
        raise ValueError(f"key_drivers needs at least {p + 3} complete responses (drivers + target), got {n}")
    x, y = data[scores.columns].to_numpy(float), data["__y"].to_numpy(float)
    sx, sy = x.std(axis=0, ddof=1), y.std(ddof=1)
    if np.any(sx == 0) or sy == 0:
        raise ValueError(f"a driver or {target!r} has zero variance among the complete responses")
    zx, zy = (x - x.mean(axis=0)) / sx, (y - y.mean()) / sy
    fit = sm.OLS(zy, sm.add_constant(zx, has_constant="add")).fit()
    rw = relative_weights(x, y)
    out = pd.DataFrame(
        {
            "r": [float(np.corrcoef(x[:, j], y)[0, 1]) for j in range(p)],
            "beta": fit.params[1:],
            "p_value": fit.pvalues[1:],
            "relative_weight": rw,
            "rw_share": rw / rw.sum(),
            "shapley": shapley_r2(x, y) if p <= 12 else np.nan,
        },
        index=pd.Index(scores.columns, name="dimension"),
    )
    out["rank"] = out["relative_weight"].rank(ascending=False, method="first").astype(int)
    out = out.sort_values("rank")
    return KeyDrivers(table=out, r2=float(fit.rsquared), adj_r2=float(fit.rsquared_adj), n=int(n), target=target)


def importance_performance(
    drivers: KeyDrivers | pd.DataFrame,
    scores: pd.DataFrame,
    *,
    importance: str = "rw_share",
    center: Literal["mean", "median"] = "mean",
) -> ImportancePerformance:
    """Importance-performance analysis (Martilla & James 1977).

    Parameters
    ----------
    drivers : KeyDrivers or DataFrame
        :func:`key_drivers`, or a table indexed by dimension with an
        importance column.
    scores : DataFrame
        Dimension scores per response (:func:`~crmlab.analysis.survey.factors.dimension_scores`); performance
        is the mean score of each dimension.
    importance : str, default "rw_share"
        Column of ``drivers`` used as importance.
    center : {"mean", "median"}
        The cross-hairs: mean (or median) importance and performance over the
        dimensions (the "data-centred" variant).

    Returns
    -------
    ImportancePerformance
        ``table``: indexed by dimension with ``importance``, ``performance``,
        ``high_importance``, ``high_performance`` and ``quadrant``; the
        cut-offs ``importance_cut`` and ``performance_cut``.

    Notes
    -----
    Quadrants: high importance & low performance - "concentrate here";
    high & high - "keep up the good work"; low & low - "low priority";
    low importance & high performance - "possible overkill". A value equal to
    its cut-off counts as high. Reference: Martilla, J. A. & James, J. C.
    (1977). Importance-performance analysis. *Journal of Marketing* 41(1), 77-79.

    Examples
    --------
    >>> import pandas as pd
    >>> drv = pd.DataFrame({"rw_share": [0.4, 0.1, 0.3, 0.2]}, index=["service", "adv", "quality", "price"])
    >>> sc = pd.DataFrame({"service": [3.0], "adv": [4.0], "quality": [4.5], "price": [3.2]})
    >>> ipa = importance_performance(drv, sc)
    >>> ipa.table["quadrant"].to_dict()
    {'service': 'concentrate here', 'adv': 'possible overkill', 'quality': 'keep up the good work', 'price': 'low priority'}
    """
    if isinstance(drivers, KeyDrivers):
        drivers = drivers.table
    require_columns(drivers, [importance], table="drivers")
    missing = [d for d in drivers.index if d not in scores.columns]
    if missing:
        raise ValueError(f"scores table is missing column(s) for driver(s): {missing}")
    if center not in ("mean", "median"):
        raise ValueError(f"center must be 'mean' or 'median', got {center!r}")
    imp = drivers[importance].astype(float)
    perf = scores[list(drivers.index)].astype(float).mean(axis=0)
    if perf.isna().any():
        raise ValueError(f"no scores for dimension(s) {perf.index[perf.isna()].tolist()}")
    ic = float(getattr(imp, center)())
    pc = float(getattr(perf, center)())
    out = pd.DataFrame({"importance": imp, "performance": perf})
    out["high_importance"] = out["importance"] >= ic
    out["high_performance"] = out["performance"] >= pc
    out["quadrant"] = [QUADRANTS[(bool(a), bool(b))] for a, b in zip(out["high_importance"], out["high_performance"])]
    out.index.name = "dimension"
    return ImportancePerformance(table=out, importance_cut=ic, performance_cut=pc, center=center)



def top2box(
    df: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    level: Literal["item", "dimension"] = "item",
    scale_max: int = 5,
) -> pd.Series:
    """Top-2-box shares: the share of answers in the two highest categories.

    Parameters
    ----------
    df : DataFrame
        Survey responses.
    columns : sequence of str, optional
        With ``level="item"``: the columns to summarise; default every item
        plus ``overall_satisfaction`` if present.
    level : {"item", "dimension"}
        ``"dimension"`` pools the answers to all items of each dimension and
        adds ``all_items`` (every item pooled) and ``overall_satisfaction``
        (if present).
    scale_max : int, default 5
        Highest category; the top two boxes are ``scale_max - 1`` and
        ``scale_max``.

    Returns
    -------
    Series
        Shares in [0, 1] named ``top2box``; missing answers are left out of
        numerator and denominator.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"adv_1": [5, 4, 3, 1], "adv_2": [5, 5, 5, 2]})
    >>> top2box(df).to_dict()
    {'adv_1': 0.5, 'adv_2': 0.75}
    >>> top2box(df, level="dimension").to_dict()
    {'advertising': 0.625, 'all_items': 0.625}
    """
    def share(cols: list[str]) -> float:
        x = numeric_matrix(df, cols).ravel()
        x = x[~np.isnan(x)]
        if len(x) == 0:
            raise ValueError(f"no answers in column(s) {cols}")
        return float((x >= scale_max - 1).mean())

    if level == "item":
        if columns is None:
            columns = [c for cs in item_columns(df).values() for c in cs]
            columns += ["overall_satisfaction"] if "overall_satisfaction" in df.columns else []
        require_columns(df, list(columns), table="survey")
        return pd.Series({c: share([c]) for c in columns}, name="top2box", dtype=float)
    if level == "dimension":
        dims = item_columns(df)
        out = {d: share(cs) for d, cs in dims.items()}
        out["all_items"] = share([c for cs in dims.values() for c in cs])
        if "overall_satisfaction" in df.columns:
            out["overall_satisfaction"] = share(["overall_satisfaction"])
        return pd.Series(out, name="top2box", dtype=float)
    raise ValueError(f"level must be 'item' or 'dimension', got {level!r}")



def top2box_share(
    df: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    scale_max: int = 5,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> Estimate:
    """Share of all item answers in the two highest boxes, with a confidence interval.

    Parameters
    ----------
    df : DataFrame
        Survey responses.
    columns : sequence of str, optional
        Item columns; default every item (:func:`~crmlab.analysis.survey.reliability.item_columns`).
    scale_max : int, default 5
    confidence_level : float, default 0.95

    Returns
    -------
    Estimate
        The pooled share and its interval.

    Notes
    -----
    The answers of one respondent are correlated, so they are not independent
    draws: with :math:`t_i` top-box answers out of :math:`a_i` answered items
    of respondent *i*, the share :math:`r = \\sum t_i / \\sum a_i` is a ratio
    estimator whose standard error comes from the respondents (clusters):
    :math:`se^2 = \\sum_i (t_i - r a_i)^2 / (n (n - 1) \\bar a^2)`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"adv_1": [5, 4, 3, 1] * 50, "adv_2": [5, 5, 5, 2] * 50})
    >>> e = top2box_share(df)
    >>> e.estimate, bool(e.ci_low < 0.625 < e.ci_high)
    (0.625, True)
    """
    level = check_confidence_level(confidence_level)
    cols = [c for cs in item_columns(df).values() for c in cs] if columns is None else list(columns)
    require_columns(df, cols, table="survey")
    x = numeric_matrix(df, cols)
    answered = (~np.isnan(x)).sum(axis=1).astype(float)
    top = (x >= scale_max - 1).sum(axis=1).astype(float)
    keep = answered > 0
    a, t = answered[keep], top[keep]
    n = len(a)
    if n < 2:
        raise ValueError(f"top2box_share needs answers from at least 2 respondents, got {n}")
    r = float(t.sum() / a.sum())
    se = float(np.sqrt(((t - r * a) ** 2).sum() / (n * (n - 1))) / a.mean())
    z = z_value(level)
    return Estimate(r, max(0.0, r - z * se), min(1.0, r + z * se), level)
