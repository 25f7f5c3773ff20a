"""``crmlab run``: execute lessons into an output folder (executed notebook, HTML, results.json).

A thin shell over :func:`crmlab.notebook.runner.run_notebooks`; the notebooks
run through the one executor, :mod:`crmlab.notebook.execute`.

Examples
--------
::

    crmlab run 01 02 -p seed 7 --out runs/seed7
    crmlab run 00 -p data_dir my_extract --out runs/extract
    crmlab run --lang zh --out runs/zh           # the Chinese edition
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ._common import EXIT_INVALID, CLIError, HelpFormatter, param_value, positive_seconds, progress_bar

__all__ = ["add_subcommands", "cmd_run"]


def cmd_run(args: argparse.Namespace) -> int:
    """``crmlab run [NB ...] --out DIR``; exit 1 naming the failing notebook and cell."""
    from ..notebook.execute import NotebookRunError
    from ..notebook.runner import find_notebooks, run_notebooks

    try:
        paths = find_notebooks(args.notebooks or None, lang=args.lang)
    except NotebookRunError as e:
        raise CLIError(str(e)) from None
    if not paths:
        raise CLIError("no notebooks found")
    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out}: exists and is not a folder; give a folder for the executed notebooks")
    blocker = next((q for q in out.parents if q.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise CLIError(f"--out {out}: {blocker} is a file, not a folder")
    if out.resolve() in {p.parent.resolve() for p in paths}:
        raise CLIError(f"--out {out}: refusing to write executed notebooks over the committed ones")
    params = {name: param_value(value) for name, value in (args.parameter or [])}
    if "lang" in params and params["lang"] != args.lang:
        raise CLIError(f"-p lang {params['lang']} contradicts --lang {args.lang}; use --lang")
    if args.lang != "en":
        params["lang"] = args.lang
    t0 = time.perf_counter()
    show = sys.stderr.isatty() and not args.quiet
    with progress_bar(show, len(paths), "running", "notebook") as bar:
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


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register ``run``."""
    r = sub.add_parser("run", help="execute notebooks into a folder (+ HTML, results.json)",
                       description="Execute notebooks into OUT/<notebook>/ (never over the committed or installed "
                                   "copies): executed notebook, HTML export and results.json. Parameters are "
                                   "injected as papermill does; unknown parameters are an error. Exits 1 naming the "
                                   "failing notebook and cell.",
                       formatter_class=HelpFormatter)
    r.add_argument("notebooks", nargs="*",
                   help="notebook names or number prefixes, e.g. 01 02_churn_case (default: all)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="notebook parameter, e.g. -p seed 3 -p data_dir my_extract (repeatable)")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="edition of the lessons: English or Chinese (text, figures and findings)")
    r.add_argument("--timeout", type=positive_seconds, default=600, help="per-cell timeout in seconds")
    r.add_argument("--no-html", action="store_true", help="skip the HTML export")
    r.add_argument("--keep-going", action="store_true", help="run the remaining notebooks after a failure")
    r.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    r.set_defaults(func=cmd_run, command="run")
