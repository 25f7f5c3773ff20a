"""Teaching commands: ``crmlab assignment`` (a term's material) and ``crmlab grade`` (score submissions).

Thin shells over :func:`crmlab.teaching.assignment.build_assignment`,
:func:`crmlab.teaching.grading.grade_submission` (one submission) and
:func:`crmlab.teaching.gradebook.grade_term` (a whole term).

Examples
--------
::

    crmlab assignment --roster roster.csv --notebooks 01 05 --salt "$COURSE_SALT" --out term1
    crmlab assignment --roster roster.csv --notebooks 01 05 --lang zh --out term1-zh
    crmlab grade term1/students/s001/notebooks/05_market_basket.ipynb --key term1/keys/s001/answers.json
    crmlab grade --term term1 --submissions handed_in --out gradebook.csv --jobs 2
    crmlab grade --term term1 --written-template written.csv
    crmlab grade --term term1 --submissions handed_in --out gradebook.csv --written written.csv --force
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

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
                                lang=args.lang,
                                progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except ValueError as e:
        raise CLIError(str(e)) from None
    if not args.quiet:
        n_written = sum(len(v) for v in info.get("written", {}).values())
        print(f"wrote {args.out}: {len(info['students'])} students x {len(info['notebooks'])} notebooks "
              f"({', '.join(info['notebooks'])}; edition {args.lang}"
              + (f"; {n_written} written task(s) graded by hand" if n_written else "")
              + f"); hand out {args.out}/students/<student_id>/")
    return 0


_EXAMPLES = """\
examples:
  crmlab grade --term term1 --submissions handed_in --out gradebook.csv --jobs 2
  crmlab grade --term term1 --written-template written.csv
  crmlab grade --term term1 --submissions handed_in --out gradebook.csv \\
      --written written.csv --force"""

_ISOLATION_HELP = """\
Student code is untrusted; every submission runs isolated:
- in a separate kernel process, in a fresh temporary folder holding only a copy
  of that student's dataset (data_dir points there) and their notebook, with a
  minimal environment (PATH, HOME, LANG and the package path: no
  CRMLAB_COURSE_SALT, no CRMLAB_* or other variable of yours);
- with time limits (--timeout per cell: the cell is interrupted and the
  notebook goes on; --total-timeout per notebook: the kernel is killed) and
  limits on memory (--memory, address space), CPU time, processes and file
  size; a notebook that hits one is graded on what it recorded (usually 0)
  with the reason;
- as root: as an unprivileged user (--user, default nobody) without groups
  or a way back to root, so it cannot read the term folder (0700) or the
  keys (0700/0600); and, where 'unshare' works (Linux, root), in its own PID,
  mount and network namespaces: it sees no other process (not this one's
  command line or environment), the term folder, keys and submissions are
  hidden, and it has no network;
- the key is read by this process only and compared with what the kernel
  wrote (read as untrusted input: no links followed, size-limited).
NOT isolated when you are not root: the kernel runs as you and can read
everything you can (keys included, and this process's environment in /proc):
grade as root, or in a container or VM. Without namespaces the kernel also
sees other processes, the network and every file its user may read. The
kernel talks to the grader over IPC sockets (no TCP port). The first lines
printed on stderr say what applies on this machine.
"""


def _announce(isolation_lines: list[str], quiet: bool, submissions: str | None = None) -> None:
    import os

    from ..teaching.roster import SALT_ENV

    if quiet:
        return
    for line in isolation_lines:
        print(f"isolation: {line}", file=sys.stderr)
    if os.environ.get(SALT_ENV) and os.geteuid() != 0:
        print(f"warning: {SALT_ENV} is set in this shell; kernels do not get it, but running as you they could "
              f"read it from /proc - unset it while grading", file=sys.stderr)
    if submissions and not any("own mount namespace" in ln for ln in isolation_lines):
        try:
            readable = os.stat(submissions).st_mode & 0o005
        except OSError:
            readable = 0
        if readable:
            print(f"warning: {submissions} can be read by other users, and kernels are not in namespaces here: a "
                  f"submission could read classmates' notebooks; chmod 700 {submissions} (or grade as root on a "
                  f"machine where 'unshare' works)", file=sys.stderr)


def cmd_grade(args: argparse.Namespace) -> int:
    """``crmlab grade SUBMITTED.ipynb --key answers.json`` or ``crmlab grade --term T --submissions D --out G.csv``."""
    if args.written_template:
        return _written_template(args)
    if args.term or args.submissions or args.out or args.written:
        return _grade_term(args)
    return _grade_one(args)


def _isolation_lines(args: argparse.Namespace, hide: list) -> list[str]:
    from ..notebook.isolation import describe
    from ..teaching.sandbox import grading_isolation

    try:
        iso = grading_isolation(user=args.user, memory_mb=args.memory, total_timeout=args.total_timeout, hide=hide)
        return describe(iso)
    except ValueError as e:
        raise CLIError(str(e)) from None


def _grade_one(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..notebook.execute import NotebookRunError
    from ..teaching.grading import grade_submission

    if not args.submission or not args.key:
        raise CLIError("give a submission and --key answers.json, or --term, --submissions and --out "
                       "(see crmlab grade --help)")
    if args.reveal or args.feedback or args.jobs != 1:
        raise CLIError("--feedback, --reveal and --jobs belong to batch grading (--term, --submissions, --out)")
    _announce(_isolation_lines(args, []), args.quiet or args.json)
    try:
        grade = grade_submission(args.submission, args.key, notebook=args.notebook, data_dir=args.data,
                                 timeout=args.timeout, total_timeout=args.total_timeout, user=args.user,
                                 memory_mb=args.memory)
    except ValueError as e:
        raise CLIError(str(e)) from None
    except NotebookRunError as e:
        raise CLIError(str(e), code=EXIT_INVALID) from None
    if args.json:
        print(json.dumps({"score": grade.score, "max_score": grade.max_score, "errors": list(grade.errors),
                          "stopped": grade.stopped,
                          "written": [{"grade_id": g, "points": p} for g, p in grade.written],
                          "answers": json.loads(grade.answers.to_json(orient="records"))}, indent=2))
    else:
        table = grade.answers if args.all else grade.answers[grade.answers["points"] > 0]
        with pd.option_context("display.width", 120, "display.max_colwidth", 30):
            print(table.to_string(index=False))
        hidden = len(grade.answers) - len(table)
        if hidden:
            print(f"({hidden} results.json check(s) worth 0 points not shown; --all shows them)")
        print(f"\nscore: {grade.score:g} / {grade.max_score:g}")
        if grade.written:
            print("to grade by hand (written tasks, not in the score): "
                  + ", ".join(f"{g} ({p:g} points)" for g, p in grade.written))
        if grade.stopped:
            print(f"stopped: {grade.stopped}")
        for err in grade.errors:
            print(f"error: {err}")
    return EXIT_INVALID if grade.errors or grade.stopped else 0


def _grade_term(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..notebook.execute import NotebookRunError
    from ..teaching.gradebook import grade_term, write_feedback, write_gradebook
    from ._common import progress_bar

    if not (args.term and args.submissions and args.out):
        raise CLIError("batch grading needs --term, --submissions and --out together")
    if args.submission or args.key or args.data or args.notebook or args.json:
        raise CLIError("a single SUBMITTED.ipynb, --key, --data, --notebook and --json are for one submission; "
                       "batch grading takes --term, --submissions and --out")
    out = Path(args.out).expanduser()
    if out.exists() and not args.force:
        raise CLIError(f"--out {out}: exists; choose another file or add --force")
    if out.is_dir():
        raise CLIError(f"--out {out}: is a folder; give a .csv file name")
    if not out.parent.is_dir():
        raise CLIError(f"--out {out}: the folder {out.parent} does not exist")
    feedback = Path(args.feedback).expanduser() if args.feedback else \
        Path(args.submissions).expanduser().resolve().with_name(Path(args.submissions).resolve().name + "_feedback")
    check_out(feedback, force=args.force, option="--feedback")
    try:
        n = _count_tasks(Path(args.term).expanduser())
        hand = None
        if args.written:  # checked before the (long) grading run
            from ..teaching.written import read_written

            hand = read_written(args.written, args.term)
    except ValueError as e:
        raise CLIError(str(e)) from None
    _announce(_isolation_lines(args, [args.term, args.submissions, feedback]), args.quiet, args.submissions)
    bar = progress_bar(not args.quiet, n, "grading", "notebook")
    try:
        grades = grade_term(args.term, args.submissions, reveal=args.reveal, jobs=args.jobs, timeout=args.timeout,
                            total_timeout=args.total_timeout, user=args.user, memory_mb=args.memory,
                            hide=(str(feedback),), written=hand,
                            progress=lambda sid, nb, rep: (bar.set_postfix_str(f"{sid} {nb}"), bar.update(1)))
    except ValueError as e:
        raise CLIError(str(e)) from None
    except NotebookRunError as e:
        raise CLIError(f"a kernel could not start, grading stopped: {e}", code=EXIT_INVALID) from None
    finally:
        bar.close()
    from .._fs import OutputError

    try:
        write_feedback(grades.feedback, feedback, force=args.force)
        write_gradebook(grades.gradebook, out, force=args.force)
    except (ValueError, OSError) as e:
        raise CLIError(str(e)) from None
    except OutputError as e:
        raise CLIError(str(e), code=EXIT_INVALID) from None
    if not args.quiet:
        t = grades.totals()
        ungraded = grades.gradebook[(grades.gradebook["exercise"] == "total") & (grades.gradebook["notebook"] != "total")
                                    & grades.gradebook["note"].isin(["no submission"])]
        print(f"wrote {out}: {len(t)} students, mean {t['score'].mean():.3g} / {t['max_score'].max():g}; "
              f"{len(ungraded)} notebook(s) not submitted; feedback for the students in {feedback}/ "
              f"({'with' if args.reveal else 'without'} expected values)")
        if hand is not None:
            from ..teaching.written import count_graded

            done, pending = count_graded(hand)
            print(f"written tasks: {done} graded by hand, {pending} not yet graded (empty points in {args.written}; "
                  f"'not yet graded' in the gradebook, not zero)")
        if grades.unknown:
            print(f"not graded (not students of the term): {', '.join(grades.unknown)}", file=sys.stderr)
    return 0


def _written_template(args: argparse.Namespace) -> int:
    """``crmlab grade --term T --written-template W.csv``: the CSV of written tasks to grade by hand."""
    from ..teaching.written import write_written_template, written_tasks

    if not args.term:
        raise CLIError("--written-template needs --term (the term whose written tasks to list)")
    others = [o for o, v in (("--submissions", args.submissions), ("--out", args.out), ("--written", args.written),
                             ("SUBMITTED.ipynb", args.submission), ("--key", args.key)) if v]
    if others:
        raise CLIError(f"--written-template only lists the term's written tasks (no grading); leave out "
                       f"{', '.join(others)}")
    try:
        path = write_written_template(args.term, args.written_template, force=args.force)
        tasks = written_tasks(args.term)
    except ValueError as e:
        raise CLIError(str(e)) from None
    if not args.quiet:
        print(f"wrote {path}: {len(tasks)} row(s), {tasks['student_id'].nunique()} students x "
              f"{tasks['task'].nunique()} written task(s); fill in points (and comment), then "
              f"crmlab grade --term {args.term} --submissions SUBS --out gradebook.csv --written {path}")
    return 0


def _count_tasks(term) -> int:
    import json as _json

    p = term / "assignment.json"
    try:
        info = _json.loads(p.read_text(encoding="utf-8"))
        return len(info["students"]) * len(info["notebooks"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ValueError(f"term {term}: no readable assignment.json (is this a folder written by crmlab assignment?)") \
            from None


def _memory(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of MiB, got {raw!r}") from None
    if value < 256:
        raise argparse.ArgumentTypeError(f"must be at least 256 (MiB), got {value}")
    return value


def _jobs(raw: str) -> int:
    from ..teaching.gradebook import MAX_JOBS

    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from None
    if not 1 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_JOBS}, got {value}")
    return value


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register ``assignment`` and ``grade``."""
    from ..teaching.roster import SALT_ENV

    a = sub.add_parser(
        "assignment", help="per-student datasets, student notebooks and answer keys from exercise notebooks",
        description="For each student of the roster: a dataset from a seed derived from the course salt and the "
                    "student id (without truth.json and without the seed), the student version of each notebook "
                    "(solutions replaced by 'raise NotImplementedError()', hidden tests, rubrics and quiz answers "
                    "removed, written tasks as 'YOUR ANSWER HERE') and an answer key; plus an nbgrader source "
                    "folder (written tasks as manually graded cells). Written atomically, one writer at a time.",
        formatter_class=HelpFormatter)
    a.add_argument("--roster", required=True, metavar="ROSTER.csv", help="CSV with student_id (and optional name)")
    a.add_argument("--notebooks", required=True, nargs="+", metavar="NB", help="notebook names, prefixes or paths")
    a.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    a.add_argument("--salt", default=None, help=f"course secret, at least 8 characters (default: ${SALT_ENV})")
    a.add_argument("--preset", default="classroom", help="dataset preset")
    a.add_argument("--n-customers", type=int, default=None, help="override the preset's number of customers")
    a.add_argument("--assignment", default=None, help="nbgrader assignment name (default: name of --out)")
    a.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="edition: zh builds the student notebooks from the Chinese edition of the lessons (every "
                        "Markdown cell translated), with lang=\"zh\" (findings and hints in Chinese), Chinese "
                        "placeholders and Chinese grading feedback")
    a.add_argument("--no-keys", action="store_true", help="do not execute the solutions (no answer keys)")
    a.add_argument("--timeout", type=positive_seconds, default=600, help="per-cell timeout in seconds")
    a.add_argument("--force", action="store_true", help="replace a non-empty output folder when complete")
    a.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    a.set_defaults(func=cmd_assignment, command="assignment")

    from ..teaching.sandbox import DEFAULT_MEMORY_MB, DEFAULT_TOTAL_TIMEOUT

    g = sub.add_parser(
        "grade", help="execute submitted notebooks in isolation and score them against the answer keys",
        description=textwrap.fill("One submission: crmlab grade SUBMITTED.ipynb --key DIR/keys/<student_id>/answers.json prints "
                    "a table and the score (exit 1 if a cell raised or the run was stopped). A whole term: crmlab "
                    "grade --term DIR --submissions SUBS --out gradebook.csv grades SUBS/<student_id>/<notebook>.ipynb "
                    "for every student and notebook of the term, writes the gradebook (one row per student and "
                    "exercise, written tasks as rows with status 'manual' to grade by hand, a total per notebook "
                    "and per student; a missing or broken notebook is a row of 0 with the reason) and feedback "
                    "files for the students in the term's language (--feedback, without the expected values "
                    "unless --reveal). Cells after a failing one still run, so finished exercises earn their points. "
                    "Written tasks: crmlab grade --term DIR --written-template written.csv writes one row per "
                    "student and written task; fill in points (and a comment for the student) and grade with "
                    "--written written.csv: the points go into the gradebook, the totals and the feedback, rows "
                    "left empty are 'not yet graded'.",
                    78, break_on_hyphens=False) + "\n\n" + _EXAMPLES + "\n\n" + _ISOLATION_HELP,
        formatter_class=_RawHelpFormatter)
    g.add_argument("submission", nargs="?", metavar="SUBMITTED.ipynb", help="one submitted notebook (with --key)")
    g.add_argument("--key", metavar="answers.json", help="DIR/keys/<student_id>/answers.json (one submission)")
    g.add_argument("--notebook", default=None, help="notebook name in the key (default: the file name)")
    g.add_argument("--data", default=None, metavar="DIR", help="the student's dataset (default: from the key)")
    g.add_argument("--json", action="store_true", help="print JSON instead of a table (one submission)")
    g.add_argument("--all", action="store_true", help="also show the results.json checks worth 0 points")
    g.add_argument("--term", metavar="DIR", help="term folder written by crmlab assignment (batch)")
    g.add_argument("--submissions", metavar="DIR", help="DIR/<student_id>/<notebook>.ipynb (batch)")
    g.add_argument("--out", metavar="GRADEBOOK.csv", help="gradebook to write (batch; refused if it exists, "
                                                         "unless --force)")
    g.add_argument("--feedback", metavar="DIR", help="feedback folder, DIR/<student_id>/<notebook>.md (batch; "
                                                     "default: SUBMISSIONS_feedback next to the submissions)")
    g.add_argument("--reveal", action="store_true", help="put the expected values into the feedback (off by "
                                                         "default: feedback can be forwarded without giving answers)")
    g.add_argument("--jobs", type=_jobs, default=1, help="submissions graded at the same time (batch; 1-32)")
    g.add_argument("--written-template", metavar="WRITTEN.csv",
                   help="with --term only: write the CSV of written tasks to grade by hand (student_id, notebook, "
                        "task, max_points, points and comment empty) and stop; refused if it exists, unless --force")
    g.add_argument("--written", metavar="WRITTEN.csv",
                   help="batch: merge the filled template into the gradebook, totals and feedback (points and "
                        "comment); checked before grading; rows left empty are 'not yet graded'")
    g.add_argument("--force", action="store_true", help="replace an existing gradebook, feedback folder or "
                                                        "written template")
    g.add_argument("--timeout", type=positive_seconds, default=600, help="seconds one cell may run")
    g.add_argument("--total-timeout", type=positive_seconds, default=DEFAULT_TOTAL_TIMEOUT,
                   help="seconds one notebook may run in all")
    g.add_argument("--memory", type=_memory, default=DEFAULT_MEMORY_MB, metavar="MiB",
                   help="memory (address space) of one kernel")
    g.add_argument("--user", default=None, help="unprivileged user the kernels run as when you are root "
                                                "(default: nobody)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar or isolation summary")
    g.set_defaults(func=cmd_grade, command="grade")


class _RawHelpFormatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of the isolation summary in ``crmlab grade --help``."""
