"""Reliability of a multi-item questionnaire: which items belong to which scale, and do they agree.

* :func:`item_columns` - dimension -> item columns, read from names such as ``service_3``;
* :func:`dimension_items` - the dimension map a function uses (given, or inferred);
* :func:`cronbach_alpha` - internal consistency of one scale (Cronbach 1951);
* :func:`alpha_interval` - Feldt's confidence interval of alpha;
* :func:`reliability_table` - alpha with its interval, alpha-if-deleted and inter-item correlation per scale;
* :func:`item_reliability` - item-rest correlation and alpha-if-deleted per item.

Missing answers (nullable integers) are allowed; each function says how it
treats them (complete responses of each scale, as a rule).

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.survey.reliability import cronbach_alpha, item_columns
>>> df = pd.DataFrame({"adv_1": [1, 2, 4, 5], "adv_2": [2, 2, 4, 5],
...                    "price_1": [3, 4, 2, 5], "price_2": [3, 5, 2, 4]})
>>> item_columns(df)
{'advertising': ['adv_1', 'adv_2'], 'price': ['price_1', 'price_2']}
>>> round(cronbach_alpha(df[["adv_1", "adv_2"]]), 3)
0.977
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..._checks import check_confidence_level, require_columns
from .._results import DEFAULT_CONFIDENCE
from ._items import complete_rows, numeric_matrix

__all__ = [
    "DIMENSION_PREFIXES",
    "item_columns",
    "dimension_items",
    "cronbach_alpha",
    "alpha_interval",
    "reliability_table",
    "item_reliability",
]

#: item-name prefix -> dimension name, in questionnaire order
DIMENSION_PREFIXES: dict[str, str] = {
    "adv": "advertising",
    "price": "price",
    "service": "service",
    "quality": "quality",
}

_ITEM_RE = re.compile(r"^(?P<prefix>[a-z]+)_(?P<k>\d+)$")


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


def dimension_items(df: pd.DataFrame, dimensions: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """The dimension -> item columns map to use: ``dimensions`` checked against ``df``, or inferred.

    Parameters
    ----------
    df : DataFrame
        Survey responses.
    dimensions : mapping, optional
        Dimension -> item columns; default :func:`item_columns` of ``df``.

    Raises
    ------
    ValueError
        ``dimensions`` is empty or names a column ``df`` lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> dimension_items(pd.DataFrame(columns=["x", "y"]), {"custom": ("x", "y")})
    {'custom': ['x', 'y']}
    """
    if dimensions is None:
        return item_columns(df)
    dims = {str(d): list(cols) for d, cols in dimensions.items()}
    if not dims:
        raise ValueError("dimensions is empty: give at least one dimension with its items")
    require_columns(df, [c for cols in dims.values() for c in cols], table="survey")
    return dims


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
    x = complete_rows(numeric_matrix(items, cols))
    if len(x) < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 complete rows of items {cols}, got {len(x)}")
    k = x.shape[1]
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def alpha_interval(alpha: float, n: int, k: int, confidence_level: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Feldt's confidence interval of Cronbach's alpha.

    Parameters
    ----------
    alpha : float
        The sample alpha.
    n : int
        Complete responses it was computed from.
    k : int
        Number of items.
    confidence_level : float, default 0.95

    Returns
    -------
    (float, float)
        ``(ci_low, ci_high)``; NaN for an undefined alpha or fewer than 3 responses.

    Notes
    -----
    Under the model of parallel items, :math:`(1 - \\alpha)/(1 - \\hat\\alpha)`
    follows an F distribution with :math:`n - 1` and :math:`(n - 1)(k - 1)`
    degrees of freedom (Feldt 1965; Feldt, Woodruff & Salih 1987, *Applied
    Psychological Measurement* 11, 93-103), so the interval is
    :math:`1 - (1 - \\hat\\alpha) F_{1-\\gamma/2}` to
    :math:`1 - (1 - \\hat\\alpha) F_{\\gamma/2}`.

    Examples
    --------
    >>> lo, hi = alpha_interval(0.80, n=500, k=4)
    >>> round(lo, 3), round(hi, 3)
    (0.77, 0.827)
    """
    from scipy import stats

    level = check_confidence_level(confidence_level)
    if not np.isfinite(alpha) or n < 3 or k < 2:
        return float("nan"), float("nan")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    g = (1 - level) / 2
    return (float(1 - (1 - alpha) * stats.f.ppf(1 - g, df1, df2)),
            float(1 - (1 - alpha) * stats.f.ppf(g, df1, df2)))


def _mean_offdiag(r: np.ndarray) -> float:
    k = r.shape[0]
    return float((r.sum() - np.trace(r)) / (k * (k - 1)))


def reliability_table(
    df: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    *,
    threshold: float = 0.70,
    confidence_level: float = DEFAULT_CONFIDENCE,
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
    confidence_level : float, default 0.95
        Coverage of the interval of alpha (:func:`alpha_interval`).

    Returns
    -------
    DataFrame
        Indexed by dimension, with ``n_items``, ``n`` (complete responses),
        ``alpha`` and its Feldt interval ``ci_low``/``ci_high``, ``alpha_if_deleted_min``, ``alpha_if_deleted_max``,
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
    dims = dimension_items(df, dimensions)
    rows = []
    for dim, cols in dims.items():
        x = complete_rows(numeric_matrix(df, cols))
        alpha = cronbach_alpha(df[cols])
        if len(cols) > 2:
            deleted = {c: cronbach_alpha(df[[o for o in cols if o != c]]) for c in cols}
            vals = np.array(list(deleted.values()))
            lo, hi, weakest = float(np.nanmin(vals)), float(np.nanmax(vals)), max(deleted, key=deleted.get)
        else:
            lo = hi = float("nan")
            weakest = None
        r = np.corrcoef(x, rowvar=False)
        ci = alpha_interval(alpha, len(x), len(cols), confidence_level)
        rows.append(dict(dimension=dim, n_items=len(cols), n=len(x), alpha=alpha, ci_low=ci[0], ci_high=ci[1],
                         alpha_if_deleted_min=lo,
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
    dims = dimension_items(df, dimensions)
    rows = []
    for dim, cols in dims.items():
        x = complete_rows(numeric_matrix(df, cols))
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
