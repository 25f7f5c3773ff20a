"""Teaching mode: student seeds, student notebooks, answer keys and grading.

One small exercise notebook (two exercises, hidden tests) is built here from a
percent source; one assignment for two students on the tiny preset is built
once per module (about 4 notebook executions in all). Isolation, batch grading
and adversarial submissions are in ``test_teaching_grading.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import stat
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab.cli.teaching import add_subcommands
from crmlab.notebook.sources import source_to_notebook
from crmlab.teaching import (ExerciseMarkupError, GradeReport, add_nbgrader_metadata, build_assignment, dataset_id,
                             find_exercises, grade_submission, marker_mentions, read_roster, strip_solutions,
                             student_seed)

SALT = "test-course-salt-2026"
NB = "07_exercises"

SOURCE = '''# %% [markdown]
# # Exercises on the tiny preset

# %% tags=["parameters"]
data_dir = None
preset = "tiny"
seed = 0
n_customers = 300
as_of = "2025-06-30"
output_dir = "."

# %%
from crmlab.notebook import get_data, write_results
data = get_data(data_dir, preset, seed, n_customers)
n_customers_seen = int(data.customers["customer_id"].nunique())

# %% tags=["exercise"]
# Exercise 1. How many orders are there?
# answer: n_orders points=2
### BEGIN SOLUTION
n_orders = int(len(data.orders))
### END SOLUTION

# %%
assert isinstance(n_orders, int)
### BEGIN HIDDEN TESTS
assert n_orders == len(data["orders"])
### END HIDDEN TESTS

# %% tags=["exercise"]
# Exercise 2. Mean number of orders per customer who ordered.
# answer: mean_orders rel=1e-4
def orders_per_customer(orders):
    ### BEGIN SOLUTION
    return orders.groupby("customer_id").size()
    ### END SOLUTION

mean_orders = float(orders_per_customer(data.orders).mean())

# %%
# points: 3
### BEGIN HIDDEN TESTS
assert abs(mean_orders - len(data.orders) / data.orders["customer_id"].nunique()) < 1e-9
### END HIDDEN TESTS

# %%
write_results({"n_customers_seen": n_customers_seen, "seed_used": seed}, output_dir)
'''

SOLUTION_LINES = ["n_orders = int(len(data.orders))", 'return orders.groupby("customer_id").size()',
                  "assert n_orders == len(data[\"orders\"])", "assert abs(mean_orders"]


@pytest.fixture(scope="module")
def exercise_nb():
    nb = source_to_notebook(SOURCE)
    return nb


@pytest.fixture(scope="module")
def built(tmp_path_factory, exercise_nb):
    root = tmp_path_factory.mktemp("teaching")
    nb_path = root / "src" / f"{NB}.ipynb"
    nb_path.parent.mkdir()
    nbformat.write(exercise_nb, nb_path)
    roster = root / "roster.csv"
    roster.write_text("student_id,name\ns001,Li Wei\ns002,Wang Fang\n", encoding="utf-8")
    out = root / "course"
    info = build_assignment(roster, [nb_path], out, salt=SALT, preset="tiny", n_customers=300)
    return {"root": root, "out": out, "info": info, "nb_path": nb_path, "roster": roster}


# ----------------------------------------------------------------------------- unit tests
def test_student_seed_stable_distinct_and_documented():
    a, b = student_seed("s001", SALT), student_seed("s002", SALT)
    assert a == student_seed("s001", SALT)
    assert a != b
    assert a != student_seed("s001", SALT + "x")
    expected = int.from_bytes(hmac.new(SALT.encode(), b"s001", hashlib.sha256).digest()[:8], "big")
    assert a == expected and 0 <= a < 2**64
    # 64 bits of HMAC output: not searchable (issue 11: "[:8] mod 2**31" was 31 bits)
    seeds = [student_seed(f"s{i:03d}", SALT) for i in range(200)]
    assert max(seeds) > 2**60 and len(set(seeds)) == 200
    with pytest.raises(ValueError, match="salt"):
        student_seed("s001", "")


def test_dataset_id_is_opaque_and_not_the_seed():
    ids = {dataset_id(f"s{i:03d}", SALT) for i in range(50)}
    assert len(ids) == 50 and all(re.fullmatch(r"ds-[0-9a-f]{16}", i) for i in ids)
    seed = student_seed("s001", SALT)
    did = dataset_id("s001", SALT)
    assert str(seed) not in did and int(did[3:], 16) != seed
    assert dataset_id("s001", SALT + "x") != did


def test_roster_without_student_id_is_refused(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_text("id,name\n1,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="student_id"):
        read_roster(p)
    with pytest.raises(ValueError, match="student_id"):
        build_assignment(p, ["unused.ipynb"], tmp_path / "out", salt=SALT)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="duplicated"):
        read_roster(pd.DataFrame({"student_id": ["a", "a"]}))
    with pytest.raises(ValueError, match="letters"):
        read_roster(pd.DataFrame({"student_id": ["../evil"]}))
    with pytest.raises(ValueError, match="differ only in upper/lower case"):
        read_roster(pd.DataFrame({"student_id": ["s001", "S001"]}))
    for bad in ("CON", "nul.txt", "s001."):
        with pytest.raises(ValueError, match="reserved device name|end with"):
            read_roster(pd.DataFrame({"student_id": [bad]}))


def test_find_exercises_and_nbgrader_metadata(exercise_nb):
    ex = find_exercises(exercise_nb, NB)
    assert [e["grade_id"] for e in ex] == [f"{NB}-ex1", f"{NB}-ex2"]
    assert [a["name"] for a in ex[0]["answers"]] == ["n_orders"]
    assert ex[0]["answers"][0]["points"] == 2 and ex[0]["points"] == 2
    assert ex[1]["answers"][0]["rel_tol"] == 1e-4 and ex[1]["points"] == 3
    nb = add_nbgrader_metadata(exercise_nb, NB)
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    sol = [m for m in meta if m and m["solution"]]
    grade = [m for m in meta if m and m["grade"]]
    assert [m["grade_id"] for m in sol] == [f"{NB}-ex1", f"{NB}-ex2"]
    assert [m["grade_id"] for m in grade] == [f"{NB}-ex1-test", f"{NB}-ex2-test"]
    assert [m["points"] for m in grade] == [2, 3]
    assert all(m["schema_version"] == 3 and m["locked"] for m in grade)
    assert all(not m["locked"] for m in sol)
    assert "nbgrader" not in exercise_nb.cells[4].metadata, "the input notebook must not be modified"


def test_strip_solutions_unit(exercise_nb):
    nb = strip_solutions(exercise_nb, NB)
    nbformat.validate(nb)
    text = "\n".join(c.source for c in nb.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    for line in SOLUTION_LINES:
        assert line not in text, line
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in text, "indentation of the stub"
    assert text.count("raise NotImplementedError()") == 2
    assert "assert isinstance(n_orders, int)" in text, "visible tests stay"
    assert "# answer: n_orders" in text, "answer comments stay visible"


@pytest.mark.parametrize("src, msg", [
    ("# %%\n### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("# %%\nx = 1\n### END SOLUTION\n", "without a matching"),
    ("# %%\n### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside an open region"),
    ("# %%\nx = 1\n# %%\n### BEGIN HIDDEN TESTS\nassert x\n", "never closed"),
])
def test_unbalanced_markers_raise_naming_notebook_and_cell(src, msg):
    nb = source_to_notebook(src)
    with pytest.raises(ExerciseMarkupError, match=msg) as e:
        strip_solutions(nb, "bad_nb")
    assert "bad_nb, cell" in str(e.value)


# ----------------------------------------------------------------------------- assignment
def test_layout_and_no_truth(built):
    out = built["out"]
    assert json.loads((out / "assignment.json").read_text())["notebooks"] == [NB]
    assert (out / "source" / "course" / f"{NB}.ipynb").is_file()
    for sid in ("s001", "s002"):
        data = out / "students" / sid / "data"
        assert (data / "orders.parquet").is_file()
        assert not (data / "truth.json").exists()
        assert not list(data.glob("truth_customers*"))
        assert (out / "keys" / sid / "answers.json").is_file()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".course")], "temporary folder left behind"


def test_term_folder_and_keys_are_private(built):
    """Nobody but the instructor can enter the term folder or read a key (a grading kernel runs as another user)."""
    out = built["out"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    keys = out / "keys"
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [keys, *keys.rglob("*")]}
    assert modes[keys] == 0o700
    assert all(m == (0o700 if p.is_dir() else 0o600) for p, m in modes.items()), modes
    assert any(p.name == "answers.json" for p in modes)


def test_source_folder_is_nbgrader_ready(built):
    nb = nbformat.read(built["out"] / "source" / "course" / f"{NB}.ipynb", as_version=4)
    nbformat.validate(nb)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert ids == [f"{NB}-ex1", f"{NB}-ex1-test", f"{NB}-ex2", f"{NB}-ex2-test"]
    assert "BEGIN SOLUTION" in "\n".join(c.source for c in nb.cells)


def test_students_differ_same_student_identical(built, tmp_path, exercise_nb):
    info = built["info"]
    seeds = {s["student_id"]: s["seed"] for s in info["students"]}
    assert seeds["s001"] != seeds["s002"]
    assert seeds["s001"] == student_seed("s001", SALT), "the instructor's assignment.json keeps the seed"
    assert {s["student_id"]: s["dataset_id"] for s in info["students"]}["s001"] == dataset_id("s001", SALT)
    out = built["out"]
    o1 = (out / "students/s001/data/orders.parquet").read_bytes()
    o2 = (out / "students/s002/data/orders.parquet").read_bytes()
    assert o1 != o2, "two students got the same dataset"
    k1 = json.loads((out / "keys/s001/answers.json").read_text())["notebooks"][NB]["answers"]
    k2 = json.loads((out / "keys/s002/answers.json").read_text())["notebooks"][NB]["answers"]
    v1 = {a["name"]: a["value"] for a in k1}
    v2 = {a["name"]: a["value"] for a in k2}
    assert v1["n_orders"] != v2["n_orders"], (v1, v2)
    # rebuild s001 alone (no keys): byte-identical dataset
    again = build_assignment(pd.DataFrame({"student_id": ["s001"]}), [built["nb_path"]], tmp_path / "again",
                             salt=SALT, preset="tiny", n_customers=300, execute_keys=False)
    assert again["students"][0]["seed"] == seeds["s001"]
    for f in sorted((out / "students/s001/data").iterdir()):
        assert (tmp_path / "again/students/s001/data" / f.name).read_bytes() == f.read_bytes(), f.name


def test_refuses_existing_output(built):
    with pytest.raises(ValueError, match="not empty"):
        build_assignment(built["roster"], [built["nb_path"]], built["out"], salt=SALT, preset="tiny",
                         n_customers=300, execute_keys=False)


def test_student_notebooks_are_clean(built):
    for sid in ("s001", "s002"):
        path = built["out"] / "students" / sid / "notebooks" / f"{NB}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for i, cell in enumerate(nb.cells):
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END SOLUTION", "END HIDDEN TESTS"):
                assert marker not in cell.source, (sid, i, marker)
            for line in SOLUTION_LINES:
                assert line not in cell.source, (sid, i, line)
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
            if "exercise" in cell.metadata.get("tags", []):
                assert "raise NotImplementedError()" in cell.source, (sid, i)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert "data_dir = '../data'" in params.source
        assert f"dataset_id = {dataset_id(sid, SALT)!r}" in params.source
        assert str(student_seed(sid, SALT)) not in params.source
        assert "seed = 0" in params.source, "the notebook keeps its own seed (the random state the key used)"
        assert marker_mentions(nb) == [], "student text speaks of removed markers"


def _integers_in_text(folder: Path) -> set[int]:
    found: set[int] = set()
    for p in folder.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".ipynb", ".csv", ".txt", ".md", ".py"):
            found.update(int(x) for x in re.findall(r"(?<![\w.])\d{1,25}(?![\w.])", p.read_text(encoding="utf-8")))
    return found


def test_nothing_in_a_student_folder_regenerates_the_data(built):
    """Issue 11: the seed was in the student's manifest and notebook parameters; `crmlab generate --seed` with it
    reproduced the student's tables and truth. Now: no seed in any file, no integer in the folder reproduces them."""
    import crmlab

    out = built["out"]
    for sid in ("s001", "s002"):
        home = out / "students" / sid
        seed = student_seed(sid, SALT)
        manifest = json.loads((home / "data" / "manifest.json").read_text())
        assert "seed" not in manifest["scenario"] and manifest["dataset_id"] == dataset_id(sid, SALT)
        assert manifest["has_truth"] is False and manifest["synthetic"] is True
        needles = [str(seed).encode(), seed.to_bytes(8, "big"), seed.to_bytes(8, "little"), hex(seed)[2:].encode()]
        for p in home.rglob("*"):
            if p.is_file():
                raw = p.read_bytes()
                assert not any(n in raw for n in needles), f"{p} holds the seed"
    # every integer written in the student's text files, tried as a seed of the preset, gives other data
    home = out / "students" / "s001"
    orders = pd.read_parquet(home / "data" / "orders.parquet")
    candidates = sorted(i for i in _integers_in_text(home) if i < 2**64)
    assert 0 in candidates and len(candidates) < 200, candidates
    def same(regen):
        return len(regen) == len(orders) and regen["customer_id"].tolist() == orders["customer_id"].tolist() \
            and regen["order_value"].tolist() == orders["order_value"].tolist()

    for cand in candidates:
        assert not same(crmlab.make_retail_crm("tiny", seed=cand, n_customers=300).orders), \
            f"seed {cand} found in the student folder regenerates their orders"
    # the instructor still can: assignment.json maps the student to the seed
    seed = next(s["seed"] for s in built["info"]["students"] if s["student_id"] == "s001")
    assert same(crmlab.make_retail_crm("tiny", seed=seed, n_customers=300).orders)


def test_keys_agree_with_executed_solution(built):
    out = built["out"]
    for sid in ("s001", "s002"):
        key = json.loads((out / "keys" / sid / "answers.json").read_text())
        entries = {a["name"]: a for a in key["notebooks"][NB]["answers"]}
        executed = nbformat.read(out / "keys" / sid / NB / f"{NB}.ipynb", as_version=4)
        assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
                    if o.output_type == "error"]
        results = json.loads((out / "keys" / sid / NB / "results.json").read_text())
        assert entries["seed_used"]["value"] == results["seed_used"]
        assert entries["n_customers_seen"]["value"] == results["n_customers_seen"]
        # the answers are the numbers computed on this student's data
        orders = pd.read_parquet(out / "students" / sid / "data" / "orders.parquet")
        assert entries["n_orders"]["value"] == len(orders)
        assert entries["n_orders"]["points"] == 2 and entries["n_orders"]["exercise"] == f"{NB}-ex1"
        mean = len(orders) / orders["customer_id"].nunique()
        assert entries["mean_orders"]["value"] == pytest.approx(mean, rel=1e-6)
        assert entries["seed_used"]["points"] == 0


def test_grade_solution_full_marks(built, tmp_path):
    """The solution notebook, placed like a student's, earns full marks."""
    out = built["out"]
    sub_dir = out / "students" / "s002" / "notebooks"
    sub = sub_dir / "solution_copy" / f"{NB}.ipynb"
    sub.parent.mkdir()
    nbformat.write(nbformat.read(built["nb_path"], as_version=4), sub)
    grade = grade_submission(sub, out / "keys" / "s002" / "answers.json", timeout=120)
    assert isinstance(grade, GradeReport)
    assert grade.errors == ()
    assert grade.score == grade.max_score == 5.0, grade.answers
    assert grade.answers["ok"].all(), grade.answers
    assert not grade.answers.attrs, "nothing hidden in DataFrame.attrs"


def test_grade_unmodified_student_notebook_scores_zero(built):
    """The student version fails first in an exercise cell and earns nothing."""
    out = built["out"]
    sub = out / "students" / "s001" / "notebooks" / f"{NB}.ipynb"
    grade = grade_submission(sub, out / "keys" / "s001" / "answers.json", timeout=120)
    df = grade.answers
    assert grade.score == 0.0 and grade.max_score == 5.0, df
    errors = grade.errors
    assert errors and "NotImplementedError" in errors[0], errors
    nb = nbformat.read(sub, as_version=4)
    first = int(errors[0].split(":")[0].split()[1])
    assert "exercise" in nb.cells[first].metadata.get("tags", []), \
        f"first error in a non-exercise cell {first}: {errors[0]}"
    # non-exercise cells before it ran: results.json values computed from the data are still right
    row = df.set_index("name").loc["n_customers_seen"]
    assert row["ok"], df


def test_grade_cli_exit_codes(built, capsys):
    parser = argparse.ArgumentParser(prog="crmlab")
    add_subcommands(parser.add_subparsers(dest="command"))
    out = built["out"]
    args = parser.parse_args(["grade", str(out / "students/s001/notebooks" / f"{NB}.ipynb"),
                              "--key", str(out / "keys/s001/answers.json"), "--timeout", "120"])
    assert args.func(args) == 1
    assert "score: 0 / 5" in capsys.readouterr().out
    args = parser.parse_args(["grade", str(out / "students/s001/notebooks" / f"{NB}.ipynb"),
                              "--key", str(out / "keys/s001/answers.json"), "--timeout", "120", "--json"])
    assert args.func(args) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["score"] == 0 and printed["max_score"] == 5 and printed["errors"]
    assert {a["name"] for a in printed["answers"]} >= {"n_orders", "mean_orders"}
    from crmlab.cli import CLIError

    args = parser.parse_args(["grade", str(out / "nope.ipynb"), "--key", str(out / "keys/s001/answers.json")])
    with pytest.raises(CLIError, match="no such file"):
        args.func(args)


def test_partial_credit_for_one_solved_exercise(built):
    """Solving exercise 1 only earns its 2 points; the failing exercise 2 is reported."""
    out = built["out"]
    student = out / "students" / "s001" / "notebooks" / f"{NB}.ipynb"
    nb = nbformat.read(student, as_version=4)
    ex1 = next(c for c in nb.cells if "answer: n_orders" in c.source)
    ex1.source = ex1.source.replace("# YOUR CODE HERE\nraise NotImplementedError()", "n_orders = int(len(data.orders))")
    sub = student.parent / "partial" / f"{NB}.ipynb"
    sub.parent.mkdir()
    nbformat.write(nb, sub)
    grade = grade_submission(sub, out / "keys" / "s001" / "answers.json", timeout=120)
    assert grade.score == 2.0, grade.answers
    assert grade.answers.set_index("name").loc["n_orders", "ok"]
    assert len(grade.errors) >= 1 and "NotImplementedError" in grade.errors[0]


def test_executed_key_uses_relative_paths(built):
    key_nb = nbformat.read(built["out"] / "keys" / "s001" / NB / f"{NB}.ipynb", as_version=4)
    injected = next(c for c in key_nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "data_dir = '../../../students/s001/data'" in injected.source
    assert str(built["root"]) not in injected.source


def test_assignment_cli_needs_salt(tmp_path, monkeypatch):
    from crmlab.cli import CLIError
    from crmlab.teaching import SALT_ENV

    monkeypatch.delenv(SALT_ENV, raising=False)
    parser = argparse.ArgumentParser(prog="crmlab")
    add_subcommands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["assignment", "--roster", "r.csv", "--notebooks", "01", "--out", str(tmp_path / "o")])
    with pytest.raises(CLIError, match="salt"):
        args.func(args)
    args = parser.parse_args(["assignment", "--roster", "r.csv", "--notebooks", "01", "--out", str(tmp_path / "o"),
                              "--salt", "short"])
    with pytest.raises(CLIError, match="at least 8 characters"):
        args.func(args)
    monkeypatch.setenv(SALT_ENV, "short")
    args = parser.parse_args(["assignment", "--roster", "r.csv", "--notebooks", "01", "--out", str(tmp_path / "o")])
    with pytest.raises(CLIError, match="at least 8 characters"):
        args.func(args)
    p = tmp_path / "r.csv"
    p.write_text("name\nx\n", encoding="utf-8")
    args = parser.parse_args(["assignment", "--roster", str(p), "--notebooks", "01", "--out", str(tmp_path / "o"),
                              "--salt", SALT])
    with pytest.raises(CLIError, match="student_id"):
        args.func(args)
