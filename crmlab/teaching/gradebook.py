"""Batch grading of a term: every submission graded in isolation, a gradebook, feedback for the students.

:func:`grade_term` takes a term folder (:func:`crmlab.teaching.assignment.build_assignment`)
and a folder of submissions laid out as ``SUBMISSIONS/<student_id>/<notebook>.ipynb``
(``SUBMISSIONS/<student_id>/notebooks/<notebook>.ipynb``, the layout handed
out, is accepted too), grades each one with
:func:`crmlab.teaching.grading.grade_submission` - isolated, up to ``jobs``
at a time - and returns a :class:`TermGrades`:

* ``gradebook``: one row per student, notebook and exercise (``score``,
  ``max_score``, ``status``, ``note``), a ``total`` row per student and
  notebook and one per student (``notebook == "total"``); only exercises that
  carry points; a written task is a row of 0 of its points with status
  ``manual`` (graded by hand; the totals' status is then ``manual pending``
  and their ``max_score`` includes those points) - or, with the instructor's
  grades (``written=``, :mod:`crmlab.teaching.written`), their points with
  status ``graded by hand``, or an empty score with status ``not yet graded``;
  a missing, linked or broken
  notebook is rows of 0 with status ``not graded`` and the reason in
  ``note``, never an exception; written by :func:`write_gradebook` (CSV,
  atomically; a text cell that a spreadsheet would run as a formula is
  prefixed with ``'``);
* ``feedback``: one Markdown text per student and notebook, for the student,
  in the term's language: the score, each exercise's points and whether it is
  correct, the written tasks (graded by hand: with ``written=``, their points
  and the instructor's comment), the cells that raised, why a
  run was stopped - and the expected values only with ``reveal=True``; the
  0-point ``results.json`` checks are not listed; written by
  :func:`write_feedback` as ``FEEDBACK/<student_id>/<notebook>.md`` (the
  whole folder atomically).

Examples
--------
>>> safe_cell("=HYPERLINK(1)"), safe_cell("cell 3: NameError"), safe_cell(2.5)
("'=HYPERLINK(1)", 'cell 3: NameError', 2.5)
>>> exercise_label("05_market_basket-ex2")
'Exercise 2'
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from .._checks import positive_int
from ..analysis._results import Result
from .grading import GradeReport, check_key, grade_submission
from .sandbox import DEFAULT_MEMORY_MB, DEFAULT_TOTAL_TIMEOUT

__all__ = ["grade_term", "TermGrades", "write_gradebook", "write_feedback", "feedback_text", "safe_cell",
           "exercise_label", "read_term", "csv_target", "GRADEBOOK_COLUMNS", "MAX_JOBS"]

GRADEBOOK_COLUMNS = ["student_id", "notebook", "exercise", "score", "max_score", "status", "note"]
#: Most kernels graded at the same time.
MAX_JOBS = 32
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclasses.dataclass(frozen=True, repr=False)
class TermGrades(Result):
    """The grades of a term (:func:`grade_term`).

    Attributes
    ----------
    gradebook : pandas.DataFrame
        Columns :data:`GRADEBOOK_COLUMNS` (see the module docstring).
    feedback : dict
        ``(student_id, notebook) -> Markdown text`` for the student.
    unknown : tuple of str
        Folders of the submissions that are not students of the term (not graded).
    """

    gradebook: pd.DataFrame
    feedback: dict[tuple[str, str], str]
    unknown: tuple[str, ...] = ()

    def totals(self) -> pd.DataFrame:
        """One row per student: ``student_id``, ``score``, ``max_score``."""
        t = self.gradebook[self.gradebook["notebook"] == "total"]
        return t[["student_id", "score", "max_score"]].reset_index(drop=True)


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @``, tab or CR gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def exercise_label(grade_id: str, lang: str = "en") -> str:
    """``"<nb>-ex<k>"`` -> ``"Exercise k"``, ``"<nb>-written<k>"`` -> ``"Written task k"`` (others unchanged).

    >>> exercise_label("05_market_basket-written1", "zh")
    '书面作业 1'
    """
    from .texts import MESSAGES

    m = re.search(r"-(ex|written)(\d+)$", str(grade_id))
    if not m:
        return str(grade_id)
    return MESSAGES("fb.exercise" if m.group(1) == "ex" else "fb.written", lang, k=m.group(2))


def _one_line(text: Any, limit: int = 160) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _md_value(value: Any) -> str:
    text = _one_line(json.dumps(value, ensure_ascii=False, default=str), 80).replace("`", "'")
    return f"`{text}`"


def _find_submission(folder: Path, sid: str, nbname: str) -> tuple[Path | None, str | None]:
    """The submission of ``sid`` for ``nbname``, or (None, why not)."""
    home = folder / sid
    if home.is_symlink():
        return None, "the student's folder is a symbolic link (not graded)"
    for p in (home / f"{nbname}.ipynb", home / "notebooks" / f"{nbname}.ipynb"):
        if p.is_symlink():
            return None, f"{p.name} is a symbolic link (not graded; submit the notebook file itself)"
        if p.is_file():
            return p, None
    return None, "no submission"


def _exercises(entries: list[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """(exercise, points) of the graded answers of a key, in order."""
    out: dict[str, float] = {}
    for e in entries:
        if e["source"] == "answer" and float(e["points"]) > 0:
            ex = str(e.get("exercise"))
            out[ex] = out.get(ex, 0.0) + float(e["points"])
    return list(out.items())


def _written(nb_key: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(grade_id, points) of the written tasks of one notebook of a key."""
    return [(str(w["grade_id"]), float(w["points"])) for w in nb_key.get("written", [])]


def feedback_text(nbname: str, report: GradeReport | None, *, reveal: bool = False, note: str | None = None,
                  exercises: list[tuple[str, float]] | None = None, written: list[tuple[str, float]] | None = None,
                  hand_grades: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """The student's feedback on one notebook (Markdown).

    Only what carries points is listed (the 0-point ``results.json`` checks
    are not); written tasks are listed as graded by hand.

    Parameters
    ----------
    nbname : str
    report : GradeReport or None
        ``None`` when the notebook was not graded (``note`` says why; ``exercises`` lists what it was worth).
    reveal : bool, default False
        Show the expected value of each answer. Off by default, so that
        feedback can be forwarded without giving the answers away.
    written : list of (grade_id, points), optional
        The notebook's written tasks (graded by hand).
    hand_grades : mapping, optional
        ``grade_id -> WrittenGrade`` (:func:`crmlab.teaching.written.read_written`):
        the instructor's points and comment of each written task; a task
        without points is listed as not yet graded. Without it, written tasks
        are listed as to be graded by hand.
    lang : {"en", "zh"}, default "en"
        The term's language.

    Examples
    --------
    >>> print(feedback_text("07_x", None, note="no submission", exercises=[("07_x-ex1", 2.0)]))
    # Feedback on 07_x
    <BLANKLINE>
    **Score: 0 / 2**
    <BLANKLINE>
    Not graded: no submission.
    <BLANKLINE>
    | Task | Points | Result |
    |---|---|---|
    | Exercise 1 | 0 / 2 | not graded |
    <BLANKLINE>
    """
    from .texts import MESSAGES

    def t(key: str, **kw: Any) -> str:
        return MESSAGES(key, lang, **kw)

    written = written or []
    hand = {w: g for w, g in (hand_grades or {}).items() if getattr(g, "points", None) is not None}
    hand_score = sum(float(hand[w].points) for w, _ in written if w in hand)
    hand_max = sum(p for w, p in written if w in hand)
    manual_points = sum(p for w, p in written if w not in hand)

    def hand_row(w: str, p: float) -> str:
        g = hand[w]
        comment = " ".join(str(getattr(g, "comment", "") or "").split()).replace("|", "\\|")
        result = t("fb.row_hand_comment", comment=comment) if comment else t("fb.row_hand")
        return f"| {exercise_label(w, lang)} | {float(g.points):g} / {p:g} | {result} |"

    pending_row = t("fb.row_pending") if hand_grades is not None else t("fb.row_manual")
    lines = [t("fb.title", notebook=nbname), ""]
    if report is None:
        total = sum(p for _, p in exercises or []) + hand_max
        why = t("fb.no_submission") if note == "no submission" else note
        lines += [t("fb.score", score=f"{hand_score:g}", max_score=f"{total:g}"), "", t("fb.not_graded", why=why),
                  "", t("fb.header")]
        lines += [f"| {exercise_label(ex, lang)} | 0 / {p:g} | {t('fb.row_not_graded')} |"
                  for ex, p in [*(exercises or []), *[(w, p) for w, p in written if w not in hand]]]
        lines += [hand_row(w, p) for w, p in written if w in hand]
        return "\n".join(lines) + "\n"
    graded = report.answers[report.answers["points"] > 0]
    lines += [t("fb.score", score=f"{report.score + hand_score:g}",
                max_score=f"{graded['points'].sum() + hand_max:g}"), ""]
    if manual_points:
        lines += [t("fb.manual_pending" if hand_grades is None else "fb.hand_pending",
                    points=f"{manual_points:g}"), ""]
    if report.stopped:
        lines += [t("fb.stopped", why=_one_line(report.stopped, 300)), ""]
    lines += [t("fb.header")]
    for ex, g in graded.groupby("exercise", sort=False):
        parts = []
        for _, row in g.iterrows():
            if row["ok"]:
                parts.append(t("fb.correct", name=row["name"]))
            elif _missing(row["submitted"]):
                parts.append(t("fb.no_value", name=row["name"]))
            else:
                parts.append(t("fb.wrong", name=row["name"], value=_md_value(row["submitted"])))
            if reveal:
                parts[-1] += t("fb.expected", value=_md_value(row["expected"]))
        lines.append(f"| {exercise_label(ex, lang)} | {g['earned'].sum():g} / {g['points'].sum():g} | "
                     f"{'; '.join(parts)} |")
    lines += [hand_row(w, p) if w in hand else f"| {exercise_label(w, lang)} | - / {p:g} | {pending_row} |"
              for w, p in written]
    if report.errors:
        lines += ["", t("fb.errors"), ""]
        lines += [f"- {_one_line(err).replace('`', chr(39))}" for err in report.errors[:20]]
        if len(report.errors) > 20:
            lines.append("- " + t("fb.more_errors", n=len(report.errors) - 20))
    return "\n".join(lines) + "\n"


def _rows_for(sid: str, nbname: str, exercises: list[tuple[str, float]], written: list[tuple[str, float]],
              report: GradeReport | None, note: str | None,
              hand_grades: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    rows = []
    earned = {} if report is None else dict(zip(*[report.by_exercise()[c] for c in ("exercise", "earned")]))
    status = "not graded" if report is None else "graded"
    for ex, pts in exercises:
        rows.append({"student_id": sid, "notebook": nbname, "exercise": ex, "score": float(earned.get(ex, 0.0)),
                     "max_score": pts, "status": status, "note": note or ""})
    for w, pts in written:
        g = None if hand_grades is None else hand_grades.get(w)
        if g is not None and g.points is not None:
            rows.append({"student_id": sid, "notebook": nbname, "exercise": w, "score": float(g.points),
                         "max_score": pts, "status": "graded by hand",
                         "note": " ".join(str(g.comment or "").split())})
        elif hand_grades is not None and report is not None:
            rows.append({"student_id": sid, "notebook": nbname, "exercise": w, "score": float("nan"),
                         "max_score": pts, "status": "not yet graded", "note": "not yet graded"})
        else:
            rows.append({"student_id": sid, "notebook": nbname, "exercise": w, "score": 0.0, "max_score": pts,
                         "status": "manual" if report is not None else status,
                         "note": "to grade by hand" if report is not None else note or ""})
    if report is not None:
        bits = [f"stopped: {report.stopped}"] if report.stopped else []
        if report.errors:
            bits.append(f"{len(report.errors)} cell error(s), first: {report.errors[0]}")
        total_note = _one_line("; ".join(bits), 300)
    else:
        total_note = note or ""
    pending = report is not None and any(r["status"] in ("manual", "not yet graded") for r in rows)
    rows.append({"student_id": sid, "notebook": nbname, "exercise": "total",
                 "score": float(sum(r["score"] for r in rows if r["score"] == r["score"])),
                 "max_score": float(sum(p for _, p in exercises) + sum(p for _, p in written)),
                 "status": "manual pending" if pending else status, "note": total_note})
    return rows


def read_term(term: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``assignment.json`` and each student's answer key of a term folder (``ValueError`` naming what is wrong)."""
    info_path = term / "assignment.json"
    if not info_path.is_file():
        raise ValueError(f"term {term}: no assignment.json (is this a folder written by crmlab assignment?)")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ValueError(f"{info_path}: not valid JSON ({e})") from None
    if not isinstance(info, dict) or not isinstance(info.get("students"), list) \
            or not isinstance(info.get("notebooks"), list):
        raise ValueError(f"{info_path}: expected an object with 'students' and 'notebooks' lists")
    keys = {}
    for s in info["students"]:
        sid = str(s.get("student_id")) if isinstance(s, dict) else None
        if not sid:
            raise ValueError(f"{info_path}: a student entry has no student_id")
        kp = term / "keys" / sid / "answers.json"
        if not kp.is_file():
            raise ValueError(f"term {term}: no answer key for {sid} ({kp}); build the term without --no-keys")
        try:
            key = json.loads(kp.read_text(encoding="utf-8"))
        except ValueError as e:
            raise ValueError(f"{kp}: not valid JSON ({e})") from None
        check_key(key, f"answer key {kp}")
        keys[sid] = key
    return info, keys


def grade_term(term: str | os.PathLike, submissions: str | os.PathLike, *, reveal: bool = False, jobs: int = 1,
               timeout: int = 600, total_timeout: int = DEFAULT_TOTAL_TIMEOUT, user: str | int | None = None,
               memory_mb: int = DEFAULT_MEMORY_MB, hide: tuple[str | os.PathLike, ...] = (),
               progress: Callable[[str, str, GradeReport | None], None] | None = None,
               written: Mapping[tuple[str, str], Any] | None = None) -> TermGrades:
    """Grade every submission of a term, each in isolation.

    Parameters
    ----------
    term : path-like
        The term folder (``assignment.json``, ``keys/``, ``students/<id>/data``).
    submissions : path-like
        ``<student_id>/<notebook>.ipynb`` for each student of the term.
    reveal : bool, default False
        Put the expected values into the feedback.
    jobs : int, default 1
        Submissions graded at the same time (at most :data:`MAX_JOBS`).
    timeout, total_timeout, user, memory_mb
        Per-cell and per-notebook time limits, kernel user and memory (see
        :func:`crmlab.teaching.grading.grade_submission`).
    hide : tuple of path-like
        More folders to hide from the kernels (the term, the submissions and
        the keys are always hidden where namespaces are available).
    progress : callable, optional
        Called as ``progress(student_id, notebook, report_or_None)`` after each submission.
    written : mapping, optional
        The written tasks graded by hand, ``(student_id, task) -> WrittenGrade``
        (:func:`crmlab.teaching.written.read_written`). Their points go into
        the rows (status ``graded by hand``, the comment in ``note``), the
        totals and the feedback (points and comment); a task without points is
        a row with an empty score and status ``not yet graded`` (not zero; the
        totals' status stays ``manual pending``). Without it, written tasks
        are rows of 0 with status ``manual``.

    Returns
    -------
    TermGrades

    Raises
    ------
    ValueError
        Not a term folder, missing keys, no submissions folder, bad ``jobs``.
    crmlab.notebook.execute.NotebookRunError
        A kernel could not start at all (the grading machine's problem).
    """
    term, folder = Path(term).expanduser(), Path(submissions).expanduser()
    jobs = positive_int(jobs, "jobs")
    if jobs > MAX_JOBS:
        raise ValueError(f"jobs must be at most {MAX_JOBS}, got {jobs}")
    if not folder.is_dir():
        raise ValueError(f"submissions {folder}: no such folder")
    info, keys = read_term(term)
    students = [str(s["student_id"]) for s in info["students"]]
    notebooks = [str(n) for n in info["notebooks"]]
    unknown = tuple(sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name not in students))
    hidden = (term, folder, *hide)
    lang = info.get("lang") if info.get("lang") in ("en", "zh") else "en"
    tasks, results, feedback = [], {}, {}
    hand_grades = None if written is None else dict(written)
    for sid in students:
        for nbname in notebooks:
            nb_key = keys[sid]["notebooks"].get(nbname, {})
            tasks.append((sid, nbname, _exercises(nb_key.get("answers", [])), _written(nb_key)))
    lock = threading.Lock()

    def one(sid: str, nbname: str) -> tuple[GradeReport | None, str | None]:
        sub, why = _find_submission(folder, sid, nbname)
        if sub is None:
            return None, why
        try:
            report = grade_submission(sub, keys[sid], notebook=nbname, data_dir=term / "students" / sid / "data",
                                      timeout=timeout, total_timeout=total_timeout, user=user, memory_mb=memory_mb,
                                      hide=hidden)
        except ValueError as e:
            return None, _one_line(str(e).replace(str(folder), "<submissions>"), 300)
        return report, None

    def finish(sid: str, nbname: str, outcome: tuple[GradeReport | None, str | None]) -> None:
        with lock:
            results[(sid, nbname)] = outcome
        if progress:
            progress(sid, nbname, outcome[0])

    if jobs == 1:
        for sid, nbname, *_ in tasks:
            finish(sid, nbname, one(sid, nbname))
    else:
        with ThreadPoolExecutor(max_workers=min(jobs, len(tasks)), thread_name_prefix="crmlab-grade") as pool:
            futures = {pool.submit(one, sid, nbname): (sid, nbname) for sid, nbname, *_ in tasks}
            try:
                for fut in as_completed(futures):
                    finish(*futures[fut], fut.result())
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    rows: list[dict[str, Any]] = []
    for sid in students:
        mine = []
        for s2, nbname, exercises, wtasks in tasks:
            if s2 != sid:
                continue
            report, note = results[(sid, nbname)]
            hand = None if hand_grades is None else {w: hand_grades[(sid, w)] for w, _ in wtasks
                                                     if (sid, w) in hand_grades}
            mine += _rows_for(sid, nbname, exercises, wtasks, report, note, hand)
            feedback[(sid, nbname)] = feedback_text(nbname, report, reveal=reveal, note=note, exercises=exercises,
                                                    written=wtasks, hand_grades=hand, lang=lang)
        totals = [r for r in mine if r["exercise"] == "total"]
        statuses = {r["status"] for r in totals}
        mine.append({"student_id": sid, "notebook": "total", "exercise": "total",
                     "score": float(sum(r["score"] for r in totals)),
                     "max_score": float(sum(r["max_score"] for r in totals)),
                     "status": "manual pending" if "manual pending" in statuses else
                     ("graded" if "graded" in statuses else "not graded"), "note": ""})
        rows += mine
    return TermGrades(gradebook=pd.DataFrame(rows, columns=GRADEBOOK_COLUMNS), feedback=feedback, unknown=unknown)


def csv_target(path: str | os.PathLike, *, force: bool, exists_note: str = "") -> Path:
    """``path`` as a new CSV file to write: refused if it is a folder, exists (without ``force``) or has no folder.

    ``exists_note`` is added to the message of an existing file (e.g. " (perhaps already filled in)").

    Examples
    --------
    >>> csv_target("/nonexistent-folder/g.csv", force=False)
    Traceback (most recent call last):
    ...
    ValueError: /nonexistent-folder/g.csv: the folder /nonexistent-folder does not exist
    """
    p = Path(path).expanduser()
    if p.is_dir():
        raise ValueError(f"{p}: is a folder; give a .csv file name")
    if p.exists() and not force:
        raise ValueError(f"{p}: exists{exists_note}; choose another file or use force (--force)")
    if not p.parent.is_dir():
        raise ValueError(f"{p}: the folder {p.parent} does not exist")
    return p


def write_gradebook(gradebook: pd.DataFrame, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write the gradebook as CSV (UTF-8), atomically; text cells are made safe for spreadsheets.

    Raises
    ------
    ValueError
        ``path`` exists (without ``force``), is a folder, or its folder does not exist.
    """
    from .._fs import write_text_atomic

    p = csv_target(path, force=force)
    safe = gradebook.copy()
    for col in ("student_id", "notebook", "exercise", "status", "note"):
        safe[col] = [safe_cell(v) for v in safe[col]]
    return write_text_atomic(safe.to_csv(index=False, lineterminator="\n"), p)


def write_feedback(feedback: Mapping[tuple[str, str], str], folder: str | os.PathLike, *,
                   force: bool = False) -> Path:
    """Write ``FOLDER/<student_id>/<notebook>.md`` for every entry, the whole folder atomically.

    Raises
    ------
    ValueError
        ``folder`` is a file, or a non-empty folder (without ``force``).
    """
    from .._fs import output_dir, target_problem

    target = Path(folder).expanduser()
    problem = target_problem(target, force=force)
    if problem:
        hint = "; use force (--force)" if "empty" in problem else ""
        raise ValueError(f"feedback folder {target}: {problem}{hint}")
    with output_dir(target, force=force) as tmp:  # locked, swapped in when complete
        for (sid, nbname), text in feedback.items():
            (tmp / sid).mkdir(exist_ok=True)
            (tmp / sid / f"{nbname}.md").write_text(text, encoding="utf-8")
    return target
