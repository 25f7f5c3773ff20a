"""Exercise markup: finding exercises in a notebook, the student version, nbgrader metadata.

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
``ClearSolutions``), removes hidden-test regions (a grade cell left without
code says so in a comment), and clears outputs and execution counts. Its
text must not speak of markers the student never sees: "between the markers"
in Markdown becomes "in place of ``raise NotImplementedError()``", and any
other mention of the markers (:func:`marker_mentions`) is an error when an
assignment is built. A locked last cell (tag ``crmlab-answers``) calls
:func:`crmlab.teaching.grading.record_answers`, which saves the answer variables to
``output_dir/recorded_answers.json``; the grader reads that file and the
notebook's ``results.json``.

**Written tasks** (graded by hand) follow the course conventions: a Markdown
cell tagged ``written`` whose first line is ``<!-- points: N -->`` followed by
a model outline is the answer cell of written task ``k`` (numbered 1, 2, ...
in cell order; :func:`find_written`); a Markdown cell tagged ``rubric`` holds
its rubric, and a cell tagged ``quiz-answers`` the quiz answers. In the
nbgrader source folder (:func:`add_nbgrader_metadata`) the answer cell is a
manually graded answer cell ``{"solution": true, "grade": true, "points": N,
"grade_id": "<notebook>-written<k>"}``. The student version shows ``YOUR
ANSWER HERE`` (``在此作答`` in the Chinese edition) in its place and has no
``rubric`` or ``quiz-answers`` cell; the instructor keeps them (the executed
keys, the instructor guide). Student copies run on synthetic data handed out
without its truth, so the lessons' "no truth available (real data)" becomes a
sentence saying that the instructor keeps the truth.

The markers are parsed here; :mod:`crmlab.teaching.assignment` builds the
student versions and keys from them and :mod:`crmlab.teaching.grading` scores
submissions.

Examples
--------
>>> from crmlab.notebook.sources import source_to_notebook
>>> text = "# %%\\n# answer: y points=2\\n### BEGIN SOLUTION\\ny = 2\\n### END SOLUTION\\n"
>>> nb = source_to_notebook(text + "\\n# %%\\nassert y\\n")
>>> [(e["grade_id"], e["cell"], e["test_cell"], e["points"]) for e in find_exercises(nb, "nb")]
[('nb-ex1', 0, 1, 2.0)]
"""

from __future__ import annotations

import copy
import re
from typing import Any, Mapping

__all__ = ["find_exercises", "find_written", "strip_solutions", "add_nbgrader_metadata", "strip_outputs",
           "set_parameters", "marker_mentions", "cells_tagged",
           "ExerciseMarkupError", "BEGIN_SOLUTION", "END_SOLUTION", "BEGIN_HIDDEN", "END_HIDDEN", "STUB",
           "DEFAULT_REL", "DEFAULT_ABS", "WRITTEN_TAG", "RUBRIC_TAG", "QUIZ_ANSWERS_TAG", "INSTRUCTOR_TAGS"]

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
DEFAULT_REL, DEFAULT_ABS = 1e-6, 1e-9
_ANSWER = re.compile(r"^\s*#\s*answer:\s*(?P<name>[A-Za-z_]\w*)(?P<opts>(?:\s+\w+=\S+)*)\s*$")
_POINTS = re.compile(r"^\s*#\s*points:\s*(?P<n>\d+(?:\.\d+)?)\s*$")
_BETWEEN = re.compile(r"between the markers", re.IGNORECASE)
_MARKER_NAMES = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS", re.IGNORECASE)
_MENTION = re.compile(r"\bmarkers?\b|标记之间", re.IGNORECASE)  # in Markdown and comments (not marker="o")
_BETWEEN_ZH = re.compile(r"在?(两个)?标记之间")
#: Tags of the course conventions: a hand-graded answer cell, its rubric, the quiz answers.
WRITTEN_TAG, RUBRIC_TAG, QUIZ_ANSWERS_TAG = "written", "rubric", "quiz-answers"
#: Cells only the instructor sees (removed from student versions).
INSTRUCTOR_TAGS = (RUBRIC_TAG, QUIZ_ANSWERS_TAG)
_WRITTEN_POINTS = re.compile(r"^\s*<!--\s*points:\s*(?P<n>\d+(?:\.\d+)?)\s*-->\s*$")
#: What the lessons print when a dataset has no truth - true of real extracts, not of a student's synthetic copy.
_REAL_DATA_NOTE = re.compile(r"""(["'])no truth available \(real data\)\1""")


class ExerciseMarkupError(ValueError):
    """Solution / hidden-test markers are unbalanced (the message names notebook and cell)."""



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


def cells_tagged(nb, tag: str) -> list[int]:
    """Indices of the cells carrying ``tag``."""
    return [i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", [])]


def find_written(nb, name: str | None = None) -> list[dict[str, Any]]:
    """The written tasks (graded by hand) of a notebook: Markdown cells tagged ``written``.

    Returns
    -------
    list of dict with ``k``, ``grade_id`` (``"<notebook>-written<k>"``),
    ``cell`` (index), ``points`` (from the first line ``<!-- points: N -->``),
    ``outline`` (the model outline: the cell without that line) and
    ``rubric`` (the text of the next cell tagged ``rubric`` before the next
    written task, or ``""``).

    Raises
    ------
    ExerciseMarkupError
        A ``written`` cell that is not Markdown or does not start with ``<!-- points: N -->``.

    Examples
    --------
    >>> from crmlab.notebook.sources import source_to_notebook
    >>> nb = source_to_notebook('# %% [markdown] tags=["written"]\\n# <!-- points: 6 -->\\n# A good memo names ...\\n'
    ...                         '\\n# %% [markdown] tags=["rubric"]\\n# - structure (2)\\n')
    >>> [(w["grade_id"], w["points"], w["outline"], w["rubric"]) for w in find_written(nb, "nb")]
    [('nb-written1', 6.0, 'A good memo names ...', '- structure (2)')]
    """
    nbname = _nb_name(nb, name)
    out: list[dict[str, Any]] = []
    for i in cells_tagged(nb, WRITTEN_TAG):
        cell = nb.cells[i]
        where = f"{nbname}, cell {i}"
        if cell.cell_type != "markdown":
            raise ExerciseMarkupError(f"{where}: a cell tagged '{WRITTEN_TAG}' must be a Markdown cell")
        lines = cell.source.splitlines()
        first = next((j for j, ln in enumerate(lines) if ln.strip()), None)
        m = _WRITTEN_POINTS.match(lines[first]) if first is not None else None
        if m is None:
            raise ExerciseMarkupError(f"{where}: a written task's first line must be '<!-- points: N -->' "
                                      "(the points of the task)")
        out.append({"k": len(out) + 1, "grade_id": f"{nbname}-written{len(out) + 1}", "cell": i,
                    "points": float(m.group("n")), "outline": "\n".join(lines[first + 1:]).strip(), "rubric": ""})
    for w, nxt in zip(out, [*(x["cell"] for x in out[1:]), len(nb.cells)]):
        rubric = [j for j in cells_tagged(nb, RUBRIC_TAG) if w["cell"] < j < nxt]
        if rubric:
            w["rubric"] = nb.cells[rubric[0]].source.strip()
    return out


def _strip_cell_source(source: str, where: str, lang: str = "en") -> str:
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
    from .texts import MESSAGES

    stub = (MESSAGES("code.stub", lang), STUB[1])
    out: list[str] = []
    for i, ln in enumerate(lines):
        if i in stub_at:
            out += [stub_at[i] + s for s in stub]
        if i not in drop:
            out.append(ln)
    if hidden and not any(ln.strip() and not ln.lstrip().startswith("#") for ln in out):
        out.append(MESSAGES("graded_later", lang))  # a grade cell whose checks were all hidden
    text = "\n".join(out)
    return _REAL_DATA_NOTE.sub(lambda m: repr(MESSAGES("truth.withheld", lang)), text)


def strip_solutions(nb, name: str | None = None, lang: str = "en"):
    """The student version of a notebook.

    Every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
    ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` (at the indentation
    of the ``BEGIN`` line, as nbgrader's ``ClearSolutions``); hidden-test
    regions are removed with their markers; a written task's answer cell shows
    ``YOUR ANSWER HERE`` instead of the model outline; ``rubric`` and
    ``quiz-answers`` cells are removed; the lessons' "no truth available (real
    data)" becomes a sentence saying that the instructor keeps the truth of
    this synthetic dataset; outputs and execution counts are cleared. The
    input is not modified.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    name : str, optional
        Notebook name for error messages.
    lang : {"en", "zh"}, default "en"
        Language of the placeholders (the edition of ``nb``).

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    ExerciseMarkupError
        Unbalanced markers (the message names the notebook and the cell).

    Examples
    --------
    >>> from crmlab.notebook.sources import source_to_notebook
    >>> nb = source_to_notebook("# %%\\nx = 1\\n### BEGIN SOLUTION\\ny = x + 1\\n### END SOLUTION\\n")
    >>> print(strip_solutions(nb).cells[0].source)
    x = 1
    # YOUR CODE HERE
    raise NotImplementedError()
    """
    from ..i18n import check_lang
    from .texts import MESSAGES

    check_lang(lang)
    nbname = _nb_name(nb, name)
    find_exercises(nb, nbname)  # validates all markers first
    written = {w["cell"] for w in find_written(nb, nbname)}
    out = copy.deepcopy(nb)
    for i, cell in enumerate(out.cells):
        if cell.cell_type == "code":
            cell.source = _strip_cell_source(cell.source, f"{nbname}, cell {i}", lang)
            cell.outputs = []
            cell.execution_count = None
        elif i in written:
            cell.source = MESSAGES("written.stub", lang)
        elif cell.cell_type == "markdown":
            place = MESSAGES("student_place", lang)
            cell.source = _BETWEEN_ZH.sub(place, _BETWEEN.sub(place, cell.source))
    out.cells = [c for c in out.cells if not set(INSTRUCTOR_TAGS) & set(c.metadata.get("tags", []))]
    return out


def marker_mentions(nb) -> list[tuple[int, str]]:
    """(cell index, line) of every line that speaks of the solution/test markers.

    A marker's text anywhere, or the word "marker(s)" in Markdown or a comment.

    In a student version (:func:`strip_solutions`) there should be none: the
    student never sees the markers. ``crmlab assignment`` refuses a notebook
    whose student version has any.

    Examples
    --------
    >>> from crmlab.notebook.sources import source_to_notebook
    >>> nb = source_to_notebook("# %% [markdown]\\n# Write your code between the markers.\\n")
    >>> marker_mentions(nb)
    [(0, 'Write your code between the markers.')]
    >>> marker_mentions(strip_solutions(nb))
    []
    """
    return [(i, ln.strip()) for i, cell in enumerate(nb.cells) for ln in cell.source.splitlines()
            if _MARKER_NAMES.search(ln) or ((cell.cell_type != "code" or ln.lstrip().startswith("#"))
                                            and _MENTION.search(ln))]


def add_nbgrader_metadata(nb, notebook_name: str):
    """Copy of ``nb`` with nbgrader cell metadata on solution and grade cells.

    ``grade_id`` is ``"<notebook_name>-ex<k>"`` for the solution cell of
    exercise ``k`` and ``"<notebook_name>-ex<k>-test"`` for its grade cell
    (schema version 3). A written task's answer cell becomes a manually graded
    answer cell (``solution`` and ``grade`` true, its points, ``grade_id``
    ``"<notebook_name>-written<k>"``) holding the model outline followed by
    the rubric; ``rubric`` and ``quiz-answers`` cells are left out (nbgrader
    would hand them out: in its student version a manually graded answer cell
    is replaced as a whole by ``YOUR ANSWER HERE``, other cells are kept).
    Other cells are left as they are.

    Returns
    -------
    nbformat.NotebookNode
    """
    out = copy.deepcopy(nb)
    for w in find_written(out, notebook_name):
        cell = out.cells[w["cell"]]
        if w["rubric"]:
            cell.source = cell.source.rstrip() + "\n\n**Rubric**\n\n" + w["rubric"]
        cell.metadata["nbgrader"] = {"solution": True, "grade": True, "points": w["points"],
                                     "grade_id": w["grade_id"], "locked": False, "schema_version": 3}
    for ex in find_exercises(out, notebook_name):
        out.cells[ex["cell"]].metadata["nbgrader"] = {
            "solution": True, "grade": False, "grade_id": ex["grade_id"], "locked": False, "schema_version": 3}
        if ex["test_cell"] is not None:
            out.cells[ex["test_cell"]].metadata["nbgrader"] = {
                "grade": True, "points": ex["points"], "grade_id": f"{ex['grade_id']}-test", "solution": False,
                "locked": True, "schema_version": 3}
    out.cells = [c for c in out.cells if not set(INSTRUCTOR_TAGS) & set(c.metadata.get("tags", []))]
    return out


def strip_outputs(nb):
    """Copy of ``nb`` without outputs and execution counts."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return out


def set_parameters(nb, values: Mapping[str, Any]):
    """Copy of ``nb`` whose parameters cell sets ``values`` (``name = repr(value)`` lines, rewritten or added).

    Used for the student versions, whose parameters point at the student's own data.

    Raises
    ------
    ValueError
        The notebook has no code cell tagged ``parameters``.
    """
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
