"""Lesson 03 follows the course conventions in both editions: objectives with the glossary link, quiz
answers, take-home messages, a written task with a rubric, exercises whose answers are not printed above
them, and segment names that come from the stated rule (the planted archetypes only in the truth check)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from crmlab.notebook.sources import source_to_notebook
from crmlab.teaching import find_exercises

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src" / "03_segmentation.py"
EDITIONS = {"en": ROOT / "notebooks" / "03_segmentation.ipynb", "zh": ROOT / "notebooks" / "zh" / "03_segmentation.ipynb"}
ARCHETYPES = ("premium_loyalists", "tech_enthusiasts", "family_upgraders", "bargain_hunters", "occasional_shoppers",
              "ARCHETYPE_RULES", "segment_label(")


def _tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_conventions_in_both_editions(lang):
    nb = source_to_notebook(SRC.read_text(encoding="utf-8"), lang)
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    # objectives right after the title cell, with the glossary link of the edition
    assert "objectives" in _tags(nb.cells[1])
    link = "../docs/glossary.md" if lang == "en" else "../../docs/glossary.md"
    assert f"]({link})" in nb.cells[1].source
    # quiz answers right after the quiz; one answer per question
    quiz = next(i for i, c in enumerate(nb.cells) if "quiz-answers" in _tags(c)) - 1
    n_questions = len(re.findall(r"^\d\. ", nb.cells[quiz].source, re.M))
    assert n_questions >= 3 and len(re.findall(r"^\d\. ", nb.cells[quiz + 1].source, re.M)) == n_questions
    # written task: points = rubric total
    written = next(c for c in md if "written" in _tags(c))
    points = int(re.match(r"<!-- points: (\d+) -->", written.source).group(1))
    rubric = next(c for c in md if "rubric" in _tags(c))
    assert sum(int(x) for x in re.findall(r"\|\s*(\d+)\s*\|\s*$", rubric.source, re.M)) == points
    # take-home is the last Markdown cell before the truth check
    truth = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                 and re.match(r"## (Check against the truth|与真值对照)", c.source))
    before = [c for c in nb.cells[:truth] if c.cell_type == "markdown"]
    assert "take-home" in _tags(before[-1])
    if lang == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", c.source) for c in md), "a Markdown cell is not translated"


@pytest.mark.slow
def test_at_least_three_exercises_whose_answers_are_not_printed_above():
    """Runs the lesson on the committed data (about a minute)."""
    import matplotlib

    matplotlib.use("Agg")
    nb = nbformat.read(EDITIONS["en"], as_version=4)
    found = find_exercises(nb, "03_segmentation")
    assert len(found) >= 3
    # the solution computes the value on the committed data; it must not appear in any earlier output
    ns: dict = {}
    done = 0
    for ex in found:
        for cell in nb.cells[done: ex["cell"] + 1]:
            if cell.cell_type == "code":
                exec(compile(cell.source.replace("display(", "(lambda *a, **k: None)("), "<03>", "exec"), ns)
        done = ex["cell"] + 1
        shown = "\n".join(
            o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) + str(o.get("data", {}).get("text/html", ""))
            for c in nb.cells[: ex["cell"]] if c.cell_type == "code" for o in c.get("outputs", []))
        for answer in ex["answers"]:
            value = ns[answer["name"]]
            forms = [str(value)] if isinstance(value, int) else [f"{value:.1%}", f"{value:.3f}", f"{value:.4f}"]
            if isinstance(value, int):
                assert not re.search(rf"(?<![\d.,]){value}(?![\d.,%])", shown), (answer["name"], value)
            else:
                assert not any(f in shown for f in forms), (answer["name"], forms)


def test_names_come_from_the_rule_and_archetypes_stay_in_the_truth_check():
    text = SRC.read_text(encoding="utf-8")
    truth = text.index("## Check against the truth")
    assert "describe_segments(" in text[:truth] and "LEVEL_CUTOFFS" in text[:truth]
    for word in ARCHETYPES:
        assert word not in text[:truth].replace("from crmlab.notebook.texts.segmentation import MESSAGES as T, "
                                                 "segment_label", ""), word
    # the rule is printed for every segment in both editions
    for lang, path in EDITIONS.items():
        out = "\n".join(o.get("text", "") for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"
                        for o in c.get("outputs", []) if o.output_type == "stream")
        assert re.search(r"0 · .+: R 0\.\d\d" if lang == "en" else r"0 · .+：R 0\.\d\d", out), lang
