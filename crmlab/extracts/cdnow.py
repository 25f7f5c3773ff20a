"""The CDNOW transaction file (``CDNOW_master.txt``), the classic data set of customer-base analysis.

:func:`read_cdnow` reads the whitespace-separated text (customer id, date
``YYYYMMDD``, number of CDs, dollar amount; optionally gzip, a header line is
skipped) or a four-column CSV/Parquet copy, and turns each line into one
order with one order line.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._fs import sha256_file
from ..dataset import Dataset
from ..schema import Problem, ValidationError
from .cleaning import DEFAULT_CATEGORY, CleaningLog, category_of, drop_blank, drop_rows, is_blank
from .derive import tables_from_lines
from .parsing import (
    OUT_OF_RANGE,
    clean_text,
    date_bound,
    parse_datetimes,
    out_of_range,
    parse_numbers,
    problem,
    raise_problems,
    validate_tables,
)
from .sources import (
    EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    WHITESPACE,
    ExtractError,
    RawTable,
    check_file,
    check_truncated,
    decode_text,
    read_bytes,
    read_source,
    source_info,
    with_lines,
)

__all__ = ["read_cdnow"]


def read_cdnow(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    date_format: str | None = None,
    start: Any = None,
    end: Any = None,
    category: str = DEFAULT_CATEGORY,
) -> Dataset:
    """Import the CDNOW transaction file (``CDNOW_master.txt`` or a sample of it).

    Parameters
    ----------
    path : path-like
        Whitespace-separated text (optionally ``.gz``): customer id, date
        ``YYYYMMDD``, number of CDs, dollar amount. A header line, if any, is
        skipped. A CSV or Parquet file with four such columns works too.
    encoding, date_format, start, end, category
        As in :func:`read_online_retail` (``date_format`` default ``%Y%m%d``).

    Returns
    -------
    Dataset
        ``customers, products, orders, order_items``: one order per line
        (``order_id`` = ``L`` + the line number, zero-padded), one order line
        with the single product ``CD``, ``quantity`` = number of CDs,
        ``unit_price`` = amount / quantity, ``order_value`` = amount.

    Notes
    -----
    Blank lines, lines with zero CDs and lines with a negative amount are
    dropped and reported; lines with a zero amount (about 80 in the full file)
    are kept as free purchases and counted in a note. Lines identical to an earlier one are kept: the file
    has no order id, so two purchases of the same size on the same day cannot
    be told from a duplicate (the report counts them as a note).

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2001). Forecasting repeat sales at
    CDNOW: A case study. *Interfaces*, 31(3), S94-S107.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "CDNOW_sample.txt"
    >>> _ = p.write_text(" 00001 19970101  1   11.77\\n 00002 19970112  5   77.00\\n")
    >>> read_cdnow(p).order_items[["sku", "quantity", "unit_price"]].values.tolist()
    [['CD', 1, 11.77], ['CD', 5, 15.4]]
    """
    path = Path(path).expanduser()
    lo, hi = date_bound(start, False), date_bound(end, True)
    category_of(category)
    low = path.name.lower()
    if low.endswith(EXCEL_SUFFIXES + PARQUET_SUFFIXES) or low.endswith((".csv", ".csv.gz")):
        raws, info = read_source(path, encoding=encoding)
        raw = raws[0]
        cols = [c for c in raw.frame.columns if c not in ("_src", "_line")]
    else:
        check_file(path)
        raw, info = _read_cdnow_text(path, encoding)
        cols = [c for c in raw.frame.columns if c not in ("_src", "_line")]
    if len(cols) != 4:
        raise ValidationError([(raw.label, Problem("orders", None, f"expected 4 columns (customer id, date "
                                                   f"YYYYMMDD, number of CDs, dollar amount), found {len(cols)}"))],
                              {raw.label: None})
    log = CleaningLog()
    f = drop_blank(raw.frame, cols, log)
    text_file = all(isinstance(c, int) for c in cols)
    fields = ("customer id", "date", "number of CDs", "dollar amount")
    label = {k: (f"{k} (field {i + 1})" if text_file else str(c)) for i, (k, c) in enumerate(zip(fields, cols))}
    col = dict(zip(fields, cols))
    problems: list[Problem] = []
    lines = pd.DataFrame({"_src": f["_src"], "_line": f["_line"]})
    for k in fields:
        miss = is_blank(f[col[k]])
        if miss.any():
            problems.append(problem("orders", label[k], "missing values are not allowed (a short line?)", f,
                                    f[col[k]], miss))
    lines["customer_id"] = clean_text(f[col["customer id"]], id_like=True)
    fmt = date_format or "%Y%m%d"
    ts, bad, _ = parse_datetimes(f[col["date"]], fmt)
    if bad.any():
        problems.append(problem("orders", label["date"], f"does not match the date format {fmt!r}", f,
                                f[col["date"]], bad))
    lines["order_ts"] = ts
    for k, canon, whole in (("number of CDs", "quantity", True), ("dollar amount", "amount", False)):
        num, bad = parse_numbers(f[col[k]])
        huge = out_of_range(num)
        if bad.any():
            problems.append(problem("order_items", label[k], "not a number", f, f[col[k]], bad))
        elif huge.any():
            problems.append(problem("order_items", label[k], OUT_OF_RANGE, f, f[col[k]], huge))
        elif whole:
            frac = (num.notna() & (num != np.floor(num.fillna(0)))).to_numpy()
            if frac.any():
                problems.append(problem("order_items", label[k], "not a whole number", f, f[col[k]], frac))
        lines[canon] = num
    raise_problems([(raw.label, p) for p in problems], {raw.label: raw.unit})

    dup = lines.duplicated(subset=["customer_id", "order_ts", "quantity", "amount"]).to_numpy()
    profile = {"lines": int(len(lines)), "missing_customer_id_share": 0.0,
               "identical_line_share": round(float(dup.mean()), 4), "cancelled_line_share": 0.0}
    log.rows("note", "identical to an earlier line but kept (CDNOW has no order id: a repeat purchase of the "
                     "same size on the same day looks the same)", lines, dup)
    if lo is not None or hi is not None:
        t = lines["order_ts"]
        out = ((t < lo) if lo is not None else False) | ((t > hi) if hi is not None else False)
        lines = drop_rows(lines, out, log, f"date outside {start or '...'} .. {end or '...'}", "date")
    lines = drop_rows(lines, lines["quantity"].le(0), log, "zero or negative number of CDs", "number of CDs")
    lines = drop_rows(lines, lines["amount"].lt(0), log, "negative dollar amount", "dollar amount")
    log.rows("note", "zero dollar amount kept (a free or promotional purchase is still a purchase)", lines,
             lines["amount"].eq(0).to_numpy())
    if lines.empty:
        raise ExtractError(f"{path.name}: no line is left after cleaning")
    width = max(7, len(str(int(lines["_line"].max()))))
    lines["order_id"] = "L" + lines["_line"].astype("str").str.zfill(width)
    lines["sku"] = "CD"
    lines["description"] = "CDs (CDNOW)"
    lines["quantity"] = lines["quantity"].round().astype("int64")
    lines["unit_price"] = lines["amount"] / lines["quantity"]
    lines["line_value"] = lines["amount"]
    tables, origin = tables_from_lines(lines.drop(columns=["amount"]), channel="web", category=category, log=log,
                                       cancel=np.zeros(len(lines), bool))
    log.table("derived", "one order per line: order_id = 'L' + line number", len(tables["orders"]),
              "orders.order_id")
    tables = validate_tables(tables, origin, {raw.label: raw.unit})
    source = source_info([info], "cdnow", encoding=encoding, date_format=date_format or "%Y%m%d", start=start,
                         end=end, category=category)
    report = log.report("cdnow", [info], tables, profile)
    return Dataset(tables, manifest={"source": source, "cleaning": report})


def _read_cdnow_text(path: Path, encoding: str | None) -> tuple[RawTable, dict[str, Any]]:
    """The whitespace-separated text, a leading header line skipped; lines numbered as in the file."""
    raw = read_bytes(path)
    if not raw.strip():
        raise ExtractError(f"{path.name}: the file is empty")
    text, codec = decode_text(raw, path.name, encoding)
    all_lines = text.splitlines()
    lead = next((i for i, ln in enumerate(all_lines) if ln.strip()), len(all_lines))
    header = not all_lines[lead].split()[0].replace(".", "").isdigit()
    skip = lead + int(header)
    if skip >= len(all_lines):
        raise ExtractError(f"{path.name}: has a header line but no data rows")
    try:
        df = pd.read_csv(io.StringIO(text), sep=WHITESPACE, header=None, skiprows=skip, dtype=str,
                         keep_default_na=False, na_values=[""], skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise ExtractError(f"{path.name}: has a header line but no data rows") from None
    except pd.errors.ParserError as e:
        msg = str(e).strip().replace("Error tokenizing data. C error: ", "")
        raise ExtractError(f"{path.name}: cannot be parsed as whitespace-separated text ({msg})") from None
    check_truncated(text, path.name, df.shape[1], WHITESPACE, False)
    df = with_lines(df, path.name, skip + 1)
    info = {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_file(path),
            "format": "gzip text" if path.name.lower().endswith(".gz") else "text",
            "encoding": codec.replace("-sig", ""), "rows": int(len(df)), "header_line": bool(header)}
    return RawTable(path.name, df, "line"), info
