"""Input checks shared by every layer: columns, dates and numbers.

One module, one argument order, one wording: each check raises
:class:`ValueError` with a message that names the table or argument and what
is wrong with it, so that the caller (a notebook, the CLI) can show it as it
is. The analysis modules, the importers and the realism checks all use these
functions instead of their own.

Examples
--------
>>> import pandas as pd
>>> from crmlab._checks import as_timestamp, require_columns
>>> orders = pd.DataFrame({"customer_id": ["c1"], "order_ts": ["2025-01-02 10:00:00"]})
>>> require_columns(orders, ["customer_id", "order_ts"], table="orders") is orders
True
>>> require_columns(orders, ["status"], table="orders")
Traceback (most recent call last):
...
ValueError: orders is missing column(s): status
>>> as_timestamp("2025-12-31", "as_of")
Timestamp('2025-12-31 00:00:00')
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Literal

import numpy as np
import pandas as pd

__all__ = [
    "require_columns",
    "as_timestamp",
    "as_datetimes",
    "positive_int",
    "fraction",
    "check_confidence_level",
]


def require_columns(df: Any, columns: Iterable[str], *, table: str, non_empty: bool = False) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame holding ``columns``; return it unchanged.

    Parameters
    ----------
    df : object
        What the caller received.
    columns : iterable of str
        Columns that must be present.
    table : str
        Name used in the message (``"orders"``, ``"survey"``, ...).
    non_empty : bool, default False
        Also refuse a table without rows.

    Raises
    ------
    ValueError
        ``df`` is not a DataFrame, lacks a column, or is empty when ``non_empty``.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table} is missing column(s): {', '.join(missing)}")
    if non_empty and len(df) == 0:
        raise ValueError(f"{table} is empty")
    return df


def as_timestamp(value: Any, name: str, *, normalize: bool = False) -> pd.Timestamp:
    """One date or date-time (``as_of``, ``cutoff``, ...) as a :class:`pandas.Timestamp`.

    Parameters
    ----------
    value : str, date, datetime or Timestamp
        ``None`` and unparseable values are refused: dates are always parameters, never "today".
    name : str
        Argument name used in the message.
    normalize : bool, default False
        Drop the time of day (midnight).

    Examples
    --------
    >>> as_timestamp("2025-06-30 18:00", "cutoff", normalize=True)
    Timestamp('2025-06-30 00:00:00')
    >>> as_timestamp(None, "as_of")
    Traceback (most recent call last):
    ...
    ValueError: as_of is required (a date such as '2025-12-31')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError(f"{name} is required (a date such as '2025-12-31')")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a date") from None
    if pd.isna(ts):
        raise ValueError(f"{name}: {value!r} is not a date")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize() if normalize else ts


def as_datetimes(values: pd.Series, name: str, *, errors: Literal["raise", "coerce"] = "raise") -> pd.Series:
    """A column of dates or date-times as ``datetime64``.

    Parameters
    ----------
    values : Series
        A datetime column (returned as it is) or text.
    name : str
        Column name used in the message, e.g. ``"orders.order_ts"``.
    errors : {"raise", "coerce"}, default "raise"
        ``"raise"``: text must be ISO 8601; anything else is an error naming a
        few offending values. ``"coerce"``: any format pandas recognises, the
        rest becomes ``NaT`` (for describing faulty extracts).

    Examples
    --------
    >>> as_datetimes(pd.Series(["2025-01-02", "2025-01-03 12:00"]), "orders.order_ts").dt.day.tolist()
    [2, 3]
    >>> as_datetimes(pd.Series(["2025-01-02", "yesterday"]), "orders.order_ts")
    Traceback (most recent call last):
    ...
    ValueError: orders.order_ts: 1 value(s) are not ISO 8601 dates (e.g. 'yesterday'); clean them first
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', got {errors!r}")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if errors == "coerce":
        return pd.to_datetime(values, errors="coerce", format="mixed")
    ts = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = values.notna() & ts.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(values[bad])[:3])
        raise ValueError(f"{name}: {int(bad.sum())} value(s) are not ISO 8601 dates (e.g. {examples}); clean them first")
    return ts


def positive_int(value: Any, name: str) -> int:
    """A whole number > 0 (``bool`` refused).

    >>> positive_int(30.0, "window_days")
    30
    >>> positive_int(0, "window_days")
    Traceback (most recent call last):
    ...
    ValueError: window_days must be a positive whole number, got 0
    """
    ok = not isinstance(value, (bool, np.bool_))
    try:
        ok = ok and float(value).is_integer() and float(value) > 0
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def fraction(value: Any, name: str, *, allow_zero: bool = False, allow_one: bool = True) -> float:
    """A number in (0, 1] (bounds adjustable); NaN and non-numbers refused.

    >>> fraction(0.2, "share")
    0.2
    >>> fraction(1.5, "share")
    Traceback (most recent call last):
    ...
    ValueError: share must be in (0, 1], got 1.5
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    lo_ok = v >= 0 if allow_zero else v > 0
    hi_ok = v <= 1 if allow_one else v < 1
    if isinstance(value, (bool, np.bool_)) or not (lo_ok and hi_ok):
        interval = f"{'[' if allow_zero else '('}0, 1{']' if allow_one else ')'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def check_confidence_level(confidence_level: Any) -> float:
    """The confidence level of an interval, strictly between 0 and 1 (``0.95`` by convention).

    >>> check_confidence_level(0.9)
    0.9
    """
    return fraction(confidence_level, "confidence_level", allow_zero=False, allow_one=False)
