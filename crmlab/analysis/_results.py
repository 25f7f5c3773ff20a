"""Result objects shared by the estimators: small frozen dataclasses instead of dicts and ``attrs``.

Every estimator of :mod:`crmlab.analysis` returns either a table (a plain
DataFrame, nothing hidden in ``DataFrame.attrs``) or a frozen dataclass that
subclasses :class:`Result`. Fields are documented in the class docstring;
``to_dict()`` gives a JSON-friendly dict for ``results.json``.

Intervals follow one convention everywhere: the argument is
``confidence_level`` (default ``0.95``), the fields are ``ci_low`` and
``ci_high``, and the level is kept on the result.

Examples
--------
>>> from crmlab.analysis._results import Estimate
>>> e = Estimate(estimate=0.12, ci_low=0.02, ci_high=0.22)
>>> e.excludes(0.0), e.confidence_level
(True, 0.95)
>>> e.to_dict()
{'estimate': 0.12, 'ci_low': 0.02, 'ci_high': 0.22, 'confidence_level': 0.95}
"""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_confidence_level

__all__ = ["Result", "Estimate", "DEFAULT_CONFIDENCE", "z_value", "t_value"]

#: The confidence level of every interval unless the caller asks otherwise.
DEFAULT_CONFIDENCE = 0.95


def z_value(confidence_level: float = DEFAULT_CONFIDENCE) -> float:
    """Two-sided normal critical value: ``z_value(0.95)`` is 1.96.

    >>> round(z_value(0.95), 4)
    1.96
    """
    return NormalDist().inv_cdf(0.5 + check_confidence_level(confidence_level) / 2)


def t_value(confidence_level: float = DEFAULT_CONFIDENCE, df: Any = math.inf) -> Any:
    """Two-sided Student-t critical value for ``df`` degrees of freedom (a number or an array).

    ``nan`` where ``df <= 0`` (no interval from fewer than two values).

    >>> round(t_value(0.95, 9), 4), round(t_value(0.95, 1e9), 2)
    (2.2622, 1.96)
    >>> t_value(0.95, np.array([0, 4])).round(3)
    array([  nan, 2.776])
    """
    from scipy.stats import t

    q = 0.5 + check_confidence_level(confidence_level) / 2
    df = np.asarray(df, dtype=float)
    out = np.where(df > 0, t.ppf(q, np.where(df > 0, df, 1.0)), np.nan)
    return float(out) if out.ndim == 0 else out


def _plain(x: Any) -> Any:
    if isinstance(x, Result):
        return x.to_dict()
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


class Result:
    """Base of every result dataclass: ``to_dict()`` and a compact ``repr``.

    Subclasses are ``@dataclasses.dataclass(frozen=True)``; DataFrame fields
    (tables that come with a statistic) are kept as they are by ``to_dict()``.
    """

    def to_dict(self) -> dict[str, Any]:
        """Fields as a dict (nested results converted too; DataFrames kept as they are)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, pd.DataFrame):
                parts.append(f"{f.name}=<DataFrame {v.shape[0]}x{v.shape[1]}>")
            elif isinstance(v, float):
                parts.append(f"{f.name}={v:.4g}")
            else:
                parts.append(f"{f.name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclasses.dataclass(frozen=True, repr=False)
class Estimate(Result):
    """A point estimate with its confidence interval.

    Attributes
    ----------
    estimate : float
    ci_low, ci_high : float
        Interval bounds (NaN when the interval cannot be computed).
    confidence_level : float
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float = DEFAULT_CONFIDENCE

    def excludes(self, null: float = 0.0) -> bool:
        """True when the interval lies entirely above or below ``null`` (False if it is undefined)."""
        lo, hi = float(self.ci_low), float(self.ci_high)
        if math.isnan(lo) or math.isnan(hi):
            return False
        return lo > null or hi < null
