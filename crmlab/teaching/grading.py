"""Grading: record a notebook's answers, execute a submission, score it against the answer key.

Exercise notebooks end with a locked cell (tag ``crmlab-answers``, added by
:func:`with_answers_cell`) that calls :func:`record_answers`: the values of
the answer variables go to ``output_dir/recorded_answers.json``.
:func:`grade_submission` executes a submitted notebook with
:func:`crmlab.notebook.execute.execute_notebook` - running on after a failing
cell, so that finished exercises still earn their points - and compares the
recorded answers and ``results.json`` with the key (:func:`answer_matches`).

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
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..analysis._results import Result

__all__ = ["grade_submission", "GradeReport", "record_answers", "with_answers_cell", "answer_matches", "read_json",
           "ANSWERS_FILE", "ANSWERS_TAG"]

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
    """

    answers: pd.DataFrame
    score: float
    max_score: float
    errors: tuple[str, ...] = ()


def _answers_cell(names: Sequence[str]) -> Any:
    from nbformat.v4 import new_code_cell

    src = ("# Records your answers for grading - do not edit or delete this cell.\n"
           "from crmlab.teaching import record_answers\n"
           f"record_answers(globals(), {list(names)!r}, output_dir)")
    cell = new_code_cell(src)
    cell.metadata["tags"] = [ANSWERS_TAG]
    return cell


def with_answers_cell(nb: Any, names: Sequence[str]) -> Any:
    """Copy of ``nb`` ending with the one cell that records the answers ``names`` (none if no names)."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if ANSWERS_TAG not in c.metadata.get("tags", [])]
    if names:
        out.cells.append(_answers_cell(names))
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
    """The JSON object in ``path``, or ``{}`` if there is no such file."""
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
        return dict(answers), None
    p = Path(answers).expanduser()
    if not p.is_file():
        raise ValueError(f"answer key {p}: no such file")
    try:
        return json.loads(p.read_text(encoding="utf-8")), p.parent
    except ValueError as e:
        raise ValueError(f"answer key {p}: not valid JSON ({e})") from None


def grade_submission(path: str | os.PathLike, answers: str | os.PathLike | Mapping[str, Any], *,
                     notebook: str | None = None, data_dir: str | os.PathLike | None = None,
                     timeout: int = 600) -> GradeReport:
    """Execute a submitted notebook and compare its answers with the key.

    Parameters
    ----------
    path : path-like
        The submitted ``.ipynb``.
    answers : path to ``answers.json`` or its content (dict)
    notebook : str, optional
        Which notebook of the key this is (default: the file stem).
    data_dir : path-like, optional
        The student's dataset. Default: the key's ``data_dir`` (relative to
        ``answers.json``) if it exists, else the notebook's own ``data_dir``
        resolved from the submission's folder.
    timeout : int
        Per-cell timeout in seconds.

    Returns
    -------
    GradeReport
        The answers table, the score and the cells that raised (execution
        continues after a failing cell so that finished exercises still earn
        their points).

    Raises
    ------
    crmlab.notebook.execute.NotebookRunError
        The notebook cannot be executed at all (kernel death, timeout).
    ValueError
        Missing file, invalid key, or the key does not cover this notebook.

    Notes
    -----
    An answer is correct when ``|x - key| <= max(abs_tol, rel_tol * |key|)``
    elementwise (numbers), or equal (text, booleans). Only exercise answers
    carry points; ``results.json`` values are shown with 0 points.
    """
    import nbformat

    from ..notebook.execute import execute_notebook

    sub = Path(path).expanduser()
    if not sub.is_file():
        raise ValueError(f"submission {sub}: no such file")
    key, key_dir = _load_key(answers)
    nbname = notebook or sub.stem
    if nbname not in key.get("notebooks", {}):
        raise ValueError(f"answer key has no notebook {nbname!r} (it has: {', '.join(key.get('notebooks', {}))})")
    entries = key["notebooks"][nbname]["answers"]
    try:
        nb = nbformat.read(sub, as_version=4)
    except Exception as e:  # noqa: BLE001 - any unreadable file
        raise ValueError(f"submission {sub}: not a valid notebook ({e})") from None
    names = [e["name"] for e in entries if e["source"] == "answer"]
    nb = with_answers_cell(nb, names)
    params: dict[str, Any] = {}
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).expanduser().resolve())
    elif key_dir is not None and key.get("data_dir") and (key_dir / key["data_dir"]).is_dir():
        params["data_dir"] = str((key_dir / key["data_dir"]).resolve())
    with tempfile.TemporaryDirectory(prefix="crmlab-grade-") as tmp:
        params["output_dir"] = tmp
        run = execute_notebook(nb, parameters=params, cwd=sub.parent.resolve(), timeout=timeout, allow_errors=True,
                               check_parameters=False, name=sub.name)
        recorded = read_json(Path(tmp) / ANSWERS_FILE)
        results = read_json(Path(tmp) / "results.json")
    rows = []
    for e in entries:
        got = (recorded if e["source"] == "answer" else results).get(e["name"])
        ok = got is not None and answer_matches(got, e["value"], rel_tol=e["rel_tol"], abs_tol=e["abs_tol"])
        rows.append({"name": e["name"], "source": e["source"], "exercise": e["exercise"], "expected": e["value"],
                     "submitted": got, "ok": bool(ok), "points": float(e["points"]),
                     "earned": float(e["points"]) if ok else 0.0})
    df = pd.DataFrame(rows, columns=_COLUMNS)
    return GradeReport(answers=df, score=float(df["earned"].sum()), max_score=float(df["points"].sum()),
                       errors=tuple(str(err) for err in run.errors))
