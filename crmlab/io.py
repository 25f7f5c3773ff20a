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

Writes are atomic and safe (:func:`crmlab._fs.output_dir`): everything is
written into a hidden temporary folder next to the target, which replaces
the target only when complete; one writer at a time (a second writer of the
same folder fails, naming the first); an existing, non-empty target is
refused unless ``force=True``, also when it was filled while the data was
being written; a failed write (a full disk) leaves what was there untouched,
and a crash leaves the old or the new dataset, restored by the next writer
or reader if it was caught between two renames.

Reading checks what was written: with ``validate=True`` a table listed in
``manifest.json`` that is missing, a file whose SHA-256 or row count differs
from the manifest, a table file that is a folder or cannot be read, and
every rule of the data contract (:mod:`crmlab.schema`) are errors.
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

from ._fs import (
    OutputError,
    OutputWarning,
    describe_os_error,
    json_text,
    lock_output,
    output_dir,
    recover_output,
    sha256_file,
    write_json_atomic,
)
from ._resources import bundled_dataset
from .dataset import TRUTH_CUSTOMERS, Dataset, LazyDataset, table_parts
from .schema import CONTRACT, Problem, ValidationError, coerce_table, csv_read_kwargs, validate_dataset

__all__ = ["DatasetError", "save_dataset", "load_dataset", "get_data_home", "read_table", "FORMATS",
           "dataset_files", "scenario_window", "write_json_atomic", "csv_safe", "csv_restore", "FORMULA_TRIGGERS"]

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

    Raises
    ------
    DatasetError
        The folder is a file or cannot be created (names where it came from).
    """
    origin = "data_home" if data_home else ("CRMLAB_DATA" if os.environ.get("CRMLAB_DATA") else "~/crmlab_data")
    home = Path(data_home or os.environ.get("CRMLAB_DATA") or Path.home() / "crmlab_data").expanduser()
    if home.exists() and not home.is_dir():
        raise DatasetError(f"{origin}={home}: is a file, not a folder; point it to a folder for cached datasets")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatasetError(f"{origin}={home}: cannot create the folder ({describe_os_error(e)})") from None
    return home


#: A text cell a spreadsheet would run as a formula starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = r"^'*[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with text cells neutralised against spreadsheet formula injection (for writing CSV or Excel).

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return (after any leading single quotes) gets one more leading
    single quote, so a spreadsheet shows it as text instead of running it.
    Numeric columns, and text cells that are plain numbers (``-12.5``), are
    left as they are. :func:`csv_restore` undoes it exactly.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "-12.5", "ok", None], "qty": [-1, 2, 3, 4, 5]})
    >>> csv_safe(df)["name"].tolist()
    ["'=1+1", "'@SUM(A1)", '-12.5', 'ok', nan]
    >>> csv_restore(csv_safe(df))["name"].fillna("").tolist()
    ['=1+1', '@SUM(A1)', '-12.5', 'ok', '']
    """
    out = None
    for c in df.columns:
        s = df[c]
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        txt = s.astype("str")
        hit = s.notna() & txt.str.contains(_FORMULA, regex=True) & ~txt.str.fullmatch(_PLAIN_NUMBER)
        hit = hit.fillna(False).astype(bool)
        if hit.any():
            if out is None:
                out = df.copy()
            out[c] = s.where(~hit, "'" + txt)
    return df if out is None else out


def csv_restore(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_safe` on text columns read from a CSV that crmlab wrote."""
    out = None
    for c in df.columns:
        s = df[c]
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        txt = s.astype("str")
        hit = (s.notna() & txt.str.contains(r"^'+[=+\-@\t\r]", regex=True)).fillna(False).astype(bool)
        if hit.any():
            if out is None:
                out = df.copy()
            out[c] = s.where(~hit, txt.str.slice(1))
    return df if out is None else out


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
        csv_safe(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
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
    """Table name -> file of the tables present in a dataset folder.

    Raises :class:`DatasetError` when a table has two files, or when a table's
    file name is taken by something that is not a file (a folder).
    """
    folder = Path(path)
    out: dict[str, Path] = {}
    for name in [*CONTRACT, TRUTH_CUSTOMERS]:
        for ext in (".parquet", ".csv", ".csv.gz"):
            p = folder / f"{name}{ext}"
            if p.is_file():
                if name in out:
                    raise DatasetError(f"{folder}: both {out[name].name} and {p.name} exist; keep one")
                out[name] = p
            elif os.path.lexists(p):
                raise DatasetError(f"{p}: is not a file (a folder or a broken link); a table is one .parquet, "
                                   ".csv or .csv.gz file")
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
    extra_json: Mapping[str, Any] | None = None,
) -> Path:
    """Write a dataset folder atomically.

    Parameters
    ----------
    data : Dataset or mapping of table name -> DataFrame
    path : path-like
        Target folder. Must not exist or be empty, unless ``force``.
    format : {"parquet", "csv"}
        In CSV files, text cells that a spreadsheet would run as a formula
        (starting with ``= + - @``, tab or CR) get a leading ``'``
        (:func:`csv_safe`); :func:`load_dataset` removes it again.
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
    extra_json : mapping of file name -> JSON-ready object, optional
        More files written in the same atomic step and listed with their
        checksum in the manifest (``crmlab import`` writes ``cleaning_report.json``).

    Returns
    -------
    Path of the folder.

    Raises
    ------
    DatasetError
        Target exists and is not empty (without ``force``), another process is
        writing it, or it cannot be written (a full disk: nothing is written,
        the previous contents are untouched).
    ValidationError
        A table breaks the contract; nothing is written.
    """
    if format not in FORMATS:
        raise DatasetError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    target = Path(path).expanduser()
    extra = dict(extra_json or {})
    reserved = {MANIFEST, TRUTH}
    for fname in extra:
        if not isinstance(fname, str) or "/" in fname or "\\" in fname or not fname.endswith(".json") \
                or fname.startswith(".") or fname in reserved:
            raise DatasetError(f"extra_json: {fname!r} must be a plain .json file name other than "
                               f"{', '.join(sorted(reserved))}")
    ds = data if isinstance(data, Dataset) else Dataset(data)
    truth = ds.truth if include_truth else None
    faults = bool(truth and truth.get("faults")) or bool(ds.manifest and ds.manifest.get("faults"))
    if validate not in (True, False, "full"):
        raise ValueError(f"validate must be True, False or 'full', got {validate!r}")
    check = None
    if validate and not faults:
        def check() -> None:  # runs while the files are written; a failure removes them all
            sc = ds.scenario
            validate_dataset(ds.tables, window=(sc.start, sc.end) if sc is not None else None,
                             keys=validate == "full" or not ds.generated)
    texts = {fname: json_text(obj) for fname, obj in extra.items()}  # refuse NaN before writing anything
    try:
        # the lock, the clean-up after interrupted writes and the check of the target come first
        with output_dir(target, force=force) as tmp:
            ext = ".csv" if format == "csv" else ".parquet"
            jobs = [(name, df, tmp / f"{name}{ext}") for name, df in ds.tables.items()]
            n_tables = len(jobs)
            if truth is not None:
                (tmp / TRUTH).write_text(json_text(truth), encoding="utf-8")
                if ds.truth_customers is not None:
                    jobs.append((TRUTH_CUSTOMERS, ds.truth_customers, tmp / f"{TRUTH_CUSTOMERS}{ext}"))
            # the contract is checked while the files are written; a failure leaves the target untouched
            sha = _write_tables(jobs, format, meanwhile=check)
            files: dict[str, dict[str, Any]] = {}
            for i, (name, df, p) in enumerate(jobs):
                if i == n_tables:
                    files[TRUTH] = {"sha256": sha256_file(tmp / TRUTH)}
                files[p.name] = {"table": name, "rows": int(len(df)), "sha256": sha[i]}
            if truth is not None and TRUTH not in files:
                files[TRUTH] = {"sha256": sha256_file(tmp / TRUTH)}
            for fname, text in texts.items():
                p = tmp / fname
                p.write_text(text, encoding="utf-8")
                files[fname] = {"sha256": sha256_file(p)}
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
    except OutputError as e:
        raise DatasetError(str(e)) from None
    except OSError as e:
        raise DatasetError(f"writing {target} failed: {describe_os_error(e)}; nothing was written and what was "
                           "there before is untouched") from None
    return target


# ----------------------------------------------------------------------------- load
def _read_raw(p: Path, table: str | None) -> pd.DataFrame:
    """A table file as pandas reads it (CSV cells as text, formula quotes removed); read errors -> DatasetError."""
    import gzip
    import zlib

    try:
        if p.suffix == ".parquet":
            return pd.read_parquet(p)
        if table is None:
            return csv_restore(pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"))
        header = pd.read_csv(p, nrows=0, encoding="utf-8").columns
        kw = csv_read_kwargs(table, header) if table in CONTRACT else {}
        return csv_restore(pd.read_csv(p, encoding="utf-8", **kw))
    except UnicodeDecodeError as e:
        raise DatasetError(f"{p.name}: not UTF-8 text (byte {e.start}: {e.reason}); "
                           "re-save it as UTF-8 or import it with an encoding (crmlab import csv)") from None
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{p.name}: the file is empty") from None
    except pd.errors.ParserError as e:
        raise DatasetError(f"{p.name}: cannot be parsed as CSV ({str(e).strip()})") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise DatasetError(f"{p.name}: truncated or corrupt gzip file ({e}); copy or write it again") from None
    except (OSError, ValueError) as e:
        raise DatasetError(f"{p.name}: cannot be read ({e})") from None


def read_table(path: str | os.PathLike, table: str) -> pd.DataFrame:
    """Read one table file with contract dtypes; faults become :class:`ValidationError`."""
    p = Path(path)
    df = _read_raw(p, table)
    if table in CONTRACT:
        return coerce_table(df, table, source=p.name, line_offset=None if p.suffix == ".parquet" else 2)
    try:
        return _coerce_truth_customers(df)
    except (ValueError, TypeError) as e:
        raise DatasetError(f"{p.name}: cannot be read ({e})") from None


def _coerce_truth_customers(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("first_order_date", "churn_date"):
        if c in df:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    for c in ("churned", "sleeping_dog_churned"):
        if c in df and df[c].dtype != bool:
            df[c] = df[c].astype(str).str.lower().eq("true")
    return df


_NAMED = ("classroom",)


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
        Check every table against the data contract and the foreign keys, and
        the folder against its ``manifest.json`` (a listed table missing, a
        checksum or row count that differs). With False, manifest mismatches
        are warnings. For a partitioned folder only the Parquet schemas of the
        parts are checked (their footers: columns and types); the full check
        streams through the parts: :func:`crmlab.scale.validate_partitioned`.
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
        A table breaks the contract, or the folder its manifest (names file,
        column, rule and rows).
    """
    from .config import PRESETS

    p = Path(path_or_name).expanduser()
    name = str(path_or_name)
    if not os.path.lexists(p) and name in PRESETS:
        p = None
        if name in _NAMED and seed in (None, 0):
            p = bundled_dataset(name)
        if p is None:
            p = _cached(name, seed or 0, data_home)
    if not os.path.lexists(p):
        _recover_missing(p)
    if not p.exists():
        raise DatasetError(f"{p}: no such dataset folder (named datasets: {', '.join(PRESETS)})")
    if not p.is_dir():
        raise DatasetError(f"{p}: is a file; a dataset is a folder of table files (see crmlab validate --help)")
    manifest = _read_manifest(p)
    if table_parts(p):
        truth_obj = None
        if truth and (p / TRUTH).is_file():
            truth_obj = _read_json(p / TRUTH, TRUTH)
        lazy = LazyDataset(p, truth=truth_obj, manifest=manifest, latent=truth)
        if validate:
            problems = lazy.schema_problems()
            if problems:
                raise ValidationError(problems)
        return lazy
    files = dataset_files(p)
    tables_files = {k: v for k, v in files.items() if k in CONTRACT}
    mismatches = _manifest_mismatches(p, manifest)
    if not tables_files and not (validate and mismatches):
        raise DatasetError(f"{p}: no table files found (expected e.g. orders.csv or orders.parquet)")
    faults = bool(manifest and manifest.get("faults"))
    tables: dict[str, pd.DataFrame] = {}
    problems = []
    offsets: dict[str, int | None] = {}
    for name_, fp in tables_files.items():
        if faults and not validate:
            tables[name_] = _read_raw(fp, None)
            continue
        try:
            tables[name_] = read_table(fp, name_)
        except ValidationError as e:
            problems += e.problems
            offsets.update(e.line_offsets)
    mismatches += _row_mismatches(manifest, tables, tables_files)
    if mismatches and not validate:
        for src, rule in mismatches:
            warnings.warn(f"{src}: {rule}", stacklevel=2)
    truth_obj = truth_customers = None
    if truth and (p / TRUTH).is_file():
        truth_obj = _read_json(p / TRUTH, "truth.json")
        if not isinstance(truth_obj, dict):
            raise DatasetError(f"{p / TRUTH}: must be a JSON object (what crmlab writes), got a "
                               f"{type(truth_obj).__name__}")
        if truth_obj.get("scenario") is not None and not isinstance(truth_obj["scenario"], dict):
            raise DatasetError(f"{p / TRUTH}: 'scenario' must be an object")
        if TRUTH_CUSTOMERS in files:
            truth_customers = read_table(files[TRUTH_CUSTOMERS], TRUTH_CUSTOMERS)
    if validate and not problems:
        try:
            validate_dataset(tables, sources={k: v.name for k, v in tables_files.items()},
                             line_offsets={k: (2 if v.suffix != ".parquet" else None) for k, v in tables_files.items()},
                             window=scenario_window(manifest, truth_obj))
        except ValidationError as e:
            problems, offsets = e.problems, e.line_offsets
    if validate and mismatches:
        problems = [(src, Problem("manifest", None, rule)) for src, rule in mismatches] + problems
        offsets.update({src: offsets.get(src) for src, _ in mismatches})
    if problems:
        raise ValidationError(problems, offsets)
    return Dataset(tables, truth=truth_obj, truth_customers=truth_customers, manifest=manifest, path=p)


def _cached(name: str, seed: int, data_home: str | os.PathLike | None) -> Path:
    """The cached generated dataset of a preset, generated once (concurrent callers wait for the first)."""
    cache = get_data_home(data_home) / f"{name}-seed{seed}"
    if (cache / MANIFEST).is_file():
        return cache
    from .dataset import make_retail_crm

    try:
        with lock_output(cache, wait=3600):
            if not (cache / MANIFEST).is_file():
                save_dataset(make_retail_crm(name, seed=seed), cache, format="parquet", force=True)
    except OutputError as e:
        raise DatasetError(str(e)) from None
    return cache


def _recover_missing(p: Path) -> None:
    """A dataset folder lost between the two renames of an interrupted write is moved back from ``.X.old-*``."""
    try:
        if not any(q.name.startswith(f".{p.name}.old-") for q in p.parent.iterdir()):
            return
        with lock_output(p):
            for msg in recover_output(p):
                warnings.warn(msg, OutputWarning, stacklevel=3)
    except (OSError, OutputError):
        return


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise DatasetError(f"{path}: {what} is not UTF-8 text ({e.reason})") from None
    except (ValueError, RecursionError) as e:
        raise DatasetError(f"{path}: {what} is not valid JSON ({e}); it may be truncated - write the dataset "
                           "again") from None
    except OSError as e:
        raise DatasetError(f"{path}: cannot read {what} ({e.strerror or e})") from None


def _plain_name(fname: str, *, partitioned: bool) -> bool:
    """A file name inside the dataset folder: plain, or ``table/part`` in a partitioned dataset."""
    parts = fname.split("/")
    if "\\" in fname or any(not x or x.startswith(".") for x in parts):
        return False
    if len(parts) == 1:
        return True
    return partitioned and len(parts) == 2 and parts[0] in (*CONTRACT, TRUTH_CUSTOMERS)


def _read_manifest(p: Path) -> dict[str, Any] | None:
    """manifest.json, checked for shape: an object whose ``files`` maps file names to objects."""
    mp = p / MANIFEST
    if not os.path.lexists(mp):
        return None
    if not mp.is_file():
        raise DatasetError(f"{mp}: is not a file")
    manifest = _read_json(mp, MANIFEST)
    if not isinstance(manifest, dict):
        raise DatasetError(f"{mp}: must be a JSON object (what crmlab writes), got a {type(manifest).__name__}")
    files = manifest.get("files", {})
    if files is None:
        files = {}
    if not isinstance(files, dict):
        raise DatasetError(f"{mp}: 'files' must map file names to {{rows, sha256}} objects, got a "
                           f"{type(files).__name__}")
    for fname, info in files.items():
        if not isinstance(info, dict):
            raise DatasetError(f"{mp}: files.{fname} must be an object with sha256 (and rows), got "
                               f"{type(info).__name__}")
        if not _plain_name(fname, partitioned=manifest.get("layout") == "partitioned"):
            raise DatasetError(f"{mp}: files.{fname}: not a plain file name"
                               + (" (or table/part file of a partitioned dataset)"
                                  if manifest.get("layout") == "partitioned" else ""))
        if info.get("sha256") is not None and not isinstance(info["sha256"], str):
            raise DatasetError(f"{mp}: files.{fname}.sha256 must be a text checksum")
        rows = info.get("rows")
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 0):
            raise DatasetError(f"{mp}: files.{fname}.rows must be a non-negative whole number, got {rows!r}")
    for key in ("scenario", "source"):
        if manifest.get(key) is not None and not isinstance(manifest[key], dict):
            raise DatasetError(f"{mp}: '{key}' must be an object or null, got a {type(manifest[key]).__name__}")
    manifest["files"] = files
    return manifest


def _manifest_mismatches(p: Path, manifest: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(file, what is wrong) for listed tables that are missing and files whose checksum differs."""
    out: list[tuple[str, str]] = []
    if not manifest:
        return out
    for fname, info in manifest["files"].items():
        fp = p / fname
        if not fp.is_file():
            if info.get("table") in CONTRACT:
                out.append((fname, "listed in manifest.json but missing (or not a file)"))
            continue
        if info.get("sha256") and sha256_file(fp) != info["sha256"]:
            out.append((fname, "differs from its SHA-256 checksum in manifest.json (edited, cut or damaged after "
                               "it was written)"))
    return out


def _row_mismatches(manifest: dict[str, Any] | None, tables: Mapping[str, pd.DataFrame],
                    files: Mapping[str, Path]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not manifest:
        return out
    for name, fp in files.items():
        info = manifest["files"].get(fp.name)
        if info and isinstance(info.get("rows"), int) and name in tables and len(tables[name]) != info["rows"]:
            out.append((fp.name, f"has {len(tables[name]):,} rows, manifest.json says {info['rows']:,} "
                                 "(the file was cut or edited)"))
    return out


def scenario_window(manifest: dict[str, Any] | None, truth_obj: Any) -> tuple[str, str] | None:
    """The simulated window ``(start, end)`` of a synthetic dataset (from its scenario), for the date checks.

    From ``manifest["scenario"]``, else ``truth["scenario"]``; None for data that was not generated
    (or a scenario without readable dates).

    >>> scenario_window({"scenario": {"start": "2023-01-01", "end": "2025-12-31"}}, None)
    ('2023-01-01', '2025-12-31')
    """
    sc = (manifest or {}).get("scenario")
    if not isinstance(sc, dict) and isinstance(truth_obj, dict):
        sc = truth_obj.get("scenario")
    if isinstance(sc, dict) and isinstance(sc.get("start"), str) and isinstance(sc.get("end"), str):
        try:
            pd.Timestamp(sc["start"]), pd.Timestamp(sc["end"])
        except (ValueError, TypeError, OverflowError):
            return None  # a broken scenario is reported where it is used (Dataset.scenario)
        return sc["start"], sc["end"]
    return None
