"""The UCI *Online Retail* and *Online Retail II* extracts.

:func:`read_online_retail` reads the Excel workbook (every sheet), or a CSV
(optionally gzip) or Parquet copy, cleans the invoice lines by the rules in
its docstring (each counted in the cleaning report) and builds the
contract's tables from them (:func:`crmlab.extracts.derive.tables_from_lines`).
Column names are matched loosely (``Customer ID`` = ``CustomerID``), so both
versions of the data set are read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

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
from .sources import ExtractError, RawTable, read_source, source_info

__all__ = ["read_online_retail"]

#: Online Retail columns: key -> (accepted names, required).
_OR_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "invoice": (("Invoice", "InvoiceNo"), True),
    "sku": (("StockCode",), True),
    "description": (("Description",), False),
    "quantity": (("Quantity",), True),
    "ts": (("InvoiceDate",), True),
    "price": (("Price", "UnitPrice"), True),
    "customer": (("Customer ID", "CustomerID"), True),
    "country": (("Country",), False),
}


def _norm(name: Any) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _resolve_columns(raw: RawTable, spec: Mapping[str, tuple[tuple[str, ...], bool]], table: str) -> dict[str, str]:
    have = {_norm(c): c for c in raw.frame.columns if c not in ("_src", "_line")}
    out: dict[str, str] = {}
    missing = []
    for key, (aliases, required) in spec.items():
        hit = next((have[_norm(a)] for a in aliases if _norm(a) in have), None)
        if hit is not None:
            out[key] = hit
        elif required:
            missing.append(" or ".join(aliases))
    if missing:
        cols = ", ".join(str(c) for c in raw.frame.columns if c not in ("_src", "_line"))
        raise ValidationError([(raw.label, Problem(table, missing[0] if len(missing) == 1 else None,
                                                   f"missing required column(s): {'; '.join(missing)} "
                                                   f"(the file's columns: {cols})"))], {raw.label: None})
    return out


def _parse_online_retail(raw: RawTable, date_format: str | None, log: CleaningLog,
                         formats: dict[str, str | None]) -> tuple[pd.DataFrame | None, list[tuple[str, Problem]]]:
    cols = _resolve_columns(raw, _OR_COLUMNS, "orders")
    f = drop_blank(raw.frame, list(cols.values()), log)
    problems: list[Problem] = []
    out = pd.DataFrame({"_src": f["_src"], "_line": f["_line"]})
    for key, canon in (("invoice", "order_id"), ("sku", "sku"), ("customer", "customer_id")):
        out[canon] = clean_text(f[cols[key]], id_like=True)
    out["description"] = (clean_text(f[cols["description"]]) if "description" in cols
                          else pd.Series(None, dtype="str", index=f.index))
    if "country" in cols:
        out["country"] = clean_text(f[cols["country"]])
    for key, canon in (("quantity", "quantity"), ("price", "unit_price")):
        num, bad = parse_numbers(f[cols[key]])
        huge = out_of_range(num)
        if bad.any():
            problems.append(problem("order_items", cols[key], "not a number", f, f[cols[key]], bad))
        elif huge.any():
            problems.append(problem("order_items", cols[key], OUT_OF_RANGE, f, f[cols[key]], huge))
        elif key == "quantity":
            frac = (num.notna() & (num != np.floor(num.fillna(0)))).to_numpy()
            if frac.any():
                problems.append(problem("order_items", cols[key], "not a whole number", f, f[cols[key]], frac))
        out[canon] = num
    try:
        ts, bad, used = parse_datetimes(f[cols["ts"]], date_format)
    except ValueError as e:
        problems.append(Problem("orders", cols["ts"], str(e)))
    else:
        if bad.any():
            rule = (f"does not match the date format {date_format!r}" if date_format else
                    "not a date/time (ISO YYYY-MM-DD HH:MM[:SS], or US m/d/Y H:M); set --date-format")
            problems.append(problem("orders", cols["ts"], rule, f, f[cols["ts"]], bad))
        formats[raw.label] = used
        out["order_ts"] = ts
    for key in ("invoice", "sku", "quantity", "ts", "price"):
        miss = is_blank(f[cols[key]])
        if miss.any():
            problems.append(problem("orders", cols[key], "missing values are not allowed", f, f[cols[key]], miss))
    return (None if problems else out), [(raw.label, p) for p in problems]


def read_online_retail(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    date_format: str | None = None,
    sheet: str | int | None = None,
    start: Any = None,
    end: Any = None,
    category: str = DEFAULT_CATEGORY,
    drop_duplicates: bool = True,
) -> Dataset:
    """Import an Online Retail (II) extract.

    Parameters
    ----------
    path : path-like
        Excel workbook (all sheets are read and stacked), CSV (optionally
        ``.gz``) or Parquet file with the columns ``Invoice, StockCode,
        Description, Quantity, InvoiceDate, Price, Customer ID, Country``
        (or the first version's ``InvoiceNo, UnitPrice, CustomerID``).
    encoding : str, optional
        Text encoding of a CSV (default UTF-8, with or without BOM).
    date_format : str, optional
        ``strptime`` format of ``InvoiceDate`` in a text file. Default: ISO
        8601, else the one common format (e.g. US ``%m/%d/%Y %H:%M``) that
        fits every value.
    sheet : str or int, optional
        Read only this sheet of a workbook.
    start, end : date-like, optional
        Keep invoices dated within ``[start, end]`` (whole days); the others
        are dropped and reported.
    category : str, default "accessory"
        Contract category of the products (postage, fees and adjustments get
        ``service``).
    drop_duplicates : bool, default True
        Drop lines identical to an earlier line. With False they are kept
        (and counted in a note): two lines of the same product, quantity and
        price in one invoice cannot be told from a duplicated line.

    Returns
    -------
    Dataset
        Tables ``customers, products, orders, order_items``; no truth;
        ``manifest = {"source": ..., "cleaning": ...}``.

    Notes
    -----
    Cleaning rules, applied in this order to the file's lines (each counted in
    the report with its reason and example lines):

    1. blank lines are dropped;
    2. exact duplicates of an earlier line are dropped;
    3. lines without a customer id are dropped (guest check-outs);
    4. lines outside ``[start, end]`` are dropped;
    5. zero quantities are dropped; negative quantities outside a
       cancellation invoice (stock adjustments) are dropped;
    6. non-positive prices (bad-debt adjustments, free items) are dropped;
    7. lines of invoices starting with ``C`` are kept: the order gets status
       ``cancelled`` and the quantity its absolute value.

    Orders: ``order_id`` = invoice (the ``C`` is kept, since ``C489449`` and
    ``489449`` are different invoices), ``channel`` = ``web`` (an online
    retailer), ``order_value`` = sum of quantity x price. Products: name = the
    most frequent description, ``subcategory`` = name, ``list_price`` = median
    price. Customers: ``signup_date`` = first invoice date, extra column
    ``country``; the columns the file lacks get :data:`EXTRACT_DEFAULTS`.

    References
    ----------
    Chen, D. (2019). Online Retail II [Data set]. UCI Machine Learning
    Repository. https://doi.org/10.24432/C5CG6D

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "retail.csv"
    >>> _ = p.write_text("Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\\n"
    ...                  "489434,85048,GLASS BALL,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\\n"
    ...                  "C489449,85048,GLASS BALL,-12,2009-12-01 10:33:00,6.95,13085.0,United Kingdom\\n")
    >>> data = read_online_retail(p)
    >>> data.orders[["order_id", "customer_id", "status"]].values.tolist()
    [['489434', '13085', 'completed'], ['C489449', '13085', 'cancelled']]
    """
    path = Path(path).expanduser()
    lo, hi = date_bound(start, False), date_bound(end, True)
    category_of(category)
    raws, info = read_source(path, encoding=encoding, sheet=sheet)
    log = CleaningLog()
    parts, problems, formats = [], [], {}
    for raw in raws:
        part, probs = _parse_online_retail(raw, date_format, log, formats)
        problems += probs
        if part is not None:
            parts.append(part)
    raise_problems(problems, {r.label: r.unit for r in raws})
    lines = pd.concat(parts, ignore_index=True)
    units = {r.label: r.unit for r in raws}

    n = len(lines)
    value_cols = ["order_id", "sku", "description", "quantity", "order_ts", "unit_price", "customer_id"] + (
        ["country"] if "country" in lines else [])
    dup = lines.duplicated(subset=value_cols).to_numpy()
    is_c = lines["order_id"].str.upper().str.startswith("C").to_numpy()
    profile = {
        "lines": int(n),
        "missing_customer_id_share": round(float(lines["customer_id"].isna().mean()), 4) if n else None,
        "duplicate_row_share": round(float(dup.mean()), 4) if n else None,
        "cancelled_line_share": round(float(is_c.mean()), 4) if n else None,
    }
    if drop_duplicates:
        lines = drop_rows(lines, dup, log, "duplicate row (identical to an earlier line)")
    else:
        log.rows("note", "identical to an earlier line but kept (drop_duplicates=False)", lines, dup)
    lines = drop_rows(lines, lines["customer_id"].isna(), log, "missing customer id", "Customer ID")
    if lo is not None or hi is not None:
        ts = lines["order_ts"]
        out = ((ts < lo) if lo is not None else False) | ((ts > hi) if hi is not None else False)
        lines = drop_rows(lines, out, log, f"date outside {start or '...'} .. {end or '...'}", "InvoiceDate")
    lines = drop_rows(lines, lines["quantity"].eq(0), log, "zero quantity", "Quantity")
    is_c = lines["order_id"].str.upper().str.startswith("C").to_numpy()
    lines = drop_rows(lines, lines["quantity"].lt(0).to_numpy() & ~is_c, log,
                      "negative quantity outside a cancellation invoice (stock adjustment)", "Quantity")
    lines = drop_rows(lines, lines["unit_price"].le(0), log, "non-positive price (adjustment, bad debt, free item)",
                      "Price")
    if lines.empty:
        raise ExtractError(f"{path.name}: no line is left after cleaning (see the rules in docs/extracts.md)")
    is_c = lines["order_id"].str.upper().str.startswith("C").to_numpy()
    neg = lines["quantity"].lt(0).to_numpy()
    log.rows("fixed", "cancellation (invoice starts with C): kept as an order with status 'cancelled', "
                      "negative quantity made positive", lines, is_c & neg, "Quantity")
    lines["quantity"] = lines["quantity"].abs().round().astype("int64")
    lines["line_value"] = lines["quantity"] * lines["unit_price"]
    tables, origin = tables_from_lines(lines, channel="web", category=category, log=log, cancel=is_c)
    tables = validate_tables(tables, origin, units)
    detected = sorted({v for v in formats.values() if v})
    source = source_info([info], "online-retail", encoding=encoding, date_format=date_format or (
        detected[0] if len(detected) == 1 else None), sheet=sheet, start=start, end=end, category=category,
        drop_duplicates=drop_duplicates)
    report = log.report("online-retail", [info], tables, profile)
    return Dataset(tables, manifest={"source": source, "cleaning": report})
