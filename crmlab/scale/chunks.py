"""The work of one customer chunk, as two tasks that each write their own part files.

A partitioned dataset is written chunk by chunk, in two passes, with the same
steps as :func:`crmlab.simulate.engine.simulate_tables` (see
:mod:`crmlab.simulate.assemble`):

1. :func:`first_pass` simulates the chunk, writes the tables that need no
   global identifier (``customers``, ``loyalty``, ``campaigns`` and the latent
   traits ``truth_customers``), sets the chunk's other rows aside in a spill
   file, and returns the chunk's sort keys and its share of the truth (small);
2. the caller computes the global ranks from the keys of every chunk
   (:func:`crmlab.simulate.assemble.global_ranks`);
3. :func:`second_pass` reads the spill file back, puts the global ranks in and
   writes ``orders``, ``order_items``, ``service_events``, ``points_ledger``
   and ``survey``.

A task holds one chunk at a time, so a worker's memory is bounded by the
chunk size, whatever the size of the dataset. Both functions are plain
functions of picklable arguments: they run in this process, in a process
pool or as Dask tasks, and the files are the same.

Examples
--------
>>> import tempfile, pathlib
>>> from crmlab.config import get_scenario
>>> from crmlab.simulate.assemble import global_ranks
>>> from crmlab.simulate.engine import global_context
>>> sc = get_scenario("tiny", seed=1, n_customers=300, chunk_size=150)
>>> ctx, folder = global_context(sc), pathlib.Path(tempfile.mkdtemp())
>>> first = [first_pass(sc, k, ctx, folder) for k in range(2)]
>>> ranks = global_ranks([f["keys"] for f in first])
>>> second = [second_pass(sc, k, ctx, folder, ranks[k]) for k in range(2)]
>>> sorted(p.name for p in (folder / "orders").iterdir())
['part-00000.parquet', 'part-00001.parquet']
>>> sum(f["rows"]["customers"] for f in first)
300
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .._fs import sha256_file
from ..config import Scenario
from ..dataset import TRUTH_CUSTOMERS, part_name
from ..schema import CONTRACT, coerce_table, validate_table
from ..simulate.assemble import build_frames, rerank
from ..simulate.engine import chunk_product

__all__ = ["first_pass", "second_pass", "write_part", "FIRST_TABLES", "SECOND_TABLES", "PENDING", "peak_rss_mb"]

#: Tables written by :func:`first_pass` (no global identifiers), plus ``truth_customers``.
FIRST_TABLES = ("customers", "loyalty", "campaigns")
#: Tables written by :func:`second_pass` (numbered in time order over the whole dataset).
SECOND_TABLES = ("orders", "order_items", "service_events", "points_ledger", "survey")
#: Hidden sub-folder of the output folder that holds the spill files between the passes.
PENDING = ".pending"
PII_COLUMNS = ("name", "phone", "email")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (``ru_maxrss``)."""
    unit = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / 2**20


def write_part(df: pd.DataFrame, folder: Path, table: str, index: int, width: int = 5) -> tuple[str, dict[str, Any]]:
    """Write ``df`` as part ``index`` of ``table`` (zstd Parquet, like :func:`crmlab.save_dataset`).

    Returns the part's path relative to ``folder`` and its manifest entry
    (table, rows, SHA-256, chunk).
    """
    sub = folder / table
    sub.mkdir(parents=True, exist_ok=True)
    path = sub / part_name(index, width)
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    return f"{table}/{path.name}", {"table": table, "rows": int(len(df)), "sha256": sha256_file(path), "chunk": index}


def _contract(df: pd.DataFrame, table: str, scenario: Scenario, validate: bool, chunk: int,
              width: int) -> pd.DataFrame:
    """Contract dtypes, and (``validate``) the contract's rules except key uniqueness, as save_dataset does."""
    if table == "customers" and not scenario.pii:
        df = df.drop(columns=list(PII_COLUMNS), errors="ignore")
    if table not in CONTRACT:
        return df
    df = coerce_table(df, table)
    if validate:
        validate_table(df, table, source=f"{table}/{part_name(chunk, width)}", keys=False)
    return df


def _spill_path(folder: Path, chunk: int) -> Path:
    return folder / PENDING / f"chunk-{chunk:06d}.pickle"


def first_pass(scenario: Scenario, chunk: int, ctx: Mapping[str, Any], folder: str | os.PathLike,
               width: int = 5, validate: bool = True) -> dict[str, Any]:
    """Simulate chunk ``chunk``, write its first tables, set the rest aside.

    Parameters
    ----------
    scenario : Scenario
    chunk : int
        Chunk number (customers ``chunk * chunk_size`` onwards).
    ctx : dict
        :func:`crmlab.simulate.engine.global_context` of the scenario.
    folder : path
        The dataset folder being written (shared by every worker).
    width : int, default 5
        Digits of the part numbers.
    validate : bool, default True
        Check every part against the data contract before writing it (all
        rules but key uniqueness, which holds by construction - the check
        :func:`crmlab.save_dataset` makes on generated data); a
        :class:`~crmlab.schema.ValidationError` fails the task.

    Returns
    -------
    dict
        ``chunk``, ``n`` (customers), ``keys`` (:func:`~crmlab.simulate.assemble.chunk_keys`),
        ``partial`` (:func:`~crmlab.simulate.truth.truth_partial`), ``files``
        (manifest entries of the parts written), ``rows`` (per table),
        ``seconds`` and ``peak_rss_mb`` (of the process that ran it).
    """
    t0 = time.perf_counter()
    folder = Path(folder)
    p = chunk_product(scenario, chunk, ctx)
    keys, partial, rows, n = p["keys"], p["partial"], p["rows"], p["n"]
    frames = {"customers": p["customers"],
              **build_frames(scenario, ctx, {t: rows[t] for t in FIRST_TABLES if t != "customers"}),
              TRUTH_CUSTOMERS: p["latent"]}
    del p
    spill = _spill_path(folder, chunk)
    spill.parent.mkdir(parents=True, exist_ok=True)
    with open(spill, "wb") as fh:
        pickle.dump({t: rows[t] for t in SECOND_TABLES}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    del rows
    files: dict[str, dict[str, Any]] = {}
    for table in (*FIRST_TABLES, TRUTH_CUSTOMERS):
        df = _contract(frames.pop(table), table, scenario, validate, chunk, width)
        name, entry = write_part(df, folder, table, chunk, width)
        files[name] = entry
    return dict(chunk=chunk, n=n, keys=keys, partial=partial, files=files,
                rows={e["table"]: e["rows"] for e in files.values()},
                seconds=time.perf_counter() - t0, peak_rss_mb=peak_rss_mb(), pid=os.getpid())


def second_pass(scenario: Scenario, chunk: int, ctx: Mapping[str, Any], folder: str | os.PathLike,
                ranks: Mapping[str, Any], width: int = 5, validate: bool = True) -> dict[str, Any]:
    """Write the time-ordered tables of chunk ``chunk``, given its global ``ranks``.

    ``ranks`` is the chunk's entry of :func:`crmlab.simulate.assemble.global_ranks`.
    Reads and removes the spill file of :func:`first_pass`; ``validate`` as
    there. Returns ``chunk``,
    ``files``, ``rows``, ``seconds`` and ``peak_rss_mb``.
    """
    t0 = time.perf_counter()
    folder = Path(folder)
    spill = _spill_path(folder, chunk)
    with open(spill, "rb") as fh:
        rows = pickle.load(fh)
    frames = build_frames(scenario, ctx, rerank(rows, ranks))
    del rows
    files: dict[str, dict[str, Any]] = {}
    for table in SECOND_TABLES:
        df = _contract(frames.pop(table), table, scenario, validate, chunk, width)
        name, entry = write_part(df, folder, table, chunk, width)
        files[name] = entry
        del df
    spill.unlink()
    return dict(chunk=chunk, files=files, rows={e["table"]: e["rows"] for e in files.values()},
                seconds=time.perf_counter() - t0, peak_rss_mb=peak_rss_mb(), pid=os.getpid())
