"""Item matrices shared by the survey modules: answers as floats, listwise deletion.

Private to :mod:`crmlab.analysis.survey`; the public functions check their
inputs with :mod:`crmlab._checks` and call these helpers for the numbers.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["numeric_matrix", "complete_rows"]


def numeric_matrix(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Columns as a float matrix with NaN for missing answers (nullable integers allowed).

    Raises
    ------
    ValueError
        A column is not numeric (text, booleans).

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_matrix(pd.DataFrame({"a": [1, None]}, dtype="Int64"), ["a"]).ravel().tolist()
    [1.0, nan]
    """
    out = np.empty((len(df), len(columns)))
    for j, c in enumerate(columns):
        s = df[c]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            raise ValueError(f"column {c!r} must be numeric, got dtype {s.dtype}")
        out[:, j] = s.to_numpy(dtype=float, na_value=np.nan)
    return out


def complete_rows(x: np.ndarray) -> np.ndarray:
    """Listwise deletion: the rows of ``x`` without any NaN.

    >>> import numpy as np
    >>> complete_rows(np.array([[1.0, 2.0], [np.nan, 1.0]])).tolist()
    [[1.0, 2.0]]
    """
    return x[~np.isnan(x).any(axis=1)]
