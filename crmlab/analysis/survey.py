"""Satisfaction-survey analysis: reliability, factors, key drivers, NPS, churn link.

The questionnaire measures four dimensions with 1-5 Likert items - advertising
and promotion (宣传, ``adv_*``), price (价格, ``price_*``), service (服务,
``service_*``) and product quality (质量, ``quality_*``) - plus overall
satisfaction (1-5), the 0-10 recommend question of the Net Promoter Score and
a competitor comparison. The functions follow the order in which a survey is
analysed:

1. measurement - :func:`item_columns`, :func:`cronbach_alpha`,
   :func:`reliability_table`, :func:`item_reliability`, :func:`factorability`,
   :func:`factor_loadings`, :func:`primary_factor`;
2. scores - :func:`dimension_scores`, :func:`top2box`;
3. what matters - :func:`key_drivers` (standardised OLS, Johnson's relative
   weights and the Shapley/LMG decomposition of R^2) and
   :func:`importance_performance` (Martilla & James 1977);
4. loyalty - :func:`nps`, :func:`nps_bootstrap`, :func:`compare_groups`,
   :func:`satisfaction_and_churn`.

Every function takes tables that follow the data contract
(:mod:`crmlab.schema`), so it works on real survey extracts as well as on
synthetic data; missing answers are allowed (nullable integers) and handled
as each docstring says.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"adv_1": [1, 2, 4, 5], "adv_2": [2, 2, 4, 5],
...                    "price_1": [3, 4, 2, 5], "price_2": [3, 5, 2, 4]})
>>> item_columns(df)
{'advertising': ['adv_1', 'adv_2'], 'price': ['price_1', 'price_2']}
>>> round(cronbach_alpha(df[["adv_1", "adv_2"]]), 3)
0.977
>>> nps([10, 9, 8, 7, 3])
20.0
"""

from __future__ import annotations

import itertools
import re
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "DIMENSION_PREFIXES",
    "QUADRANTS",
    "item_columns",
    "cronbach_alpha",
    "reliability_table",
    "item_reliability",
    "factorability",
    "factor_loadings",
    "primary_factor",
    "dimension_scores",
    "relative_weights",
    "shapley_r2",
    "key_drivers",
    "importance_performance",
    "nps",
    "nps_bootstrap",
    "top2box",
    "compare_groups",
    "satisfaction_and_churn",
]

#: item-name prefix -> dimension name, in questionnaire order
DIMENSION_PREFIXES: dict[str, str] = {
    "adv": "advertising",
    "price": "price",
    "service": "service",
    "quality": "quality",
}

#: importance-performance quadrants (Martilla & James 1977), keyed by
#: (high importance, high performance)
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}

_ITEM_RE = re.compile(r"^(?P<prefix>[a-z]+)_(?P<k>\d+)$")


# ----------------------------------------------------------------------------- helpers
def _require(df: pd.DataFrame, columns: Sequence[str], table: str = "survey") -> None:
    """Raise ValueError naming the columns of ``table`` that ``df`` lacks."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table} table is missing column(s): {', '.join(repr(c) for c in missing)}")


def _numeric(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Columns as a float matrix with NaN for missing answers (nullable ints allowed)."""
    out = np.empty((len(df), len(columns)))
    for j, c in enumerate(columns):
        s = df[c]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            raise ValueError(f"column {c!r} must be numeric, got dtype {s.dtype}")
        out[:, j] = s.to_numpy(dtype=float, na_value=np.nan)
    return out


def _complete_rows(x: np.ndarray) -> np.ndarray:
    """Listwise deletion: the rows of ``x`` without any NaN."""
    return x[~np.isnan(x).any(axis=1)]


def _dims(df: pd.DataFrame, dimensions: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """The dimension -> items map to use: given, or inferred from column names."""
    if dimensions is None:
        return item_columns(df)
    dims = {str(d): list(cols) for d, cols in dimensions.items()}
    if not dims:
        raise ValueError("dimensions is empty: give at least one dimension with its items")
    _require(df, [c for cols in dims.values() for c in cols])
    return dims


def _as_datetime(s: pd.Series, name: str) -> pd.Series:
    """A datetime Series, parsing ISO text; ValueError naming the column otherwise."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    try:
        return pd.to_datetime(s, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"column {name!r} must hold dates (datetime dtype or ISO text): "
                         f"{str(exc).splitlines()[0]}") from None


# ----------------------------------------------------------------------------- measurement
def item_columns(df: pd.DataFrame, prefixes: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Dimension -> item columns, inferred from column names such as ``service_3``.

    Parameters
    ----------
    df : DataFrame
        A survey table (only its column names are used).
    prefixes : mapping, optional
        Item-name prefix -> dimension name; default :data:`DIMENSION_PREFIXES`
        (``adv`` -> advertising, ``price``, ``service``, ``quality``).

    Returns
    -------
    dict
        Dimension name -> item columns sorted by item number, dimensions in the
        order of ``prefixes``; dimensions without items are left out.

    Raises
    ------
    ValueError
        If no column matches ``<prefix>_<number>``.

    Examples
    --------
    >>> import pandas as pd
    >>> item_columns(pd.DataFrame(columns=["quality_2", "adv_1", "quality_1", "recommend"]))
    {'advertising': ['adv_1'], 'quality': ['quality_1', 'quality_2']}
    """
    prefixes = dict(DIMENSION_PREFIXES if prefixes is None else prefixes)
    found: dict[str, list[tuple[int, str]]] = {}
    for col in map(str, df.columns):
        m = _ITEM_RE.match(col)
        if m and m["prefix"] in prefixes:
            found.setdefault(m["prefix"], []).append((int(m["k"]), col))
    out = {prefixes[p]: [c for _, c in sorted(found[p])] for p in prefixes if p in found}
    if not out:
        raise ValueError(
            "survey table has no item columns: expected names like "
            + ", ".join(f"'{p}_1'" for p in prefixes)
        )
    return out


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a multi-item scale (listwise deletion of missing rows).

    Parameters
    ----------
    items : DataFrame
        One numeric column per item, one row per respondent. Rows with any
        missing answer are dropped.

    Returns
    -------
    float
        Alpha; NaN when the total score has zero variance (alpha undefined).

    Raises
    ------
    ValueError
        Fewer than 2 items, or fewer than 2 complete rows.

    Notes
    -----
    With :math:`k` items, item variances :math:`s_i^2` and the variance
    :math:`s_X^2` of the sum score :math:`X = \\sum_i x_i`,

    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\right).

    Alpha is 1 for identical items and about 0 for unrelated ones; 0.70 is the
    usual threshold of acceptable reliability (Nunnally 1978). Reference:
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika* 16, 297-334.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5]})
    >>> cronbach_alpha(x)
    1.0
    """
    cols = list(items.columns)
    if len(cols) < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {len(cols)}: {cols}")
    x = _complete_rows(_numeric(items, cols))
    if len(x) < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 complete rows of items {cols}, got {len(x)}")
    k = x.shape[1]
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def _mean_offdiag(r: np.ndarray) -> float:
    k = r.shape[0]
    return float((r.sum() - np.trace(r)) / (k * (k - 1)))


def reliability_table(
    df: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    *,
    threshold: float = 0.70,
) -> pd.DataFrame:
    """Reliability of each dimension's scale.

    Parameters
    ----------
    df : DataFrame
        Survey responses.
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`item_columns`.
    threshold : float, default 0.70
        Alpha at or above which a scale counts as acceptable.

    Returns
    -------
    DataFrame
        Indexed by dimension, with ``n_items``, ``n`` (complete responses),
        ``alpha``, ``alpha_if_deleted_min``, ``alpha_if_deleted_max``,
        ``weakest_item`` (the item whose deletion gives the highest alpha),
        ``mean_inter_item_r`` and ``acceptable`` (``alpha >= threshold``).
        ``alpha_if_deleted_*`` are NaN for 2-item scales.

    Notes
    -----
    Alpha and the inter-item correlations use the complete responses of each
    scale. If deleting an item raises alpha above the full scale's alpha, that
    item measures something else (see :func:`item_reliability`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"adv_1": [1, 2, 3, 4], "adv_2": [1, 2, 3, 5], "adv_3": [2, 2, 3, 4]})
    >>> rt = reliability_table(df)
    >>> int(rt.loc["advertising", "n_items"]), bool(rt.loc["advertising", "acceptable"])
    (3, True)
    """
    dims = _dims(df, dimensions)
    rows = []
    for dim, cols in dims.items():
        x = _complete_rows(_numeric(df, cols))
        alpha = cronbach_alpha(df[cols])
        if len(cols) > 2:
            deleted = {c: cronbach_alpha(df[[o for o in cols if o != c]]) for c in cols}
            vals = np.array(list(deleted.values()))
            lo, hi, weakest = float(np.nanmin(vals)), float(np.nanmax(vals)), max(deleted, key=deleted.get)
        else:
            lo = hi = float("nan")
            weakest = None
        r = np.corrcoef(x, rowvar=False)
        rows.append(dict(dimension=dim, n_items=len(cols), n=len(x), alpha=alpha, alpha_if_deleted_min=lo,
                         alpha_if_deleted_max=hi, weakest_item=weakest, mean_inter_item_r=_mean_offdiag(r),
                         acceptable=bool(alpha >= threshold)))
    return pd.DataFrame(rows).set_index("dimension")


def item_reliability(df: pd.DataFrame, dimensions: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Item statistics within each scale: item-rest correlation and alpha if deleted.

    Parameters
    ----------
    df : DataFrame
        Survey responses.
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`item_columns`.

    Returns
    -------
    DataFrame
        Indexed by item, with ``dimension``, ``mean``, ``sd``,
        ``item_rest_r`` (corrected item-total correlation: the item against the
        sum of the *other* items of its scale) and ``alpha_if_deleted`` (NaN
        for 2-item scales).

    Notes
    -----
    An item-rest correlation below about 0.30 flags a weak item
    (Nunnally & Bernstein 1994). Complete responses of each scale are used.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"adv_1": [1, 2, 3, 4], "adv_2": [1, 2, 3, 5], "adv_3": [2, 2, 3, 4]})
    >>> item_reliability(df)["item_rest_r"].round(2).tolist()
    [0.98, 0.99, 0.96]
    """
    dims = _dims(df, dimensions)
    rows = []
    for dim, cols in dims.items():
        x = _complete_rows(_numeric(df, cols))
        if len(x) < 2:
            raise ValueError(f"dimension {dim!r} has fewer than 2 complete responses")
        total = x.sum(axis=1)
        for j, c in enumerate(cols):
            rest = total - x[:, j]
            r = np.corrcoef(x[:, j], rest)[0, 1] if x[:, j].std() > 0 and rest.std() > 0 else np.nan
            aid = cronbach_alpha(df[[o for o in cols if o != c]]) if len(cols) > 2 else np.nan
            rows.append(dict(item=c, dimension=dim, mean=x[:, j].mean(), sd=x[:, j].std(ddof=1),
                             item_rest_r=float(r), alpha_if_deleted=float(aid)))
    return pd.DataFrame(rows).set_index("item")


def factorability(df: pd.DataFrame, items: Sequence[str] | None = None) -> dict[str, object]:
    """Is a factor analysis worthwhile? KMO, Bartlett's sphericity test and eigenvalues.

    Parameters
    ----------
    df : DataFrame
        Survey responses (complete rows of the items are used).
    items : sequence of str, optional
        Item columns; default all items found by :func:`item_columns`.

    Returns
    -------
    dict
        ``n``, ``kmo`` (overall Kaiser-Meyer-Olkin measure), ``kmo_items``
        (dict item -> measure of sampling adequacy), ``bartlett_chi2``,
        ``bartlett_df``, ``bartlett_p``, ``eigenvalues`` (of the correlation
        matrix, descending) and ``n_kaiser`` (eigenvalues > 1).

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
    >>> out["n_kaiser"], out["kmo"] > 0.7, out["bartlett_p"] < 0.001
    (1, True, True)
    """
    cols = [c for cs in item_columns(df).values() for c in cs] if items is None else list(items)
    _require(df, cols)
    if len(cols) < 2:
        raise ValueError(f"factorability needs at least 2 items, got {len(cols)}")
    x = _complete_rows(_numeric(df, cols))
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
    return dict(n=int(n), kmo=kmo, kmo_items=dict(zip(cols, map(float, kmo_items))), bartlett_chi2=chi2,
                bartlett_df=int(dof), bartlett_p=float(stats.chi2.sf(chi2, dof)), eigenvalues=eig,
                n_kaiser=int((eig > 1).sum()))


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
) -> pd.DataFrame:
    """Exploratory factor analysis with varimax rotation.

    Parameters
    ----------
    df : DataFrame
        Survey responses; complete rows of the items are used.
    n_factors : int, default 4
        Number of factors to extract.
    items : sequence of str, optional
        Item columns; default all items found by :func:`item_columns`.
    svd_method : {"lapack", "randomized"}, default "lapack"
        SVD used by :class:`sklearn.decomposition.FactorAnalysis`; the exact
        LAPACK SVD is fast for questionnaire-sized item sets.
    random_state : int, default 0
        Seed of the randomised SVD (used only with ``svd_method="randomized"``).

    Returns
    -------
    DataFrame
        Items x factors: rotated loadings, then ``communality`` (sum of squared
        loadings: the share of the item's variance the factors explain). A
        factor is named after the dimension (from the item names) whose items
        load on it most, one factor per dimension; other factors are named
        ``factor_<k>``. Each factor's sign is chosen so its loadings sum to a
        positive number. ``attrs["n"]`` is the number of complete responses.

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
    >>> primary_factor(factor_loadings(df, n_factors=2)).tolist()
    ['advertising', 'advertising', 'advertising', 'price', 'price', 'price']
    """
    from sklearn.decomposition import FactorAnalysis

    cols = [c for cs in item_columns(df).values() for c in cs] if items is None else list(items)
    _require(df, cols)
    if not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < len(cols):
        raise ValueError(f"n_factors must be an integer from 1 to {len(cols) - 1} (number of items - 1), "
                         f"got {n_factors!r}")
    x = _complete_rows(_numeric(df, cols))
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
    out.attrs["n"] = int(len(x))
    return out


def primary_factor(loadings: pd.DataFrame) -> pd.Series:
    """The factor on which each item loads most (largest absolute loading).

    Parameters
    ----------
    loadings : DataFrame
        Output of :func:`factor_loadings` (a ``communality`` column is ignored).

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
    load = loadings.drop(columns=["communality"], errors="ignore")
    if load.shape[1] == 0:
        raise ValueError("loadings has no factor columns")
    return load.abs().idxmax(axis=1).rename("primary_factor")


# ----------------------------------------------------------------------------- scores
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
        Dimension -> item columns; default :func:`item_columns`.
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
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], got {min_share}")
    dims = _dims(df, dimensions)
    out = {}
    for dim, cols in dims.items():
        x = _numeric(df, cols)
        answered = (~np.isnan(x)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(x, axis=1) / answered
        out[dim] = np.where(answered >= min_share * len(cols), mean, np.nan)
    return pd.DataFrame(out, index=df.index)


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
        x = _numeric(df, cols).ravel()
        x = x[~np.isnan(x)]
        if len(x) == 0:
            raise ValueError(f"no answers in column(s) {cols}")
        return float((x >= scale_max - 1).mean())

    if level == "item":
        if columns is None:
            columns = [c for cs in item_columns(df).values() for c in cs]
            columns += ["overall_satisfaction"] if "overall_satisfaction" in df.columns else []
        _require(df, list(columns))
        return pd.Series({c: share([c]) for c in columns}, name="top2box", dtype=float)
    if level == "dimension":
        dims = item_columns(df)
        out = {d: share(cs) for d, cs in dims.items()}
        out["all_items"] = share([c for cs in dims.values() for c in cs])
        if "overall_satisfaction" in df.columns:
            out["overall_satisfaction"] = share(["overall_satisfaction"])
        return pd.Series(out, name="top2box", dtype=float)
    raise ValueError(f"level must be 'item' or 'dimension', got {level!r}")


# ----------------------------------------------------------------------------- key drivers
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
) -> pd.DataFrame:
    """Key-driver analysis: what drives overall satisfaction?

    Parameters
    ----------
    df : DataFrame
        Survey responses with item columns and ``target``.
    target : str, default "overall_satisfaction"
        Outcome column.
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`item_columns`. The drivers
        are the dimension scores (:func:`dimension_scores`).

    Returns
    -------
    DataFrame
        Indexed by dimension (driver), sorted by ``rank``, with

        * ``r`` - correlation with the target;
        * ``beta`` - standardised OLS coefficient, ``p_value`` its t-test;
        * ``relative_weight`` - Johnson's relative weight (sums to R^2) and
          ``rw_share`` (sums to 1);
        * ``shapley`` - Shapley/LMG share of R^2 (sums to R^2);
        * ``rank`` - 1 = most important by relative weight.

        ``attrs`` holds ``r2``, ``adj_r2``, ``n`` (complete responses used)
        and ``target``.

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
    >>> kd.index.tolist(), bool(np.isclose(kd["relative_weight"].sum(), kd.attrs["r2"]))
    (['price', 'advertising'], True)
    """
    import statsmodels.api as sm

    _require(df, [target])
    scores = dimension_scores(df, dimensions)
    if scores.shape[1] < 1:
        raise ValueError("key_drivers needs at least one dimension")
    data = scores.assign(**{"__y": _numeric(df, [target])[:, 0]}).dropna()
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
    out.attrs.update(r2=float(fit.rsquared), adj_r2=float(fit.rsquared_adj), n=int(n), target=target)
    return out


def importance_performance(
    drivers: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    importance: str = "rw_share",
    center: Literal["mean", "median"] = "mean",
) -> pd.DataFrame:
    """Importance-performance analysis (Martilla & James 1977).

    Parameters
    ----------
    drivers : DataFrame
        Indexed by dimension with an importance column, e.g. :func:`key_drivers`.
    scores : DataFrame
        Dimension scores per response (:func:`dimension_scores`); performance
        is the mean score of each dimension.
    importance : str, default "rw_share"
        Column of ``drivers`` used as importance.
    center : {"mean", "median"}
        The cross-hairs: mean (or median) importance and performance over the
        dimensions (the "data-centred" variant).

    Returns
    -------
    DataFrame
        Indexed by dimension with ``importance``, ``performance``,
        ``high_importance``, ``high_performance`` and ``quadrant``; ``attrs``
        hold the cut-offs ``importance_cut`` and ``performance_cut``.

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
    >>> importance_performance(drv, sc)["quadrant"].to_dict()
    {'service': 'concentrate here', 'adv': 'possible overkill', 'quality': 'keep up the good work', 'price': 'low priority'}
    """
    _require(drivers, [importance], table="drivers")
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
    out.attrs.update(importance_cut=ic, performance_cut=pc)
    return out


# ----------------------------------------------------------------------------- NPS
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
    ci: float = 0.95,
    random_state: int = 0,
) -> dict[str, float]:
    """NPS with a percentile bootstrap confidence interval.

    Parameters
    ----------
    recommend : array-like
        0-10 answers; missing answers are ignored.
    n_boot : int, default 2000
        Bootstrap replicates.
    ci : float, default 0.95
        Confidence level.
    random_state : int, default 0
        Seed of the numpy Generator.

    Returns
    -------
    dict
        ``nps``, ``ci_low``, ``ci_high``, ``se`` (bootstrap standard error),
        ``n``, ``promoters``, ``passives``, ``detractors`` (shares).

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
    >>> out["nps"], out["ci_low"] < 30 < out["ci_high"]
    (30.0, True)
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci}")
    r = _recommend(recommend)
    n = len(r)
    p = np.array([(r >= 9).mean(), ((r > 6) & (r < 9)).mean(), (r <= 6).mean()])
    rng = np.random.default_rng(random_state)
    counts = rng.multinomial(n, p / p.sum(), size=int(n_boot))
    boot = 100 * (counts[:, 0] - counts[:, 2]) / n
    a = (1 - ci) / 2
    lo, hi = np.quantile(boot, [a, 1 - a])
    return dict(nps=float(100 * (p[0] - p[2])), ci_low=float(lo), ci_high=float(hi), se=float(boot.std(ddof=1)),
                n=int(n), promoters=float(p[0]), passives=float(p[1]), detractors=float(p[2]))


# ----------------------------------------------------------------------------- segments and churn
def compare_groups(
    df: pd.DataFrame,
    by: str,
    value: str = "overall_satisfaction",
    *,
    test: Literal["kruskal", "anova"] = "kruskal",
    min_n: int = 2,
) -> pd.DataFrame:
    """Compare a score across groups (e.g. by competitor or city tier) with a test.

    Parameters
    ----------
    df : DataFrame
        One row per response, with columns ``by`` and ``value`` (merge the
        customers table first to compare by ``city_tier``).
    by : str
        Grouping column; rows with a missing group are left out.
    value : str, default "overall_satisfaction"
        Numeric column to compare (missing values left out).
    test : {"kruskal", "anova"}
        Kruskal-Wallis H test (rank-based; suits ordinal Likert answers) or
        one-way ANOVA F test.
    min_n : int, default 2
        Groups with fewer responses are shown but left out of the test.

    Returns
    -------
    DataFrame
        Indexed by group with ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``
        (95% t interval of the mean) and ``median``; ``attrs`` hold ``test``,
        ``statistic`` and ``p_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"competitor": ["jd"] * 4 + ["gome"] * 4, "overall_satisfaction": [1, 2, 2, 3, 4, 5, 5, 4]})
    >>> out = compare_groups(df, "competitor")
    >>> out["mean"].to_dict(), out.attrs["p_value"] < 0.05
    ({'gome': 4.5, 'jd': 2.0}, True)
    """
    _require(df, [by, value])
    if test not in ("kruskal", "anova"):
        raise ValueError(f"test must be 'kruskal' or 'anova', got {test!r}")
    v = pd.Series(_numeric(df, [value])[:, 0], index=df.index)
    d = pd.DataFrame({"g": df[by], "v": v}).dropna()
    if d.empty:
        raise ValueError(f"no rows with both {by!r} and {value!r}")
    g = d.groupby("g", sort=True)["v"]
    out = pd.DataFrame({"n": g.size(), "mean": g.mean(), "sd": g.std(ddof=1), "median": g.median()})
    half = stats.t.ppf(0.975, np.maximum(out["n"] - 1, 1)) * out["sd"] / np.sqrt(out["n"])
    out.insert(3, "ci_low", out["mean"] - half)
    out.insert(4, "ci_high", out["mean"] + half)
    out.index.name = by
    samples = [grp.to_numpy() for _, grp in g if len(grp) >= min_n]
    if len(samples) < 2:
        raise ValueError(f"need at least 2 groups of {by!r} with {min_n}+ responses to test, got {len(samples)}")
    if test == "kruskal":
        try:
            res = stats.kruskal(*samples)
            stat, pv = float(res.statistic), float(res.pvalue)
        except ValueError:  # all values identical
            stat, pv = 0.0, 1.0
    else:
        res = stats.f_oneway(*samples)
        stat, pv = float(res.statistic), float(res.pvalue)
    out.attrs.update(test=test, statistic=stat, p_value=pv)
    return out


def _wilson(k: np.ndarray, n: np.ndarray, z: float = 1.959963984540054) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion."""
    p = k / n
    den = 1 + z**2 / n
    mid = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return mid - half, mid + half


def satisfaction_and_churn(
    survey: pd.DataFrame,
    orders: pd.DataFrame,
    window_days: int = 365,
    *,
    level: str = "overall_satisfaction",
    as_of: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Does satisfaction predict later inactivity? Share with no order after the survey.

    Parameters
    ----------
    survey : DataFrame
        Survey responses with ``customer_id``, ``response_date`` and ``level``;
        anonymous responses (no customer id) are left out.
    orders : DataFrame
        Orders with ``customer_id``, ``order_ts`` and ``status``; only
        ``completed`` orders count as activity.
    window_days : int, default 365
        Length of the follow-up window after each response.
    level : str, default "overall_satisfaction"
        Column defining the groups (e.g. ``recommend`` or a score band).
    as_of : date-like, optional
        End of observation; default the last ``order_ts`` in ``orders``.
        Responses whose window ends after ``as_of`` are left out (their
        follow-up is incomplete).

    Returns
    -------
    DataFrame
        Indexed by level with ``n``, ``n_inactive`` (no completed order in
        ``(response_date, response_date + window_days]``), ``share_inactive``
        with its 95% Wilson interval ``ci_low``/``ci_high``, and
        ``mean_orders`` (completed orders in the window). ``attrs`` hold
        ``chi2``, ``p_value`` (chi-square test of independence of level and
        inactivity), ``n_excluded_window``, ``n_excluded_anonymous`` and
        ``as_of``.

    Notes
    -----
    "No purchase within a year" is a behavioural proxy for churn that needs
    no model; for time-to-churn use survival analysis
    (:mod:`crmlab.analysis.survival`).

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"customer_id": ["a", "b", "c"], "overall_satisfaction": [5, 1, 5],
    ...                    "response_date": pd.to_datetime(["2024-01-01"] * 3)})
    >>> od = pd.DataFrame({"customer_id": ["a", "b", "c"], "status": ["completed"] * 3,
    ...                    "order_ts": pd.to_datetime(["2024-03-01", "2023-06-01", "2024-12-31"])})
    >>> out = satisfaction_and_churn(sv, od, window_days=180)
    >>> out["n"].to_dict(), out["share_inactive"].to_dict()
    ({1: 1, 5: 2}, {1: 1.0, 5: 0.5})

    Customer ``c`` ordered again, but 365 days later: inactive in a 180-day window.
    """
    _require(survey, ["customer_id", "response_date", level], table="survey")
    _require(orders, ["customer_id", "order_ts", "status"], table="orders")
    if window_days <= 0:
        raise ValueError(f"window_days must be positive, got {window_days}")
    if orders.empty:
        raise ValueError("orders table is empty: cannot observe later activity")
    ots = _as_datetime(orders["order_ts"], "order_ts")
    end = pd.Timestamp(as_of) if as_of is not None else ots.max()
    sv = pd.DataFrame({"customer_id": survey["customer_id"],
                       "t0": _as_datetime(survey["response_date"], "response_date"),
                       "level": survey[level]})
    anonymous = sv["customer_id"].isna()
    sv = sv[~anonymous & sv["level"].notna()]
    window = pd.Timedelta(days=int(window_days))
    full = sv["t0"] + window <= end
    sv = sv[full].reset_index(drop=True)
    if sv.empty:
        raise ValueError(f"no identified survey response has a full {window_days}-day window before {end}")
    od = pd.DataFrame({"customer_id": orders["customer_id"], "ts": ots})[orders["status"].eq("completed")]
    m = sv.reset_index().merge(od, on="customer_id", how="inner")
    inside = (m["ts"] > m["t0"]) & (m["ts"] <= m["t0"] + window)
    n_orders = m.loc[inside].groupby("index").size().reindex(sv.index, fill_value=0).to_numpy()
    sv["inactive"] = n_orders == 0
    sv["orders"] = n_orders
    g = sv.groupby("level", sort=True)
    out = pd.DataFrame({"n": g.size(), "n_inactive": g["inactive"].sum().astype(int)})
    out["share_inactive"] = out["n_inactive"] / out["n"]
    lo, hi = _wilson(out["n_inactive"].to_numpy(float), out["n"].to_numpy(float))
    out["ci_low"], out["ci_high"] = lo, hi
    out["mean_orders"] = g["orders"].mean()
    out.index.name = level
    table = np.column_stack([out["n_inactive"], out["n"] - out["n_inactive"]])
    table = table[:, table.sum(axis=0) > 0]
    if len(out) >= 2 and table.shape[1] == 2:
        chi = stats.chi2_contingency(table, correction=False)
        chi2, pv = float(chi.statistic), float(chi.pvalue)
    else:
        chi2, pv = float("nan"), float("nan")
    out.attrs.update(chi2=chi2, p_value=pv, n_excluded_window=int((~full).sum()),
                     n_excluded_anonymous=int(anonymous.sum()), as_of=str(end))
    return out
