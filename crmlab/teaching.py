"""Teaching mode: per-student datasets, student notebooks, answer keys and grading.

An exercise is written once, inside a notebook, with markers compatible with
nbgrader (https://nbgrader.readthedocs.io):

.. code-block:: python

    # %% tags=["exercise"]
    # Exercise 1. How many orders are there?
    # answer: n_orders rel=1e-6 points=2
    ### BEGIN SOLUTION
    n_orders = len(data.orders)
    ### END SOLUTION

    # %%
    assert n_orders > 0          # visible test
    ### BEGIN HIDDEN TESTS
    assert n_orders == len(data["orders"])
    ### END HIDDEN TESTS

Conventions (derived from the markers; the ``tags`` are optional):

* a code cell containing ``### BEGIN SOLUTION`` is the solution cell of
  exercise ``k`` (numbered 1, 2, ... in cell order): nbgrader metadata
  ``{"solution": true, "grade": false, "locked": false, "grade_id": "<notebook>-ex<k>"}``;
* the first code cell after it (before the next exercise) that contains
  ``### BEGIN HIDDEN TESTS`` or a line starting with ``assert`` is its grade
  cell: ``{"grade": true, "solution": false, "locked": true, "points": N,
  "grade_id": "<notebook>-ex<k>-test"}``, with ``N`` from a ``# points: N``
  line in the cell (which rescales the answers' points to sum to ``N``),
  else the sum of the exercise's answer points;
* ``# answer: NAME [rel=R] [abs=A] [points=P]`` comments in the solution cell
  (keep them outside the solution region, so students see them) name the
  variables that are graded: their values on the student's data are stored in
  the answer key and compared with tolerance ``|x - key| <= max(A, R*|key|)``
  (defaults ``rel=1e-6``, ``abs=1e-9``, ``points=1``); ``<notebook>`` is the
  file stem.

The student version (:func:`strip_solutions`) replaces every solution region by
``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (as nbgrader's
``ClearSolutions``), removes hidden-test regions, and clears outputs and
execution counts. A locked last cell (tag ``crmlab-answers``) calls
:func:`record_answers`, which saves the answer variables to
``output_dir/recorded_answers.json``; the grader reads that file and the
notebook's ``results.json``.

Layout written by :func:`build_assignment` (``DIR`` = ``out``)::

    DIR/assignment.json                       notebooks, preset, students and their seeds
    DIR/source/<assignment>/<nb>.ipynb        solution notebooks with nbgrader metadata
                                              (a valid nbgrader "source" folder)
    DIR/students/<student_id>/data/           the student's dataset, WITHOUT truth.json
    DIR/students/<student_id>/notebooks/      student versions; data_dir = "../data"
    DIR/keys/<student_id>/answers.json        answer key (all notebooks)
    DIR/keys/<student_id>/<nb>/<nb>.ipynb     solution executed on the student's data
    DIR/keys/<student_id>/<nb>/results.json   its results.json

Each ``DIR/students/<student_id>`` folder is self-contained (relative paths)
and can be zipped and handed out. A student's seed is
``int.from_bytes(HMAC-SHA256(salt, student_id)[:8], "big") mod 2**31``
(:func:`student_seed`): stable for a course salt, unguessable without it.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from . import cli as _cli  # attributes looked up at call time (crmlab.cli may import this module)

__all__ = ["student_seed", "strip_solutions", "add_nbgrader_metadata", "find_exercises", "record_answers",
           "build_assignment", "grade_submission", "read_roster", "strip_outputs", "add_subcommands",
           "cmd_assignment", "cmd_grade", "ExerciseMarkupError", "SALT_ENV"]

SALT_ENV = "CRMLAB_COURSE_SALT"
ANSWERS_FILE = "recorded_answers.json"
ANSWERS_TAG = "crmlab-answers"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
_ANSWER = re.compile(r"^\s*#\s*answer:\s*(?P<name>[A-Za-z_]\w*)(?P<opts>(?:\s+\w+=\S+)*)\s*$")
_POINTS = re.compile(r"^\s*#\s*points:\s*(?P<n>\d+(?:\.\d+)?)\s*$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DEFAULT_REL, DEFAULT_ABS = 1e-6, 1e-9


class ExerciseMarkupError(ValueError):
    """Solution / hidden-test markers are unbalanced (the message names notebook and cell)."""


# ----------------------------------------------------------------------------- seeds and roster
def student_seed(student_id: str, salt: str) -> int:
    """The dataset seed of one student.

    Parameters
    ----------
    student_id : str
    salt : str
        The course secret; the same salt and id always give the same seed.

    Returns
    -------
    int in ``[0, 2**31)``.

    Notes
    -----
    ``seed = int.from_bytes(HMAC-SHA256(key=salt, msg=student_id)[:8], "big") mod 2**31``.

    Examples
    --------
    >>> student_seed("s001", "course-salt-2026") == student_seed("s001", "course-salt-2026")
    True
    >>> 0 <= student_seed("s001", "course-salt-2026") < 2**31
    True
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError("salt must be a non-empty string (the course secret)")
    sid = str(student_id).strip()
    if not sid:
        raise ValueError("student_id must be a non-empty string")
    digest = hmac.new(salt.encode("utf-8"), sid.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % 2**31


def read_roster(roster: str | os.PathLike | pd.DataFrame) -> pd.DataFrame:
    """Read and check a roster (CSV path or DataFrame) with ``student_id`` and optional ``name``.

    Raises
    ------
    ValueError
        No ``student_id`` column, empty roster, empty, duplicated or unsafe ids
        (ids become folder names: letters, digits, ``.``, ``_``, ``-``).
    """
    if isinstance(roster, pd.DataFrame):
        df = roster.copy()
    else:
        try:
            df = pd.read_csv(roster, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.EmptyDataError) as e:
            raise ValueError(f"roster {roster}: cannot read ({e})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if "student_id" not in df.columns:
        raise ValueError(f"roster: no 'student_id' column (columns: {', '.join(df.columns) or 'none'})")
    if df.empty:
        raise ValueError("roster: no students (the table is empty)")
    ids = df["student_id"].astype(str).str.strip()
    bad = [s for s in ids if not _SAFE_ID.match(s)]
    if bad:
        raise ValueError(f"roster: student_id values must be non-empty and use only letters, digits, '.', '_', '-'"
                         f" (bad: {', '.join(repr(b) for b in bad[:5])})")
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        raise ValueError(f"roster: duplicated student_id {', '.join(dup[:5])}")
    out = pd.DataFrame({"student_id": ids})
    if "name" in df.columns:
        out["name"] = df["name"].astype(str)
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------- notebook markup
def _nb_name(nb, name: str | None) -> str:
    return name or nb.metadata.get("crmlab", {}).get("name") or "notebook"


def _regions(lines: list[str], begin: str, end: str, where: str) -> list[tuple[int, int]]:
    """(begin, end) line indices of the marker regions; raises on unbalanced markers."""
    out, start = [], None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith(begin):
            if start is not None:
                raise ExerciseMarkupError(f"{where}: '{begin}' on line {i + 1} inside an open region "
                                          f"(opened on line {start + 1}); add '{end}' first")
            start = i
        elif s.startswith(end):
            if start is None:
                raise ExerciseMarkupError(f"{where}: '{end}' on line {i + 1} without a matching '{begin}'")
            out.append((start, i))
            start = None
    if start is not None:
        raise ExerciseMarkupError(f"{where}: '{begin}' on line {start + 1} is never closed by '{end}'")
    return out


def _parse_answer_opts(opts: str, where: str) -> dict[str, float]:
    out = {"rel_tol": DEFAULT_REL, "abs_tol": DEFAULT_ABS, "points": 1.0}
    keys = {"rel": "rel_tol", "abs": "abs_tol", "points": "points"}
    for item in opts.split():
        k, v = item.split("=", 1)
        if k not in keys:
            raise ExerciseMarkupError(f"{where}: unknown answer option {k!r} (use rel=, abs=, points=)")
        try:
            out[keys[k]] = float(v)
        except ValueError:
            raise ExerciseMarkupError(f"{where}: answer option {item!r} is not a number") from None
    return out


def find_exercises(nb, name: str | None = None) -> list[dict[str, Any]]:
    """The exercises of a notebook, by the conventions of the module docstring.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    name : str, optional
        Notebook name used in ``grade_id`` and messages (default: ``nb.metadata.crmlab.name``).

    Returns
    -------
    list of dict with ``k``, ``grade_id``, ``cell`` (index of the solution
    cell), ``test_cell`` (index or None), ``points`` and ``answers`` (list of
    dict: ``name``, ``rel_tol``, ``abs_tol``, ``points``).

    Raises
    ------
    ExerciseMarkupError
        Unbalanced or misplaced markers, naming the notebook and the cell.
    """
    nbname = _nb_name(nb, name)
    exercises: list[dict[str, Any]] = []
    for i, cell in enumerate(nb.cells):
        where = f"{nbname}, cell {i}"
        lines = cell.source.splitlines()
        sol = _regions(lines, BEGIN_SOLUTION, END_SOLUTION, where)
        hid = _regions(lines, BEGIN_HIDDEN, END_HIDDEN, where)
        if cell.cell_type != "code":
            if sol or hid:
                raise ExerciseMarkupError(f"{where}: solution/test markers are only allowed in code cells")
            continue
        if sol and hid:
            raise ExerciseMarkupError(f"{where}: a cell cannot hold both a solution and hidden tests; split it")
        if sol:
            answers = []
            for ln in lines:
                m = _ANSWER.match(ln)
                if m:
                    answers.append({"name": m.group("name"), **_parse_answer_opts(m.group("opts"), where)})
            k = len(exercises) + 1
            exercises.append({"k": k, "grade_id": f"{nbname}-ex{k}", "cell": i, "test_cell": None,
                              "answers": answers, "points": None})
            continue
        is_test = bool(hid) or any(ln.lstrip().startswith("assert") for ln in lines)
        if hid and (not exercises or exercises[-1]["test_cell"] is not None):
            raise ExerciseMarkupError(f"{where}: hidden tests must follow an exercise's solution cell")
        if is_test and exercises and exercises[-1]["test_cell"] is None:
            ex = exercises[-1]
            ex["test_cell"] = i
            pts = [float(m.group("n")) for m in map(_POINTS.match, lines) if m]
            ex["points"] = pts[0] if pts else None
    for ex in exercises:
        total = sum(a["points"] for a in ex["answers"])
        if ex["points"] is None:
            ex["points"] = total or 1.0
        elif total > 0:  # a "# points: N" line rescales the answers' points to sum to N
            for a in ex["answers"]:
                a["points"] = a["points"] * ex["points"] / total
    return exercises


def _strip_cell_source(source: str, where: str) -> str:
    lines = source.splitlines()
    hidden = _regions(lines, BEGIN_HIDDEN, END_HIDDEN, where)
    sol = _regions(lines, BEGIN_SOLUTION, END_SOLUTION, where)
    drop: set[int] = set()
    stub_at: dict[int, str] = {}
    for a, b in hidden:
        drop.update(range(a, b + 1))
    for a, b in sol:
        drop.update(range(a, b + 1))
        indent = lines[a][: len(lines[a]) - len(lines[a].lstrip())]
        stub_at[a] = indent
    out: list[str] = []
    for i, ln in enumerate(lines):
        if i in stub_at:
            out += [stub_at[i] + s for s in STUB]
        if i not in drop:
            out.append(ln)
    return "\n".join(out)


def strip_solutions(nb, name: str | None = None):
    """The student version of a notebook.

    Every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
    ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` (at the indentation
    of the ``BEGIN`` line, as nbgrader's ``ClearSolutions``); hidden-test
    regions are removed with their markers; outputs and execution counts are
    cleared. The input is not modified.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    name : str, optional
        Notebook name for error messages.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    ExerciseMarkupError
        Unbalanced markers (the message names the notebook and the cell).

    Examples
    --------
    >>> from crmlab.runner import source_to_notebook
    >>> nb = source_to_notebook("# %%\\nx = 1\\n### BEGIN SOLUTION\\ny = x + 1\\n### END SOLUTION\\n")
    >>> print(strip_solutions(nb).cells[0].source)
    x = 1
    # YOUR CODE HERE
    raise NotImplementedError()
    """
    nbname = _nb_name(nb, name)
    find_exercises(nb, nbname)  # validates all markers first
    out = copy.deepcopy(nb)
    for i, cell in enumerate(out.cells):
        if cell.cell_type == "code":
            cell.source = _strip_cell_source(cell.source, f"{nbname}, cell {i}")
            cell.outputs = []
            cell.execution_count = None
    return out


def add_nbgrader_metadata(nb, notebook_name: str):
    """Copy of ``nb`` with nbgrader cell metadata on solution and grade cells.

    ``grade_id`` is ``"<notebook_name>-ex<k>"`` for the solution cell of
    exercise ``k`` and ``"<notebook_name>-ex<k>-test"`` for its grade cell
    (schema version 3). Other cells are left as they are.

    Returns
    -------
    nbformat.NotebookNode
    """
    out = copy.deepcopy(nb)
    for ex in find_exercises(out, notebook_name):
        out.cells[ex["cell"]].metadata["nbgrader"] = {
            "solution": True, "grade": False, "grade_id": ex["grade_id"], "locked": False, "schema_version": 3}
        if ex["test_cell"] is not None:
            out.cells[ex["test_cell"]].metadata["nbgrader"] = {
                "grade": True, "points": ex["points"], "grade_id": f"{ex['grade_id']}-test", "solution": False,
                "locked": True, "schema_version": 3}
    return out


def _answers_cell(names: Sequence[str]):
    from nbformat.v4 import new_code_cell

    src = ("# Records your answers for grading - do not edit or delete this cell.\n"
           "from crmlab.teaching import record_answers\n"
           f"record_answers(globals(), {list(names)!r}, output_dir)")
    cell = new_code_cell(src)
    cell.metadata["tags"] = [ANSWERS_TAG]
    return cell


def _with_answers_cell(nb, names: Sequence[str]):
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if ANSWERS_TAG not in c.metadata.get("tags", [])]
    if names:
        out.cells.append(_answers_cell(names))
    return out


def record_answers(namespace: Mapping[str, Any], names: Sequence[str], output_dir: str | os.PathLike = ".") -> Path:
    """Save the values of the answer variables ``names`` (``None`` if undefined) as JSON.

    Called by the last cell of exercise notebooks; writes
    ``output_dir/recorded_answers.json``.
    """
    from .notebook import write_results

    values = {n: _safe_value(namespace.get(n)) for n in names}
    return write_results(values, output_dir, name=ANSWERS_FILE)


def _safe_value(x: Any) -> Any:
    from .notebook import _jsonable

    v = _jsonable(x)
    try:
        json.dumps(v, allow_nan=False)
    except (TypeError, ValueError):
        return repr(x)
    return v


def _set_parameters(nb, values: Mapping[str, Any]):
    """Rewrite ``name = ...`` lines of the parameters cell."""
    out = copy.deepcopy(nb)
    cell = next((c for c in out.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        raise ValueError("notebook has no code cell tagged 'parameters'")
    lines = cell.source.splitlines()
    for key, val in values.items():
        pat = re.compile(rf"^{re.escape(key)}\s*=")
        hits = [i for i, ln in enumerate(lines) if pat.match(ln)]
        if hits:
            lines[hits[0]] = f"{key} = {val!r}"
        else:
            lines.append(f"{key} = {val!r}")
    cell.source = "\n".join(lines)
    return out


# ----------------------------------------------------------------------------- execution
def _execute(nb, cwd: Path, out_nb: Path, parameters: Mapping[str, Any], *, timeout: int, allow_errors: bool,
             name: str) -> tuple[Any, list[str]]:
    """Execute a notebook (papermill parameters + nbclient) in ``cwd``; return it and its cell errors."""
    import nbformat
    from nbclient import NotebookClient
    from papermill.parameterize import parameterize_notebook

    from .runner import NotebookRunError

    from papermill.iorw import load_notebook_node

    with tempfile.TemporaryDirectory(prefix="crmlab-nb-") as tmp:  # papermill's metadata and tags on every cell
        nbformat.write(nb, Path(tmp) / "in.ipynb")
        nb = load_notebook_node(str(Path(tmp) / "in.ipynb"))
    nb = parameterize_notebook(nb, dict(parameters), report_mode=False)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except Exception as e:  # cell error without allow_errors, kernel death, timeout
        nbformat.write(nb, out_nb)
        msg = getattr(e, "ename", None) or type(e).__name__
        raise NotebookRunError(f"{name}: execution failed with {msg}: {str(e).strip().splitlines()[-1:]}"
                               f" (executed copy: {out_nb})") from None
    nbformat.write(nb, out_nb)
    original = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    errors = [f"cell {i}: {o.ename}: {o.evalue}" for i, c in enumerate(original) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]  # cell numbers of the input notebook
    return nb, errors


# ----------------------------------------------------------------------------- building
def _load_notebooks(notebooks: Sequence[Any]) -> list[tuple[str, Any]]:
    import nbformat

    from .runner import find_notebooks

    out = []
    for item in notebooks:
        if isinstance(item, (str, os.PathLike)) and Path(item).suffix == ".ipynb" and Path(item).is_file():
            paths = [Path(item)]
        elif isinstance(item, (str, os.PathLike)):
            paths = find_notebooks([str(item)])
        else:
            raise ValueError(f"notebooks: expected names or .ipynb paths, got {type(item).__name__}")
        for p in paths:
            out.append((p.stem, nbformat.read(p, as_version=4)))
    if not out:
        raise ValueError("notebooks: none given")
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"notebooks: duplicated names {names}")
    return out


def _answer_entries(exercises, recorded: Mapping[str, Any], results: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries = []
    for ex in exercises:
        for a in ex["answers"]:
            entries.append({"name": a["name"], "source": "answer", "exercise": ex["grade_id"],
                            "value": recorded.get(a["name"]), "rel_tol": a["rel_tol"], "abs_tol": a["abs_tol"],
                            "points": a["points"]})
    for key, val in results.items():
        if isinstance(val, (int, float, bool, str)) or val is None:
            entries.append({"name": key, "source": "results", "exercise": None, "value": val,
                            "rel_tol": DEFAULT_REL, "abs_tol": DEFAULT_ABS, "points": 0.0})
    return entries


def build_assignment(roster: str | os.PathLike | pd.DataFrame, notebooks: Sequence[str | os.PathLike],
                     out: str | os.PathLike, *, salt: str, preset: str = "classroom",
                     n_customers: int | None = None, execute_keys: bool = True, assignment: str | None = None,
                     force: bool = False, timeout: int = 600,
                     progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write per-student datasets, student notebooks, answer keys and an nbgrader source folder.

    Parameters
    ----------
    roster : path to a CSV or DataFrame
        Columns ``student_id`` and optionally ``name``.
    notebooks : sequence of str or path
        Notebook names/number prefixes (see :func:`crmlab.runner.find_notebooks`)
        or ``.ipynb`` paths; each holds exercises marked as in the module docstring.
    out : path-like
        Output folder (layout in the module docstring); built in a temporary
        folder next to it and renamed when complete.
    salt : str
        Course secret for :func:`student_seed`.
    preset : str, default "classroom"
    n_customers : int, optional
        Size override of the preset.
    execute_keys : bool, default True
        Execute each solution notebook on each student's data (papermill
        parameters, nbclient) and write ``keys/<student>/answers.json``.
    assignment : str, optional
        nbgrader assignment name (default: the name of ``out``).
    force : bool, default False
        Replace an existing non-empty ``out``.
    timeout : int
        Per-cell timeout in seconds when executing keys.
    progress : callable, optional
        Called with a short message after each student.

    Returns
    -------
    dict
        The content of ``assignment.json``: ``assignment``, ``preset``,
        ``n_customers``, ``notebooks`` and ``students`` (``student_id``, ``seed``).

    Raises
    ------
    ValueError
        Bad roster, unknown notebook, existing output, markup errors.
    crmlab.runner.NotebookRunError
        A solution notebook fails on a student's data (nothing is written).
    """
    from ._fs import replace_dir, write_json_atomic

    target = Path(out).expanduser()
    if target.exists() and not target.is_dir():
        raise ValueError(f"out {target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ValueError(f"out {target}: exists and is not empty; choose another folder or use force=True")
    students = read_roster(roster)
    nbs = _load_notebooks(notebooks)
    name = assignment or target.name
    prepared = []
    for nbname, nb in nbs:
        exercises = find_exercises(nb, nbname)
        if not exercises:
            raise ValueError(f"{nbname}: no exercises (no '{BEGIN_SOLUTION}' markers)")
        names = list(dict.fromkeys(a["name"] for ex in exercises for a in ex["answers"]))
        solution = _with_answers_cell(nb, names)
        prepared.append((nbname, solution, exercises))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        info = _build_into(tmp, students, prepared, name=name, salt=salt, preset=preset, n_customers=n_customers,
                           execute_keys=execute_keys, timeout=timeout, progress=progress)
        write_json_atomic(info, tmp / "assignment.json")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return info


def _build_into(root: Path, students: pd.DataFrame, prepared, *, name, salt, preset, n_customers, execute_keys,
                timeout, progress) -> dict[str, Any]:
    """Write source/, students/ and keys/ into ``root``; return the assignment info."""
    import nbformat

    from .dataset import make_retail_crm
    from .io import save_dataset, write_json_atomic

    src = root / "source" / name
    src.mkdir(parents=True)
    for nbname, solution, _ in prepared:
        clean = strip_outputs(add_nbgrader_metadata(solution, nbname))
        nbformat.write(clean, src / f"{nbname}.ipynb")
    overrides = {} if n_customers is None else {"n_customers": int(n_customers)}
    info: dict[str, Any] = {"format": "crmlab-assignment/1", "assignment": name, "preset": preset,
                            "n_customers": n_customers, "notebooks": [n for n, _, _ in prepared], "students": []}
    for sid in students["student_id"]:
        seed = student_seed(sid, salt)
        home = root / "students" / sid
        data_dir = home / "data"
        save_dataset(make_retail_crm(preset, seed=seed, **overrides), data_dir, include_truth=False)
        (home / "notebooks").mkdir(parents=True)
        params = {"data_dir": "../data", "preset": preset, "seed": seed, "n_customers": n_customers}
        key: dict[str, Any] = {"format": "crmlab-answers/1", "student_id": sid, "seed": seed, "preset": preset,
                               "n_customers": n_customers, "data_dir": f"../../students/{sid}/data", "notebooks": {}}
        for nbname, solution, exercises in prepared:
            student = _set_parameters(strip_solutions(solution, nbname), params)
            nbformat.validate(student)
            nbformat.write(student, home / "notebooks" / f"{nbname}.ipynb")
            if execute_keys:
                key["notebooks"][nbname] = _run_key(root, sid, nbname, solution, exercises, data_dir, timeout)
        if execute_keys:
            (root / "keys" / sid).mkdir(parents=True, exist_ok=True)
            write_json_atomic(key, root / "keys" / sid / "answers.json")
        info["students"].append({"student_id": sid, "seed": seed})
        if progress:
            progress(f"{sid}: done")
    return info


def strip_outputs(nb):
    """Copy of ``nb`` without outputs and execution counts."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return out


def _run_key(root: Path, sid: str, nbname: str, solution, exercises, data_dir: Path, timeout: int) -> dict:
    dest = root / "keys" / sid / nbname
    dest.mkdir(parents=True)
    params = {"data_dir": str(data_dir.resolve()), "output_dir": str(dest.resolve())}
    _execute(solution, dest, dest / f"{nbname}.ipynb", params, timeout=timeout, allow_errors=False, name=nbname)
    # make the executed key portable: relative paths in its parameters cell
    _write_relative_params(dest / f"{nbname}.ipynb", {"data_dir": f"../../../students/{sid}/data", "output_dir": "."})
    results = _read_json(dest / "results.json")
    recorded = _read_json(dest / ANSWERS_FILE)
    return {"answers": _answer_entries(exercises, recorded, results),
            "exercises": [{"grade_id": e["grade_id"], "points": e["points"]} for e in exercises]}


def _write_relative_params(path: Path, values: Mapping[str, str]) -> None:
    """Rewrite papermill's injected parameters of an executed notebook (portable key folders)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            lines = cell.source.splitlines()
            for k, v in values.items():
                lines = [f"{k} = {v!r}" if re.match(rf"^{re.escape(k)}\s*=", ln) else ln for ln in lines]
            cell.source = "\n".join(lines)
    nbformat.write(nb, path)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- grading
def _close(got: Any, want: Any, rel: float, abs_: float) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if math.isnan(float(want)) or math.isnan(float(got)):
            return False
        return abs(float(got) - float(want)) <= max(abs_, rel * abs(float(want)))
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_close(g, w, rel, abs_) for g, w in zip(got, want))
    if isinstance(want, dict) and isinstance(got, dict):
        return set(got) == set(want) and all(_close(got[k], want[k], rel, abs_) for k in want)
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
                     timeout: int = 600) -> pd.DataFrame:
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
    pandas.DataFrame
        One row per answer: ``name``, ``source`` (``answer`` or ``results``),
        ``exercise``, ``expected``, ``submitted``, ``ok``, ``points``,
        ``earned``. ``df.attrs`` holds ``score``, ``max_score`` and ``errors``
        (the cells that raised; execution continues after a failing cell so
        that finished exercises still earn their points).

    Raises
    ------
    crmlab.runner.NotebookRunError
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
    nb = _with_answers_cell(nb, names)
    params: dict[str, Any] = {}
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).expanduser().resolve())
    elif key_dir is not None and key.get("data_dir") and (key_dir / key["data_dir"]).is_dir():
        params["data_dir"] = str((key_dir / key["data_dir"]).resolve())
    with tempfile.TemporaryDirectory(prefix="crmlab-grade-") as tmp:
        params["output_dir"] = tmp
        _, errors = _execute(nb, sub.parent.resolve(), Path(tmp) / sub.name, params, timeout=timeout,
                             allow_errors=True, name=sub.name)
        recorded = _read_json(Path(tmp) / ANSWERS_FILE)
        results = _read_json(Path(tmp) / "results.json")
    rows = []
    for e in entries:
        got_from = recorded if e["source"] == "answer" else results
        got = got_from.get(e["name"])
        ok = got is not None and _close(got, e["value"], e["rel_tol"], e["abs_tol"])
        rows.append({"name": e["name"], "source": e["source"], "exercise": e["exercise"], "expected": e["value"],
                     "submitted": got, "ok": bool(ok), "points": float(e["points"]),
                     "earned": float(e["points"]) if ok else 0.0})
    df = pd.DataFrame(rows, columns=["name", "source", "exercise", "expected", "submitted", "ok", "points",
                                     "earned"])
    df.attrs.update(score=float(df["earned"].sum()), max_score=float(df["points"].sum()), errors=errors)
    return df


# ----------------------------------------------------------------------------- CLI
def cmd_assignment(args: argparse.Namespace) -> int:
    """``crmlab assignment --roster R.csv --notebooks 01 02 --out DIR``."""
    salt = args.salt or os.environ.get(SALT_ENV)
    if not salt or len(salt) < 8:
        raise _cli.CLIError(f"assignment needs a course salt of at least 8 characters: pass --salt SECRET or set "
                            f"{SALT_ENV}; keep it secret and reuse it to get the same student datasets")
    try:
        info = build_assignment(args.roster, args.notebooks, args.out, salt=salt, preset=args.preset,
                                n_customers=args.n_customers, execute_keys=not args.no_keys,
                                assignment=args.assignment, force=args.force, timeout=args.timeout,
                                progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except ValueError as e:
        raise _cli.CLIError(str(e)) from None
    if not args.quiet:
        print(f"wrote {args.out}: {len(info['students'])} students x {len(info['notebooks'])} notebooks "
              f"({', '.join(info['notebooks'])}); hand out {args.out}/students/<student_id>/")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """``crmlab grade SUBMITTED.ipynb --key DIR/keys/<student>/answers.json``; exit 1 if a cell failed."""
    from .runner import NotebookRunError

    try:
        df = grade_submission(args.submission, args.key, notebook=args.notebook, data_dir=args.data,
                              timeout=args.timeout)
    except ValueError as e:
        raise _cli.CLIError(str(e)) from None
    except NotebookRunError as e:
        raise _cli.CLIError(str(e), code=_cli.EXIT_INVALID) from None
    if args.json:
        print(json.dumps({"score": df.attrs["score"], "max_score": df.attrs["max_score"],
                          "errors": df.attrs["errors"], "answers": json.loads(df.to_json(orient="records"))},
                         indent=2))
    else:
        with pd.option_context("display.width", 120, "display.max_colwidth", 30):
            print(df.to_string(index=False))
        print(f"\nscore: {df.attrs['score']:g} / {df.attrs['max_score']:g}")
        for err in df.attrs["errors"]:
            print(f"error: {err}")
    return _cli.EXIT_INVALID if df.attrs["errors"] else 0


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``assignment`` and ``grade`` on ``crmlab``'s subparsers."""
    a = subparsers.add_parser(
        "assignment", help="per-student datasets, student notebooks and answer keys from exercise notebooks",
        description="For each student of the roster: a dataset from a seed derived from the course salt and the "
                    "student id (without truth.json), the student version of each notebook (solutions replaced "
                    "by 'raise NotImplementedError()', hidden tests removed) and an answer key; plus an nbgrader "
                    "source folder. Written atomically.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    a.add_argument("--roster", required=True, metavar="ROSTER.csv", help="CSV with student_id (and optional name)")
    a.add_argument("--notebooks", required=True, nargs="+", metavar="NB", help="notebook names, prefixes or paths")
    a.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    a.add_argument("--salt", default=None, help=f"course secret (default: ${SALT_ENV})")
    a.add_argument("--preset", default="classroom", help="dataset preset")
    a.add_argument("--n-customers", type=int, default=None, help="override the preset's number of customers")
    a.add_argument("--assignment", default=None, help="nbgrader assignment name (default: name of --out)")
    a.add_argument("--no-keys", action="store_true", help="do not execute the solutions (no answer keys)")
    a.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    a.add_argument("--force", action="store_true", help="replace a non-empty output folder when complete")
    a.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    a.set_defaults(func=cmd_assignment, command="assignment")

    g = subparsers.add_parser(
        "grade", help="execute a submitted notebook and score it against an answer key",
        description="Execute the notebook in a temporary folder (cells after a failing one still run), compare "
                    "the recorded answers with answers.json and print a table and the score. Exit 1 if any cell "
                    "raised an error or the notebook could not run.")
    g.add_argument("submission", metavar="SUBMITTED.ipynb")
    g.add_argument("--key", required=True, metavar="answers.json", help="DIR/keys/<student_id>/answers.json")
    g.add_argument("--notebook", default=None, help="notebook name in the key (default: the file name)")
    g.add_argument("--data", default=None, metavar="DIR", help="the student's dataset (default: from the key)")
    g.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    g.add_argument("--json", action="store_true", help="print JSON instead of a table")
    g.set_defaults(func=cmd_grade, command="grade")
