"""Written tasks graded by hand: the instructor's CSV template and its merge into the gradebook and feedback.

One term (tiny preset, 300 customers, two students, one notebook with one auto-graded exercise worth 2 points
and two written tasks worth 10 and 4) is built once for the module. Only one test runs a kernel (s001's
submission graded with the written grades merged); the others read the template and its errors, or grade a
folder with nothing submitted (no kernels).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab.cli import CLIError
from crmlab.cli.teaching import add_subcommands
from crmlab.notebook.sources import source_to_notebook
from crmlab.teaching import build_assignment, grade_term
from crmlab.teaching.gradebook import write_feedback, write_gradebook
from crmlab.teaching.written import (WRITTEN_COLUMNS, WrittenGrade, count_graded, read_written,
                                     write_written_template, written_tasks)

SALT = "written-test-salt-2026"
NB = "09_memo"
W1, W2 = f"{NB}-written1", f"{NB}-written2"

SOURCE = '''# %% tags=["parameters"]
data_dir = None
preset = "tiny"
seed = 0
n_customers = 300
output_dir = "."

# %%
from crmlab.notebook import get_data, write_results
data = get_data(data_dir, preset, seed, n_customers)

# %% tags=["exercise"]
# Exercise 1. How many customers are there?
# answer: n_customers_seen points=2
### BEGIN SOLUTION
n_customers_seen = int(len(data.customers))
### END SOLUTION

# %% [markdown]
# Write a one-page memo to the CRM manager.

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# A good memo states the decision, the evidence and its uncertainty.

# %% [markdown] tags=["rubric"]
# - decision (4)
# - evidence (4)
# - uncertainty (2)

# %% [markdown]
# Name one limitation of the data.

# %% [markdown] tags=["written"]
# <!-- points: 4 -->
# Any limitation that follows from how the data was collected.

# %%
write_results({"n_rows": int(len(data.customers))}, output_dir)
'''

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("written")
    src = root / f"{NB}.ipynb"
    nbformat.write(source_to_notebook(SOURCE), src)
    out = root / "term"
    build_assignment(pd.DataFrame({"student_id": ["s001", "s002"]}), [src], out, salt=SALT, preset="tiny",
                     n_customers=300)
    return out


def _cli():
    parser = argparse.ArgumentParser(prog="crmlab")
    add_subcommands(parser.add_subparsers(dest="command"))
    return parser


def _write(path: Path, rows: list[list[str]], header: list[str] = WRITTEN_COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _filled(path: Path, s001_w1="7", s001_w2="", s002_w1="", s002_w2="", comment="Clear decision | good") -> Path:
    return _write(path, [["s001", NB, W1, "10", s001_w1, comment], ["s001", NB, W2, "4", s001_w2, ""],
                         ["s002", NB, W1, "10", s002_w1, ""], ["s002", NB, W2, "4", s002_w2, ""]])


def test_template_has_one_row_per_student_and_task_and_is_not_overwritten(term, tmp_path):
    out = write_written_template(term, tmp_path / "written.csv")
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == WRITTEN_COLUMNS
    assert [(r["student_id"], r["notebook"], r["task"], r["max_points"]) for r in rows] == [
        ("s001", NB, W1, "10"), ("s001", NB, W2, "4"), ("s002", NB, W1, "10"), ("s002", NB, W2, "4")]
    assert all(r["points"] == "" and r["comment"] == "" for r in rows)
    assert written_tasks(term)["max_points"].tolist() == [10.0, 4.0, 10.0, 4.0]
    out.write_text(out.read_text().replace(",10,,", ",9,,", 1))  # the instructor started filling it in
    filled = out.read_text()
    with pytest.raises(ValueError, match="exists"):
        write_written_template(term, out)
    assert out.read_text() == filled, "an existing template is never overwritten without force"
    write_written_template(term, out, force=True)
    assert ",9,," not in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["written.csv"], "temporary file left behind"
    # the untouched template reads back as nothing graded yet
    grades = read_written(out, term)
    assert set(grades) == {("s001", W1), ("s001", W2), ("s002", W1), ("s002", W2)}
    assert count_graded(grades) == (0, 4)


def test_read_written_points_comments_and_empty_rows(term, tmp_path):
    path = _filled(tmp_path / "w.csv", s001_w1="7.5", s002_w2="0")
    path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")  # saved by a spreadsheet
    grades = read_written(path, term)
    assert grades[("s001", W1)] == WrittenGrade(7.5, "Clear decision | good")
    assert grades[("s002", W2)] == WrittenGrade(0.0, "") and grades[("s002", W2)].graded, "0 is a grade"
    assert not grades[("s001", W2)].graded and not grades[("s002", W1)].graded
    assert count_graded(grades) == (2, 2)
    # rows left out of the file are not yet graded too; extra columns are ignored
    short = _write(tmp_path / "short.csv", [["s001", W1, "3", "x"]], header=["student_id", "task", "points", "mine"])
    assert count_graded(read_written(short, term)) == (1, 3)
    semi = tmp_path / "semi.csv"
    semi.write_text("student_id;task;points;comment\ns001;%s;4;%s\n" % (W1, "long, " * 200), encoding="utf-8")
    grade = read_written(semi, term)[("s001", W1)]
    assert grade.points == 4 and grade.comment.startswith("long, long,")
    from crmlab.teaching.gradebook import feedback_text

    text = feedback_text(NB, None, note="no submission", written=[(W1, 10.0)], hand_grades={W1: grade})
    assert text.count("long,") == 200, "a long comment reaches the student whole"


@pytest.mark.parametrize("rows, column, what", [
    ([["s999", NB, W1, "10", "5", ""]], "student_id", "unknown student"),
    ([["s001", NB, f"{NB}-written3", "10", "5", ""]], "task", "not a written task"),
    ([["s001", NB, f"{NB}-ex1", "2", "1", ""]], "task", "not a written task"),
    ([["s001", "01_other", W1, "10", "5", ""]], "notebook", "the task belongs to another notebook"),
    ([["s001", NB, W1, "10", "seven", ""]], "points", "not a number"),
    ([["s001", NB, W1, "10", "nan", ""]], "points", "not a number"),
    ([["s001", NB, W1, "10", "-1", ""]], "points", "negative"),
    ([["s001", NB, W1, "10", "10.5", ""]], "points", "above the task's maximum"),
    ([["s001", NB, W2, "10", "5", ""]], "points", "above the task's maximum"),  # max from the term, not the file
    ([["s001", NB, W1, "10", "", "good memo"]], "points", "a comment but no points"),
    ([["s001", NB, W1, "10", "5", ""], ["s002", NB, W1, "10", "", ""], ["s001", NB, W1, "10", "6", ""]],
     "student_id, task", "the same task twice"),
])
def test_read_written_errors_name_file_column_and_lines(term, tmp_path, rows, column, what):
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(ValueError) as e:
        read_written(path, term)
    msg = str(e.value)
    assert str(path) in msg and f"column {column}: {what}" in msg and "nothing was merged" in msg
    assert f"line {len(rows) + 1}" in msg


def test_read_written_reports_every_problem_and_a_few_lines_each(term, tmp_path):
    rows = [[f"x{i}", NB, W1, "10", "5", ""] for i in range(8)] + [["s001", NB, W1, "10", "-3", ""]]
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(ValueError) as e:
        read_written(path, term)
    msg = str(e.value)
    assert "9 problem(s)" in msg and "(8 row(s))" in msg and "... and 3 more" in msg
    assert "'x0'" in msg and "'x7'" not in msg and "column points: negative (1 row(s)): line 10" in msg
    with pytest.raises(ValueError, match="no column 'points'"):
        read_written(_write(tmp_path / "h.csv", [["s001", W1]], header=["student_id", "task"]), term)
    with pytest.raises(ValueError, match="no such file"):
        read_written(tmp_path / "missing.csv", term)
    (tmp_path / "latin.csv").write_bytes("student_id,task,points,comment\ns001,x,1,tr\xe8s bien\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_written(tmp_path / "latin.csv", term)


def test_merge_into_gradebook_totals_and_feedback(term, tmp_path):
    """s001 submits (one kernel run): 2 auto points, written1 7/10 with a comment, written2 not yet graded;
    s002 submits nothing: written1 graded 3/10 (e.g. handed in on paper), written2 not yet graded."""
    subs = tmp_path / "subs"
    (subs / "s001").mkdir(parents=True)
    nb = nbformat.read(term / "students" / "s001" / "notebooks" / f"{NB}.ipynb", as_version=4)
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(STUB, "n_customers_seen = int(len(data.customers))")
    nbformat.write(nb, subs / "s001" / f"{NB}.ipynb")
    hand = read_written(_filled(tmp_path / "w.csv", s001_w1="7", s002_w1="3"), term)
    grades = grade_term(term, subs, timeout=60, written=hand)
    gb = grades.gradebook.set_index(["student_id", "notebook", "exercise"])
    assert gb.loc[("s001", NB, f"{NB}-ex1"), "score"] == 2
    assert (gb.loc[("s001", NB, W1), "score"], gb.loc[("s001", NB, W1), "status"]) == (7, "graded by hand")
    assert gb.loc[("s001", NB, W1), "note"] == "Clear decision | good"
    assert pd.isna(gb.loc[("s001", NB, W2), "score"]), "not yet graded is not zero"
    assert gb.loc[("s001", NB, W2), "status"] == "not yet graded"
    assert tuple(gb.loc[("s001", NB, "total"), ["score", "max_score", "status"]]) == (9, 16, "manual pending")
    assert tuple(gb.loc[("s001", "total", "total"), ["score", "max_score", "status"]]) == (9, 16, "manual pending")
    assert gb.loc[("s002", NB, W1), "score"] == 3 and gb.loc[("s002", "total", "total"), "score"] == 3
    fb = grades.feedback[("s001", NB)]
    assert "Score: 9 / 12" in fb, "the score covers what is graded: 2 auto + 7 of 10 written"
    assert "Written task 1 | 7 / 10 | graded by hand. Comment: Clear decision \\| good |" in fb
    assert "Written task 2 | - / 4 | not yet graded |" in fb and "(4 points) are not graded yet" in fb
    key = (term / "keys" / "s001" / "answers.json").read_text()
    assert "expected" not in fb and "300" not in fb and "decision (4)" not in fb and "300" in key
    fb2 = grades.feedback[("s002", NB)]
    assert "Score: 3 / 12" in fb2 and "Written task 1 | 3 / 10 | graded by hand |" in fb2
    assert "Written task 2 | 0 / 4 | not graded |" in fb2
    # everything graded: the totals are final
    hand = read_written(_filled(tmp_path / "w2.csv", s001_w1="7", s001_w2="4", s002_w1="3", s002_w2="1"), term)
    gb2 = grade_term(term, tmp_path / "subs", timeout=60, written=hand).gradebook
    t = gb2[(gb2["student_id"] == "s001") & (gb2["exercise"] == "total")]
    assert set(t["status"]) == {"graded"} and set(t["score"]) == {13.0}
    out = write_gradebook(grades.gradebook, tmp_path / "gradebook.csv")
    book = pd.read_csv(out)
    assert book.loc[(book["student_id"] == "s001") & (book["exercise"] == W2), "score"].isna().all()
    write_feedback(grades.feedback, tmp_path / "feedback")
    assert "7 / 10" in (tmp_path / "feedback" / "s001" / f"{NB}.md").read_text()


def test_written_in_chinese_feedback(term):
    from crmlab.teaching.gradebook import feedback_text

    text = feedback_text(NB, None, note="no submission", exercises=[(f"{NB}-ex1", 2.0)],
                         written=[(W1, 10.0), (W2, 4.0)], hand_grades={W1: WrittenGrade(6.0, "结构清楚")},
                         lang="zh")
    assert "书面作业 1 | 6 / 10 | 教师已批改。评语：结构清楚 |" in text and "得分：6 / 12" in text


def test_cli_template_and_merge(term, tmp_path, capsys):
    """crmlab grade --written-template, then --written (nothing submitted, so no kernels)."""
    tpl = tmp_path / "written.csv"
    args = _cli().parse_args(["grade", "--term", str(term), "--written-template", str(tpl)])
    assert args.func(args) == 0
    assert "4 row(s), 2 students x 2 written task(s)" in capsys.readouterr().out
    with pytest.raises(CLIError, match="exists"):
        args.func(args)
    args = _cli().parse_args(["grade", "--term", str(term), "--written-template", str(tpl), "--force", "-q"])
    assert args.func(args) == 0
    for extra in (["--out", "g.csv"], ["--written", str(tpl)]):
        args = _cli().parse_args(["grade", "--term", str(term), "--written-template", str(tmp_path / "t2.csv"),
                                  *extra])
        with pytest.raises(CLIError, match="only lists"):
            args.func(args)
    with pytest.raises(CLIError, match="needs --term"):
        args = _cli().parse_args(["grade", "--written-template", str(tmp_path / "t3.csv")])
        args.func(args)
    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "gradebook.csv"
    _filled(tpl, s001_w1="8", s002_w1="2", s002_w2="4")
    args = _cli().parse_args(["grade", "--term", str(term), "--submissions", str(subs), "--out", str(out),
                              "--written", str(tpl)])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "written tasks: 3 graded by hand, 1 not yet graded" in printed
    book = pd.read_csv(out).set_index(["student_id", "notebook", "exercise"])
    assert book.loc[("s001", "total", "total"), "score"] == 8 and book.loc[("s002", "total", "total"), "score"] == 6
    assert "Comment: Clear decision" in (tmp_path / "subs_feedback" / "s001" / f"{NB}.md").read_text()
    # a bad file stops before grading, and nothing is written
    _write(tpl, [["s001", NB, W1, "10", "11", ""], ["s001", NB, W1, "10", "x", ""]])
    out2 = tmp_path / "gradebook2.csv"
    args = _cli().parse_args(["grade", "--term", str(term), "--submissions", str(subs), "--out", str(out2),
                              "--feedback", str(tmp_path / "fb2"), "--written", str(tpl), "-q"])
    with pytest.raises(CLIError) as e:
        args.func(args)
    assert "column points: above the task's maximum" in str(e.value) and "line 2" in str(e.value)
    assert "column student_id, task: the same task twice" in str(e.value)
    assert not out2.exists() and not (tmp_path / "fb2").exists()
    args = _cli().parse_args(["grade", "--written", str(tpl)])
    with pytest.raises(CLIError, match="together"):
        args.func(args)


def test_grade_help_shows_the_written_workflow(capsys):
    with pytest.raises(SystemExit):
        _cli().parse_args(["grade", "--help"])
    text = capsys.readouterr().out
    assert "crmlab grade --term term1 --written-template written.csv" in text
    assert "--written written.csv" in text and "not yet graded" in text
    assert "--written-template written.csv writes one row per student" in " ".join(text.split())
