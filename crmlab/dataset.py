"""The dataset containers and the front door :func:`make_retail_crm`.

* :class:`Dataset` - the tables in memory, as DataFrames (what
  :func:`make_retail_crm` returns and :func:`crmlab.load_dataset` reads from a
  folder of one file per table);
* :class:`LazyDataset` - a *partitioned* dataset folder (one sub-folder per
  table of Parquet part files, as written by :mod:`crmlab.scale`), opened
  without reading its tables: each table is read on request, as a DataFrame,
  a pyarrow dataset or a DuckDB relation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .config import Scenario, get_scenario
from .schema import CONTRACT, coerce_table

__all__ = ["Dataset", "LazyDataset", "make_retail_crm", "table_parts", "part_name", "TRUTH_CUSTOMERS"]

#: Name of the per-customer latent-trait table written next to the truth.
TRUTH_CUSTOMERS = "truth_customers"


class Dataset(Mapping[str, pd.DataFrame]):
    """A CRM dataset: the contract's tables as DataFrames, plus the truth if known.

    Behaves like scikit-learn's ``Bunch``: ``data.orders`` and
    ``data["orders"]`` are the same table, ``list(data)`` names the tables
    present, ``len(data)`` counts them.

    Attributes
    ----------
    truth : dict or None
        The planted ground truth (content of ``truth.json``); ``None`` for a
        real extract or a student copy.
    truth_customers : DataFrame or None
        Latent traits per customer (segment, purchase rate, churn date, ...).
    manifest : dict or None
        What :func:`crmlab.save_dataset` recorded (scenario, versions, checksums).
    path : Path or None
        The folder the dataset was loaded from.
    generated : bool
        True for the output of :func:`make_retail_crm`: its identifiers are
        unique and its foreign keys resolve by construction, so
        :func:`crmlab.save_dataset` does not check them again (every other
        rule of the contract is checked; tables read from files are always
        checked in full).
    """

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        truth: dict[str, Any] | None = None,
        truth_customers: pd.DataFrame | None = None,
        manifest: dict[str, Any] | None = None,
        path: str | Path | None = None,
        generated: bool = False,
    ):
        object.__setattr__(self, "_tables", {k: tables[k] for k in _ordered(tables)})
        object.__setattr__(self, "truth", truth)
        object.__setattr__(self, "truth_customers", truth_customers)
        object.__setattr__(self, "manifest", manifest)
        object.__setattr__(self, "path", Path(path) if path is not None else None)
        object.__setattr__(self, "generated", bool(generated))

    # Mapping protocol ---------------------------------------------------------
    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self._tables[name]
        except KeyError:
            have = ", ".join(self._tables) or "none"
            raise KeyError(f"this dataset has no table {name!r} (tables: {have})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        tables = object.__getattribute__(self, "_tables")
        if name in tables:
            return tables[name]
        if name in CONTRACT:
            raise AttributeError(f"this dataset has no table {name!r} (a real extract may lack it)")
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Dataset is read-only; build a new one with Dataset({...})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._tables))

    # conveniences ---------------------------------------------------------------
    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables (a shallow copy of the mapping)."""
        return dict(self._tables)

    @property
    def scenario(self) -> Scenario | None:
        """The scenario that generated this dataset, if it is synthetic."""
        src = (self.truth or {}).get("scenario") or (self.manifest or {}).get("scenario")
        return Scenario.from_dict(src) if src else None

    @property
    def has_truth(self) -> bool:
        return self.truth is not None

    def without_truth(self) -> "Dataset":
        """A copy without the truth (what a student or a real extract has)."""
        return Dataset(self._tables, manifest=self.manifest, path=self.path, generated=self.generated)

    def describe(self) -> dict[str, Any]:
        """Row counts and stylized facts (see :func:`crmlab.realism.stylized_facts`)."""
        from .realism.facts import stylized_facts

        return {"rows": {k: len(v) for k, v in self._tables.items()}, **stylized_facts(self)}

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self._tables.items())
        kind = "synthetic" if self.truth is not None else "no truth"
        return f"<crmlab.Dataset ({kind}): {rows}>"


def part_name(index: int, width: int = 5) -> str:
    """File name of part ``index`` of a partitioned table.

    >>> part_name(7)
    'part-00007.parquet'
    """
    return f"part-{index:0{width}d}.parquet"


def table_parts(path: str | Path) -> dict[str, list[Path]]:
    """Table name -> its Parquet part files, for a partitioned dataset folder (empty if it is not one).

    A partitioned dataset has one sub-folder per table of the contract (and
    ``truth_customers``), each holding ``*.parquet`` files; parts are listed in
    name order (``part-00000.parquet``, ``part-00001.parquet``, ...). Hidden
    files (``.name``) are ignored.
    """
    folder = Path(path)
    out: dict[str, list[Path]] = {}
    for name in [*CONTRACT, TRUTH_CUSTOMERS]:
        sub = folder / name
        if sub.is_dir():
            parts = sorted(p for p in sub.glob("*.parquet") if not p.name.startswith("."))
            if parts:
                out[name] = parts
    return out


def _arrow_kind_ok(kind: str, typ: Any) -> bool:
    """Whether a Parquet/Arrow column type can hold a contract column of ``kind``."""
    import pyarrow as pa

    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_null(typ):  # an all-missing column of an empty part
        return True
    return {
        "str": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
        "int": pa.types.is_integer,
        "float": lambda t: pa.types.is_floating(t) or pa.types.is_integer(t),
        "bool": pa.types.is_boolean,
        "date": lambda t: pa.types.is_timestamp(t) or pa.types.is_date(t),
        "datetime": lambda t: pa.types.is_timestamp(t) or pa.types.is_date(t),
    }[kind](typ)


class LazyDataset(Mapping[str, pd.DataFrame]):
    """A partitioned dataset folder, opened without reading its tables.

    Each table is a sub-folder of Parquet part files (see :func:`table_parts`);
    :func:`crmlab.load_dataset` returns a ``LazyDataset`` for such a folder.
    Nothing is read until asked for, and then only what is asked for:

    * ``data.table("orders")`` (also ``data["orders"]`` and ``data.orders``):
      the whole table as one DataFrame with contract dtypes - it must fit in
      memory; ``columns=[...]`` reads fewer columns. Rows come part after
      part (each part in its table's order);
    * ``data.batches("orders")``: the table part by part, as DataFrames
      (memory bounded by the largest part);
    * ``data.arrow("orders")``: a :class:`pyarrow.dataset.Dataset` (lazy,
      filterable, scannable in batches);
    * ``data.relation("orders")``: a DuckDB relation; ``data.connect()``: a
      DuckDB connection with one view per table, for SQL (see
      :mod:`crmlab.scale.sql`);
    * ``data.glob("orders")``: a file pattern for Dask, Spark or DuckDB's
      ``read_parquet``;
    * ``data.rows``: row counts from the Parquet footers (no data is read).

    ``to_dataset()`` reads everything into an ordinary :class:`Dataset`.

    Parameters
    ----------
    path : path
        The folder.
    truth, manifest : dict, optional
        Contents of ``truth.json`` and ``manifest.json``.
    latent : bool, default True
        Expose the ``truth_customers`` parts (if any) as :attr:`truth_customers`.

    Examples
    --------
    >>> import tempfile, pathlib, crmlab
    >>> data = crmlab.make_retail_crm("tiny", seed=1)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name, df in data.items():
    ...     (folder / name).mkdir()
    ...     half = len(df) // 2
    ...     df.iloc[:half].to_parquet(folder / name / part_name(0), index=False)
    ...     df.iloc[half:].to_parquet(folder / name / part_name(1), index=False)
    >>> lazy = LazyDataset(folder)
    >>> lazy.rows["orders"] == len(data.orders)
    True
    >>> lazy.table("orders", columns=["order_id", "order_value"]).shape[1]
    2
    >>> [len(b) for b in lazy.batches("stores")]
    [6, 6]
    >>> lazy.relation("orders").aggregate("count(*)").fetchall()[0][0] == len(data.orders)
    True
    >>> con = lazy.connect()
    >>> con.execute("SELECT count(DISTINCT customer_id) FROM orders").fetchone()[0] > 0
    True
    """

    def __init__(self, path: str | Path, *, truth: dict[str, Any] | None = None,
                 manifest: dict[str, Any] | None = None, latent: bool = True):
        parts = table_parts(path)
        object.__setattr__(self, "path", Path(path))
        object.__setattr__(self, "_parts", {k: parts[k] for k in _ordered(parts) if k in CONTRACT})
        object.__setattr__(self, "_latent_parts", parts.get(TRUTH_CUSTOMERS) if latent else None)
        object.__setattr__(self, "truth", truth)
        object.__setattr__(self, "manifest", manifest)
        if not self._parts:
            raise ValueError(f"{path}: no partitioned tables (expected e.g. orders/part-00000.parquet)")

    # Mapping protocol: tables are read on request -----------------------------------
    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.table(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __contains__(self, name: object) -> bool:
        return name in self._parts

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in object.__getattribute__(self, "_parts"):
            return self.table(name)
        if name in CONTRACT:
            raise AttributeError(f"this dataset has no table {name!r}")
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("LazyDataset is read-only")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parts))

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={v:,}" for k, v in self.rows.items())
        kind = "synthetic" if self.truth is not None else "no truth"
        return f"<crmlab.LazyDataset ({kind}, partitioned): {rows}>"

    # where the data is -----------------------------------------------------------------
    def parts(self, name: str) -> list[Path]:
        """The part files of table ``name`` (or ``"truth_customers"``), in order."""
        if name == TRUTH_CUSTOMERS and self._latent_parts:
            return list(self._latent_parts)
        if name not in self._parts:
            have = ", ".join(self._parts) or "none"
            raise KeyError(f"this dataset has no table {name!r} (tables: {have})")
        return list(self._parts[name])

    def glob(self, name: str) -> str:
        """A glob of the part files of ``name`` (DuckDB ``read_parquet``, ``dask.dataframe.read_parquet``, Spark)."""
        self.parts(name)
        return str(self.path / name / "*.parquet")

    @property
    def rows(self) -> dict[str, int]:
        """Rows per table, from the Parquet footers (no data is read)."""
        import pyarrow.parquet as pq

        return {name: sum(pq.ParquetFile(p).metadata.num_rows for p in parts) for name, parts in self._parts.items()}

    # reading ----------------------------------------------------------------------------
    def arrow(self, name: str):
        """Table ``name`` as a :class:`pyarrow.dataset.Dataset` (lazy, scannable, filterable)."""
        import pyarrow.dataset as pads

        return pads.dataset([str(p) for p in self.parts(name)], format="parquet")

    def _frame(self, table, name: str) -> pd.DataFrame:
        frame = table.to_pandas()
        if name in CONTRACT:
            return coerce_table(frame, name)
        for col in frame.columns:  # Parquet keeps ms at best: back to the seconds the simulator writes
            if pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = frame[col].astype("datetime64[s]")
        return frame

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Table ``name`` (or some of its columns) as one DataFrame with contract dtypes (reads it whole)."""
        cols = list(columns) if columns is not None else None
        return self._frame(self.arrow(name).to_table(columns=cols), name)

    def batches(self, name: str, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """Table ``name`` part by part, as DataFrames with contract dtypes (bounded memory)."""
        import pyarrow.parquet as pq

        cols = list(columns) if columns is not None else None
        for p in self.parts(name):
            yield self._frame(pq.read_table(p, columns=cols), name)

    def relation(self, name: str, con: Any = None):
        """Table ``name`` as a DuckDB relation (on ``con``, default: a new in-memory connection)."""
        import duckdb

        # a connection of its own: DuckDB's shared default connection refuses new work while another result on
        # it is unfinished
        con = con if con is not None else duckdb.connect()
        return con.read_parquet([str(p) for p in self.parts(name)])

    def connect(self, con: Any = None, *, memory_limit: str | None = None):
        """A DuckDB connection with one view per table (``SELECT ... FROM orders``).

        ``memory_limit`` (e.g. ``"1GB"``) caps DuckDB's memory; it then
        spills to a temporary folder.
        """
        import duckdb

        con = con if con is not None else duckdb.connect()
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        names = [*self._parts, *([TRUTH_CUSTOMERS] if self._latent_parts else [])]
        for name in names:
            files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in self.parts(name))
            con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet([{files}])')
        return con

    def schema_problems(self) -> list[tuple[str, Any]]:
        """Contract problems visible in the Parquet footers: missing columns, wrong types, parts that disagree.

        Reads only the footers. Returns ``(source, Problem)`` pairs (see
        :class:`crmlab.schema.ValidationError`), empty when all is well.
        """
        import pyarrow.parquet as pq

        from .schema import Problem

        out: list[tuple[str, Any]] = []
        for name, parts in self._parts.items():
            spec = CONTRACT[name]
            first = None
            for p in parts:
                src = f"{name}/{p.name}"
                try:
                    schema = pq.read_schema(p)
                except Exception as e:  # noqa: BLE001 - any unreadable footer is reported
                    out.append((src, Problem(name, None, f"not a readable Parquet file ({e})")))
                    continue
                missing = [c.name for c in spec.columns if c.required and c.name not in schema.names]
                if missing:
                    out.append((src, Problem(name, None, f"missing required column(s): {', '.join(missing)}")))
                for c in spec.columns:
                    if c.name in schema.names and not _arrow_kind_ok(c.kind, schema.field(c.name).type):
                        out.append((src, Problem(name, c.name,
                                                 f"has type {schema.field(c.name).type}, expected {c.kind}")))
                names = schema.names
                if first is None:
                    first = (p.name, names)
                elif names != first[1]:
                    out.append((src, Problem(name, None, f"columns differ from those of {first[0]}")))
        return out

    @property
    def truth_customers(self) -> pd.DataFrame | None:
        """Latent traits per customer (read on access), or None."""
        if not self._latent_parts:
            return None
        return self.table(TRUTH_CUSTOMERS)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame (reads them all)."""
        return {name: self.table(name) for name in self._parts}

    @property
    def scenario(self) -> Scenario | None:
        """The scenario that generated this dataset, if it is synthetic."""
        src = (self.truth or {}).get("scenario") or (self.manifest or {}).get("scenario")
        return Scenario.from_dict(src) if src else None

    @property
    def has_truth(self) -> bool:
        return self.truth is not None

    def describe(self) -> dict[str, Any]:
        """Not computed in pandas for a partitioned dataset: use :func:`crmlab.scale.describe_partitioned`."""
        raise NotImplementedError("a partitioned dataset is described in DuckDB: "
                                  "crmlab.scale.describe_partitioned(data) (or crmlab describe FOLDER)")

    def to_dataset(self, tables: Sequence[str] | None = None) -> Dataset:
        """Read the tables (all, or those named) into an in-memory :class:`Dataset`."""
        names = list(tables) if tables is not None else list(self._parts)
        return Dataset({name: self.table(name) for name in names}, truth=self.truth,
                       truth_customers=self.truth_customers, manifest=self.manifest, path=self.path)



def _ordered(tables: Mapping[str, Any]) -> list[str]:
    order = {k: i for i, k in enumerate(CONTRACT)}
    return sorted(tables, key=lambda k: (order.get(k, len(order)), k))


def make_retail_crm(
    preset: str | Scenario = "classroom",
    seed: int | np.random.Generator | None = 0,
    *,
    n_jobs: int = 1,
    progress: bool | Callable[[int], None] = False,
    **overrides: Any,
) -> Dataset:
    """Simulate a multichannel 3C retailer's CRM data with planted ground truth.

    Parameters
    ----------
    preset : {"tiny", "classroom", "research", "large"} or Scenario, default "classroom"
        Starting scenario. ``classroom`` is about 5,000 customers over two years.
    seed : int, numpy Generator or None, default 0
        Random seed (scikit-learn ``random_state`` conventions; ``None`` means 0,
        crmlab never draws unseeded randomness).
    n_jobs : int, default 1
        Worker processes for the customer chunks; the data is the same for any value.
    progress : bool or callable, default False
        Show a progress bar (``True``) or call ``progress(n_customers_done)``.
    **overrides
        Any :class:`~crmlab.config.Scenario` field, e.g. ``n_customers=2000``,
        ``hr_price_change_cancel=3.0``, ``locale="en_US"``, ``faults=True``.

    Returns
    -------
    Dataset
        Tables ``customers, stores, products, orders, order_items,
        service_events, loyalty, points_ledger, campaigns, survey``, with
        ``.truth`` (the planted effects) and ``.truth_customers`` (latent traits).

    Notes
    -----
    The generative model is documented module by module in
    :mod:`crmlab.simulate`: a Pareto/NBD-style purchase process with
    seasonality, churn hazards raised by service failures, a randomised
    retention campaign, a self-selected loyalty programme with a staggered
    city rollout, planted basket rules and a survey with a known factor
    structure. The same scenario always gives identical tables.

    Examples
    --------
    >>> import crmlab
    >>> data = crmlab.make_retail_crm("tiny", seed=1)
    >>> data.orders.columns[:4].tolist()
    ['order_id', 'customer_id', 'order_ts', 'channel']
    >>> data.truth["churn"]["hazard_ratios"]["price_change_cancel"]
    2.0
    """
    from .simulate._streams import check_random_state
    from .simulate.engine import simulate_tables
    from .simulate.faults import add_faults

    scenario = get_scenario(preset, seed=check_random_state(seed), **overrides)
    callback: Callable[[int], None] | None
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=scenario.n_customers, unit="customer", desc="simulating")
        callback = bar.update
    elif callable(progress):
        callback = progress
    else:
        callback = None
    def finish(name: str, frame: pd.DataFrame) -> pd.DataFrame:  # runs as soon as a table is built
        if name == "customers" and not scenario.pii:
            frame = frame.drop(columns=["name", "phone", "email"], errors="ignore")
        return coerce_table(frame, name)

    try:
        tables, truth, truth_customers = simulate_tables(scenario, n_jobs=n_jobs, progress=callback, finish=finish)
    finally:
        if bar is not None:
            bar.close()
    if scenario.faults:
        tables, fault_log = add_faults(scenario, tables)
        truth["faults"] = fault_log
    return Dataset(tables, truth=truth, truth_customers=truth_customers, generated=not scenario.faults)
