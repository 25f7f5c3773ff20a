"""Validate and describe a partitioned dataset with bounded memory.

:func:`validate_partitioned` checks a partitioned folder against the data
contract without loading a whole table:

1. the Parquet footers: every part has the table's columns, with types that
   fit the contract, and the parts of a table agree;
2. every part on its own: read, converted to contract dtypes and checked by
   :func:`crmlab.schema.validate_table` (codes, ranges, missing values, ...),
   one part in memory at a time;
   together with the scenario's window (dated events inside it);
3. across parts, in DuckDB: primary keys unique, foreign keys resolve, no
   order dated before its customer's signup date.
   DuckDB streams the parts and, past ``memory_limit``, spills to disk;
4. the SHA-256 of every part against ``manifest.json`` (a mismatch is a
   warning, as in :func:`crmlab.load_dataset`).

:func:`describe_partitioned` gives what :meth:`crmlab.Dataset.describe` gives
(row counts and stylized facts), computed in DuckDB
(:func:`crmlab.scale.sql.stylized_facts_sql`).

Examples
--------
>>> import tempfile, pathlib
>>> from crmlab.scale.generate import generate_partitioned
>>> out = pathlib.Path(tempfile.mkdtemp()) / "d"
>>> _ = generate_partitioned("tiny", out, engine="process", chunk_size=400, seed=3)
>>> rows = validate_partitioned(out)
>>> rows["customers"], len(rows)
(800, 10)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from .._fs import sha256_file
from ..dataset import LazyDataset, table_parts
from ..io import DatasetError, load_dataset, scenario_window
from ..schema import CONTRACT, Problem, ValidationError, coerce_table, validate_dataset
from .sql import stylized_facts_sql

__all__ = ["validate_partitioned", "describe_partitioned", "open_partitioned"]

#: DuckDB's memory cap for the key checks unless told otherwise.
DEFAULT_MEMORY_LIMIT = "2GB"


def open_partitioned(path: str | os.PathLike | LazyDataset, *, truth: bool = False) -> LazyDataset:
    """A :class:`LazyDataset` for ``path`` (footers not checked); :class:`DatasetError` if it is not partitioned."""
    if isinstance(path, LazyDataset):
        return path
    p = Path(path).expanduser()
    if not p.is_dir() or not table_parts(p):
        raise DatasetError(f"{p}: not a partitioned dataset folder (expected e.g. orders/part-00000.parquet)")
    data = load_dataset(p, validate=False, truth=truth)
    assert isinstance(data, LazyDataset)
    return data


def _files_sql(data: LazyDataset, name: str) -> str:
    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in data.parts(name))
    return f"read_parquet([{files}], filename = true, file_row_number = true)"


def _examples(rows: list[tuple]) -> list[tuple[int, Any]]:
    return [(int(r[-1]), f"{r[0]!s} ({Path(r[-2]).name})") for r in rows]


def _key_problems(data: LazyDataset, con) -> list[tuple[str, Problem]]:
    out: list[tuple[str, Problem]] = []
    for name in data:
        spec = CONTRACT[name]
        src = f"{name}/"
        key = [k for k in spec.key]
        if key:
            cols = ", ".join(f'"{k}"' for k in key)
            shown = " || '/' || ".join(f'CAST("{k}" AS VARCHAR)' for k in key)
            dup = (f"SELECT {shown} AS v, filename, file_row_number FROM {_files_sql(data, name)} "
                   f"QUALIFY count(*) OVER (PARTITION BY {cols}) > 1")
            n = con.execute(f"SELECT count(*) FROM ({dup})").fetchone()[0]
            if n:
                ex = con.execute(f"{dup} ORDER BY v, filename, file_row_number LIMIT 5").fetchall()
                rule = ("values must be unique (duplicate key)" if len(key) == 1
                        else "the key columns must be unique together (duplicate key)")
                out.append((src, Problem(name, key[0] if len(key) == 1 else None, rule, int(n), _examples(ex))))
        for col, other, ocol in spec.foreign_keys:
            if other not in data:
                continue
            orphans = (f"SELECT t.\"{col}\" AS v, t.filename, t.file_row_number FROM {_files_sql(data, name)} t "
                       f"ANTI JOIN (SELECT DISTINCT \"{ocol}\" AS k FROM \"{other}\") r ON t.\"{col}\" = r.k "
                       f"WHERE t.\"{col}\" IS NOT NULL")
            n = con.execute(f"SELECT count(*) FROM ({orphans})").fetchone()[0]
            if n:
                ex = con.execute(f"{orphans} ORDER BY t.filename, t.file_row_number LIMIT 5").fetchall()
                out.append((src, Problem(name, col, f"values not found in {other}.{ocol}", int(n), _examples(ex))))
    if "orders" in data and "customers" in data:  # no order dated before its customer's signup (as validate_dataset)
        early = (f"SELECT CAST(o.order_ts AS VARCHAR) || ' < signup ' || strftime(c.signup_date, '%Y-%m-%d') AS v, "
                 f"o.filename, o.file_row_number FROM {_files_sql(data, 'orders')} o "
                 f"JOIN customers c ON o.customer_id = c.customer_id "
                 f"WHERE CAST(o.order_ts AS DATE) < CAST(c.signup_date AS DATE)")
        n = con.execute(f"SELECT count(*) FROM ({early})").fetchone()[0]
        if n:
            ex = con.execute(f"{early} ORDER BY o.filename, o.file_row_number LIMIT 5").fetchall()
            out.append(("orders/", Problem("orders", "order_ts", "order dated before the customer's signup_date",
                                           int(n), _examples(ex))))
    return out


def validate_partitioned(path: str | os.PathLike | LazyDataset, *, keys: bool = True, checksums: bool = True,
                         memory_limit: str | None = DEFAULT_MEMORY_LIMIT) -> dict[str, int]:
    """Check a partitioned dataset folder against the data contract, part by part.

    Parameters
    ----------
    path : path or LazyDataset
        The folder (see :func:`crmlab.scale.generate_partitioned`).
    keys : bool, default True
        Check key uniqueness and foreign keys across parts (in DuckDB).
    checksums : bool, default True
        Compare every part's SHA-256 with ``manifest.json`` (warns on a mismatch).
    memory_limit : str, default "2GB"
        DuckDB's memory cap for the key checks (it spills to disk beyond it).

    Returns
    -------
    dict
        Rows per table.

    Raises
    ------
    DatasetError
        Not a partitioned folder.
    ValidationError
        Problems found; each names the part file (``orders/part-00003.parquet``),
        the column, the rule and example rows (row numbers inside the part).
    """
    import pyarrow.parquet as pq

    data = open_partitioned(path)
    problems = list(data.schema_problems())
    if problems:
        raise ValidationError(problems)
    if checksums and data.manifest:
        listed = data.manifest.get("files", {})
        for name in data:
            for p in data.parts(name):
                rel = f"{name}/{p.name}"
                want = listed.get(rel, {}).get("sha256")
                if want and sha256_file(p) != want:
                    warnings.warn(f"{rel} differs from the checksum in manifest.json (edited after writing?)",
                                  stacklevel=2)
    window = scenario_window(data.manifest, data.truth)
    for name in data:
        for p in data.parts(name):
            src = f"{name}/{p.name}"
            try:
                df = coerce_table(pq.read_table(p).to_pandas(), name, source=src)
                # every rule of one table, and the scenario's window; keys and cross-table rules below in DuckDB
                validate_dataset({name: df}, sources={name: src}, keys=False, window=window)
            except ValidationError as e:
                problems += e.problems
            df = None  # one part in memory at a time
    if keys and not problems:
        import duckdb

        con = duckdb.connect()
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        data.connect(con)
        problems += _key_problems(data, con)
        con.close()
    if problems:
        raise ValidationError(problems)
    return data.rows


def describe_partitioned(path: str | os.PathLike | LazyDataset, *,
                         memory_limit: str | None = DEFAULT_MEMORY_LIMIT) -> dict[str, Any]:
    """Row counts and stylized facts of a partitioned dataset, computed in DuckDB.

    The same dictionary as :meth:`crmlab.Dataset.describe`: ``rows`` (from the
    Parquet footers) and the keys of :data:`crmlab.realism.FACT_LABELS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from crmlab.scale.generate import generate_partitioned
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "d"
    >>> _ = generate_partitioned("tiny", out, engine="process", chunk_size=400, seed=3)
    >>> desc = describe_partitioned(out)
    >>> desc["rows"]["customers"], 0 < desc["one_time_buyer_share"] < 1
    (800, True)
    """
    data = open_partitioned(path)
    return {"rows": data.rows, **stylized_facts_sql(data, memory_limit=memory_limit)}
