"""Dataset commands: ``crmlab generate``, ``crmlab validate``, ``crmlab describe``.

Examples
--------
::

    crmlab generate --preset classroom --seed 7 --out data/class7
    crmlab generate --preset tiny --seed 1 --format csv --set hr_price_change_cancel=3.0 --out data/strong
    crmlab generate --preset large --n-customers 10000000 --engine dask --out data/big   # partitioned Parquet
    crmlab validate data/class7
    crmlab describe classroom
    crmlab describe data/big        # streams a partitioned folder through DuckDB
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ._common import CLIError, HelpFormatter, parse_set, positive_int, progress_bar, writing

__all__ = ["add_subcommands", "cmd_generate", "cmd_validate", "cmd_describe"]


def _scenario_file(path: str) -> Any:
    """The starting scenario of ``--scenario``: a scenario object, a dataset's truth.json or manifest.json, or a
    ``{"preset": ..., "overrides": {...}}`` file (as datasets/classroom.scenario.json)."""
    from ..config import Scenario, get_scenario

    try:
        base = json.loads(Path(path).read_text(encoding="utf-8"))
    except IsADirectoryError:
        raise CLIError(f"--scenario {path}: is a folder; give a JSON file") from None
    except OSError as e:
        raise CLIError(f"--scenario {path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise CLIError(f"--scenario {path}: not UTF-8 text ({e.reason})") from None
    except (ValueError, RecursionError) as e:
        raise CLIError(f"--scenario {path}: not valid JSON ({e})") from None
    if not isinstance(base, dict):
        raise CLIError(f"--scenario {path}: must hold a JSON object (a scenario, or a dataset's truth.json or "
                       f"manifest.json), got {type(base).__name__}")
    if "scenario" in base:  # a truth.json or manifest.json
        base = base["scenario"]
        if base is None:
            raise CLIError(f"--scenario {path}: its 'scenario' is null (the manifest of data that was not "
                           "generated, e.g. an imported extract)")
        if not isinstance(base, dict):
            raise CLIError(f"--scenario {path}: 'scenario' must be a JSON object, got {type(base).__name__}")
    if set(base) and set(base) <= {"preset", "overrides"}:
        over = base.get("overrides") or {}
        if not isinstance(over, dict):
            raise CLIError(f"--scenario {path}: 'overrides' must be a JSON object of field: value")
        return get_scenario(base.get("preset", "classroom"), **over)
    return Scenario.from_dict(base)


def cmd_generate(args: argparse.Namespace) -> int:
    """``crmlab generate``: simulate a dataset and write it atomically."""
    import dataclasses

    from ..config import OPTIONAL_FIELDS, Scenario, get_scenario
    from ..dataset import make_retail_crm
    from ..io import save_dataset

    overrides = parse_set(args.set)
    known = {f.name for f in dataclasses.fields(Scenario)}
    nulls = {k for k, v in overrides.items() if v is None and k in known}
    refused = sorted(nulls - OPTIONAL_FIELDS)
    if refused:
        raise CLIError(f"--set {refused[0]}=null: {refused[0]} cannot be null (only "
                       f"{', '.join(sorted(OPTIONAL_FIELDS))} can: null means their default)")
    overrides = {k: v for k, v in overrides.items() if k not in nulls}
    preset: Any = _scenario_file(args.scenario) if args.scenario else args.preset
    for name, value in (("seed", args.seed), ("n_customers", args.n_customers), ("locale", args.locale)):
        if value is not None:
            overrides[name] = value
    if args.no_pii:
        overrides["pii"] = False
    if args.faults:
        overrides["faults"] = True
    if args.chunk_size is not None:
        overrides["chunk_size"] = args.chunk_size
    scenario = get_scenario(preset, **overrides)  # validates before any work
    if nulls:
        scenario = scenario.replace(**{k: None for k in nulls})
    with writing(args.out, force=args.force) as out:
        show = sys.stderr.isatty() and not args.quiet
        if args.engine == "dask" or args.partitioned or args.scheduler:
            return _generate_partitioned(args, scenario, out, show)
        t0 = time.perf_counter()
        with progress_bar(show, scenario.n_customers, "simulating", "customer") as bar:
            data = make_retail_crm(scenario, seed=scenario.seed, n_jobs=args.jobs, progress=bar.update)
        if show:
            print(f"checking and writing {scenario.n_customers:,} customers' tables ({args.format}) ...",
                  file=sys.stderr, flush=True)
        save_dataset(data, out, format=args.format, force=args.force)
    dt = time.perf_counter() - t0
    if not args.quiet:
        rows = ", ".join(f"{k} {len(v):,}" for k, v in data.items())
        print(f"wrote {out} ({args.format}, seed {scenario.seed}) in {dt:.1f} s: {rows}")
    return 0


def _generate_partitioned(args: argparse.Namespace, scenario: Any, out: Path, show: bool) -> int:
    """``crmlab generate --engine dask`` (or ``--partitioned``): a partitioned Parquet dataset."""
    from ..scale import generate_partitioned

    if args.scheduler and args.engine != "dask":
        raise CLIError("--scheduler needs --engine dask")
    if args.format != "parquet":
        raise CLIError("a partitioned dataset (--engine dask, --partitioned) is written as Parquet only")
    if scenario.faults:
        raise CLIError("--faults plants faults in whole tables: generate it without --engine dask/--partitioned")
    # two passes over the chunks (simulate, then the time-ordered tables): the bar counts both
    with progress_bar(show, 2 * scenario.n_customers, "chunks, 2 passes", "customer") as bar:
        run = generate_partitioned(scenario, out, engine=args.engine, scheduler=args.scheduler,
                                   n_workers=args.jobs if args.jobs > 1 or args.engine == "process" else None,
                                   force=args.force, progress=bar.update)
    if not args.quiet:
        rows = ", ".join(f"{k} {v:,}" for k, v in run.rows.items() if k != "truth_customers")
        print(f"wrote {out} (partitioned parquet, {run.n_chunks} parts per table, engine {run.engine}, "
              f"{run.n_workers} worker(s), seed {scenario.seed}) in {run.seconds['total']:.1f} s: {rows}")
    return 0


def _partitioned(path: str) -> bool:
    from ..dataset import table_parts

    p = Path(path).expanduser()
    return p.is_dir() and bool(table_parts(p))


def cmd_validate(args: argparse.Namespace) -> int:
    """``crmlab validate DIR``: check a dataset folder against the data contract."""
    from ..io import load_dataset
    from ..schema import CONTRACT

    if _partitioned(args.path):
        from ..scale import validate_partitioned

        rows = validate_partitioned(args.path)
        missing = [t for t in CONTRACT if t not in rows]
        note = f"; tables absent: {', '.join(missing)}" if missing else ""
        print(f"{args.path}: valid (partitioned, {len(rows)} tables, {sum(rows.values()):,} rows{note})")
        return 0
    data = load_dataset(args.path, validate=True, truth=False)
    n = sum(len(v) for v in data.values())
    missing = [t for t in CONTRACT if t not in data]
    note = f"; tables absent: {', '.join(missing)}" if missing else ""
    print(f"{args.path}: valid ({len(data)} tables, {n:,} rows{note})")
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    """``crmlab describe DIR``: row counts, date range and stylized facts."""
    from ..realism import FACT_LABELS
    from ..io import load_dataset

    data = load_dataset(args.path, validate=not args.no_validate, truth=False)
    if _partitioned(args.path):
        from ..scale import describe_partitioned

        desc = describe_partitioned(data)
    else:
        desc = data.describe()
    if args.json:
        print(json.dumps(desc, indent=2, ensure_ascii=False))
        return 0
    print(f"dataset {args.path}")
    from ..config import ScenarioError

    try:
        sc = data.scenario
    except ScenarioError as e:
        raise CLIError(f"{args.path}: the scenario recorded in manifest.json is invalid ({e})", code=1) from None
    if sc is not None:
        print(f"  synthetic: seed {sc.seed}, {sc.n_customers:,} customers, {sc.start} .. {sc.end}, locale {sc.locale}")
    print("\nrows")
    for k, v in desc["rows"].items():
        print(f"  {k:<16} {v:>12,}")
    print("\nstylized facts")
    for k, label in FACT_LABELS.items():
        v = desc.get(k)
        if v is None or k.startswith("n_"):
            continue
        if isinstance(v, float) and ("share" in k or k.endswith("_rate") or "top2box" in k):
            v = f"{v:.1%}"
        print(f"  {label:<44} {v}")
    return 0


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register ``generate``, ``validate`` and ``describe``."""
    from ..config import PRESETS

    g = sub.add_parser(
        "generate", help="simulate a dataset and write it to a folder",
        description="Simulate a dataset (tables + truth.json + manifest.json) and write it atomically to --out. "
                    "The same scenario and seed give byte-identical files. For big runs (millions of customers), "
                    "--engine dask runs the customer chunks as Dask tasks and writes a partitioned Parquet dataset "
                    "(one folder per table, one part file per chunk) that DuckDB, pyarrow, Dask and Spark read "
                    "directly; for the same seed and --chunk-size its content is that of the default engine. "
                    "On a terminal a progress bar on stderr counts the customers done (-q hides it).",
        epilog="examples:\n"
               "  crmlab generate --preset classroom --seed 7 --out data/class7\n"
               "  crmlab generate --preset large --out data/large            # 1M customers, in this process\n"
               "  crmlab generate --preset large --n-customers 10000000 --engine dask --out data/big\n"
               "  crmlab generate --preset large --engine dask --scheduler tcp://HOST:8786 --out /shared/big\n"
               "  crmlab generate --preset large --partitioned --jobs 2 --out data/parts   # no Dask",
        formatter_class=HelpFormatter)
    g.add_argument("--preset", default="classroom", choices=list(PRESETS), help="starting scenario")
    g.add_argument("--seed", type=int, default=None, help="random seed (default: 0)")
    g.add_argument("--n-customers", type=int, default=None, metavar="N",
                   help="number of customers (default: the preset's: tiny 800, classroom 5000, research 100000, "
                        "large 1000000)")
    g.add_argument("--locale", choices=["zh_CN", "en_US"], default=None,
                   help="locale of names, phones, cities (default: the preset's)")
    g.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format of the tables")
    g.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    g.add_argument("--force", action="store_true",
                   help="replace a non-empty output folder once the new data is complete (without it, nothing that "
                        "exists is ever deleted; a second writer of the same folder fails)")
    g.add_argument("--no-pii", action="store_true", help="leave out names, phone numbers and e-mails")
    g.add_argument("--faults", action="store_true", help="add realistic data faults for cleaning practice")
    g.add_argument("--set", action="append", metavar="FIELD=VALUE", default=[],
                   help="override any scenario field, e.g. --set hr_price_change_cancel=3.0 (repeatable)")
    g.add_argument("--scenario", metavar="JSON",
                   help="start from a scenario file (or a dataset's truth.json/manifest.json)")
    g.add_argument("--jobs", type=positive_int, default=1, help="worker processes, >= 1 (output is identical for "
                   "any value); with --engine dask: workers of the local cluster (default: one per CPU)")
    g.add_argument("--engine", choices=["process", "dask"], default="process",
                   help="'process': in this process (or --jobs processes), one file per table; 'dask': customer "
                        "chunks as Dask tasks, each writing its own part files (a partitioned Parquet dataset)")
    g.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="with --engine dask: address of a running Dask scheduler (default: a new local cluster)")
    g.add_argument("--chunk-size", type=positive_int, default=None, metavar="N",
                   help="customers per chunk (default: the preset's, 50000); part of the scenario: the same seed "
                        "and chunk size give the same data with any engine")
    g.add_argument("--partitioned", action="store_true",
                   help="write a partitioned Parquet dataset (one folder of part files per table) without Dask: in "
                        "this process, or on --jobs local processes")
    g.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    g.set_defaults(func=cmd_generate, command="generate")

    v = sub.add_parser("validate", help="check a dataset folder against the data contract",
                       description="Check every table of a dataset folder against the data contract and the "
                                   "foreign keys between tables. Exit 0 if valid; otherwise list each problem with "
                                   "file, column, rule and example rows, and exit 1. A partitioned folder (from "
                                   "--engine dask or --partitioned) is read one part file at a time, with key "
                                   "uniqueness and foreign keys checked in DuckDB, so memory stays bounded by the "
                                   "part size whatever the size of the dataset.",
                       epilog="examples:\n"
                              "  crmlab validate data/class7\n"
                              "  crmlab validate data/big        # a partitioned folder: part by part",
                       formatter_class=HelpFormatter)
    v.add_argument("path", help="dataset folder (a partitioned folder is checked part by part and in DuckDB)")
    v.set_defaults(func=cmd_validate, command="validate")

    d = sub.add_parser("describe", help="row counts, date range and stylized facts of a dataset",
                       description="Print row counts, the date range and the stylized facts (one-time buyers, "
                                   "revenue concentration, seasonality, basket size, survey skew, ...). A "
                                   "partitioned folder is described by SQL in DuckDB over its Parquet parts, "
                                   "without loading the tables into memory.",
                       epilog="examples:\n"
                              "  crmlab describe classroom\n"
                              "  crmlab describe data/big --json   # a partitioned folder, in DuckDB",
                       formatter_class=HelpFormatter)
    d.add_argument("path", help="dataset folder, or a named dataset such as 'classroom' (a partitioned folder "
                               "is described in DuckDB; only its Parquet schemas are validated)")
    d.add_argument("--json", action="store_true", help="print JSON instead of a table")
    d.add_argument("--no-validate", action="store_true", help="skip contract validation (faulty data)")
    d.set_defaults(func=cmd_describe, command="describe")
