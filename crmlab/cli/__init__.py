"""The ``crmlab`` command line: one parser, one module per command group, a thin shell over the library.

* :mod:`crmlab.cli.data` - ``generate``, ``validate``, ``describe``;
* :mod:`crmlab.cli.run` - ``run`` (execute lessons);
* :mod:`crmlab.cli.extracts` - ``import`` (real extracts), ``scorecard``;
* :mod:`crmlab.cli.teaching` - ``assignment``, ``grade``;
* :mod:`crmlab.cli._common` - errors and exit codes, the help format, option checks.

Every predictable fault (bad scenario value, unknown preset, existing output
folder, invalid table) prints one clear message and exits non-zero; any other
error prints one line naming the command and its input (exit 2); no
traceback, unless ``--debug`` asks for it. Run ``crmlab COMMAND --help`` for the options of each command. This
is the top layer: no module of the library imports it.

Examples
--------
>>> main(["validate", "classroom"])  # doctest: +ELLIPSIS
classroom: valid (... tables, ... rows)
0
>>> args = build_parser().parse_args(["run", "00", "--out", "runs/x", "-p", "seed", "3"])
>>> args.command, args.notebooks, args.parameter, args.timeout
('run', ['00'], [['seed', '3']], 600)
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from ._common import EXIT_INVALID, EXIT_USAGE, CLIError, add_debug_option, run_command

__all__ = ["main", "build_parser", "run_command", "CLIError", "EXIT_USAGE", "EXIT_INVALID"]

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


def build_parser() -> argparse.ArgumentParser:
    """The ``crmlab`` parser with every command."""
    from .._version import __version__
    from . import data, extracts, run, teaching

    p = argparse.ArgumentParser(
        prog="crmlab",
        description="Synthetic CRM data for a multichannel Chinese 3C retailer, with planted ground truth.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"crmlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    data.add_subcommands(sub)
    run.add_subcommands(sub)
    extracts.add_subcommands(sub)
    teaching.add_subcommands(sub)
    add_debug_option(p, top=True)
    return p


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
