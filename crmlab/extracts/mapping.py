"""Any extract described by a YAML mapping: files and columns -> contract tables and columns.

:func:`read_mapped` reads the mapping (see ``docs/extracts.md``), checks its
structure before any file is read (every fault is a :class:`MappingError`
naming the mapping key), reads each mapped file, translates codes, fills
constants, parses dates and completes the tables the extract lacks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..domain import CATEGORIES
from ..schema import CONTRACT, Problem, ValidationError, coerce_table
from .cleaning import (
    DEFAULT_CATEGORY,
    EXTRACT_DEFAULTS,
    CleaningLog,
    category_of,
    drop_blank,
    drop_rows,
)
from .derive import complete_tables
from .parsing import (
    clean_text,
    date_bound,
    parse_datetimes,
    problem,
    raise_problems,
    relabel_problems,
    validate_tables,
)
from .sources import WHITESPACE, MappingError, read_source, source_info

__all__ = ["read_mapped"]

#: Keys allowed at the top of a mapping, and under each table.
_MAPPING_TOP_KEYS = {"tables", "name", "description", "category"}
_MAPPING_TABLE_KEYS = {"file", "sheet", "encoding", "sep", "columns", "date_format", "values", "defaults",
                       "drop_duplicates"}

def _load_mapping(mapping: str | os.PathLike | Mapping[str, Any], base: str | os.PathLike | None
                  ) -> tuple[dict[str, Any], Path, str | None]:
    """The mapping as a dict, the folder its file names are relative to, and the mapping file's name."""
    if isinstance(mapping, Mapping):
        if base is None:
            raise MappingError("a mapping given as a dict needs the folder its file names are relative to "
                               "(load_extract(folder, mapping={...}))")
        return dict(mapping), Path(base).expanduser(), None
    import yaml

    p = Path(mapping).expanduser()
    if not p.exists():
        raise MappingError(f"{p.name}: no such mapping file (looked in {p.parent})")
    if p.is_dir():
        raise MappingError(f"{p.name}: is a folder; give the YAML mapping file")
    try:
        spec = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as e:
        raise MappingError(f"{p.name}: the mapping must be UTF-8 text (byte {e.start}: {e.reason})") from None
    except yaml.YAMLError as e:
        raise MappingError(f"{p.name}: not valid YAML ({str(e).strip()})") from None
    except RecursionError:
        raise MappingError(f"{p.name}: nested too deeply to be a mapping") from None
    if not isinstance(spec, dict):
        raise MappingError(f"{p.name}: the mapping must be a YAML dictionary with a 'tables:' key")
    folder = Path(base).expanduser() if base is not None else p.parent
    return spec, folder, p.name


def _check_mapping(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Structure of the mapping: known keys, known tables and columns, right types."""
    unknown = sorted(set(spec) - _MAPPING_TOP_KEYS)
    if unknown:
        raise MappingError(f"mapping: unknown key(s) {', '.join(unknown)}; allowed: "
                           f"{', '.join(sorted(_MAPPING_TOP_KEYS))}")
    tables = spec.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise MappingError("mapping: 'tables:' must map contract table names (orders, order_items, customers, ...) "
                           "to their file and columns")
    cat = spec.get("category", DEFAULT_CATEGORY)
    if not isinstance(cat, str) or cat not in CATEGORIES:
        raise MappingError(f"mapping category: must be one of {', '.join(CATEGORIES)}, got {cat!r}")
    for k in ("name", "description"):
        if spec.get(k) is not None and not isinstance(spec[k], str):
            raise MappingError(f"mapping {k}: must be text, got {spec[k]!r}")
    out: dict[str, dict[str, Any]] = {}
    for t, ts in tables.items():
        key = f"tables.{t}"
        if not isinstance(t, str) or t not in CONTRACT:
            raise MappingError(f"mapping {key}: unknown table; the contract has: {', '.join(CONTRACT)}")
        if not isinstance(ts, dict):
            raise MappingError(f"mapping {key}: must be a dictionary with file: and columns:")
        bad = sorted(set(ts) - _MAPPING_TABLE_KEYS)
        if bad:
            raise MappingError(f"mapping {key}: unknown key(s) {', '.join(bad)}; allowed: "
                               f"{', '.join(sorted(_MAPPING_TABLE_KEYS))}")
        if not isinstance(ts.get("file"), str) or not ts["file"].strip():
            raise MappingError(f"mapping {key}.file: the file name is missing")
        names = CONTRACT[t].names
        for part in ("columns", "values", "defaults"):
            d = ts.get(part) or {}
            if not isinstance(d, dict):
                raise MappingError(f"mapping {key}.{part}: must be a dictionary")
            for c in d:
                if c not in names:
                    raise MappingError(f"mapping {key}.{part}.{c}: not a column of {t}; its columns are: "
                                       f"{', '.join(names)}")
        for c, v in (ts.get("columns") or {}).items():
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                raise MappingError(f"mapping {key}.columns.{c}: must name a column of the file, got {v!r}")
        for c, v in (ts.get("values") or {}).items():
            if not isinstance(v, dict):
                raise MappingError(f"mapping {key}.values.{c}: must map file values to contract codes")
        for c, vm in (ts.get("values") or {}).items():
            for k, v in vm.items():
                if not _scalar(k) or not _scalar(v):
                    raise MappingError(f"mapping {key}.values.{c}: maps file values to contract codes (text or "
                                       f"numbers), got {k!r}: {v!r}")
        for c, v in (ts.get("defaults") or {}).items():
            if not _scalar(v):
                raise MappingError(f"mapping {key}.defaults.{c}: must be one constant (text, number, true/false or "
                                   f"empty), got {v!r}")
        df_ = ts.get("date_format")
        if df_ is not None and not isinstance(df_, str) and not (
                isinstance(df_, dict) and all(isinstance(c, str) and isinstance(f, str) for c, f in df_.items())):
            raise MappingError(f"mapping {key}.date_format: a strptime format such as '%Y/%m/%d %H:%M', or a "
                               "dictionary column -> format")
        if isinstance(df_, dict):
            for c in df_:
                if c not in names:
                    raise MappingError(f"mapping {key}.date_format.{c}: not a column of {t}")
        enc = ts.get("encoding")
        if enc is not None and not isinstance(enc, str):
            raise MappingError(f"mapping {key}.encoding: must be the name of an encoding such as utf-8 or gbk, "
                               f"got {enc!r}")
        sheet = ts.get("sheet")
        if sheet is not None and (not isinstance(sheet, (str, int)) or isinstance(sheet, bool)):
            raise MappingError(f"mapping {key}.sheet: must be a sheet name or number, got {sheet!r}")
        dd = ts.get("drop_duplicates")
        if dd is not None and not isinstance(dd, bool):
            raise MappingError(f"mapping {key}.drop_duplicates: must be true or false, got {dd!r}")
        ts = dict(ts)
        ts["sep"] = _separator(ts.get("sep"), key)
        out[t] = ts
    if "order_items" in out and "orders" not in out:
        raise MappingError("mapping tables.order_items: needs tables.orders too (order lines belong to orders)")
    for t, ts in out.items():
        covered = set(ts.get("columns") or {}) | set(ts.get("defaults") or {})
        for c in CONTRACT[t].columns:
            if not c.required or c.name in covered or c.nullable or _fallback_ok(t, c.name, out):
                continue
            raise MappingError(f"mapping tables.{t}: required column '{c.name}' is neither mapped under columns: nor "
                               f"given a constant under defaults:")
    return out


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


#: ``sep:`` names a mapping may use instead of the character itself.
_SEP_NAMES = {"whitespace": WHITESPACE, "tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _separator(sep: Any, key: str) -> str | None:
    """The ``sep:`` of a mapped table: one character, or a name (whitespace, tab, comma, semicolon, pipe)."""
    if sep is None:
        return None
    if isinstance(sep, str) and sep in _SEP_NAMES:
        return _SEP_NAMES[sep]
    if sep == " ":
        return WHITESPACE
    if isinstance(sep, str) and len(sep) == 1 and sep not in ('"', "\n", "\r") and not sep.isalnum():
        return sep
    raise MappingError(f"mapping {key}.sep: must be one separator character such as ',' ';' '|', or one of "
                       f"{', '.join(n for n in _SEP_NAMES if not n.startswith(chr(92)))}; got {sep!r}")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


_HIDDEN = "(not shown: a file outside the mapping's folder)"


def _hide_outside(err: ValidationError, outside: set[str]) -> ValidationError:
    """The same problems, without the values of files outside the mapping's folder (lines and rules stay)."""
    import re

    problems = []
    for src, p in err.problems:
        if any(name in src for name in outside):
            rule = re.sub(r"'[^']*'", "'...'", p.rule)
            p = Problem(p.table, p.column, rule, p.n_rows, [(line, _HIDDEN) for line, _ in p.examples])
        problems.append((src, p))
    return ValidationError(problems, err.line_offsets)


def _fallback_ok(table: str, col: str, tables: Mapping[str, Any]) -> bool:
    if col in EXTRACT_DEFAULTS.get(table, {}):
        return True
    derivable = {
        ("customers", "signup_date"): "orders" in tables,
        ("customers", "signup_channel"): "orders" in tables,
        ("products", "category"): True,
        ("products", "subcategory"): True,
        ("products", "name"): True,
        ("products", "list_price"): "order_items" in tables,
        ("order_items", "line_no"): True,
    }
    return derivable.get((table, col), False)


def _map_table(t: str, ts: Mapping[str, Any], folder: Path, log: CleaningLog, allow_outside: bool = False
               ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, Any], dict[str, str]]:
    """Read one mapped table: rename, code maps, defaults, dates. Returns (frame, origin, colmap, info, units)."""
    key = f"tables.{t}"
    path = folder / Path(ts["file"]).expanduser()
    inside = _inside(path, folder)
    if not inside and not allow_outside:
        raise MappingError(f"mapping {key}.file: {ts['file']!r} is outside the mapping's folder {folder}; put the "
                           "file next to the mapping, or pass --allow-outside-paths (allow_outside_paths=True) "
                           "if you trust this mapping")
    raws, info = read_source(path, encoding=ts.get("encoding"), sep=ts.get("sep"), sheet=ts.get("sheet"),
                             key=f"{key}.file")
    colmap = {c: str(v) for c, v in (ts.get("columns") or {}).items()}
    for raw in raws:
        have = [str(c) for c in raw.frame.columns if c not in ("_src", "_line")]
        for c, src in colmap.items():
            if src not in have:
                listing = f"; its columns are: {', '.join(have)}" if inside else ""
                raise MappingError(f"mapping {key}.columns.{c}: column {src!r} is not in {raw.label}{listing}")
    frame = pd.concat([r.frame.rename(columns=str) for r in raws], ignore_index=True) if len(raws) > 1 \
        else raws[0].frame.rename(columns=str)
    used = list(dict.fromkeys(colmap.values()))
    frame = drop_blank(frame, used, log)
    if ts.get("drop_duplicates") is not False:
        frame = drop_rows(frame, frame.duplicated(subset=used).to_numpy(), log,
                          "duplicate row (identical to an earlier line in the mapped columns)")
    out = pd.DataFrame(index=frame.index)
    values = ts.get("values") or {}
    fmts = ts.get("date_format")
    problems: list[tuple[str, Problem]] = []
    for c, src in colmap.items():
        s = frame[src]
        spec = CONTRACT[t].column(c)
        if c in values:
            vm = {str(k).strip(): v for k, v in values[c].items()}
            txt = clean_text(s)
            hit = txt.isin(list(vm)).to_numpy()
            s = pd.Series(np.where(hit, txt.map(vm).astype(object), txt.astype(object)), index=txt.index,
                          dtype=object)
        if spec.kind in ("date", "datetime"):
            fmt = fmts.get(c) if isinstance(fmts, dict) else fmts
            try:
                parsed, bad, _ = parse_datetimes(s if c not in values else pd.Series(s, dtype="str"), fmt)
            except ValueError as e:
                problems.append((frame["_src"].iloc[0], Problem(t, f"{src} [{t}.{c}]", str(e))))
                continue
            if bad.any():
                rule = (f"does not match the date format {fmt!r}" if fmt else
                        "not a date/time in ISO format (YYYY-MM-DD[ HH:MM:SS]); set date_format: in the mapping")
                problems.append((frame["_src"].iloc[0], problem(t, f"{src} [{t}.{c}]", rule, frame, s, bad)))
                continue
            s = parsed.dt.normalize() if spec.kind == "date" else parsed
        elif spec.kind == "str":
            s = clean_text(s, id_like=True)
        out[c] = s
    units = {r.label: r.unit for r in raws}
    raise_problems(problems, units)
    for c, v in (ts.get("defaults") or {}).items():
        if c not in out.columns:
            out[c] = pd.Series([v] * len(out), index=out.index, dtype=object)
            log.table("filled", f"constant from the mapping's defaults: {v!r}", len(out), f"{t}.{c}")
    out = out.reset_index(drop=True)
    origin = frame[["_src", "_line"]].reset_index(drop=True)
    try:
        out = coerce_table(out, t, source=t)
    except ValidationError as e:
        raise relabel_problems(e.problems, {t: origin}, units, {t: colmap}) from None
    out["_src"], out["_line"] = origin["_src"].to_numpy(), origin["_line"].to_numpy()
    return out, origin, colmap, info, units


def read_mapped(
    mapping: str | os.PathLike | Mapping[str, Any],
    *,
    base: str | os.PathLike | None = None,
    start: Any = None,
    end: Any = None,
    category: str | None = None,
    allow_outside: bool = False,
) -> Dataset:
    """Import any extract described by a YAML mapping (see ``docs/extracts.md``).

    Parameters
    ----------
    mapping : path-like or dict
        The YAML mapping file (file names in it are relative to its folder),
        or the same structure as a dict (then ``base`` is required).
    base : path-like, optional
        Folder the mapped file names are relative to.
    start, end : date-like, optional
        Keep orders dated within ``[start, end]``; the others, and their
        lines, are dropped and reported.
    category : str, optional
        Category of derived products (overrides the mapping's ``category:``).
    allow_outside : bool, default False
        Let ``file:`` name files outside the mapping's folder (an absolute
        path, ``../``, or a link that leads out). Refused by default: a
        mapping could otherwise read any file the user can read, and quote it
        in error messages.

    Returns
    -------
    Dataset
        One table per mapped table, plus ``customers`` derived from
        ``orders`` and ``products`` derived from ``order_items`` when they are
        not mapped. ``manifest = {"source": ..., "cleaning": ...}``.

    Notes
    -----
    Per table: blank lines and exact duplicate lines are dropped; codes are
    translated with ``values:``; constants from ``defaults:`` fill columns the
    file lacks; dates are parsed with ``date_format:`` (ISO 8601 by default).
    Orders without a customer id are dropped with their lines. Required
    columns that no extract has are filled with :data:`EXTRACT_DEFAULTS` or
    derived (customers' signup date = first order date, signup channel = channel
    of the first order, products' list price = median unit price, line numbers
    = position within the order); each such fill is recorded in the report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "orders.csv").write_text("no,member,time,shop\\n1,A7,2024/03/01 10:00,web\\n")
    >>> spec = {"tables": {"orders": {"file": "orders.csv", "date_format": "%Y/%m/%d %H:%M",
    ...         "columns": {"order_id": "no", "customer_id": "member", "order_ts": "time", "channel": "shop"},
    ...         "defaults": {"status": "completed"}}}}
    >>> data = read_mapped(spec, base=d)
    >>> sorted(data), str(data.customers.signup_date.iloc[0].date())
    (['customers', 'orders'], '2024-03-01')
    """
    spec, folder, mapping_name = _load_mapping(mapping, base)
    tables_spec = _check_mapping(spec)
    category = category or spec.get("category", DEFAULT_CATEGORY)
    category_of(category)
    lo, hi = date_bound(start, False), date_bound(end, True)
    log = CleaningLog()
    frames: dict[str, pd.DataFrame] = {}
    origin: dict[str, pd.DataFrame] = {}
    colmaps: dict[str, dict[str, str]] = {}
    infos: list[dict[str, Any]] = []
    units: dict[str, str] = {}
    outside: set[str] = set()
    try:
        for t in CONTRACT:
            if t not in tables_spec:
                continue
            if not _inside(folder / Path(tables_spec[t]["file"]).expanduser(), folder):
                outside.add(Path(tables_spec[t]["file"]).name)
            frames[t], origin[t], colmaps[t], info, u = _map_table(t, tables_spec[t], folder, log, allow_outside)
            info["table"] = t
            infos.append(info)
            units.update(u)
        profile: dict[str, Any] = {}
        if "orders" in frames:
            frames, profile = _clean_orders(frames, log, lo, hi, start, end, colmaps)
        frames = complete_tables(frames, log, category)
        origin = {t: f[["_src", "_line"]].reset_index(drop=True) for t, f in frames.items()}
        tables = {t: f.drop(columns=["_src", "_line"]) for t, f in frames.items()}
        tables = validate_tables(tables, origin, units, colmaps)
    except ValidationError as e:
        if not outside:
            raise
        raise _hide_outside(e, outside) from None
    source = source_info(infos, "csv", start=start, end=end, category=category)
    source.update(mapping=mapping_name, name=spec.get("name"))
    report = log.report("csv", infos, tables, profile)
    return Dataset(tables, manifest={"source": source, "cleaning": report})


def _clean_orders(frames: dict[str, pd.DataFrame], log: CleaningLog, lo, hi, start, end,
                  colmaps: Mapping[str, Mapping[str, str]]) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Drop guest orders (no customer id) and orders outside [start, end], with their lines; profile the orders."""
    orders = frames["orders"]
    miss = orders["customer_id"].isna().to_numpy() if "customer_id" in orders else np.zeros(len(orders), bool)
    profile = {"orders": int(len(orders)), "missing_customer_id_share": round(float(miss.mean()), 4)
               if len(orders) else None}
    if "status" in orders:
        profile["cancelled_order_share"] = round(float(orders["status"].eq("cancelled").mean()), 4)
    col = colmaps.get("orders", {}).get("customer_id", "customer_id")
    orders = drop_rows(orders, miss, log, "missing customer id (guest order)", col)
    if (lo is not None or hi is not None) and "order_ts" in orders:
        t = orders["order_ts"]
        out = ((t < lo) if lo is not None else False) | ((t > hi) if hi is not None else False)
        orders = drop_rows(orders, np.asarray(out, bool), log, f"date outside {start or '...'} .. {end or '...'}",
                           colmaps.get("orders", {}).get("order_ts", "order_ts"))
    dropped = set(frames["orders"]["order_id"].dropna()) - set(orders["order_id"].dropna())
    frames = dict(frames, orders=orders)
    if "order_items" in frames and dropped:
        items = frames["order_items"]
        frames["order_items"] = drop_rows(items, items["order_id"].isin(dropped).to_numpy(), log,
                                          "line of an order dropped above")
    return frames, profile
