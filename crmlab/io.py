"""Reading and writing dataset folders.

A dataset is a folder::

    orders.parquet (or orders.csv)   one file per table of the contract present
    ...
    truth.json                       planted truth (synthetic data only)
    truth_customers.parquet          latent traits per customer (synthetic only)
    manifest.json                    scenario, versions, row counts, SHA-256 per file

or, for big data, a *partitioned* folder (one sub-folder of Parquet part
files per table, ``orders/part-00000.parquet``, ..., as written by
:func:`crmlab.scale.generate_partitioned`), which :func:`load_dataset` opens
lazily as a :class:`~crmlab.dataset.LazyDataset`.

Writes are atomic: everything is written into a hidden temporary folder next
to the target, which replaces the target only when complete. An existing,
non-empty target is refused unless ``force=True``; a failed write leaves what
was there untouched.
"""

from __future__ import annotations

import json
import os
import platform
import warnings
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from ._fs import json_text, make_temp_dir, replace_dir, sha256_file, target_problem, write_json_atomic
from ._resources import bundled_dataset
from .dataset import TRUTH_CUSTOMERS, Dataset, LazyDataset, table_parts
from .schema import CONTRACT, ValidationError, coerce_table, csv_read_kwargs, validate_dataset

__all__ = ["DatasetError", "save_dataset", "load_dataset", "get_data_home", "read_table", "FORMATS",
           "dataset_files", "write_json_atomic"]

FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"
TRUTH = "truth.json"


class DatasetError(RuntimeError):
    """A dataset folder cannot be read or written (the message says which file and why)."""


# ----------------------------------------------------------------------------- helpers
def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Folder where generated named datasets are cached.

    ``data_home`` if given, else the ``CRMLAB_DATA`` environment variable, else
    ``~/crmlab_data``. Created if missing.
    """
    home = Path(data_home or os.environ.get("CRMLAB_DATA") or Path.home() / "crmlab_data").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home





def _versions() -> dict[str, str]:
    out = {"python": platform.python_version().rsplit(".", 1)[0]}
    for pkg in ("crmlab", "numpy", "pandas", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    try:
        meta = json.loads((resources.files("crmlab") / "data" / "pools_meta.json").read_text(encoding="utf-8"))
        out["faker_for_name_pools"] = str(meta.get("faker_version"))
    except (OSError, ValueError):
        pass
    return out


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    else:
        df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


def _write_tables(jobs: list[tuple[str, pd.DataFrame, Path]], fmt: str,
                  meanwhile: Callable[[], None] | None = None) -> list[str]:
    """Write ``(name, frame, path)`` jobs; return the SHA-256 of each file, in order.

    Parquet files are written by a few threads at once (pyarrow encodes and
    compresses without holding the GIL); every file's bytes are the same as
    when written alone. ``meanwhile()`` runs in the calling thread while the
    files are being written (the contract check of :func:`save_dataset`); if it
    raises, the writes still running are waited for and the error propagates.
    """
    def one(job: tuple[str, pd.DataFrame, Path]) -> str:
        _write_table(job[1], job[2], fmt)
        return sha256_file(job[2])

    workers = min(len(jobs), os.cpu_count() or 1, 4) if fmt == "parquet" else 1
    if workers <= 1:
        if meanwhile is not None:
            meanwhile()
        return [one(j) for j in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as ex:
        futs = [ex.submit(one, j) for j in jobs]
        if meanwhile is not None:
            try:
                meanwhile()
            except BaseException:
                for f in futs:
                    f.cancel()
                raise
        return [f.result() for f in futs]


def dataset_files(path: str | os.PathLike) -> dict[str, Path]:
    """Table name -> file of the tables present in a dataset folder."""
    folder = Path(path)
    out: dict[str, Path] = {}
    for name in [*CONTRACT, TRUTH_CUSTOMERS]:
        for ext in (".parquet", ".csv", ".csv.gz"):
            p = folder / f"{name}{ext}"
            if p.is_file():
                if name in out:
                    raise DatasetError(f"{folder}: both {out[name].name} and {p.name} exist; keep one")
                out[name] = p
    return out


# ----------------------------------------------------------------------------- save
def save_dataset(
    data: Dataset | Mapping[str, pd.DataFrame],
    path: str | os.PathLike,
    *,
    format: str = "parquet",
    force: bool = False,
    validate: bool | str = True,
    include_truth: bool = True,
) -> Path:
    """Write a dataset folder atomically.

    Parameters
    ----------
    data : Dataset or mapping of table name -> DataFrame
    path : path-like
        Target folder. Must not exist or be empty, unless ``force``.
    format : {"parquet", "csv"}
    force : bool
        Replace an existing non-empty folder (only once the new one is complete).
    validate : bool or "full", default True
        Check the tables against the data contract first (skipped for datasets
        generated with ``faults=True``, which break it on purpose). For a
        dataset straight from :func:`crmlab.make_retail_crm`
        (``Dataset.generated``), key uniqueness and foreign keys hold by
        construction and are not checked again; ``"full"`` checks them too.
    include_truth : bool
        Write ``truth.json`` and ``truth_customers`` (set False for student copies).

    Returns
    -------
    Path of the folder.

    Raises
    ------
    DatasetError
        Target exists and is not empty (without ``force``), or cannot be written.
    ValidationError
        A table breaks the contract; nothing is written.
    """
    if format not in FORMATS:
        raise DatasetError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    target = Path(path).expanduser()
    problem = target_problem(target, force=force)
    if problem:
        hint = "" if problem.endswith("folder") else "; choose another folder or use --force / force=True"
        raise DatasetError(f"{target} {problem}{hint}")
    ds = data if isinstance(data, Dataset) else Dataset(data)
    truth = ds.truth if include_truth else None
    faults = bool(truth and truth.get("faults")) or bool(ds.manifest and ds.manifest.get("faults"))
    if validate not in (True, False, "full"):
        raise ValueError(f"validate must be True, False or 'full', got {validate!r}")
    check = None
    if validate and not faults:
        def check() -> None:  # runs while the files are written; a failure removes them all
            validate_dataset(ds.tables, keys=validate == "full" or not ds.generated)
    try:
        tmp = make_temp_dir(target)
    except OSError as e:
        raise DatasetError(f"cannot write to {target.parent}: {e.strerror or e}") from None
    try:
        ext = ".csv" if format == "csv" else ".parquet"
        jobs = [(name, df, tmp / f"{name}{ext}") for name, df in ds.tables.items()]
        n_tables = len(jobs)
        if truth is not None:
            (tmp / TRUTH).write_text(json_text(truth), encoding="utf-8")
            if ds.truth_customers is not None:
                jobs.append((TRUTH_CUSTOMERS, ds.truth_customers, tmp / f"{TRUTH_CUSTOMERS}{ext}"))
        sha = _write_tables(jobs, format, meanwhile=check)
        files: dict[str, dict[str, Any]] = {}
        for i, (name, df, p) in enumerate(jobs):
            if i == n_tables:
                files[TRUTH] = {"sha256": sha256_file(tmp / TRUTH)}
            files[p.name] = {"table": name, "rows": int(len(df)), "sha256": sha[i]}
        if truth is not None and TRUTH not in files:
            files[TRUTH] = {"sha256": sha256_file(tmp / TRUTH)}
        scenario = ds.scenario
        manifest = {
            "crmlab_dataset_version": 1,
            "format": format,
            "synthetic": scenario is not None,
            "scenario": scenario.to_dict() if scenario is not None else None,
            "faults": faults,
            "pii": "name" in ds.tables.get("customers", pd.DataFrame()).columns,
            "has_truth": truth is not None,
            "files": files,
            "source": (ds.manifest or {}).get("source"),
            "versions": _versions(),
        }
        (tmp / MANIFEST).write_text(json_text(manifest), encoding="utf-8")
        replace_dir(tmp, target)
    except BaseException as e:
        _rmtree(tmp)
        if isinstance(e, OSError):
            raise DatasetError(f"writing {target} failed: {e}; the previous contents are untouched") from e
        raise
    return target




# ----------------------------------------------------------------------------- load
def read_table(path: str | os.PathLike, table: str) -> pd.DataFrame:
    """Read one table file with contract dtypes; faults become :class:`ValidationError`."""
    p = Path(path)
    try:
        if p.suffix == ".parquet":
            df = pd.read_parquet(p)
            return coerce_table(df, table, source=p.name) if table in CONTRACT else df
        header = pd.read_csv(p, nrows=0, encoding="utf-8").columns
        kw = csv_read_kwargs(table, header) if table in CONTRACT else {}
        df = pd.read_csv(p, encoding="utf-8", **kw)
    except UnicodeDecodeError as e:
        raise DatasetError(f"{p.name}: not UTF-8 text (byte {e.start}: {e.reason}); "
                           "re-save it as UTF-8 or import it with an encoding (crmlab import csv)") from None
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{p.name}: the file is empty") from None
    except pd.errors.ParserError as e:
        raise DatasetError(f"{p.name}: cannot be parsed as CSV ({str(e).strip()})") from None
    except (OSError, ValueError) as e:
        raise DatasetError(f"{p.name}: cannot be read ({e})") from None
    if table in CONTRACT:
        return coerce_table(df, table, source=p.name, line_offset=2)
    return _coerce_truth_customers(df)


def _coerce_truth_customers(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("first_order_date", "churn_date"):
        if c in df:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    for c in ("churned", "sleeping_dog_churned"):
        if c in df and df[c].dtype != bool:
            df[c] = df[c].astype(str).str.lower().eq("true")
    return df


_NAMED = ("classroom",)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def load_dataset(
    path_or_name: str | os.PathLike = "classroom",
    *,
    seed: int | None = None,
    validate: bool = True,
    truth: bool = True,
    data_home: str | os.PathLike | None = None,
) -> Dataset | LazyDataset:
    """Load a dataset folder, a committed dataset, or a cached generated one.

    A partitioned folder (one sub-folder of Parquet parts per table) is
    opened lazily: the result is a :class:`~crmlab.dataset.LazyDataset`, whose
    tables are read on request (as DataFrames, pyarrow datasets or DuckDB
    relations); nothing else is read.

    Parameters
    ----------
    path_or_name : str or path-like, default "classroom"
        A folder, or a name: ``"classroom"`` is the committed classroom dataset
        (generated and cached if the package was installed without it); any
        preset name (``"tiny"``, ``"research"``, ...) is generated once with
        ``seed`` and cached under :func:`get_data_home`.
    seed : int, optional
        Seed for a named preset (default 0).
    validate : bool, default True
        Check every table against the data contract and the foreign keys.
        For a partitioned folder only the Parquet schemas of the parts are
        checked (their footers: columns and types); the full check streams
        through the parts: :func:`crmlab.scale.validate_partitioned`.
    truth : bool, default True
        Load ``truth.json`` / ``truth_customers`` if present.

    Returns
    -------
    Dataset or LazyDataset

    Raises
    ------
    DatasetError
        The folder or a file cannot be read (names the file).
    ValidationError
        A table breaks the contract (names file, column, rule and rows).
    """
    from .config import PRESETS

    p = Path(path_or_name).expanduser()
    name = str(path_or_name)
    if not p.exists() and name in PRESETS:
        p = None
        if name in _NAMED and seed in (None, 0):
            p = bundled_dataset(name)
        if p is None:
            cache = get_data_home(data_home) / f"{name}-seed{seed or 0}"
            if not (cache / MANIFEST).is_file():
                from .dataset import make_retail_crm

                save_dataset(make_retail_crm(name, seed=seed or 0), cache, format="parquet", force=True)
            p = cache
    if not p.exists():
        raise DatasetError(f"{p}: no such dataset folder (named datasets: {', '.join(PRESETS)})")
    if not p.is_dir():
        raise DatasetError(f"{p}: is a file; a dataset is a folder of table files (see crmlab validate --help)")
    manifest = None
    if (p / MANIFEST).is_file():
        try:
            manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
        except ValueError as e:
            raise DatasetError(f"{p / MANIFEST}: not valid JSON ({e})") from None
    if table_parts(p):
        truth_obj = None
        if truth and (p / TRUTH).is_file():
            truth_obj = json.loads((p / TRUTH).read_text(encoding="utf-8"))
        lazy = LazyDataset(p, truth=truth_obj, manifest=manifest, latent=truth)
        if validate:
            problems = lazy.schema_problems()
            if problems:
                raise ValidationError(problems)
        return lazy
    files = dataset_files(p)
    tables_files = {k: v for k, v in files.items() if k in CONTRACT}
    if not tables_files:
        raise DatasetError(f"{p}: no table files found (expected e.g. orders.csv or orders.parquet)")
    if manifest:
        for fname, info in manifest.get("files", {}).items():
            fp = p / fname
            if fp.is_file() and info.get("sha256") and sha256_file(fp) != info["sha256"]:
                warnings.warn(f"{fp.name} differs from the checksum in manifest.json (edited after writing?)",
                              stacklevel=2)
    faults = bool(manifest and manifest.get("faults"))
    tables: dict[str, pd.DataFrame] = {}
    problems = []
    offsets = {}
    for name_, fp in tables_files.items():
        if faults and not validate:
            tables[name_] = pd.read_parquet(fp) if fp.suffix == ".parquet" else pd.read_csv(
                fp, dtype=str, keep_default_na=False, na_values=[""])
            continue
        try:
            tables[name_] = read_table(fp, name_)
        except ValidationError as e:
            problems += e.problems
            offsets.update(e.line_offsets)
    if problems:
        raise ValidationError(problems, offsets)
    if validate:
        validate_dataset(tables, sources={k: v.name for k, v in tables_files.items()},
                         line_offsets={k: (2 if v.suffix != ".parquet" else None) for k, v in tables_files.items()})
    truth_obj = truth_customers = None
    if truth and (p / TRUTH).is_file():
        truth_obj = json.loads((p / TRUTH).read_text(encoding="utf-8"))
        if TRUTH_CUSTOMERS in files:
            truth_customers = read_table(files[TRUTH_CUSTOMERS], TRUTH_CUSTOMERS)
    return Dataset(tables, truth=truth_obj, truth_customers=truth_customers, manifest=manifest, path=p)
