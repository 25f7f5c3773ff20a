"""The ``crmlab`` command line: a thin shell over the public API.

Every predictable fault (bad scenario value, unknown preset, existing output
folder, invalid table) prints one clear message and exits non-zero; no
traceback. Run ``crmlab COMMAND --help`` for the options of each command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

__all__ = ["main", "build_parser"]

EXIT_USAGE = 2
EXIT_INVALID = 1

_EPILOG = """examples:
  crmlab generate --preset classroom --seed 7 --out data/class7
  crmlab generate --preset tiny --seed 1 --format csv --set hr_price_change_cancel=3.0 --out data/strong
  crmlab validate data/class7
  crmlab describe data/class7
  crmlab run 01 02 -p seed 7 --out runs/seed7
  crmlab import online-retail online_retail_II.xlsx --out data/uci
  crmlab scorecard datasets/classroom --against data/uci --plot scorecard.png
  crmlab assignment --roster roster.csv --notebooks 01 05 --salt "$COURSE_SALT" --out term1
  crmlab grade term1/students/s001/notebooks/05_market_basket.ipynb --key term1/keys/s001/answers.json
"""


class CLIError(Exception):
    """A fault the user can fix; printed without a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def _parse_set(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or ():
        if "=" not in item:
            raise CLIError(f"--set expects FIELD=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, list):
            value = tuple(value)
        out[key.strip()] = value
    return out


def _progress(enabled: bool, total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="customer", desc=desc, disable=not enabled, file=sys.stderr)


# ----------------------------------------------------------------------------- commands
def cmd_generate(args: argparse.Namespace) -> int:
    from . import make_retail_crm, save_dataset
    from .config import Scenario, get_scenario

    overrides = _parse_set(args.set)
    if args.scenario:
        try:
            base = json.loads(Path(args.scenario).read_text(encoding="utf-8"))
        except OSError as e:
            raise CLIError(f"--scenario {args.scenario}: cannot read ({e.strerror})") from None
        except ValueError as e:
            raise CLIError(f"--scenario {args.scenario}: not valid JSON ({e})") from None
        base = base.get("scenario", base)  # accept a truth.json or manifest.json too
        preset: Any = Scenario.from_dict(base)
    else:
        preset = args.preset
    for field, value in (("seed", args.seed), ("n_customers", args.n_customers), ("locale", args.locale)):
        if value is not None:
            overrides[field] = value
    if args.no_pii:
        overrides["pii"] = False
    if args.faults:
        overrides["faults"] = True
    scenario = get_scenario(preset, **overrides)  # validates before any work
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise CLIError(f"--out {out}: exists and is not empty; choose another folder or add --force")
    show = sys.stderr.isatty() and not args.quiet
    t0 = time.perf_counter()
    with _progress(show, scenario.n_customers, "simulating") as bar:
        data = make_retail_crm(scenario, seed=scenario.seed, n_jobs=args.jobs, progress=bar.update)
    save_dataset(data, out, format=args.format, force=args.force)
    dt = time.perf_counter() - t0
    if not args.quiet:
        rows = ", ".join(f"{k} {len(v):,}" for k, v in data.items())
        print(f"wrote {out} ({args.format}, seed {scenario.seed}) in {dt:.1f} s: {rows}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .io import load_dataset

    data = load_dataset(args.path, validate=True, truth=False)
    n = sum(len(v) for v in data.values())
    missing = [t for t in _contract_tables() if t not in data]
    note = f"; tables absent: {', '.join(missing)}" if missing else ""
    print(f"{args.path}: valid ({len(data)} tables, {n:,} rows{note})")
    return 0


def _contract_tables() -> list[str]:
    from .schema import CONTRACT

    return list(CONTRACT)


def cmd_describe(args: argparse.Namespace) -> int:
    from .realism import FACT_LABELS
    from .io import load_dataset

    data = load_dataset(args.path, validate=not args.no_validate, truth=False)
    desc = data.describe()
    if args.json:
        print(json.dumps(desc, indent=2, ensure_ascii=False))
        return 0
    print(f"dataset {args.path}")
    sc = data.scenario
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


def _param_value(raw: str) -> Any:
    if raw in ("None", "none", "null"):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import NotebookRunError, find_notebooks, run_notebooks

    try:
        paths = find_notebooks(args.notebooks or None)
    except NotebookRunError as e:
        raise CLIError(str(e)) from None
    if not paths:
        raise CLIError("no notebooks found")
    out = Path(args.out)
    committed = {p.parent.resolve() for p in paths}
    if out.resolve() in committed:
        raise CLIError(f"--out {out}: refusing to write executed notebooks over the committed ones")
    params = {name: _param_value(value) for name, value in (args.parameter or [])}
    t0 = time.perf_counter()
    show = sys.stderr.isatty() and not args.quiet
    from tqdm.auto import tqdm

    with tqdm(total=len(paths), unit="notebook", desc="running", disable=not show, file=sys.stderr) as bar:
        done, errors = run_notebooks(paths, out, parameters=params, timeout=args.timeout, html=not args.no_html,
                                     stop_on_error=not args.keep_going, progress=bar.update)
    for r in done:
        if not args.quiet:
            print(f"ok   {r.notebook:<28} {r.seconds:6.1f} s  -> {r.output.parent}")
    for e in errors:
        print(f"FAIL {e}", file=sys.stderr)
    if not args.quiet:
        print(f"{len(done)} notebook(s) ran, {len(errors)} failed, {time.perf_counter() - t0:.1f} s in all")
    return EXIT_INVALID if errors else 0


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from ._version import __version__
    from .config import PRESETS

    p = argparse.ArgumentParser(
        prog="crmlab",
        description="Synthetic CRM data for a multichannel Chinese 3C retailer, with planted ground truth.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"crmlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser(
        "generate", help="simulate a dataset and write it to a folder",
        description="Simulate a dataset (tables + truth.json + manifest.json) and write it atomically to --out. "
                    "The same scenario and seed give byte-identical files.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    g.add_argument("--preset", default="classroom", choices=list(PRESETS), help="starting scenario")
    g.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    g.add_argument("--n-customers", type=int, default=None, help="number of customers (default: the preset's)")
    g.add_argument("--locale", choices=["zh_CN", "en_US"], default=None, help="locale of names, phones, cities")
    g.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format of the tables")
    g.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    g.add_argument("--force", action="store_true", help="replace a non-empty output folder once the new data is complete")
    g.add_argument("--no-pii", action="store_true", help="leave out names, phone numbers and e-mails")
    g.add_argument("--faults", action="store_true", help="add realistic data faults for cleaning practice")
    g.add_argument("--set", action="append", metavar="FIELD=VALUE", default=[],
                   help="override any scenario field, e.g. --set hr_price_change_cancel=3.0 (repeatable)")
    g.add_argument("--scenario", metavar="JSON", help="start from a scenario file (or a dataset's truth.json/manifest.json)")
    g.add_argument("--jobs", type=int, default=1, help="worker processes (output is identical for any value)")
    g.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    g.set_defaults(func=cmd_generate)

    v = sub.add_parser("validate", help="check a dataset folder against the data contract",
                       description="Check every table of a dataset folder against the data contract and the "
                                   "foreign keys between tables. Exit 0 if valid; otherwise list each problem with "
                                   "file, column, rule and example rows, and exit 1.")
    v.add_argument("path", help="dataset folder")
    v.set_defaults(func=cmd_validate)

    d = sub.add_parser("describe", help="row counts, date range and stylized facts of a dataset",
                       description="Print row counts, the date range and the stylized facts (one-time buyers, "
                                   "revenue concentration, seasonality, basket size, survey skew, ...).")
    d.add_argument("path", help="dataset folder, or a named dataset such as 'classroom'")
    d.add_argument("--json", action="store_true", help="print JSON instead of a table")
    d.add_argument("--no-validate", action="store_true", help="skip contract validation (faulty data)")
    d.set_defaults(func=cmd_describe)

    r = sub.add_parser("run", help="execute notebooks with papermill into a folder (+ HTML, results.json)",
                       description="Execute notebooks with papermill into OUT/<notebook>/ (never over the committed "
                                   "copies): executed notebook, HTML export and results.json. Unknown parameters are "
                                   "an error. Exits 1 naming the failing notebook and cell.",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    r.add_argument("notebooks", nargs="*", help="notebook names or number prefixes, e.g. 01 02_churn_case (default: all)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="notebook parameter, e.g. -p seed 3 -p data_dir my_extract (repeatable)")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    r.add_argument("--no-html", action="store_true", help="skip the HTML export")
    r.add_argument("--keep-going", action="store_true", help="run the remaining notebooks after a failure")
    r.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    r.set_defaults(func=cmd_run)

    from . import cli_extracts, teaching

    cli_extracts.add_subcommands(sub)
    teaching.add_subcommands(sub)
    return p


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command, turning predictable faults into one message and an exit code."""
    from .config import ScenarioError
    from .io import DatasetError
    from .schema import ValidationError

    try:
        return int(args.func(args) or 0)
    except CLIError as e:
        print(f"crmlab {args.command}: error: {e}", file=sys.stderr)
        return e.code
    except ScenarioError as e:
        print(f"crmlab {args.command}: invalid scenario: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as e:
        print(f"crmlab {args.command}: the data breaks the contract:\n{e}", file=sys.stderr)
        return EXIT_INVALID
    except DatasetError as e:
        print(f"crmlab {args.command}: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print(f"crmlab {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crmlab`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    return run_command(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
