"""Assignments: per-student datasets, student notebooks, answer keys and an nbgrader source folder.

:func:`build_assignment` takes a roster and exercise notebooks (markup in
:mod:`crmlab.teaching.markup`) and writes, atomically, a term's material::

    DIR/assignment.json                       notebooks, preset, students, their seeds and dataset ids
    DIR/source/<assignment>/<nb>.ipynb        solution notebooks with nbgrader metadata
                                              (a valid nbgrader "source" folder)
    DIR/students/<student_id>/data/           the student's dataset, WITHOUT truth.json and seed
    DIR/students/<student_id>/notebooks/      student versions; data_dir = "../data"
    DIR/keys/<student_id>/answers.json        answer key (all notebooks)
    DIR/keys/<student_id>/<nb>/<nb>.ipynb     solution executed on the student's data
    DIR/keys/<student_id>/<nb>/results.json   its results.json

Each ``DIR/students/<student_id>`` folder is self-contained (relative paths)
and can be zipped and handed out. Each student's dataset comes from
:func:`crmlab.teaching.roster.student_seed`, but the seed stays on the
instructor's side (``assignment.json``, ``keys/``): the student's
``manifest.json`` records the scenario without its seed plus an opaque
``dataset_id`` (:func:`crmlab.teaching.roster.dataset_id`), and the student
notebooks get ``dataset_id`` as a parameter and keep the notebook's own
``seed`` (the random state of its methods, the same one the keys are computed
with). The keys are computed by executing the solutions on that dataset
(:func:`crmlab.notebook.execute.execute_notebook`, minimal environment) and are
read by :func:`crmlab.teaching.grading.grade_submission`.

The term folder is private: ``DIR`` is made ``0700`` (only its owner can
enter it) and ``keys/`` holds ``0700`` folders and ``0600`` files, so that a
grading kernel running as another user (``crmlab grade`` as root) cannot read
them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from .grading import ANSWERS_FILE, read_json, with_answers_cell
from .markup import (BEGIN_SOLUTION, DEFAULT_ABS, DEFAULT_REL, ExerciseMarkupError, add_nbgrader_metadata,
                     find_exercises, find_written, marker_mentions, set_parameters, strip_outputs, strip_solutions)
from .roster import dataset_id, read_roster, student_seed

__all__ = ["build_assignment", "answer_key_entries"]


def _lesson_notebook(stem: str, built: Path, lang: str) -> Any:
    """A lesson by its name: the ``lang`` edition of its source (``src/<stem>.py``), else its built notebook."""
    import nbformat

    from ..notebook.sources import source_to_notebook, translation_problems

    src = built.parent / "src" / f"{stem}.py"
    if src.is_file():
        text = src.read_text(encoding="utf-8")
        if lang != "en":
            problems = translation_problems(text, lang)
            if problems:
                raise ValueError(f"notebooks: {stem} has no complete {lang} edition yet ({len(problems)} Markdown "
                                 f"cell(s) without a translation; first: {problems[0]}); translate them or use "
                                 "--lang en")
        return source_to_notebook(text, lang=lang)
    path = built if lang == "en" else built.parent / lang / built.name
    if not path.is_file():
        raise ValueError(f"notebooks: {stem} has no {lang} edition")
    return nbformat.read(path, as_version=4)


def _load_notebooks(notebooks: Sequence[Any], lang: str = "en") -> list[tuple[str, Any]]:
    """(name, notebook) of each item: a lesson name or number prefix, an ``.ipynb`` file or a percent source ``.py``.

    Raises ``ValueError`` naming the item: unknown lesson, not a notebook, no complete ``lang`` edition.
    """
    import nbformat

    from ..notebook.execute import NotebookRunError
    from ..notebook.runner import find_notebooks
    from ..notebook.sources import source_to_notebook

    out = []
    for item in notebooks:
        if not isinstance(item, (str, os.PathLike)):
            raise ValueError(f"notebooks: expected names or .ipynb paths, got {type(item).__name__}")
        p = Path(item).expanduser()
        if p.suffix in (".ipynb", ".py") and p.is_file():
            try:
                nb = (nbformat.read(p, as_version=4) if p.suffix == ".ipynb"
                      else source_to_notebook(p.read_text(encoding="utf-8"), lang=lang))
            except Exception as e:  # noqa: BLE001 - any unreadable file is the same user error
                first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
                raise ValueError(f"notebooks: {p} is not a readable notebook ({first})") from None
            out.append((p.stem, nb))
            continue
        if p.suffix or os.sep in str(item) or (os.altsep and os.altsep in str(item)):
            raise ValueError(f"notebooks: {item}: not a lesson name or number, an .ipynb notebook or a percent "
                             "source .py" + ("" if p.exists() else " (no such file)"))
        try:
            paths = find_notebooks([str(item)])
        except NotebookRunError as e:
            raise ValueError(f"notebooks: {e}") from None
        out += [(q.stem, _lesson_notebook(q.stem, q, lang)) for q in paths]
    if not out:
        raise ValueError("notebooks: none given")
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"notebooks: duplicated names {names}")
    if lang != "en":
        for i, (n, nb) in enumerate(out):
            try:
                out[i] = (n, set_parameters(nb, {"lang": lang}))
            except ValueError as e:
                raise ValueError(f"notebooks: {n}: {e} (it sets lang={lang!r})") from None
    return out


def answer_key_entries(exercises: Sequence[Mapping[str, Any]], recorded: Mapping[str, Any],
                       results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer-key entries of one notebook: its exercises' answers, then its ``results.json`` values.

    Answers carry their tolerances and points; the scalar values of
    ``results.json`` are listed with 0 points (shown when grading, not scored).
    """
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
                     force: bool = False, timeout: int = 600, lang: str = "en",
                     progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write per-student datasets, student notebooks, answer keys and an nbgrader source folder.

    Parameters
    ----------
    roster : path to a CSV or DataFrame
        Columns ``student_id`` and optionally ``name``.
    notebooks : sequence of str or path
        Notebook names/number prefixes (see :func:`crmlab.notebook.runner.find_notebooks`)
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
        Execute each solution notebook on each student's data and write
        ``keys/<student>/answers.json``.
    assignment : str, optional
        nbgrader assignment name (default: the name of ``out``).
    force : bool, default False
        Replace an existing non-empty ``out``.
    timeout : int
        Per-cell timeout in seconds when executing keys.
    lang : {"en", "zh"}, default "en"
        The edition: lessons named by number come from that edition of their
        source (Markdown translations; every Markdown cell must have one), every
        notebook gets the parameter ``lang`` (what the code prints: findings,
        hints), and the placeholders, the answers cell and the grading feedback
        are in that language.
    progress : callable, optional
        Called with a short message after each student.

    Returns
    -------
    dict
        The content of ``assignment.json``: ``assignment``, ``preset``,
        ``n_customers``, ``lang``, ``notebooks``, ``written`` (per notebook
        its written tasks: ``grade_id``, ``points``) and ``students``
        (``student_id``, ``seed``, ``dataset_id``).

    Raises
    ------
    ValueError
        Bad roster, unknown notebook, existing output, markup errors.
    crmlab.notebook.execute.NotebookRunError
        A solution notebook fails on a student's data (nothing is written).
    crmlab._fs.OutputLocked
        Another process is writing ``out`` (the term is written under the
        output lock of :mod:`crmlab._fs`, and swapped in when complete).
    """
    from .._fs import output_dir, target_problem, write_json_atomic
    from ..i18n import check_lang

    try:
        check_lang(lang)
    except ValueError as e:
        raise ValueError(f"lang: {e}") from None
    target = Path(out).expanduser()
    problem = target_problem(target, force=force)
    if problem:
        hint = "; choose another folder or use force=True" if "not empty" in problem else ""
        raise ValueError(f"out {target}: {problem}{hint}")
    students = read_roster(roster)
    nbs = _load_notebooks(notebooks, lang)
    name = assignment or target.name
    prepared = []
    for nbname, nb in nbs:
        exercises = find_exercises(nb, nbname)
        written = find_written(nb, nbname)
        if not exercises and not written:
            raise ValueError(f"{nbname}: no exercises (no '{BEGIN_SOLUTION}' markers) and no written task")
        names = list(dict.fromkeys(a["name"] for ex in exercises for a in ex["answers"]))
        solution = with_answers_cell(nb, names, lang)
        mentions = marker_mentions(strip_solutions(solution, nbname, lang))
        if mentions:
            cell, line = mentions[0]
            raise ExerciseMarkupError(f"{nbname}, cell {cell}: the student version speaks of markers the student "
                                      f"never sees ({line!r}); reword it (e.g. 'replace raise NotImplementedError() "
                                      "with your code')")
        prepared.append((nbname, solution, exercises, written))
    # one writer at a time (lock), leftovers of a killed run cleaned, the new term swapped in only when complete
    with output_dir(target, force=force) as tmp:
        info = _build_into(tmp, students, prepared, name=name, salt=salt, preset=preset, n_customers=n_customers,
                           execute_keys=execute_keys, timeout=timeout, lang=lang, progress=progress)
        write_json_atomic(info, tmp / "assignment.json")
        _make_private(tmp)
    return info


def _build_into(root: Path, students: pd.DataFrame, prepared, *, name, salt, preset, n_customers, execute_keys,
                timeout, lang, progress) -> dict[str, Any]:
    """Write source/, students/ and keys/ into ``root``; return the assignment info."""
    import nbformat

    from .._fs import write_json_atomic
    from ..dataset import make_retail_crm
    from ..io import save_dataset

    src = root / "source" / name
    src.mkdir(parents=True)
    for nbname, solution, _, _ in prepared:
        clean = strip_outputs(add_nbgrader_metadata(solution, nbname))
        nbformat.write(clean, src / f"{nbname}.ipynb")
    overrides = {} if n_customers is None else {"n_customers": int(n_customers)}
    written = {nbname: [{"grade_id": w["grade_id"], "points": w["points"]} for w in tasks]
               for nbname, _, _, tasks in prepared}
    info: dict[str, Any] = {"format": "crmlab-assignment/1", "assignment": name, "preset": preset,
                            "n_customers": n_customers, "lang": lang, "notebooks": [n for n, *_ in prepared],
                            "written": written, "students": []}
    for sid in students["student_id"]:
        seed, ds_id = student_seed(sid, salt), dataset_id(sid, salt)
        home = root / "students" / sid
        data_dir = home / "data"
        save_dataset(make_retail_crm(preset, seed=seed, **overrides), data_dir, include_truth=False)
        _strip_seed(data_dir / "manifest.json", ds_id)
        (home / "notebooks").mkdir(parents=True)
        params = {"data_dir": "../data", "dataset_id": ds_id, "preset": preset, "n_customers": n_customers}
        key: dict[str, Any] = {"format": "crmlab-answers/1", "student_id": sid, "seed": seed, "dataset_id": ds_id,
                               "preset": preset, "n_customers": n_customers, "lang": lang,
                               "data_dir": f"../../students/{sid}/data", "notebooks": {}}
        for nbname, solution, exercises, _ in prepared:
            student = set_parameters(strip_solutions(solution, nbname, lang), params)
            nbformat.validate(student)
            nbformat.write(student, home / "notebooks" / f"{nbname}.ipynb")
            if execute_keys:
                key["notebooks"][nbname] = {**_run_key(root, sid, nbname, solution, exercises, data_dir, timeout),
                                            "written": written[nbname]}
        if execute_keys:
            (root / "keys" / sid).mkdir(parents=True, exist_ok=True)
            write_json_atomic(key, root / "keys" / sid / "answers.json")
        info["students"].append({"student_id": sid, "seed": seed, "dataset_id": ds_id})
        if progress:
            progress(f"{sid}: done")
    return info


def _run_key(root: Path, sid: str, nbname: str, solution, exercises, data_dir: Path, timeout: int) -> dict:
    """Execute the solution on the student's data into ``keys/<sid>/<nb>/``; return the key entries."""
    import nbformat

    from ..notebook.execute import execute_notebook

    from ..notebook.isolation import kernel_environment

    dest = root / "keys" / sid / nbname
    dest.mkdir(parents=True)
    params = {"data_dir": str(data_dir.resolve()), "output_dir": str(dest.resolve())}
    with tempfile.TemporaryDirectory(prefix="crmlab-key-home-") as home:
        # the environment student code gets when graded: same libraries, same thread counts, no secrets
        run = execute_notebook(solution, parameters=params, cwd=dest, timeout=timeout, name=f"{nbname} (key of {sid})",
                               env=kernel_environment(home))
    nbformat.write(run.notebook, dest / f"{nbname}.ipynb")
    # make the executed key portable: relative paths in its parameters cell
    _write_relative_params(dest / f"{nbname}.ipynb", {"data_dir": f"../../../students/{sid}/data", "output_dir": "."})
    results = read_json(dest / "results.json")
    recorded = read_json(dest / ANSWERS_FILE)
    return {"answers": answer_key_entries(exercises, recorded, results),
            "exercises": [{"grade_id": e["grade_id"], "points": e["points"]} for e in exercises]}


def _strip_seed(manifest: Path, ds_id: str) -> None:
    """The student's manifest: the scenario without its seed, and the opaque dataset id instead."""
    from .._fs import write_json_atomic

    info = json.loads(manifest.read_text(encoding="utf-8"))
    if isinstance(info.get("scenario"), dict):
        info["scenario"].pop("seed", None)
    info["dataset_id"] = ds_id
    write_json_atomic(info, manifest)


def _make_private(root: Path) -> None:
    """Term folder 0700; keys/: folders 0700, files 0600 (a kernel running as another user reads nothing)."""
    os.chmod(root, 0o700)
    keys = root / "keys"
    if keys.is_dir():
        for folder, dirs, files in os.walk(keys):
            os.chmod(folder, 0o700)
            for f in files:
                os.chmod(os.path.join(folder, f), 0o600)


def _write_relative_params(path: Path, values: Mapping[str, str]) -> None:
    """Rewrite the injected parameters of an executed notebook (portable key folders)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            lines = cell.source.splitlines()
            for k, v in values.items():
                lines = [f"{k} = {v!r}" if re.match(rf"^{re.escape(k)}\s*=", ln) else ln for ln in lines]
            cell.source = "\n".join(lines)
    nbformat.write(nb, path)

