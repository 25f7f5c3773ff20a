"""Teaching commands: ``crmlab assignment`` (a term's material) and ``crmlab grade`` (score a submission).

Thin shells over :func:`crmlab.teaching.assignment.build_assignment` and
:func:`crmlab.teaching.grading.grade_submission`.

Examples
--------
::

    crmlab assignment --roster roster.csv --notebooks 01 05 --salt "$COURSE_SALT" --out term1
    crmlab grade term1/students/s001/notebooks/05_market_basket.ipynb --key term1/keys/s001/answers.json
"""

from __future__ import annotations

import argparse
import json
import sys

from ._common import EXIT_INVALID, CLIError, HelpFormatter, check_out, positive_seconds, resolve_salt

__all__ = ["add_subcommands", "cmd_assignment", "cmd_grade"]


def cmd_assignment(args: argparse.Namespace) -> int:
    """``crmlab assignment --roster R.csv --notebooks 01 02 --out DIR``."""
    from ..teaching.assignment import build_assignment
    from ..teaching.roster import SALT_ENV

    salt = resolve_salt(args.salt, SALT_ENV, needed_by="crmlab assignment (the course salt)",
                        keeps="student datasets")
    check_out(args.out, force=args.force)
    try:
        info = build_assignment(args.roster, args.notebooks, args.out, salt=salt, preset=args.preset,
                                n_customers=args.n_customers, execute_keys=not args.no_keys,
                                assignment=args.assignment, force=args.force, timeout=args.timeout,
                                progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except ValueError as e:
        raise CLIError(str(e)) from None
    if not args.quiet:
        print(f"wrote {args.out}: {len(info['students'])} students x {len(info['notebooks'])} notebooks "
              f"({', '.join(info['notebooks'])}); hand out {args.out}/students/<student_id>/")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """``crmlab grade SUBMITTED.ipynb --key DIR/keys/<student>/answers.json``; exit 1 if a cell failed."""
    import pandas as pd

    from ..notebook.execute import NotebookRunError
    from ..teaching.grading import grade_submission

    try:
        grade = grade_submission(args.submission, args.key, notebook=args.notebook, data_dir=args.data,
                                 timeout=args.timeout)
    except ValueError as e:
        raise CLIError(str(e)) from None
    except NotebookRunError as e:
        raise CLIError(str(e), code=EXIT_INVALID) from None
    if args.json:
        print(json.dumps({"score": grade.score, "max_score": grade.max_score, "errors": list(grade.errors),
                          "answers": json.loads(grade.answers.to_json(orient="records"))}, indent=2))
    else:
        with pd.option_context("display.width", 120, "display.max_colwidth", 30):
            print(grade.answers.to_string(index=False))
        print(f"\nscore: {grade.score:g} / {grade.max_score:g}")
        for err in grade.errors:
            print(f"error: {err}")
    return EXIT_INVALID if grade.errors else 0


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register ``assignment`` and ``grade``."""
    from ..teaching.roster import SALT_ENV

    a = sub.add_parser(
        "assignment", help="per-student datasets, student notebooks and answer keys from exercise notebooks",
        description="For each student of the roster: a dataset from a seed derived from the course salt and the "
                    "student id (without truth.json), the student version of each notebook (solutions replaced "
                    "by 'raise NotImplementedError()', hidden tests removed) and an answer key; plus an nbgrader "
                    "source folder. Written atomically.",
        formatter_class=HelpFormatter)
    a.add_argument("--roster", required=True, metavar="ROSTER.csv", help="CSV with student_id (and optional name)")
    a.add_argument("--notebooks", required=True, nargs="+", metavar="NB", help="notebook names, prefixes or paths")
    a.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    a.add_argument("--salt", default=None, help=f"course secret, at least 8 characters (default: ${SALT_ENV})")
    a.add_argument("--preset", default="classroom", help="dataset preset")
    a.add_argument("--n-customers", type=int, default=None, help="override the preset's number of customers")
    a.add_argument("--assignment", default=None, help="nbgrader assignment name (default: name of --out)")
    a.add_argument("--no-keys", action="store_true", help="do not execute the solutions (no answer keys)")
    a.add_argument("--timeout", type=positive_seconds, default=600, help="per-cell timeout in seconds")
    a.add_argument("--force", action="store_true", help="replace a non-empty output folder when complete")
    a.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    a.set_defaults(func=cmd_assignment, command="assignment")

    g = sub.add_parser(
        "grade", help="execute a submitted notebook and score it against an answer key",
        description="Execute the notebook in a temporary folder (cells after a failing one still run), compare "
                    "the recorded answers with answers.json and print a table and the score. Exit 1 if any cell "
                    "raised an error or the notebook could not run.",
        formatter_class=HelpFormatter)
    g.add_argument("submission", metavar="SUBMITTED.ipynb")
    g.add_argument("--key", required=True, metavar="answers.json", help="DIR/keys/<student_id>/answers.json")
    g.add_argument("--notebook", default=None, help="notebook name in the key (default: the file name)")
    g.add_argument("--data", default=None, metavar="DIR", help="the student's dataset (default: from the key)")
    g.add_argument("--timeout", type=positive_seconds, default=600, help="per-cell timeout in seconds")
    g.add_argument("--json", action="store_true", help="print JSON instead of a table")
    g.set_defaults(func=cmd_grade, command="grade")
