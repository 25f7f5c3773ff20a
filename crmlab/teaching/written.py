"""Written tasks graded by hand: a CSV template for the instructor, and reading it back for the gradebook.

The written tasks of a term (nbgrader manually graded cells, ``written`` tag,
``<!-- points: N -->``) are graded by the instructor. :func:`write_written_template`
writes one row per student and written task (``student_id``, ``notebook``,
``task``, ``max_points``, and ``points`` and ``comment`` left empty);
the instructor fills ``points`` (and, optionally, ``comment``) and
:func:`read_written` checks the filled file against the term before it is
merged by :func:`crmlab.teaching.gradebook.grade_term` (``written=``):

* every problem is reported at once, naming the file, the column and the
  first few offending lines: an unknown student, a task that is not a written
  task of that student's notebook, points that are not a number, negative or
  above the task's maximum, a comment without points, the same task twice;
* a row whose ``points`` and ``comment`` are both empty (or a task missing
  from the file) is *not yet graded* - never zero.

Examples
--------
>>> WrittenGrade(7.0, "clear memo").graded, WrittenGrade(None).graded
(True, False)
>>> parse_points("7,5")
Traceback (most recent call last):
...
ValueError: '7,5' is not a number
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from .gradebook import csv_target, read_term, safe_cell

__all__ = ["WRITTEN_COLUMNS", "WrittenGrade", "written_tasks", "write_written_template", "read_written",
           "parse_points", "count_graded"]

WRITTEN_COLUMNS = ["student_id", "notebook", "task", "max_points", "points", "comment"]
#: Offending lines quoted per problem in an error message.
_SHOW = 5


@dataclasses.dataclass(frozen=True)
class WrittenGrade:
    """The instructor's grade of one written task: ``points`` (``None``: not yet graded) and ``comment``."""

    points: float | None
    comment: str = ""

    @property
    def graded(self) -> bool:
        """Whether points were given."""
        return self.points is not None


def written_tasks(term: str | os.PathLike) -> pd.DataFrame:
    """The written tasks of a term: one row per student and task.

    Parameters
    ----------
    term : path-like
        A term folder written by :func:`crmlab.teaching.assignment.build_assignment`.

    Returns
    -------
    pandas.DataFrame
        ``student_id``, ``notebook``, ``task`` (the task's grade id), ``max_points``;
        students and notebooks in the term's order.

    Raises
    ------
    ValueError
        Not a term folder, or its answer keys are missing or malformed.
    """
    info, keys = read_term(Path(term).expanduser())
    rows = []
    for s in info["students"]:
        sid = str(s["student_id"])
        for nbname in (str(n) for n in info["notebooks"]):
            for w in keys[sid]["notebooks"].get(nbname, {}).get("written", []):
                rows.append({"student_id": sid, "notebook": nbname, "task": str(w["grade_id"]),
                             "max_points": float(w["points"])})
    return pd.DataFrame(rows, columns=WRITTEN_COLUMNS[:4])


def write_written_template(term: str | os.PathLike, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write the CSV the instructor fills in: one row per student and written task, ``points`` and ``comment`` empty.

    Written atomically (UTF-8); refused if ``path`` exists, unless ``force``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        Not a term folder, a term without written tasks, or ``path`` exists
        (without ``force``), is a folder, or its folder does not exist.
    """
    from .._fs import write_text_atomic

    p = csv_target(path, force=force, exists_note=" (perhaps already filled in)")
    tasks = written_tasks(term)
    if tasks.empty:
        raise ValueError(f"term {term}: its notebooks have no written task (nothing to grade by hand)")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(WRITTEN_COLUMNS)
    for r in tasks.itertuples(index=False):
        w.writerow([safe_cell(r.student_id), safe_cell(r.notebook), safe_cell(r.task), f"{r.max_points:g}", "", ""])
    return write_text_atomic(out.getvalue(), p)


def parse_points(raw: str) -> float:
    """A points cell as a number (``"7"``, ``"7.5"``); ``ValueError`` if it is not a finite number."""
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a number")
    return value


def _unsafe(value: str) -> str:
    """Undo :func:`safe_cell` (the template's ``'`` before a formula-like start)."""
    return value[1:] if value.startswith("'") and safe_cell(value[1:]) != value[1:] else value


def read_written(path: str | os.PathLike, term: str | os.PathLike) -> dict[tuple[str, str], WrittenGrade]:
    """Read a filled template (:func:`write_written_template`) and check it against the term.

    Parameters
    ----------
    path : path-like
        The CSV: columns ``student_id``, ``task`` and ``points`` are needed
        (``notebook``, ``max_points`` and ``comment`` are read when present;
        other columns are ignored). UTF-8, with or without a BOM. Commas
        separate the columns, or semicolons or tabs when the header has no
        comma (as some spreadsheets save).
    term : path-like
        The term folder; the tasks and their maximum points come from it
        (not from the file's ``max_points``).

    Returns
    -------
    dict
        ``(student_id, task) -> WrittenGrade`` for every written task of the
        term; a task left empty or missing from the file is ``WrittenGrade(None)``
        (not yet graded).

    Raises
    ------
    ValueError
        One message listing every problem (file, column, lines).
    """
    p = Path(path).expanduser()
    tasks = written_tasks(term)
    if not p.is_file():
        raise ValueError(f"{p}: no such file (write one with --written-template)")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{p}: not UTF-8 text (save the CSV as UTF-8)") from None
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")  # a spreadsheet may save with ; or tabs
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in ("student_id", "task", "points") if c not in header]
    if missing:
        raise ValueError(f"{p}: no column {', '.join(repr(c) for c in missing)} (the header must have "
                         f"{', '.join(WRITTEN_COLUMNS)})")
    known = {(r.student_id, r.task): (r.notebook, r.max_points) for r in tasks.itertuples(index=False)}
    students = set(tasks["student_id"])
    problems: dict[tuple[str, str], list[str]] = {}

    def problem(column: str, what: str, line: int, detail: str) -> None:
        problems.setdefault((column, what), []).append(f"line {line}: {detail}")

    grades: dict[tuple[str, str], WrittenGrade] = {}
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(reader, start=2):
        def cell(name: str) -> str:
            v = row.get(name)
            return _unsafe(v.strip()) if isinstance(v, str) else ""

        sid, task, raw, comment = cell("student_id"), cell("task"), cell("points"), cell("comment")
        if not any(cell(c) for c in header):
            continue  # a blank line
        where = f"{sid or '(empty)'}, {task or '(empty)'}"
        if sid not in students:
            problem("student_id", "unknown student (not in the term)", i, repr(sid))
            continue
        if (sid, task) not in known:
            problem("task", "not a written task of this student's notebooks", i, where)
            continue
        nbname, max_points = known[(sid, task)]
        if "notebook" in header and cell("notebook") and cell("notebook") != nbname:
            problem("notebook", "the task belongs to another notebook", i,
                    f"{where}: {cell('notebook')!r}, the task is in {nbname!r}")
            continue
        if (sid, task) in seen:
            problem("student_id, task", "the same task twice", i, f"{where} (also line {seen[(sid, task)]})")
            continue
        seen[(sid, task)] = i
        if not raw:
            if comment:
                problem("points", "a comment but no points", i, where)
            grades[(sid, task)] = WrittenGrade(None, comment)
            continue
        try:
            points = parse_points(raw)
        except ValueError as e:
            problem("points", "not a number", i, f"{where}: {e}")
            continue
        if points < 0:
            problem("points", "negative", i, f"{where}: {raw}")
        elif points > max_points + 1e-9:
            problem("points", "above the task's maximum", i, f"{where}: {raw} > {max_points:g}")
        else:
            grades[(sid, task)] = WrittenGrade(points, comment)
    if problems:
        n = sum(len(v) for v in problems.values())
        lines = [f"{p}: {n} problem(s); nothing was merged:"]
        for (column, what), where in problems.items():
            shown = "; ".join(where[:_SHOW]) + (f"; ... and {len(where) - _SHOW} more" if len(where) > _SHOW else "")
            lines.append(f"- column {column}: {what} ({len(where)} row(s)): {shown}")
        raise ValueError("\n".join(lines))
    return {k: grades.get(k, WrittenGrade(None)) for k in known}


def count_graded(grades: dict[tuple[str, str], Any]) -> tuple[int, int]:
    """``(graded, not yet graded)`` among the tasks of :func:`read_written`."""
    done = sum(1 for g in grades.values() if g.graded)
    return done, len(grades) - done
