"""Teaching mode on a real course notebook: 05_market_basket carries three exercises.

Per-student assignment built from the committed notebook (tiny preset for speed): student versions
hold no solution or hidden test and stop at the first exercise with NotImplementedError; the answer
key of each student is computed on that student's data; grading the solution scores full marks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab import teaching
from crmlab.runner import source_to_notebook

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "src" / "05_market_basket.py"

pytestmark = pytest.mark.slow


def test_exercises_are_found_and_well_formed():
    nb = source_to_notebook(SOURCE.read_text(encoding="utf-8"))
    found = teaching.find_exercises(nb, "05_market_basket")
    assert len(found) == 3
    names = [a["name"] for ex in found for a in ex["answers"]]
    assert names == ["single_item_share", "n_actionable", "strongest_lift"]


@pytest.fixture(scope="module")
def assignment(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "term1"
    roster = pd.DataFrame({"student_id": ["s001", "s002"], "name": ["Li Lei", "Han Meimei"]})
    info = teaching.build_assignment(roster, ["05"], out, salt="a course salt for tests", preset="tiny")
    return out, info


def test_students_get_different_data_and_answers(assignment):
    out, _ = assignment
    import json

    keys = {s: json.loads((out / "keys" / s / "answers.json").read_text()) for s in ("s001", "s002")}
    assert keys["s001"] != keys["s002"]
    assert not (out / "students" / "s001" / "data" / "truth.json").exists()


def test_student_notebook_has_no_solutions(assignment):
    out, _ = assignment
    nb = nbformat.read(out / "students" / "s001" / "notebooks" / "05_market_basket.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    for banned in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "single_item_share = float(", "n_actionable = int("):
        assert banned not in text
    assert text.count("raise NotImplementedError()") == 3


def test_grading_the_solution_gives_full_marks(assignment):
    out, _ = assignment
    key = out / "keys" / "s002" / "05_market_basket" / "05_market_basket.ipynb"
    table = teaching.grade_submission(key, out / "keys" / "s002" / "answers.json")
    assert table.attrs["score"] == table.attrs["max_score"] == 4
