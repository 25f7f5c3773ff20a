"""The cells of an extract as typed columns, and problems that name the user's file lines.

The readers (:mod:`crmlab.extracts.sources`) return text as text; the
functions here turn it into identifiers, numbers and timestamps, returning a
mask of the cells that do not parse instead of raising at the first one, so
that one :class:`~crmlab.schema.ValidationError` can list every faulty
column with up to five line numbers of the user's file.
:func:`validate_tables` checks the finished tables against the data contract
and relabels the contract's row positions as file lines.

Examples
--------
>>> import pandas as pd
>>> clean_text(pd.Series([13085.0, None]), id_like=True).tolist()
['13085', nan]
>>> ts, bad, fmt = parse_datetimes(pd.Series(["12/1/2009 7:45", "12/13/2009 10:33"]), None)
>>> ts.dt.day.tolist(), fmt
([1, 13], '%m/%d/%Y %H:%M')
>>> date_bound("2011-12-09", end=True)
Timestamp('2011-12-09 23:59:59')
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._checks import as_timestamp
from ..schema import CONTRACT, Problem, ValidationError, coerce_table, validate_dataset

__all__ = [
    "problem",
    "raise_problems",
    "clean_text",
    "parse_numbers",
    "out_of_range",
    "MAX_ABS",
    "parse_datetimes",
    "date_bound",
    "validate_tables",
    "relabel_problems",
]

#: Date formats tried, in this order, when a date column is not ISO 8601.
_DATE_FORMATS = ("%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S",
                 "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d")


def _py(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return str(v)
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""  # shown as '' in messages: the cell is empty
    return v


def problem(table: str, column: str, rule: str, frame: pd.DataFrame, values: pd.Series,
            bad: np.ndarray) -> Problem:
    """A :class:`~crmlab.schema.Problem` whose examples are (line in the user's file, value).

    ``frame`` carries ``_line``; ``bad`` marks the faulty cells of ``values``
    (the first five are shown, all are counted).
    """
    idx = np.flatnonzero(np.asarray(bad))
    lines = frame["_line"].to_numpy()
    ex = [(int(lines[i]), _py(values.iloc[i])) for i in idx[:5]]
    return Problem(table, column, rule, int(len(idx)), ex)


def raise_problems(problems: list[tuple[str, Problem]], units: Mapping[str, str]) -> None:
    """Raise one ValidationError for every (source, problem), if there is any.

    ``units`` maps a source label to ``"line"`` (examples are file lines) or
    ``"row"`` (Parquet rows).
    """
    if problems:
        offsets = {src: (0 if units.get(src, "line") == "line" else None) for src, _ in problems}
        raise ValidationError(problems, offsets)


def clean_text(s: pd.Series, *, id_like: bool = False) -> pd.Series:
    """Strip text; empty -> missing. ``id_like``: whole numbers lose a trailing ``.0`` (13085.0 -> 13085)."""
    if pd.api.types.is_float_dtype(s):
        whole = s.notna() & (s == np.floor(s.fillna(0)))
        txt = s.astype("str")
        if id_like and bool((whole | s.isna()).all()):
            txt = s.astype("Int64").astype("str")
        return txt.where(s.notna(), None).astype("str")
    txt = s.astype("str").str.strip()
    txt = txt.where(txt.ne("") & s.notna(), None).astype("str")
    if id_like:
        txt = txt.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    return txt


def parse_numbers(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Float values and a mask of values that are present but not numbers."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64"), np.zeros(len(s), bool)
    txt = s.astype("str").str.strip()
    num = pd.to_numeric(txt.where(txt.ne(""), None), errors="coerce").astype("float64")
    bad = (s.notna() & txt.ne("") & num.isna()).to_numpy()
    return num, bad


#: The largest size an imported number may have: anything bigger (or infinite)
#: is a corrupt cell or an overflow, refused instead of wrapping around in int64.
MAX_ABS = 1e12
#: The rule text of :func:`out_of_range`.
OUT_OF_RANGE = f"out of range (must be a finite number of at most {MAX_ABS:.0e} in size)"


def out_of_range(num: pd.Series) -> np.ndarray:
    """Mask of present values that are infinite or larger than :data:`MAX_ABS` in size.

    >>> out_of_range(pd.Series([1.0, float("inf"), -1e23, None])).tolist()
    [False, True, True, False]
    """
    v = pd.to_numeric(num, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(v) & (~np.isfinite(v) | (np.abs(v) > MAX_ABS))


def parse_datetimes(s: pd.Series, fmt: str | None) -> tuple[pd.Series, np.ndarray, str | None]:
    """Timestamps (seconds), a mask of unparseable values, and the format used.

    Without ``fmt``: ISO 8601, else the one common format (US ``m/d/Y H:M``,
    European ``d/m/Y H:M``, ``YYYYMMDD``, ...) that parses every value. Two
    formats that both parse every value are ambiguous and raise ValueError.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        return pd.to_datetime(s).dt.round("s").astype("datetime64[s]"), np.zeros(len(s), bool), None
    present = s.notna().to_numpy()
    kinds = pd.api.types.infer_dtype(s.dropna(), skipna=True)
    if kinds in ("datetime", "datetime64", "date"):
        ts = pd.to_datetime(s, errors="coerce")
        return ts.dt.round("s").astype("datetime64[s]"), present & ts.isna().to_numpy(), None
    txt = s.astype("str").str.strip()
    present = present & txt.ne("").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt:
            ts = pd.to_datetime(txt, format=fmt, errors="coerce")
            return ts.dt.round("s").astype("datetime64[s]"), present & ts.isna().to_numpy(), fmt
        ts = pd.to_datetime(txt, format="ISO8601", errors="coerce")
        bad = present & ts.isna().to_numpy()
        if not bad.any():
            return ts.dt.round("s").astype("datetime64[s]"), bad, "ISO8601"
        fits = []
        for cand in _DATE_FORMATS:
            t2 = pd.to_datetime(txt, format=cand, errors="coerce")
            if not (present & t2.isna().to_numpy()).any():
                fits.append((cand, t2))
    if len(fits) == 1:
        return fits[0][1].dt.round("s").astype("datetime64[s]"), np.zeros(len(s), bool), fits[0][0]
    if len(fits) > 1:
        ex = txt[present].iloc[0]
        raise ValueError(f"dates such as {ex!r} are ambiguous (formats {fits[0][0]!r} and {fits[1][0]!r} both "
                         "fit every value); give the format explicitly (--date-format or date_format:)")
    return ts.dt.round("s").astype("datetime64[s]"), bad, None


def date_bound(value: Any, end: bool) -> pd.Timestamp | None:
    """``start`` / ``end`` of the dates to keep (None: no bound); a whole-day ``end`` includes that day."""
    if value is None:
        return None
    t = as_timestamp(value, "end" if end else "start")
    if end and t == t.normalize() and not (isinstance(value, str) and ":" in value):
        t = t + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)  # a date includes its whole day
    return t


def validate_tables(tables: dict[str, pd.DataFrame], origin: Mapping[str, pd.DataFrame],
                    units: Mapping[str, str], columns: Mapping[str, Mapping[str, str]] | None = None
                    ) -> dict[str, pd.DataFrame]:
    """Coerce and validate the tables (contract order of tables and columns, extras last).

    ``origin`` gives, per table, the ``_src`` and ``_line`` of each row;
    ``columns`` the user's column name of each mapped contract column.
    Problems name the user's file, column and lines.
    """
    out: dict[str, pd.DataFrame] = {}
    problems: list[tuple[str, Problem]] = []
    for name in [t for t in CONTRACT if t in tables]:
        df = tables[name]
        names = CONTRACT[name].names
        df = df[[c for c in names if c in df.columns] + [c for c in df.columns if c not in names]]
        try:
            out[name] = coerce_table(df, name, source=name)
        except ValidationError as e:
            problems += e.problems
    if not problems:
        try:
            validate_dataset(out)
        except ValidationError as e:
            problems += e.problems
    if problems:
        raise relabel_problems(problems, origin, units, columns or {})
    return out


def relabel_problems(problems: list[tuple[str, Problem]], origin: Mapping[str, pd.DataFrame],
                     units: Mapping[str, str], columns: Mapping[str, Mapping[str, str]]) -> ValidationError:
    """The contract's problems (table, row position) as problems of the user's files (file, line, column)."""
    new: list[tuple[str, Problem]] = []
    offsets: dict[str, int | None] = {}
    for table, p in problems:
        org = origin.get(table)
        col = p.column
        if col is not None and col in columns.get(table, {}):
            col = f"{columns[table][col]} [{table}.{col}]"
        elif col is not None:
            col = f"{table}.{col}"
        if org is None or not len(org):
            new.append((table, Problem(p.table, col, p.rule, p.n_rows, p.examples)))
            offsets[table] = None
            continue
        srcs = org["_src"].to_numpy()
        lines = org["_line"].to_numpy()
        pos = [int(i) for i, _ in p.examples]
        used = list(dict.fromkeys(str(srcs[i]) for i in pos)) or [str(srcs[0])]
        if len(used) == 1:
            ex = [(int(lines[i]), v) for i, v in p.examples]
        else:
            ex = [(int(lines[i]), f"[{srcs[i]}] {v!r}") for i, v in p.examples]
        label = used[0] if len(used) == 1 else " + ".join(used)
        if table not in label:
            label = f"{label} ({table})"
        new.append((label, Problem(p.table, col, p.rule, p.n_rows, ex)))
        offsets[label] = 0 if units.get(used[0], "line") == "line" else None
    return ValidationError(new, offsets)

