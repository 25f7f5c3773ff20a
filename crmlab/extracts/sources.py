"""Reading the raw files of an extract: text (any encoding, gzip), Excel, Parquet.

Every reader returns :class:`RawTable` objects: the file's columns as they
are (text stays text), plus ``_src`` (the file, or file and sheet) and
``_line`` (the line of the user's file, header = line 1; for Parquet the
1-based row), so that every later message can name the user's lines. A file
that cannot be read - missing, a folder, empty, truncated, in the wrong
encoding, a damaged workbook - raises :class:`ExtractError` naming the file
and, where it can, the line.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
>>> _ = p.write_text("no,member\\n1,A7\\n2,B3\\n")
>>> raws, info = read_source(p)
>>> raws[0].frame[["no", "_line"]].values.tolist(), info["format"], info["rows"]
([['1', 2], ['2', 3]], 'text', 2)
>>> _ = p.write_text("no,member\\n1,A7\\n2")
>>> read_source(p)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
crmlab.extracts.sources.ExtractError: orders.csv: the file looks truncated: its last line (3) has 1 of 2 fields...
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._fs import sha256_file
from .._version import __version__
from ..io import DatasetError

__all__ = [
    "ExtractError",
    "MappingError",
    "RawTable",
    "EXCEL_SUFFIXES",
    "PARQUET_SUFFIXES",
    "WHITESPACE",
    "check_file",
    "read_bytes",
    "decode_text",
    "check_truncated",
    "with_lines",
    "read_source",
    "source_info",
]

#: File name endings read as Excel workbooks.
EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls")
#: File name endings read as Parquet.
PARQUET_SUFFIXES: tuple[str, ...] = (".parquet", ".pq")
#: ``sep`` of whitespace-separated text (CDNOW).
WHITESPACE = r"\s+"


class ExtractError(DatasetError, ValueError):
    """An extract file cannot be read (empty, truncated, wrong encoding, a folder, ...).

    The message names the file and, where it can, the line.
    """


class MappingError(ExtractError):
    """A YAML mapping is invalid; the message names the mapping key at fault."""


@dataclass
class RawTable:
    """One table as read from one file (or one sheet), before any cleaning."""

    label: str  # file name, or "file.xlsx, sheet 'Year 2010-2011'"
    frame: pd.DataFrame  # columns as in the file, plus _src and _line
    unit: str  # "line" (text, Excel: header = line 1) or "row" (Parquet, 1-based)


def check_file(path: Path, key: str | None = None) -> None:
    """Refuse a path that does not exist or is a folder.

    ``key``: the mapping key that named the file (the error is then a
    :class:`MappingError` naming that key).
    """
    where = f"mapping {key}: " if key else ""
    err = MappingError if key else ExtractError
    if not path.exists():
        raise err(f"{where}{path.name}: no such file (looked in {path.parent})")
    if path.is_dir():
        raise err(f"{where}{path.name}: is a folder, not a file; give the path of the extract file itself")


def _codec(encoding: str | None) -> str:
    enc = (encoding or "utf-8").strip()
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        raise ExtractError(f"unknown encoding {enc!r} (e.g. utf-8, gbk, gb18030, cp1252, latin-1)") from None
    if name == "utf-8":
        return "utf-8-sig"  # tolerate a byte-order mark
    if name in ("gbk", "gb2312"):
        return "gb18030"  # a superset: every GBK file decodes identically
    return name


def read_bytes(path: Path) -> bytes:
    """The bytes of a file, decompressed when its name ends in ``.gz``."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ExtractError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (EOFError, gzip.BadGzipFile, zlib.error) as e:
            raise ExtractError(f"{path.name}: truncated or corrupt gzip file ({e}); copy or download it again") \
                from None
    return raw


def decode_text(raw: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Decode ``raw`` (default UTF-8, BOM tolerated; GBK read as GB18030); return the text and the codec.

    A decoding error names the line and suggests an encoding that works.
    """
    codec = _codec(encoding)
    try:
        return raw.decode(codec), codec
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        hint = "set the right encoding (--encoding, or encoding: in the mapping)"
        for alt, label in (("gb18030", "gbk"), ("utf-8", "utf-8")):
            if alt == codec.replace("-sig", ""):
                continue
            try:
                raw.decode(alt)
            except UnicodeDecodeError:
                continue
            hint = f"it decodes as {label}: use --encoding {label} (or encoding: {label} in the mapping)"
            break
        shown = codec.replace("-sig", "")
        raise ExtractError(f"{name}: not valid {shown} text at line {line} (byte {e.start}: {e.reason}); {hint}") \
            from None


def _read_text_table(path: Path, *, encoding: str | None, sep: str, header: bool) -> tuple[RawTable, str]:
    raw = read_bytes(path)
    if not raw.strip():
        raise ExtractError(f"{path.name}: the file is empty")
    text, codec = decode_text(raw, path.name, encoding)
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, header=0 if header else None, dtype=str,
                         keep_default_na=False, na_values=[""], skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise ExtractError(f"{path.name}: the file is empty") from None
    except pd.errors.ParserError as e:
        msg = str(e).strip().replace("Error tokenizing data. C error: ", "")
        what = "text" if sep == WHITESPACE else "CSV"
        raise ExtractError(f"{path.name}: cannot be parsed as {what} ({msg})") from None
    if df.empty:
        raise ExtractError(f"{path.name}: has a header line but no data rows")
    check_truncated(text, path.name, df.shape[1], sep, header)
    first = 2 if header else 1
    return RawTable(path.name, with_lines(df, path.name, first), "line"), codec


def check_truncated(text: str, name: str, n_cols: int, sep: str, header: bool) -> None:
    """A file cut mid-line: no final line break and a last line with too few fields."""
    if text.endswith(("\n", "\r")):
        return
    last = text.rsplit("\n", 1)[-1]
    if sep == WHITESPACE:
        n = len(last.split())
    else:
        try:
            n = len(next(csv.reader([last], delimiter=sep), []))
        except csv.Error:  # a stray carriage return or quote in the last line
            n = len(last.split(sep))
    if n < n_cols:
        line = text.count("\n") + 1
        raise ExtractError(f"{name}: the file looks truncated: its last line ({line}) has {n} of {n_cols} fields "
                           "and no line break; copy or download the file again")


def with_lines(df: pd.DataFrame, label: str, first: int) -> pd.DataFrame:
    """Add ``_src`` (= ``label``) and ``_line`` (``first``, ``first + 1``, ...) to a freshly read frame."""
    df = df.reset_index(drop=True)
    df["_src"] = pd.Series(label, index=df.index, dtype="str")
    df["_line"] = np.arange(first, first + len(df), dtype="int64")
    return df


def _read_excel(path: Path, sheet: str | int | None) -> list[RawTable]:
    try:
        sheets = pd.read_excel(path, sheet_name=sheet if sheet is not None else None, dtype=object)
    except ImportError as e:
        raise ExtractError(f"{path.name}: reading Excel files needs the package openpyxl "
                           f"(pip install 'openpyxl>=3.1'), or save the sheets as CSV ({e})") from None
    except ValueError as e:
        raise ExtractError(f"{path.name}: {e}") from None
    except Exception as e:  # zipfile.BadZipFile, KeyError, XML errors of a damaged workbook
        raise ExtractError(f"{path.name}: not a readable Excel workbook ({type(e).__name__}: {e}); "
                           "copy or download it again") from None
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet: sheets}
    out = []
    for name, df in sheets.items():
        df = df.dropna(how="all", axis=1)
        if df.empty:
            continue
        label = f"{path.name}, sheet '{name}'"
        out.append(RawTable(label, with_lines(df, label, 2), "line"))
    if not out:
        raise ExtractError(f"{path.name}: every sheet is empty")
    return out


def _read_parquet(path: Path) -> RawTable:
    try:
        df = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises its own error types
        raise ExtractError(f"{path.name}: not a readable Parquet file ({type(e).__name__}: {e})") from None
    if df.empty:
        raise ExtractError(f"{path.name}: has no rows")
    return RawTable(path.name, with_lines(df, path.name, 1), "row")


def read_source(path: Path, *, encoding: str | None = None, sep: str | None = None, header: bool = True,
                sheet: str | int | None = None, key: str | None = None) -> tuple[list[RawTable], dict[str, Any]]:
    """Read a CSV (optionally gzip), whitespace text, Excel or Parquet file.

    Returns one :class:`RawTable` per sheet (one for other formats) and the
    file's description for the manifest (name, size, SHA-256, format,
    encoding, rows).
    """
    check_file(path, key)
    low = path.name.lower()
    if sheet is not None and not low.endswith(EXCEL_SUFFIXES):
        where = f"mapping {key.rsplit('.', 1)[0]}.sheet" if key else "--sheet"
        raise (MappingError if key else ExtractError)(
            f"{where}: {path.name} is not an Excel workbook ({', '.join(EXCEL_SUFFIXES)}); a sheet applies only "
            "to workbooks")
    try:
        info: dict[str, Any] = {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}
    except OSError as e:
        raise ExtractError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    if low.endswith(EXCEL_SUFFIXES):
        raws = _read_excel(path, sheet)
        info["sheets"] = [r.label.split("sheet ", 1)[-1].strip("'") for r in raws]
        info["format"] = "excel"
    elif low.endswith(PARQUET_SUFFIXES):
        raws = [_read_parquet(path)]
        info["format"] = "parquet"
    else:
        if sep is None:
            sep = "\t" if low.endswith((".tsv", ".tsv.gz", ".tab")) else ","
        raw, codec = _read_text_table(path, encoding=encoding, sep=sep, header=header)
        raws = [raw]
        info.update(format="gzip text" if low.endswith(".gz") else "text", encoding=codec.replace("-sig", ""))
    info["rows"] = int(sum(len(r.frame) for r in raws))
    return raws, info


def source_info(sources: list[dict[str, Any]], kind: str, **options: Any) -> dict[str, Any]:
    """``Dataset.manifest["source"]``: the kind, the files read and the options given (``None`` left out)."""
    return {"kind": kind, "files": sources, "options": {k: v for k, v in options.items() if v is not None},
            "imported_with": f"crmlab {__version__}"}

