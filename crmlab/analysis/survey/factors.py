"""Factor structure and scores of a questionnaire: factorability, varimax loadings, dimension scores.

* :func:`factorability` - is a factor analysis worthwhile? KMO, Bartlett's test,
  eigenvalues and the Kaiser count (:class:`Factorability`);
* :func:`factor_loadings` - exploratory factor analysis with varimax rotation,
  factors named after the dimensions (:class:`FactorLoadings`);
* :func:`primary_factor` - the factor each item loads on most;
* :func:`dimension_scores` - each dimension's score per response (mean of its items).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from crmlab.analysis.survey.factors import factorability
>>> rng = np.random.default_rng(0)
>>> f = rng.normal(size=(300, 1))
>>> df = pd.DataFrame(f + rng.normal(size=(300, 3)), columns=["adv_1", "adv_2", "adv_3"])
>>> factorability(df).n_factors_kaiser
1
"""

from __future__ import annotations

import dataclasses
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..._checks import fraction, require_columns
from .._results import Result
from ._items import complete_rows, numeric_matrix
from .reliability import dimension_items, item_columns

__all__ = [
    "Factorability",
    "FactorLoadings",
    "factorability",
    "factor_loadings",
    "primary_factor",
    "dimension_scores",
]


@dataclasses.dataclass(frozen=True, repr=False)
class Factorability(Result):
    """Whether a factor analysis is worthwhile (:func:`factorability`).

    Attributes
    ----------
    n : int
        Complete responses used.
    kmo : float
        Overall Kaiser-Meyer-Olkin measure of sampling adequacy.
    kmo_items : dict
        Item -> its measure of sampling adequacy.
    bartlett_chi2, bartlett_df, bartlett_p : float, int, float
        Bartlett's test that the correlation matrix is the identity.
    eigenvalues : tuple of float
        Eigenvalues of the item correlation matrix, descending (for a scree plot).
    n_factors_kaiser : int
        Number of eigenvalues above 1: the number of factors by the Kaiser criterion.
    """

    n: int
    kmo: float
    kmo_items: dict[str, float]
    bartlett_chi2: float
    bartlett_df: int
    bartlett_p: float
    eigenvalues: tuple[float, ...]
    n_factors_kaiser: int


@dataclasses.dataclass(frozen=True, repr=False)
class FactorLoadings(Result):
    """Rotated factor loadings (:func:`factor_loadings`).

    Attributes
    ----------
    loadings : DataFrame
        Items x factors, then ``communality``; see :func:`factor_loadings`.
    n : int
        Complete responses the factors were fitted on.
    """

    loadings: pd.DataFrame
    n: int

    def primary_factor(self) -> pd.Series:
        """The factor each item loads on most (:func:`primary_factor`)."""
        return primary_factor(self.loadings)


def factorability(df: pd.DataFrame, items: Sequence[str] | None = None) -> Factorability:
    """Is a factor analysis worthwhile? KMO, Bartlett's sphericity test and eigenvalues.

    Parameters
    ----------
    df : DataFrame
        Survey responses (complete rows of the items are used).
    items : sequence of str, optional
        Item columns; default all items found by :func:`~crmlab.analysis.survey.reliability.item_columns`.

    Returns
    -------
    Factorability
        ``n``, ``kmo``, ``kmo_items``, ``bartlett_chi2``, ``bartlett_df``,
        ``bartlett_p``, ``eigenvalues`` (of the correlation matrix,
        descending) and ``n_factors_kaiser`` (eigenvalues > 1).

    Notes
    -----
    With correlation matrix :math:`R` and partial correlations
    :math:`a_{ij} = -s_{ij}/\\sqrt{s_{ii}s_{jj}}`, :math:`S = R^{-1}`,

    .. math:: KMO = \\frac{\\sum_{i\\ne j} r_{ij}^2}{\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} a_{ij}^2}

    (Kaiser 1974: >= 0.8 meritorious, < 0.5 unacceptable). Bartlett (1950)
    tests :math:`R = I` with
    :math:`\\chi^2 = -(n - 1 - (2p + 5)/6)\\ln|R|` on :math:`p(p-1)/2` degrees
    of freedom. The Kaiser criterion (eigenvalues > 1) is a rough guide to the
    number of factors; a scree plot of ``eigenvalues`` is better.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=[f"adv_{i}" for i in range(1, 5)])
    >>> out = factorability(df)
    >>> out.n_factors_kaiser, out.kmo > 0.7, out.bartlett_p < 0.001
    (1, True, True)
    """
    cols = [c for cs in item_columns(df).values() for c in cs] if items is None else list(items)
    require_columns(df, cols, table="survey")
    if len(cols) < 2:
        raise ValueError(f"factorability needs at least 2 items, got {len(cols)}")
    x = complete_rows(numeric_matrix(df, cols))
    n, p = x.shape
    if n <= p:
        raise ValueError(f"factorability needs more complete responses than items ({p}), got {n}")
    r = np.corrcoef(x, rowvar=False)
    if not np.all(np.isfinite(r)):
        raise ValueError("an item has zero variance; drop it before testing factorability")
    s = np.linalg.pinv(r)
    d = np.sqrt(np.diag(s))
    a = -s / np.outer(d, d)
    off = ~np.eye(p, dtype=bool)
    r2, a2 = np.where(off, r**2, 0), np.where(off, a**2, 0)
    kmo = float(r2.sum() / (r2.sum() + a2.sum()))
    kmo_items = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    sign, logdet = np.linalg.slogdet(r)
    chi2 = float(-(n - 1 - (2 * p + 5) / 6) * logdet) if sign > 0 else float("inf")
    dof = p * (p - 1) // 2
    eig = np.sort(np.linalg.eigvalsh(r))[::-1]
    return Factorability(n=int(n), kmo=kmo, kmo_items=dict(zip(cols, map(float, kmo_items))), bartlett_chi2=chi2,
                         bartlett_df=int(dof), bartlett_p=float(stats.chi2.sf(chi2, dof)),
                         eigenvalues=tuple(float(e) for e in eig), n_factors_kaiser=int((eig > 1).sum()))


def _factor_labels(load: np.ndarray, cols: list[str], dims: dict[str, list[str]]) -> list[str]:
    """Name factors after dimensions by a one-to-one assignment (Hungarian method).

    The score of (factor, dimension) is the mean squared loading of the
    dimension's items on the factor; factors left over are ``factor_<k>``.
    """
    from scipy.optimize import linear_sum_assignment

    names = list(dims)
    score = np.zeros((load.shape[1], len(names)))
    for j, d in enumerate(names):
        idx = [cols.index(c) for c in dims[d] if c in cols]
        if idx:
            score[:, j] = (load[idx] ** 2).mean(axis=0)
    rows, colsel = linear_sum_assignment(-score)
    labels = [f"factor_{k + 1}" for k in range(load.shape[1])]
    for f, j in zip(rows, colsel):
        if score[f, j] > 0:
            labels[f] = names[j]
    return labels


def factor_loadings(
    df: pd.DataFrame,
    n_factors: int = 4,
    *,
    items: Sequence[str] | None = None,
    svd_method: Literal["lapack", "randomized"] = "lapack",
    random_state: int = 0,
) -> FactorLoadings:
    """Exploratory factor analysis with varimax rotation.

    Parameters
    ----------
    df : DataFrame
        Survey responses; complete rows of the items are used.
    n_factors : int, default 4
        Number of factors to extract.
    items : sequence of str, optional
        Item columns; default all items found by :func:`~crmlab.analysis.survey.reliability.item_columns`.
    svd_method : {"lapack", "randomized"}, default "lapack"
        SVD used by :class:`sklearn.decomposition.FactorAnalysis`; the exact
        LAPACK SVD is fast for questionnaire-sized item sets.
    random_state : int, default 0
        Seed of the randomised SVD (used only with ``svd_method="randomized"``).

    Returns
    -------
    FactorLoadings
        ``loadings``: items x factors, the rotated loadings, then
        ``communality`` (sum of squared loadings: the share of the item's
        variance the factors explain). A factor is named after the dimension
        (from the item names) whose items load on it most, one factor per
        dimension; other factors are named ``factor_<k>``. Each factor's sign
        is chosen so its loadings sum to a positive number. ``n`` is the
        number of complete responses.

    Notes
    -----
    Items are standardised first, so the loadings are on the correlation scale
    (the factor model :math:`z = \\Lambda f + \\varepsilon`, fitted by maximum
    likelihood) and the factors are rotated by varimax (Kaiser 1958), which
    maximises the variance of the squared loadings within each factor so that
    each item loads mainly on one factor. Use :func:`primary_factor` to read
    off each item's factor and :func:`factorability` to check the data first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 2))
    >>> cols = {"adv_1": f[:, 0], "adv_2": f[:, 0], "adv_3": f[:, 0],
    ...         "price_1": f[:, 1], "price_2": f[:, 1], "price_3": f[:, 1]}
    >>> df = pd.DataFrame({c: v + rng.normal(scale=0.7, size=500) for c, v in cols.items()})
    >>> fa = factor_loadings(df, n_factors=2)
    >>> fa.n, fa.primary_factor().tolist()
    (500, ['advertising', 'advertising', 'advertising', 'price', 'price', 'price'])
    """
    from sklearn.decomposition import FactorAnalysis

    cols = [c for cs in item_columns(df).values() for c in cs] if items is None else list(items)
    require_columns(df, cols, table="survey")
    if not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < len(cols):
        raise ValueError(f"n_factors must be an integer from 1 to {len(cols) - 1} (number of items - 1), "
                         f"got {n_factors!r}")
    x = complete_rows(numeric_matrix(df, cols))
    if len(x) <= len(cols):
        raise ValueError(f"factor analysis needs more complete responses than items ({len(cols)}), got {len(x)}")
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise ValueError(f"items with zero variance: {[c for c, s in zip(cols, sd) if s == 0]}")
    z = (x - x.mean(axis=0)) / sd
    rotation = "varimax" if n_factors > 1 else None
    fa = FactorAnalysis(n_components=int(n_factors), rotation=rotation, svd_method=svd_method,
                        random_state=random_state).fit(z)
    load = fa.components_.T.copy()
    load *= np.where(load.sum(axis=0) < 0, -1.0, 1.0)
    try:
        by_dim = item_columns(pd.DataFrame(columns=cols))
    except ValueError:
        by_dim = {}
    labels = _factor_labels(load, cols, by_dim) if by_dim else [f"factor_{k + 1}" for k in range(n_factors)]
    out = pd.DataFrame(load, index=pd.Index(cols, name="item"), columns=labels)
    out["communality"] = (load**2).sum(axis=1)
    return FactorLoadings(loadings=out, n=int(len(x)))


def primary_factor(loadings: FactorLoadings | pd.DataFrame) -> pd.Series:
    """The factor on which each item loads most (largest absolute loading).

    Parameters
    ----------
    loadings : FactorLoadings or DataFrame
        Output of :func:`factor_loadings`, or a table of loadings (items x
        factors; a ``communality`` column is ignored).

    Returns
    -------
    Series
        Item -> factor name, named ``primary_factor``.

    Examples
    --------
    >>> import pandas as pd
    >>> L = pd.DataFrame({"price": [0.8, 0.1], "service": [0.2, -0.7]}, index=["price_1", "service_1"])
    >>> primary_factor(L).to_dict()
    {'price_1': 'price', 'service_1': 'service'}
    """
    if isinstance(loadings, FactorLoadings):
        loadings = loadings.loadings
    load = loadings.drop(columns=["communality"], errors="ignore")
    if load.shape[1] == 0:
        raise ValueError("loadings has no factor columns")
    return load.abs().idxmax(axis=1).rename("primary_factor")

def dimension_scores(
    df: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    *,
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Score of each dimension per response: the mean of its answered items.

    Parameters
    ----------
    df : DataFrame
        Survey responses.
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`~crmlab.analysis.survey.reliability.item_columns`.
    min_share : float, default 0.5
        A score needs at least this share of the dimension's items answered;
        otherwise it is NaN.

    Returns
    -------
    DataFrame
        Same index as ``df``, one float column per dimension (1-5 scale).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"adv_1": [4, 2], "adv_2": [5, None], "price_1": [3, None]}, dtype="Int64")
    >>> dimension_scores(df)
       advertising  price
    0          4.5    3.0
    1          2.0    NaN
    """
    fraction(min_share, "min_share")
    dims = dimension_items(df, dimensions)
    out = {}
    for dim, cols in dims.items():
        x = numeric_matrix(df, cols)
        answered = (~np.isnan(x)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(x, axis=1) / answered
        out[dim] = np.where(answered >= min_share * len(cols), mean, np.nan)
    return pd.DataFrame(out, index=df.index)

