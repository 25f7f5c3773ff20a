"""Commands for real extracts: ``crmlab import`` and ``crmlab scorecard``.

:func:`add_subcommands` registers the commands on the ``crmlab`` parser's
subparsers; they follow :mod:`crmlab.cli._common`'s conventions: a fault the
user can fix raises :class:`~crmlab.cli._common.CLIError` (exit 2), invalid
data raises :class:`~crmlab.schema.ValidationError` or
:class:`~crmlab.io.DatasetError` (exit 1), and nothing is written unless the
whole dataset is valid.

Examples
--------
::

    crmlab import online-retail online_retail_II.xlsx --out data/uci
    crmlab import cdnow CDNOW_master.txt --out data/cdnow --pseudonymize   # salt from CRMLAB_SALT
    crmlab import csv --map suning.yml --out data/suning --format csv
    crmlab scorecard data/uci --against classroom --plot scorecard.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._common import EXIT_INVALID, CLIError, HelpFormatter, resolve_salt, save_figure, writing

__all__ = ["add_subcommands", "cmd_import", "cmd_scorecard", "CLEANING_REPORT", "SALT_ENV"]

CLEANING_REPORT = "cleaning_report.json"
#: Environment variable holding the pseudonymisation salt.
SALT_ENV = "CRMLAB_SALT"


# ----------------------------------------------------------------------------- import
def _salt(args: argparse.Namespace) -> str | None:
    if args.salt and not args.pseudonymize:
        raise CLIError("--salt is only used with --pseudonymize")
    if not args.pseudonymize:
        return None
    return resolve_salt(args.salt, SALT_ENV, needed_by="--pseudonymize", keeps="pseudonyms")


def cmd_import(args: argparse.Namespace) -> int:
    """``crmlab import KIND ...``: read, clean, validate, pseudonymise, write dataset and report in one atomic step."""
    from ..extracts import format_cleaning_report, load_extract
    from ..io import save_dataset

    salt = _salt(args)
    kw: dict[str, Any] = dict(start=args.start, end=args.end, category=args.category,
                              pseudonymize=salt is not None, salt=salt)
    with writing(args.out, force=args.force) as out:
        try:
            if args.kind == "csv":
                data = load_extract(kind="csv", mapping=args.map, allow_outside_paths=args.allow_outside_paths, **kw)
            else:
                data = load_extract(args.file, kind=args.kind, encoding=args.encoding, date_format=args.date_format,
                                    sheet=args.sheet, drop_duplicates=not args.keep_duplicates, **kw)
        except ValueError as e:
            from ..extracts import ExtractError
            from ..schema import ValidationError

            if isinstance(e, (ExtractError, ValidationError)):
                raise
            raise CLIError(str(e)) from None
        report = data.manifest["cleaning"]
        save_dataset(data, out, format=args.format, force=args.force,
                     extra_json={CLEANING_REPORT: {"source": data.manifest["source"], **report}})
    if not args.quiet:
        print(format_cleaning_report(report))
        print(f"\nwrote {out} ({args.format}); the cleaning report is in {out / CLEANING_REPORT}")
    return 0


# ----------------------------------------------------------------------------- scorecard
def _load_for_scorecard(path: str):
    from ..io import load_dataset

    data = load_dataset(path, validate=False, truth=False)
    cleaning = None
    folder = data.path
    rp = folder / CLEANING_REPORT if folder is not None else None
    if rp is not None and rp.exists():
        try:
            cleaning = json.loads(rp.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise CLIError(f"{rp}: cannot be read ({e})", code=EXIT_INVALID) from None
        except (ValueError, RecursionError) as e:
            raise CLIError(f"{rp}: not valid JSON ({e})", code=EXIT_INVALID) from None
        problem = _cleaning_problem(cleaning)
        if problem:
            raise CLIError(f"{rp}: {problem} (the report crmlab import writes; write it again or delete it)",
                           code=EXIT_INVALID)
    return data, cleaning


def _cleaning_problem(report: Any) -> str | None:
    """Why a cleaning report cannot be used by the scorecard, or None."""
    if not isinstance(report, dict):
        return f"must be a JSON object, got {type(report).__name__}"
    profile = report.get("profile")
    if profile is None:
        return None
    if not isinstance(profile, dict):
        return f"'profile' must be a JSON object of shares, got {type(profile).__name__}"
    for k, v in profile.items():
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool)):
            return f"profile.{k} must be a number or null, got {v!r}"
    return None


def _name(path: str) -> str:
    p = Path(path)
    return p.name or str(path)


def cmd_scorecard(args: argparse.Namespace) -> int:
    """``crmlab scorecard DIR [--against DIR2] [--plot FILE] [--json]``."""
    from ..realism import format_scorecard, plot_scorecard, scorecard, scorecard_json

    data, cleaning = _load_for_scorecard(args.path)
    names = [_name(args.path)]
    other = other_cleaning = None
    if args.against:
        other, other_cleaning = _load_for_scorecard(args.against)
        b = _name(args.against)
        names.append(b if b != names[0] else f"{b} (against)")
    card = scorecard(data, other, names=tuple(names), cleaning=cleaning, against_cleaning=other_cleaning)
    if args.plot:
        save_figure(plot_scorecard(card), args.plot)
    if args.json:
        print(json.dumps(scorecard_json(card), indent=2, ensure_ascii=False))
    else:
        print(format_scorecard(card))
        if args.plot:
            print(f"\nplot written to {args.plot}")
    return 0


# ----------------------------------------------------------------------------- parser
def _common_import_options(p: argparse.ArgumentParser, *, file_options: bool) -> None:
    p.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format of the tables")
    p.add_argument("--force", action="store_true", help="replace a non-empty output folder once the import succeeded")
    if not file_options:
        p.add_argument("--allow-outside-paths", action="store_true",
                       help="let the mapping read files outside its own folder (refused by default: a mapping "
                            "could otherwise read any file the user can)")
    if file_options:
        p.add_argument("--encoding", default=None, help="text encoding of a CSV/text file (default: utf-8)")
        p.add_argument("--date-format", default=None, metavar="FMT",
                       help="strptime format of the dates, e.g. '%%m/%%d/%%Y %%H:%%M' (default: detected)")
        p.add_argument("--sheet", default=None,
                       help="read only this sheet of an Excel workbook (default: all; an error for other files)")
        p.add_argument("--keep-duplicates", action="store_true",
                       help="online-retail: keep lines identical to an earlier line (counted in a note)")
    p.add_argument("--start", default=None, metavar="DATE", help="drop orders before this date (YYYY-MM-DD)")
    p.add_argument("--end", default=None, metavar="DATE", help="drop orders after this date (YYYY-MM-DD, inclusive)")
    p.add_argument("--category", default=None,
                   help="contract category of the products, which the extract lacks (default: accessory)")
    p.add_argument("--pseudonymize", action="store_true",
                   help=f"replace customer ids, names, phones and e-mails with salted hashes (HMAC-SHA256) before "
                        f"anything is written; needs --salt or {SALT_ENV}")
    p.add_argument("--salt", default=None, help=f"secret salt for --pseudonymize (default: ${SALT_ENV})")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``import`` (online-retail, cdnow, csv) and ``scorecard`` on ``crmlab``'s subparsers."""
    imp = subparsers.add_parser(
        "import", help="import a real extract (Online Retail II, CDNOW, any CSV via a YAML mapping)",
        description="Read a real extract, clean it by documented rules, check it against the data contract and "
                    "write a dataset folder (atomically) plus cleaning_report.json. Every dropped, fixed or filled "
                    "row is counted and printed. Invalid data: one message naming file, column, rule and lines; "
                    "exit 1; nothing written.",
        formatter_class=HelpFormatter)
    kinds = imp.add_subparsers(dest="kind", metavar="KIND", required=True)
    o = kinds.add_parser("online-retail", help="UCI Online Retail (II): Excel (all sheets), CSV, .csv.gz or Parquet",
                         formatter_class=HelpFormatter)
    o.add_argument("file", help="the extract file")
    _common_import_options(o, file_options=True)
    c = kinds.add_parser("cdnow", help="CDNOW_master.txt: customer id, YYYYMMDD, number of CDs, amount",
                         formatter_class=HelpFormatter)
    c.add_argument("file", help="the extract file")
    _common_import_options(c, file_options=True)
    m = kinds.add_parser("csv", help="any files, described by a YAML mapping (see docs/extracts.md)",
                         formatter_class=HelpFormatter)
    m.add_argument("--map", required=True, metavar="MAPPING.yml", help="the YAML mapping (files relative to it)")
    _common_import_options(m, file_options=False)
    for p in (o, c, m):
        p.set_defaults(func=cmd_import, command="import")

    s = subparsers.add_parser(
        "scorecard", help="realism scorecard: stylized facts against reference ranges from real data",
        description="Compute the stylized facts of a dataset (and of a second one with --against), side by side "
                    "with reference ranges from public real data (CDNOW, Online Retail II, Groceries, Olist) and "
                    "an inside/outside verdict.",
        formatter_class=HelpFormatter)
    s.add_argument("path", help="dataset folder, or a named dataset such as 'classroom'")
    s.add_argument("--against", metavar="DIR", help="a second dataset folder (or name) to compare with")
    s.add_argument("--plot", metavar="FILE.png", help="also save a plot of the facts against the ranges")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")
    s.set_defaults(func=cmd_scorecard, command="scorecard")
