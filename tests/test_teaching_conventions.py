"""The course conventions in teaching mode (issues 12 and 13): written tasks, rubrics, quiz answers, the Chinese
edition of an assignment, and student copies that do not claim to be real data.

A small bilingual source (one auto-graded exercise with a hint in ``lang``, one written task with its rubric, a
quiz with its answers, the lessons' truth-check fallback) is built into a one-student term in each language on the
tiny preset: four notebook executions in all (two keys, two gradings).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab.notebook.sources import source_to_notebook, translation_problems
from crmlab.teaching import (ExerciseMarkupError, add_nbgrader_metadata, build_assignment, find_written,
                             grade_submission, grade_term, strip_solutions)

ROOT = Path(__file__).resolve().parents[1]
NB = "09_conventions"
SALT = "conventions-test-salt"

SOURCE = '''# %% [markdown]
# # Conventions on the tiny preset

# %% [markdown] lang="zh"
# # 小数据集上的课程约定

# %% [markdown] tags=["objectives"]
# **Learning objectives.** Count orders. **Time:** about 5 minutes.

# %% [markdown] lang="zh"
# **学习目标。** 统计订单数。**时间：** 约 5 分钟。

# %% tags=["parameters"]
data_dir = None
preset = "tiny"
seed = 0
n_customers = 300
output_dir = "."
lang = "en"

# %%
from crmlab.notebook import get_data, write_results
data = get_data(data_dir, preset, seed, n_customers)
HINT = {"en": "count the order rows, not the customers", "zh": "请统计订单行数，而不是客户数"}

# %% [markdown]
# **Exercise 1.** How many orders are there? Replace `raise NotImplementedError()` with your code.

# %% [markdown] lang="zh"
# **练习 1.** 共有多少订单？在两个标记之间写代码。

# %% tags=["exercise"]
# answer: n_orders points=2
### BEGIN SOLUTION
n_orders = int(len(data.orders))
### END SOLUTION

# %%
assert n_orders > len(data.customers) / 100, HINT[lang]

# %% [markdown]
# **Written task.** Write a one-page memo to the CRM manager.

# %% [markdown] lang="zh"
# **书面作业。** 给客户关系管理经理写一页备忘录。

# %% [markdown] tags=["written"]
# <!-- points: 4 -->
# A good memo states the question, the method and one caveat.

# %% [markdown] lang="zh"
# <!-- points: 4 -->
# 好的备忘录说明问题、方法和一个局限。

# %% [markdown] tags=["rubric"]
# - question stated (1)
# - method explained (2)
# - caveat (1)

# %% [markdown] lang="zh"
# - 说明问题（1）
# - 解释方法（2）
# - 局限（1）

# %% [markdown]
# ## Quiz
# 1. Why count orders?

# %% [markdown] lang="zh"
# ## 测验
# 1. 为什么统计订单？

# %% [markdown] tags=["quiz-answers"]
# 1. QUIZ-ANSWER-SECRET: because orders are the unit of purchase.

# %% [markdown] lang="zh"
# 1. QUIZ-ANSWER-SECRET：因为订单是购买的单位。

# %%
if data.truth is not None:
    print("truth available")
else:
    print("no truth available (real data)")
write_results({"n_rows": int(len(data.customers))}, output_dir)
'''


def _nb(lang="en"):
    return source_to_notebook(SOURCE, lang=lang)


def _texts(nb):
    return "\n".join(c.source for c in nb.cells)


# ----------------------------------------------------------------------------- markup (no execution)
def test_source_is_a_complete_bilingual_source():
    assert translation_problems(SOURCE) == []


def test_written_task_found_with_points_outline_and_rubric():
    [w] = find_written(_nb(), NB)
    assert (w["grade_id"], w["points"]) == (f"{NB}-written1", 4.0)
    assert w["outline"].startswith("A good memo") and "caveat (1)" in w["rubric"]
    [wz] = find_written(_nb("zh"), NB)  # the translation inherits the tag
    assert wz["points"] == 4.0 and "局限" in wz["outline"]


@pytest.mark.parametrize("lang, stub", [("en", "YOUR ANSWER HERE"), ("zh", "在此作答")])
def test_student_copy_hides_outline_rubric_and_quiz_answers(lang, stub):
    student = strip_solutions(_nb(lang), NB, lang)
    text = _texts(student)
    written = [c for c in student.cells if "written" in c.metadata.get("tags", [])]
    assert [c.source for c in written] == [stub]
    assert "A good memo" not in text and "好的备忘录" not in text
    assert "QUIZ-ANSWER-SECRET" not in text and "caveat (1)" not in text and "局限（1）" not in text
    assert not [c for c in student.cells if {"rubric", "quiz-answers"} & set(c.metadata.get("tags", []))]
    assert "real data" not in text and ("instructor keeps it" in text if lang == "en" else "由教师保管" in text)
    assert "标记" not in text, "the zh text must not speak of markers the student never sees"
    if lang == "zh":
        assert "# 在此编写代码" in text and "## 测验" in text


def test_written_without_points_is_a_markup_error():
    nb = source_to_notebook('# %% [markdown] tags=["written"]\n# A memo without points\n')
    with pytest.raises(ExerciseMarkupError, match="points: N"):
        find_written(nb, NB)


def test_nbgrader_source_has_a_manually_graded_answer_cell():
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.preprocessors import ClearSolutions

    src = add_nbgrader_metadata(_nb(), NB)
    MetadataValidator().validate_nb(src)
    [cell] = [c for c in src.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{NB}-written1"]
    meta = cell.metadata["nbgrader"]
    assert cell.cell_type == "markdown" and meta["solution"] and meta["grade"] and meta["points"] == 4
    assert "A good memo" in cell.source and "caveat (1)" in cell.source, "outline and rubric for the grader"
    assert "QUIZ-ANSWER-SECRET" not in _texts(src), "nbgrader would release the quiz answers"
    released, _ = ClearSolutions(enforce_metadata=True).preprocess(src, {})
    text = _texts(released)
    assert "YOUR ANSWER HERE" in text and "caveat (1)" not in text and "A good memo" not in text


# ----------------------------------------------------------------------------- terms (executed)
def _term(tmp_path_factory, lang):
    root = tmp_path_factory.mktemp(f"conventions-{lang}")
    src = root / f"{NB}.py"
    src.write_text(SOURCE, encoding="utf-8")
    out = root / "term"
    info = build_assignment(pd.DataFrame({"student_id": ["s001"]}), [src], out, salt=SALT, preset="tiny",
                            n_customers=300, lang=lang)
    return out, info


@pytest.fixture(scope="module")
def term_en(tmp_path_factory):
    return _term(tmp_path_factory, "en")


@pytest.fixture(scope="module")
def term_zh(tmp_path_factory):
    return _term(tmp_path_factory, "zh")


def _submit(term: Path, folder: Path, n_orders: str) -> Path:
    nb = nbformat.read(term / "students" / "s001" / "notebooks" / f"{NB}.ipynb", as_version=4)
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            cell.source = "\n".join(ln for ln in cell.source.splitlines()
                                    if not ln.lstrip().startswith(("raise NotImplementedError", "# 在此", "# YOUR")))
            cell.source += f"\nn_orders = {n_orders}"
        if "written" in cell.metadata.get("tags", []):
            cell.source = "My memo: the question, the method, a caveat."
    (folder / "s001").mkdir(parents=True)
    nbformat.write(nb, folder / "s001" / f"{NB}.ipynb")
    return folder


def test_term_records_written_tasks_and_keeps_rubric_for_the_instructor(term_en):
    term, info = term_en
    assert info["lang"] == "en" and info["written"] == {NB: [{"grade_id": f"{NB}-written1", "points": 4.0}]}
    key = json.loads((term / "keys" / "s001" / "answers.json").read_text())
    assert key["notebooks"][NB]["written"] == [{"grade_id": f"{NB}-written1", "points": 4.0}]
    executed_key = _texts(nbformat.read(term / "keys" / "s001" / NB / f"{NB}.ipynb", as_version=4))
    assert "QUIZ-ANSWER-SECRET" in executed_key and "caveat (1)" in executed_key
    student = _texts(nbformat.read(term / "students" / "s001" / "notebooks" / f"{NB}.ipynb", as_version=4))
    assert "QUIZ-ANSWER-SECRET" not in student and "YOUR ANSWER HERE" in student
    source = nbformat.read(term / "source" / "term" / f"{NB}.ipynb", as_version=4)
    manual = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "markdown"]
    assert len(manual) == 1 and manual[0].metadata["nbgrader"]["points"] == 4


def test_gradebook_lists_written_tasks_awaiting_manual_grading(term_en, tmp_path):
    term, _ = term_en
    subs = _submit(term, tmp_path / "subs", "int(len(data.orders))")
    grades = grade_term(term, subs, timeout=120)
    gb = grades.gradebook.set_index(["student_id", "notebook", "exercise"])
    assert tuple(gb.loc[("s001", NB, f"{NB}-ex1"), ["score", "max_score", "status"]]) == (2, 2, "graded")
    assert tuple(gb.loc[("s001", NB, f"{NB}-written1"), ["score", "max_score", "status"]]) == (0, 4, "manual")
    assert tuple(gb.loc[("s001", NB, "total"), ["score", "max_score", "status"]]) == (2, 6, "manual pending")
    assert gb.loc[("s001", "total", "total"), "status"] == "manual pending"
    fb = grades.feedback[("s001", NB)]
    assert "Score: 2 / 2" in fb and "Written task 1 | - / 4 | graded by hand" in fb and "(4 points)" in fb
    assert "n_rows" not in fb and "rubric" not in fb.lower() and "marker" not in fb.lower()
    one = grade_submission(subs / "s001" / f"{NB}.ipynb", term / "keys" / "s001" / "answers.json", timeout=120)
    assert one.written == ((f"{NB}-written1", 4.0),) and one.score == one.max_score == 2


def test_zh_term_student_copy_and_feedback_in_chinese(term_zh, tmp_path):
    term, info = term_zh
    assert info["lang"] == "zh"
    nb = nbformat.read(term / "students" / "s001" / "notebooks" / f"{NB}.ipynb", as_version=4)
    text = _texts(nb)
    assert "小数据集上的课程约定" in text and "Conventions on the tiny preset" not in text
    assert "在此作答" in text and "# 记录你的答案以供评分" in text
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert "lang = 'zh'" in params.source
    assert "QUIZ-ANSWER-SECRET" not in text and "由教师保管" in text and "real data" not in text
    subs = _submit(term, tmp_path / "subs", "-1")
    grades = grade_term(term, subs, timeout=120)
    fb = grades.feedback[("s001", NB)]
    assert "得分：0 / 2" in fb and "练习 1" in fb and "`n_orders` = `-1` 不正确" in fb
    assert "书面作业 1 | - / 4 | 由教师手工批改" in fb
    assert "请统计订单行数" in fb, "the exercise's hint comes out in the notebook's language"
    assert "-1" not in fb.replace("`-1`", ""), "no expected value revealed"


# ----------------------------------------------------------------------------- the lessons and the CLI
def _crmlab(*args, env_salt=True, cwd=None):
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if env_salt:
        env["CRMLAB_COURSE_SALT"] = SALT
    return subprocess.run([sys.executable, "-m", "crmlab", *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)


def test_assignment_usage_errors(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\ns001\n", encoding="utf-8")
    (tmp_path / "nb.txt").write_text("not a notebook")
    half = tmp_path / f"{NB}.py"
    half.write_text('# %% [markdown]\n# Only English\n\n# %% tags=["parameters"]\nlang = "en"\n', encoding="utf-8")
    for notebooks, lang, needle in ((["42"], "en", "no notebook matches '42'"),
                                    ([str(tmp_path / "nb.txt")], "en", "not a lesson name"),
                                    ([str(half)], "bogus", "invalid choice")):
        r = _crmlab("assignment", "--roster", str(roster), "--notebooks", *notebooks, "--lang", lang, "--out",
                    str(tmp_path / "t"), "--no-keys")
        assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "t").exists()


def test_lesson_student_copies_never_claim_real_data(tmp_path):
    """Every lesson's student copy (no keys: nothing executed) says the truth stays with the instructor; and every
    lesson whose zh edition is complete builds a Chinese assignment."""
    lessons = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
    build_assignment(pd.DataFrame({"student_id": ["s001"]}), [p.stem for p in lessons], tmp_path / "en", salt=SALT,
                     preset="tiny", execute_keys=False)
    for p in lessons:
        text = (tmp_path / "en" / "students" / "s001" / "notebooks" / f"{p.stem}.ipynb").read_text(encoding="utf-8")
        assert "(real data)" not in text, p.stem
        assert "BEGIN SOLUTION" not in text and '"quiz-answers"' not in text and '"rubric"' not in text, p.stem
    complete = [p.stem for p in lessons if not translation_problems(p.read_text(encoding="utf-8"))]
    if not complete:
        pytest.skip("no lesson has a complete zh edition yet")
    build_assignment(pd.DataFrame({"student_id": ["s001"]}), complete, tmp_path / "zh", salt=SALT, preset="tiny",
                     execute_keys=False, lang="zh")
    for stem in complete:
        nb = nbformat.read(tmp_path / "zh" / "students" / "s001" / "notebooks" / f"{stem}.ipynb", as_version=4)
        assert "lang = 'zh'" in next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert "(real data)" not in _texts(nb)
