"""Generate a partitioned dataset: chunks as tasks (Dask or local processes), one part file per chunk.

:func:`generate_partitioned` writes the tables of a scenario as a
*partitioned* Parquet dataset - one sub-folder per table, one part file per
customer chunk - that pyarrow.dataset, DuckDB, Dask and Spark read directly,
and that :func:`crmlab.load_dataset` opens lazily::

    out/
      customers/part-00000.parquet, part-00001.parquet, ...
      orders/part-00000.parquet, ...
      ...                         (every table of the contract)
      truth_customers/part-*.parquet
      truth.json                  merged from per-chunk partial results
      manifest.json               layout "partitioned"; every part with rows and SHA-256

The content is the same as the in-process dataset of
:func:`crmlab.make_retail_crm` for the same scenario (seed *and* chunk size):
the same rows with the same identifiers; only the order of the rows across
parts differs for the tables numbered in time order (``orders``,
``order_items``, ``service_events``, ``survey``: each part is sorted, the
parts follow the customer chunks). See :mod:`crmlab.scale.chunks` for the two
passes each chunk goes through and why a worker's memory is bounded by the
chunk size.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "tiny"
>>> run = generate_partitioned("tiny", out, engine="process", chunk_size=400, seed=1)
>>> run.n_chunks, sorted(p.name for p in (out / "orders").glob("*.parquet"))
(2, ['part-00000.parquet', 'part-00001.parquet'])
>>> run.rows["customers"]
800
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .._fs import OutputError, describe_os_error, json_text, output_dir, sha256_file
from ..config import Scenario, get_scenario
from ..dataset import TRUTH_CUSTOMERS, part_name
from ..io import DatasetError
from ..schema import coerce_table, validate_table
from ..simulate._streams import check_random_state
from ..simulate.assemble import global_ranks
from ..simulate.engine import TABLES, global_context, n_chunks, static_tables
from ..simulate.truth import merge_truth
from .chunks import PENDING, first_pass, peak_rss_mb, second_pass, write_part

__all__ = ["generate_partitioned", "PartitionedRun", "ENGINES", "MANIFEST", "TRUTH", "LAYOUT"]

ENGINES = ("process", "dask")
MANIFEST = "manifest.json"
TRUTH = "truth.json"
#: ``manifest.json["layout"]`` of a partitioned dataset.
LAYOUT = "partitioned"


@dataclasses.dataclass(frozen=True)
class PartitionedRun:
    """What :func:`generate_partitioned` did: where, how, how long, how much memory.

    Attributes
    ----------
    path : Path
        The dataset folder.
    engine : str
        ``"process"`` or ``"dask"``.
    n_chunks, n_workers : int
        Customer chunks (= part files per table) and worker processes used
        (1 for the process engine without a pool).
    chunk_size : int
        Customers per chunk.
    rows : dict
        Rows per table (``truth_customers`` included).
    seconds : dict
        Wall time of the phases: ``setup`` (cluster start, context, stores and
        products), ``first`` (first pass of every chunk), ``ranks`` (global
        ranks, on the caller), ``second``, ``finish`` (truth, manifest, swap)
        and ``total``.
    chunk_seconds : tuple of float
        Per chunk, the time of its two passes (task time, on its worker).
    worker_peak_rss_mb : float
        The largest peak resident set size of a process that ran chunks (its
        whole life, libraries included); the caller's own peak is
        ``client_peak_rss_mb``.
    client_peak_rss_mb : float
    """

    path: Path
    engine: str
    n_chunks: int
    n_workers: int
    chunk_size: int
    rows: dict[str, int]
    seconds: dict[str, float]
    chunk_seconds: tuple[float, ...]
    worker_peak_rss_mb: float
    client_peak_rss_mb: float

    def to_dict(self) -> dict[str, Any]:
        """Plain types (for JSON)."""
        d = dataclasses.asdict(self)
        d["path"] = str(self.path)
        d["chunk_seconds"] = list(self.chunk_seconds)
        return d


# ----------------------------------------------------------------------------- runners
class _Serial:
    """Runs tasks in this process, in submission order."""

    n_workers = 1

    def scatter(self, obj: Any) -> Any:
        return obj

    def run(self, fn: Callable[..., dict], calls: Iterable[tuple]) -> Iterator[dict]:
        for args in calls:
            yield fn(*args)

    def close(self) -> None:
        pass


class _Pool(_Serial):
    """Runs tasks in a local process pool."""

    def __init__(self, n_workers: int):
        from concurrent.futures import ProcessPoolExecutor

        self.n_workers = n_workers
        self._ex = ProcessPoolExecutor(max_workers=n_workers)
        self._ex.submit(os.getpid).result()  # start the workers now, before this process writes anything

    def run(self, fn: Callable[..., dict], calls: Iterable[tuple]) -> Iterator[dict]:
        from concurrent.futures import as_completed

        futs = [self._ex.submit(fn, *args) for args in calls]
        try:
            for f in as_completed(futs):
                yield f.result()
        finally:
            for f in futs:
                f.cancel()

    def close(self) -> None:
        self._ex.shutdown(wait=True, cancel_futures=True)


class _Dask(_Serial):
    """Runs tasks on a Dask cluster: a new LocalCluster, or the one at ``scheduler``."""

    def __init__(self, scheduler: str | None, n_workers: int | None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - the scale extra is not installed
            raise ImportError("engine='dask' needs dask.distributed: pip install 'crmlab[scale]'") from None
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler)
        else:
            workers = n_workers or max(1, min(os.cpu_count() or 1, 8))
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=":0", silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        self.n_workers = max(1, len(self._client.scheduler_info(n_workers=-1).get("workers", {})))

    def scatter(self, obj: Any) -> Any:
        return self._client.scatter([obj], broadcast=True)[0]

    def run(self, fn: Callable[..., dict], calls: Iterable[tuple]) -> Iterator[dict]:
        from distributed import as_completed

        futs = [self._client.submit(fn, *args, pure=False) for args in calls]
        try:
            for f in as_completed(futs):
                yield f.result()
                f.release()
        finally:
            self._client.cancel(futs)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _runner(engine: str, scheduler: str | None, n_workers: int | None) -> _Serial:
    if engine == "dask":
        return _Dask(scheduler, n_workers)
    if scheduler:
        raise ValueError("scheduler is an option of engine='dask'")
    if n_workers and n_workers > 1:
        return _Pool(n_workers)
    return _Serial()


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("crmlab", "numpy", "pandas", "pyarrow", "dask", "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


# ----------------------------------------------------------------------------- the front door
def generate_partitioned(
    scenario: str | Scenario,
    out: str | os.PathLike,
    *,
    engine: str = "dask",
    scheduler: str | None = None,
    chunk_size: int | None = None,
    n_workers: int | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    validate: bool = True,
    seed: int | None = None,
    **overrides: Any,
) -> PartitionedRun:
    """Simulate a scenario chunk by chunk into a partitioned Parquet dataset folder.

    Parameters
    ----------
    scenario : str or Scenario
        A preset name (``"large"``, ...) or a :class:`~crmlab.config.Scenario`.
    out : path
        The dataset folder. Written atomically: the parts go to a hidden
        sibling folder that replaces ``out`` only when everything is written.
        With a remote cluster, every worker must be able to write there (a
        shared file system).
    engine : {"dask", "process"}, default "dask"
        ``"dask"``: chunks are Dask tasks, on a new
        ``LocalCluster(processes=True, threads_per_worker=1)`` or on the
        cluster at ``scheduler``. ``"process"``: in this process, or in a
        local process pool when ``n_workers > 1``. The files are the same.
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://host:8786"``).
    chunk_size : int, optional
        Customers per chunk (default: the scenario's, 50,000). It is part of
        the scenario: the same seed and chunk size give the same data.
    n_workers : int, optional
        Worker processes of the local cluster or pool (default: the CPUs,
        at most 8, for Dask; 1 for ``"process"``).
    force : bool, default False
        Replace an existing non-empty folder (once the new one is complete).
    progress : callable, optional
        Called with a number of customers after each chunk task of either
        pass (first: simulate and write the chunk's own tables; second: write
        the time-ordered tables), so the calls add up to ``2 * n_customers``.
    validate : bool, default True
        Each task checks its parts against the data contract before writing
        them (every rule but key uniqueness, which holds by construction: what
        :func:`crmlab.save_dataset` checks on generated data). The full check
        of a folder, keys included: :func:`crmlab.scale.validate_partitioned`.
    seed : int, optional
        Random seed (default: the scenario's).
    **overrides
        Any scenario field, e.g. ``n_customers=10_000_000``.

    Returns
    -------
    PartitionedRun
        Path, rows per table, timings per phase and per chunk, peak memory of
        the workers and of the caller.

    Raises
    ------
    DatasetError
        ``out`` is a file or a non-empty folder (without ``force``), or cannot be written.
    ValueError
        An unknown engine, or a scenario with ``faults=True`` (faults are
        planted in whole tables; generate those with :func:`crmlab.make_retail_crm`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from crmlab.io import load_dataset
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "d"
    >>> _ = generate_partitioned("tiny", out, engine="process", chunk_size=300, seed=2)
    >>> load_dataset(out).rows["customers"]
    800
    """
    t_start = time.perf_counter()
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if chunk_size is not None:
        overrides["chunk_size"] = chunk_size
    if seed is not None:
        overrides["seed"] = check_random_state(seed)
    sc = get_scenario(scenario, **overrides)
    if sc.faults:
        raise ValueError("faults=True is not available for partitioned datasets: faults are planted in whole "
                         "tables; use crmlab.make_retail_crm(..., faults=True) and save_dataset")
    target = Path(out).expanduser()
    k = n_chunks(sc)
    width = max(5, len(str(k - 1)))
    seconds: dict[str, float] = {}
    runner: _Serial | None = None
    try:
        # the lock, the clean-up after interrupted writes and the check of the target come first
        with output_dir(target, force=force) as tmp:
            runner = _runner(engine, scheduler, n_workers)
            ctx = global_context(sc)
            files: dict[str, dict[str, Any]] = {}
            for table, df in static_tables(ctx).items():
                df = coerce_table(df, table)
                if validate:
                    validate_table(df, table, source=f"{table}/{part_name(0, width)}", keys=False)
                name, entry = write_part(df, tmp, table, 0, width)
                files[name] = entry
            ctx_ref = runner.scatter(ctx)
            seconds["setup"] = time.perf_counter() - t_start

            t = time.perf_counter()
            first: list[dict[str, Any] | None] = [None] * k
            for res in runner.run(first_pass, ((sc, c, ctx_ref, tmp, width, validate) for c in range(k))):
                first[res["chunk"]] = res
                if progress:
                    progress(res["n"])
            seconds["first"] = time.perf_counter() - t

            t = time.perf_counter()
            ranks = global_ranks([f["keys"] for f in first])  # type: ignore[index]
            for f in first:
                f.pop("keys")  # type: ignore[union-attr]
            seconds["ranks"] = time.perf_counter() - t

            t = time.perf_counter()
            second: list[dict[str, Any] | None] = [None] * k
            for res in runner.run(second_pass, ((sc, c, ctx_ref, tmp, ranks[c], width, validate)
                                                       for c in range(k))):
                second[res["chunk"]] = res
                ranks[res["chunk"]] = {}
                if progress:
                    progress(first[res["chunk"]]["n"])  # type: ignore[index]
            seconds["second"] = time.perf_counter() - t

            t = time.perf_counter()
            for f, s in zip(first, second):
                files.update(f["files"])  # type: ignore[index]
                files.update(s["files"])  # type: ignore[index]
            truth = merge_truth(sc, ctx, [f["partial"] for f in first])  # type: ignore[index]
            (tmp / TRUTH).write_text(json_text(truth), encoding="utf-8")
            shutil.rmtree(tmp / PENDING, ignore_errors=True)
            order = {name: i for i, name in enumerate((*TABLES, TRUTH_CUSTOMERS))}
            files = dict(sorted(files.items(), key=lambda kv: (order[kv[1]["table"]], kv[0])))
            rows = {name: 0 for name in order}
            for entry in files.values():
                rows[entry["table"]] += entry["rows"]
            manifest = {
                "crmlab_dataset_version": 1,
                "layout": LAYOUT,
                "format": "parquet",
                "synthetic": True,
                "scenario": sc.to_dict(),
                "faults": False,
                "pii": bool(sc.pii),
                "has_truth": True,
                "n_chunks": k,
                "rows": rows,
                "tables": {name: sorted(p for p, e in files.items() if e["table"] == name) for name in order},
                "files": {**files, TRUTH: {"sha256": sha256_file(tmp / TRUTH)}},
                "source": None,
                "versions": _versions(),
            }
            (tmp / MANIFEST).write_text(json_text(manifest), encoding="utf-8")
        seconds["finish"] = time.perf_counter() - t
    except OutputError as e:
        raise DatasetError(str(e)) from None
    except OSError as e:
        raise DatasetError(f"writing {target} failed: {describe_os_error(e)}; nothing was written and what was "
                           "there before is untouched") from None
    finally:
        if runner is not None:
            runner.close()
    seconds["total"] = time.perf_counter() - t_start
    chunk_seconds = tuple(f["seconds"] + s["seconds"] for f, s in zip(first, second))  # type: ignore[index]
    worker_peak = max(r["peak_rss_mb"] for r in (*first, *second))  # type: ignore[union-attr]
    return PartitionedRun(path=target, engine=engine, n_chunks=k, n_workers=runner.n_workers,
                          chunk_size=sc.chunk_size, rows=rows, seconds=seconds, chunk_seconds=chunk_seconds,
                          worker_peak_rss_mb=worker_peak, client_peak_rss_mb=peak_rss_mb())

