"""The instructor guide (issue 12): built from the lesson sources and docs/teaching.md, committed up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from crmlab.teaching.guide import GENERATED_NOTE, instructor_guide, lesson_section, lesson_timing

ROOT = Path(__file__).resolve().parents[1]

SOURCE = '''# %% [markdown]
# # 09 · A tiny lesson

# %% [markdown] tags=["objectives"]
# **Learning objectives.** Compute a share.
#
# **Prerequisites.** Lesson 00.
#
# **Time.** About 45 minutes: 30 in class, 15 for the exercises.
#
# Terms: [glossary](../docs/glossary.md).

# %% tags=["parameters"]
data_dir = None

# %% [markdown]
# ## Exercises
# **Exercise 1.** What share of orders is completed? Store it in `done_share`.

# %% tags=["exercise"]
# answer: done_share abs=0.01 points=2
### BEGIN SOLUTION
done_share = 0.5
### END SOLUTION

# %%
assert 0 <= done_share <= 1

# %% [markdown]
# ## Quiz
# 1. Why completed orders only?
#
# ## Check against the truth

# %% [markdown] tags=["quiz-answers"]
# 1. Cancelled orders are not purchases.

# %% [markdown]
# **Written task.** Write a memo to the CRM manager.

# %% [markdown] tags=["written"]
# <!-- points: 5 -->
# A good memo states the question first.

# %% [markdown] tags=["rubric"]
# * 3 - question first
# * 2 - plain language

# %% [markdown] tags=["take-home"]
# **Take-home messages.** Count completed orders.
'''


def _script():
    spec = importlib.util.spec_from_file_location("build_instructor_guide",
                                                  ROOT / "scripts" / "build_instructor_guide.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_lesson_section_collects_the_conventions():
    text = lesson_section(SOURCE, "09_tiny")
    assert text.startswith("### 09 · A tiny lesson")
    for needle in ("**Learning objectives.** Compute a share.", "**Prerequisites.** Lesson 00.",
                   "**Exercise 1.** What share of orders", "*2 points; graded: `done_share` (rel 1e-06, abs 0.01).*",
                   "done_share = 0.5", "1. Why completed orders only?", "1. Cancelled orders are not purchases.",
                   "**Written task 1** - 5 points (`09_tiny-written1`, the `task` of `crmlab grade --written-template`)",
                   "Write a memo to the CRM manager.",
                   "A good memo states the question first.", "* 3 - question first",
                   "**Take-home messages.** Count completed orders.", "*Points: 2 for the exercises, 5 for the"):
        assert needle in text, needle
    assert "Check against the truth" not in text, "the quiz ends at the next heading"
    assert "<!-- points" not in text
    assert lesson_timing(SOURCE) == ("About 45 minutes: 30 in class, 15 for the exercises.", 45)


def test_missing_conventions_are_named_not_fatal():
    text = lesson_section('# %% [markdown]\n# # 10 · Bare\n\n# %% tags=["parameters"]\nx = 1\n', "10_bare")
    assert "*No `objectives` cell yet.*" in text and "*No written task yet.*" in text and "*No quiz.*" in text
    assert lesson_timing('# %% [markdown]\n# # 10\n') == (None, None)


def test_guide_has_the_handwritten_part_timings_and_consistent_headings(tmp_path):
    src = tmp_path / "09_tiny.py"
    src.write_text(SOURCE, encoding="utf-8")
    guide = instructor_guide([src], "# Running a term\n\n## 1. Build the term\n\ncrmlab assignment ...\n")
    assert guide.startswith("# Instructor guide\n\n" + GENERATED_NOTE)
    assert "### 1. Build the term" in guide and "\n# Running a term" not in guide
    assert "| 09 · A tiny lesson | About 45 minutes: 30 in class, 15 for the exercises. | 1 (2 points) | 1 (5 points) |" \
        in guide
    assert "[glossary](glossary.md)" in guide, "links rebased from notebooks/ to docs/"
    levels, fenced = [], False
    for line in guide.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            levels.append(len(line) - len(line.lstrip("#")))
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), "no skipped heading level"


def test_check_mode_and_the_committed_guide_is_current(tmp_path, capsys):
    script = _script()
    stale = tmp_path / "guide.md"
    assert script.main(["--check", "--out", str(stale)]) == 1
    assert script.main(["--out", str(stale)]) == 0
    assert script.main(["--check", "--out", str(stale)]) == 0
    stale.write_text(stale.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert script.main(["--check", "--out", str(stale)]) == 1
    assert script.main(["--check"]) == 0, ("docs/instructor_guide.md is out of date: run "
                                           "python scripts/build_instructor_guide.py")
