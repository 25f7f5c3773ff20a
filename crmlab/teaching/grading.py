"""Grading: record a notebook's answers, execute a submission in isolation, score it against the answer key.

Exercise notebooks end with a locked cell (tag ``crmlab-answers``, added by
:func:`with_answers_cell`) that calls :func:`record_answers`: the values of
the answer variables go to ``output_dir/recorded_answers.json``.
:func:`grade_submission` executes a submitted notebook with
:func:`crmlab.notebook.execute.execute_notebook` - running on after a failing
cell, so that finished exercises still earn their points - and compares the
recorded answers and ``results.json`` with the key (:func:`answer_matches`).

Student code is untrusted. The submission runs in a :class:`crmlab.teaching.sandbox.Sandbox`
(a temporary folder with a copy of the student's data; ``data_dir`` and
``output_dir`` point there), with a minimal environment (no course salt, no
``CRMLAB_*`` variable), per-cell and total time limits, memory, CPU and file
limits, and - when the grader runs as root - as an unprivileged user
(``nobody``) in its own PID, mount and network namespaces where available, with
the term folder, the keys and the submissions hidden
(:func:`crmlab.teaching.sandbox.grading_isolation`,
:mod:`crmlab.notebook.isolation`). The key stays in the grader's process and
is compared with what the kernel wrote, read as untrusted input
(:func:`crmlab.teaching.sandbox.read_output`). A submission that runs out of
time or memory, or kills its kernel, is graded on what it recorded (nothing,
usually) with the reason in :attr:`GradeReport.stopped`.

Examples
--------
>>> answer_matches(0.3000001, 0.3, rel_tol=1e-6, abs_tol=1e-9)
True
>>> answer_matches([1, 2], [1, 3], rel_tol=1e-6, abs_tol=1e-9)
False
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..analysis._results import Result
from ..notebook.isolation import Isolation
from .sandbox import DEFAULT_MEMORY_MB, DEFAULT_TOTAL_TIMEOUT, Sandbox, grading_isolation, read_output

__all__ = ["grade_submission", "GradeReport", "record_answers", "with_answers_cell", "answer_matches", "read_json",
           "check_key", "read_submission", "ANSWERS_FILE", "ANSWERS_TAG"]

ANSWERS_FILE = "recorded_answers.json"
ANSWERS_TAG = "crmlab-answers"
_COLUMNS = ["name", "source", "exercise", "expected", "submitted", "ok", "points", "earned"]


@dataclasses.dataclass(frozen=True, repr=False)
class GradeReport(Result):
    """The grade of one submission (:func:`grade_submission`).

    Attributes
    ----------
    answers : pandas.DataFrame
        One row per answer: ``name``, ``source`` (``answer`` or ``results``),
        ``exercise``, ``expected``, ``submitted``, ``ok``, ``points``, ``earned``.
    score, max_score : float
        Points earned and possible.
    errors : tuple of str
        The cells that raised, ``"cell 7: NotImplementedError: "`` (cell index in the submission).
    stopped : str or None
        Why the run ended early (time or memory limit, kernel death), else ``None``.
    written : tuple of (str, float)
        The notebook's written tasks ``(grade_id, points)``: graded by hand, not in ``score``.
    """

    answers: pd.DataFrame
    score: float
    max_score: float
    errors: tuple[str, ...] = ()
    stopped: str | None = None
    written: tuple[tuple[str, float], ...] = ()

    def by_exercise(self) -> pd.DataFrame:
        """Points per exercise: ``exercise``, ``points``, ``earned``, ``correct``, ``answers`` (graded answers only).

        Answers worth 0 points (the ``results.json`` checks) are left out.
        """
        graded = self.answers[self.answers["points"] > 0]
        rows = [{"exercise": ex, "points": float(g["points"].sum()), "earned": float(g["earned"].sum()),
                 "correct": int(g["ok"].sum()), "answers": int(len(g))}
                for ex, g in graded.groupby("exercise", sort=False)]
        return pd.DataFrame(rows, columns=["exercise", "points", "earned", "correct", "answers"])


def _answers_cell(names: Sequence[str], lang: str = "en") -> Any:
    from nbformat.v4 import new_code_cell

    from .texts import MESSAGES

    src = (MESSAGES("answers_cell", lang) + "\n"
           "from crmlab.teaching import record_answers\n"
           f"record_answers(globals(), {list(names)!r}, output_dir)")
    cell = new_code_cell(src)
    cell.metadata["tags"] = [ANSWERS_TAG]
    return cell


def with_answers_cell(nb: Any, names: Sequence[str], lang: str = "en") -> Any:
    """Copy of ``nb`` ending with the one cell that records the answers ``names`` (none if no names).

    ``lang`` is the language of the cell's comment to the student.
    """
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if ANSWERS_TAG not in c.metadata.get("tags", [])]
    if names:
        out.cells.append(_answers_cell(names, lang))
    return out


def _safe_value(x: Any) -> Any:
    from ..notebook.helpers import to_jsonable

    v = to_jsonable(x)
    try:
        json.dumps(v, allow_nan=False)
    except (TypeError, ValueError):
        return repr(x)
    return v


def record_answers(namespace: Mapping[str, Any], names: Sequence[str], output_dir: str | os.PathLike = ".") -> Path:
    """Save the values of the answer variables ``names`` (``None`` if undefined) as JSON.

    Called by the last cell of exercise notebooks; writes
    ``output_dir/recorded_answers.json`` and returns its path. A value JSON
    cannot hold is recorded as its ``repr``.

    Examples
    --------
    >>> import json, tempfile
    >>> path = record_answers({"n_orders": 12}, ["n_orders", "missing"], tempfile.mkdtemp())
    >>> json.loads(path.read_text())
    {'n_orders': 12, 'missing': None}
    """
    from ..notebook.helpers import write_results

    values = {n: _safe_value(namespace.get(n)) for n in names}
    return write_results(values, output_dir, name=ANSWERS_FILE)


def read_json(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON object in ``path``, or ``{}`` if there is no such file (trusted files: keys, key runs)."""
    path = Path(path)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def answer_matches(got: Any, want: Any, *, rel_tol: float, abs_tol: float) -> bool:
    """Whether a submitted value matches the key: ``|x - key| <= max(abs_tol, rel_tol * |key|)``.

    Numbers within the tolerance, lists and dicts elementwise, anything else
    (text, booleans) equal; NaN never matches.
    """
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if math.isnan(float(want)) or math.isnan(float(got)):
            return False
        return abs(float(got) - float(want)) <= max(abs_tol, rel_tol * abs(float(want)))
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(answer_matches(g, w, rel_tol=rel_tol, abs_tol=abs_tol)
                                             for g, w in zip(got, want))
    if isinstance(want, dict) and isinstance(got, dict):
        return set(got) == set(want) and all(answer_matches(got[k], want[k], rel_tol=rel_tol, abs_tol=abs_tol)
                                             for k in want)
    return got == want


def _load_key(answers: str | os.PathLike | Mapping[str, Any]) -> tuple[dict[str, Any], Path | None]:
    if isinstance(answers, Mapping):
        key, where, folder = dict(answers), "answer key", None
    else:
        p = Path(answers).expanduser()
        if not p.is_file():
            raise ValueError(f"answer key {p}: no such file")
        try:
            key = json.loads(p.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise ValueError(f"answer key {p}: not valid JSON ({e})") from None
        where, folder = f"answer key {p}", p.parent
    check_key(key, where)
    return key, folder


def check_key(key: Any, where: str = "answer key") -> None:
    """Raise ``ValueError`` naming the problem unless ``key`` has the shape of an ``answers.json``.

    Examples
    --------
    >>> check_key([1])
    Traceback (most recent call last):
    ...
    ValueError: answer key: expected a JSON object with "notebooks", got a list
    """
    if not isinstance(key, Mapping):
        raise ValueError(f'{where}: expected a JSON object with "notebooks", got a {type(key).__name__}')
    nbs = key.get("notebooks")
    if not isinstance(nbs, Mapping):
        raise ValueError(f'{where}: "notebooks" must be an object of notebook name -> answers')
    for name, nb in nbs.items():
        entries = nb.get("answers") if isinstance(nb, Mapping) else None
        if not isinstance(entries, list):
            raise ValueError(f'{where}: notebooks.{name}.answers must be a list of answer entries')
        for i, e in enumerate(entries):
            ok = (isinstance(e, Mapping) and isinstance(e.get("name"), str) and e.get("source") in ("answer", "results")
                  and all(isinstance(e.get(k), (int, float)) and not isinstance(e.get(k), bool)
                          for k in ("rel_tol", "abs_tol", "points")))
            if not ok:
                raise ValueError(f"{where}: notebooks.{name}.answers[{i}] is not an answer entry (name, source, value, "
                                 "rel_tol, abs_tol, points)")
        written = nb.get("written", [])
        if not isinstance(written, list) or not all(
                isinstance(w, Mapping) and isinstance(w.get("grade_id"), str)
                and isinstance(w.get("points"), (int, float)) and not isinstance(w.get("points"), bool)
                for w in written):
            raise ValueError(f"{where}: notebooks.{name}.written must be a list of written tasks (grade_id, points)")
    if key.get("lang") is not None and key.get("lang") not in ("en", "zh"):
        raise ValueError(f'{where}: "lang" must be "en" or "zh"')
    if key.get("data_dir") is not None and not isinstance(key.get("data_dir"), str):
        raise ValueError(f'{where}: "data_dir" must be a path (text)')


#: What ends a graded run early without it being the grader's fault.
_STOPS = {"DeadKernelError": "the kernel died (out of memory, or the code ended the process)",
          "TotalTimeoutError": "the notebook used up its total time limit",
          "CellTimeoutError": "a cell ran too long"}


def grade_submission(path: str | os.PathLike, answers: str | os.PathLike | Mapping[str, Any], *,
                     notebook: str | None = None, data_dir: str | os.PathLike | None = None,
                     timeout: int = 600, total_timeout: int = DEFAULT_TOTAL_TIMEOUT,
                     isolation: Isolation | None | bool = True, user: str | int | None = None,
                     memory_mb: int = DEFAULT_MEMORY_MB, hide: Sequence[str | os.PathLike] = ()) -> GradeReport:
    """Execute a submitted notebook in isolation and compare its answers with the key.

    Parameters
    ----------
    path : path-like
        The submitted ``.ipynb`` (a regular file, not a symbolic link).
    answers : path to ``answers.json`` or its content (dict)
    notebook : str, optional
        Which notebook of the key this is (default: the file stem).
    data_dir : path-like, optional
        The student's dataset (copied into the sandbox). Default: the key's
        ``data_dir`` (relative to ``answers.json``). The submission's own
        ``data_dir`` is never used.
    timeout : int
        Per-cell timeout in seconds (a cell that runs longer is interrupted; the notebook goes on).
    total_timeout : int
        Seconds the whole notebook may run.
    isolation : Isolation, True or None
        ``True`` (default): :func:`crmlab.teaching.sandbox.grading_isolation`
        with ``user``, ``memory_mb``, ``total_timeout`` and ``hide`` (plus the
        key's folder); an :class:`crmlab.notebook.isolation.Isolation` to use as
        it is; ``None``/``False``: no limits or user change (the environment is
        still minimal and the run still happens in a sandbox folder).
    user, memory_mb, hide
        See :func:`crmlab.teaching.sandbox.grading_isolation`.

    Returns
    -------
    GradeReport
        The answers table, the score, the cells that raised (execution
        continues after a failing cell so that finished exercises still earn
        their points) and, if the run was stopped early, why.

    Raises
    ------
    crmlab.notebook.execute.NotebookRunError
        The kernel could not start (a problem of the grading machine, not of the submission).
    ValueError
        Missing or linked file, not a notebook, invalid key, the key does not
        cover this notebook, no dataset.

    Notes
    -----
    An answer is correct when ``|x - key| <= max(abs_tol, rel_tol * |key|)``
    elementwise (numbers), or equal (text, booleans). Only exercise answers
    carry points; ``results.json`` values are shown with 0 points.
    """
    import nbformat

    from ..notebook.execute import NotebookRunError, execute_notebook

    sub = Path(path).expanduser()
    if sub.is_symlink():
        raise ValueError(f"submission {sub}: is a symbolic link; submissions must be regular files")
    if not sub.is_file():
        raise ValueError(f"submission {sub}: no such file")
    key, key_dir = _load_key(answers)
    nbname = notebook or sub.stem
    if nbname not in key["notebooks"]:
        raise ValueError(f"answer key has no notebook {nbname!r} (it has: {', '.join(key['notebooks'])})")
    entries = key["notebooks"][nbname]["answers"]
    nb = read_submission(sub)
    names = [e["name"] for e in entries if e["source"] == "answer"]
    nb = with_answers_cell(nb, names, key.get("lang") if key.get("lang") in ("en", "zh") else "en")
    if data_dir is not None:
        data = Path(data_dir).expanduser()
    elif key_dir is not None and key.get("data_dir"):
        data = key_dir / key["data_dir"]
    else:
        raise ValueError("no dataset for this submission: pass data_dir (crmlab grade --data DIR)")
    if not data.is_dir():
        raise ValueError(f"the student's dataset {data}: no such folder")
    if isolation is True:  # hide the key's term folder (or the key's folder), the submission's folder, the data
        term = key_dir.parent.parent if key_dir is not None and (key_dir.parent.parent / "assignment.json").is_file() \
            else key_dir
        hidden = [*hide, *([term] if term is not None else []), sub.parent, data]
        iso = grading_isolation(user=user, memory_mb=memory_mb, total_timeout=total_timeout, hide=hidden)
    else:
        iso = isolation or None
    stopped = None
    with Sandbox(data, iso) as box:
        with open(box.work / sub.name, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        params = {"data_dir": str(box.data), "output_dir": str(box.work)}
        try:
            run = execute_notebook(nb, parameters=params, cwd=box.work, timeout=timeout, allow_errors=True,
                                   interrupt_on_timeout=True, total_timeout=total_timeout, check_parameters=False,
                                   name=sub.name, env=box.env, isolation=iso)
            errors = tuple(str(err) for err in run.errors)
        except NotebookRunError as e:
            if e.ename not in _STOPS:
                raise
            stopped = f"{_STOPS[e.ename]} ({e})"
            errors = ()
        recorded, problem_a = read_output(box.work / ANSWERS_FILE)
        results, problem_r = read_output(box.work / "results.json")
    problems = tuple(p for p in (problem_a, problem_r) if p)
    rows = []
    for e in entries:
        got = (recorded if e["source"] == "answer" else results).get(e["name"])
        ok = got is not None and answer_matches(got, e.get("value"), rel_tol=e["rel_tol"], abs_tol=e["abs_tol"])
        rows.append({"name": e["name"], "source": e["source"], "exercise": e.get("exercise"),
                     "expected": e.get("value"), "submitted": got, "ok": bool(ok), "points": float(e["points"]),
                     "earned": float(e["points"]) if ok else 0.0})
    df = pd.DataFrame(rows, columns=_COLUMNS)
    for col in ("expected", "submitted"):  # values as recorded: None stays None, ints stay ints
        df[col] = pd.Series([r[col] for r in rows], index=df.index, dtype=object)
    written = tuple((str(w["grade_id"]), float(w["points"])) for w in key["notebooks"][nbname].get("written", []))
    return GradeReport(answers=df, score=float(df["earned"].sum()), max_score=float(df["points"].sum()),
                       errors=errors + problems, stopped=stopped, written=written)


#: Largest submission read (bytes).
MAX_NOTEBOOK_BYTES = 64 * 2**20


def read_submission(path: Path) -> Any:
    """The submitted notebook, or ``ValueError`` (not a notebook, too large, unreadable)."""
    import nbformat

    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"submission {path}: larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # noqa: BLE001 - any unreadable file
        text = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise ValueError(f"submission {path}: not a valid notebook ({text})") from None
    if not hasattr(nb, "cells"):
        raise ValueError(f"submission {path}: not a valid notebook (no cells)")
    return nb
