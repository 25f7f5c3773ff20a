"""Lesson 02 follows the course conventions: objectives, quiz answers, non-copy exercises, a written task
with a rubric whose points add up, take-home messages, and a translation of every Markdown cell."""

from __future__ import annotations

import re
from pathlib import Path

from crmlab.notebook.sources import source_to_notebook, translation_problems
from crmlab.teaching.markup import find_exercises

SRC = Path(__file__).resolve().parent.parent / "notebooks" / "src" / "02_churn_case.py"


def _tagged(nb, tag):
    return [i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", [])]


def test_churn_lesson_has_the_course_conventions():
    text = SRC.read_text(encoding="utf-8")
    assert translation_problems(text) == []
    for lang, link in (("en", "](../docs/glossary.md)"), ("zh", "](../../docs/glossary.md)")):
        nb = source_to_notebook(text, lang)
        (obj,) = _tagged(nb, "objectives")
        assert obj == 1 and link in nb.cells[obj].source
        (answers,) = _tagged(nb, "quiz-answers")
        assert nb.cells[answers - 1].cell_type == "markdown"
        n_questions = len(re.findall(r"^\d\. ", nb.cells[answers - 1].source, flags=re.M))
        assert n_questions == len(re.findall(r"^\d\. ", nb.cells[answers].source, flags=re.M)) >= 5
        (written,) = _tagged(nb, "written")
        (rubric,) = _tagged(nb, "rubric")
        points = int(re.match(r"<!-- points: (\d+) -->", nb.cells[written].source).group(1))
        assert sum(int(p) for p in re.findall(r"\|\s*(\d+)\s*\|\s*$", nb.cells[rubric].source, flags=re.M)) == points
        (take,) = _tagged(nb, "take-home")
        check = max(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and not c.metadata.get("tags"))
        assert take == check - 1  # the last Markdown cell before the truth check
    exercises = find_exercises(source_to_notebook(text), "02_churn_case")
    assert len(exercises) >= 3
    names = [a["name"] for e in exercises for a in e["answers"]]
    assert "lift_ceiling" not in names  # the old copying exercise (the ceiling is printed above it)
