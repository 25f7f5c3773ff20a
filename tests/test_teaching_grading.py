"""Grading student code that is not trusted: isolation, limits, batch grading, feedback (issues 11 and 12).

One term (tiny preset, 300 customers, two students, one exercise notebook with two exercises worth 2 + 3
points) is built once for the module. Each test writes submissions into its own folder and grades them:
an adversarial submission that goes after the keys, the term folder and the course salt; notebooks that
allocate too much memory, loop forever or kill their kernel; batch grading with a gradebook and feedback.
The root-only checks (the kernel runs as ``nobody`` and reads nothing of the instructor's) run when the
tests run as root, as on the test machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import shutil
import tempfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmlab.cli.teaching import add_subcommands
from crmlab.notebook.isolation import namespaces_available
from crmlab.notebook.sources import source_to_notebook
from crmlab.teaching import SALT_ENV, GradeReport, build_assignment, grade_submission, grade_term
from crmlab.teaching.gradebook import feedback_text, safe_cell, write_feedback, write_gradebook
from crmlab.teaching.grading import check_key
from crmlab.teaching.sandbox import read_output

SALT = "grading-test-salt-2026"
NB = "08_graded"
ROOT = os.geteuid() == 0

SOURCE = '''# %% tags=["parameters"]
data_dir = None
preset = "tiny"
seed = 0
n_customers = 300
output_dir = "."

# %%
import os
from crmlab.notebook import get_data, write_results
data = get_data(data_dir, preset, seed, n_customers)

# %% tags=["exercise"]
# Exercise 1. How many orders are there?
# answer: n_orders points=2
### BEGIN SOLUTION
n_orders = int(len(data.orders))
### END SOLUTION

# %%
assert isinstance(n_orders, int)

# %% tags=["exercise"]
# Exercise 2. Mean number of orders per customer who ordered.
# answer: mean_orders points=3
### BEGIN SOLUTION
mean_orders = float(data.orders.groupby("customer_id").size().mean())
### END SOLUTION

# %%
### BEGIN HIDDEN TESTS
assert mean_orders > 0
### END HIDDEN TESTS

# %%
write_results({"n_rows": int(len(data.customers))}, output_dir)
'''

EX1 = "n_orders = int(len(data.orders))"
EX2 = 'mean_orders = float(data.orders.groupby("customer_id").size().mean())'
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    src = root / f"{NB}.ipynb"
    nbformat.write(source_to_notebook(SOURCE), src)
    out = root / "term"
    build_assignment(pd.DataFrame({"student_id": ["s001", "s002"]}), [src], out, salt=SALT, preset="tiny",
                     n_customers=300)
    return out


def student_nb(term: Path, sid: str = "s001", ex1: str | None = None, ex2: str | None = None):
    """The handed-out notebook of ``sid`` with exercise cells filled in (None: left as handed out)."""
    nb = nbformat.read(term / "students" / sid / "notebooks" / f"{NB}.ipynb", as_version=4)
    cells = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    for cell, code in zip(cells, (ex1, ex2)):
        if code is not None:
            cell.source = cell.source.replace(STUB, code)
    return nb


def write_sub(folder: Path, nb, sid: str = "s001") -> Path:
    (folder / sid).mkdir(parents=True, exist_ok=True)
    path = folder / sid / f"{NB}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def kernel_as_nobody():
    """Skip when this machine cannot start a kernel as an unprivileged user (not root)."""
    if not ROOT:
        pytest.skip("not root: kernels run as the grading user (documented as not isolated)")
    return pwd.getpwnam("nobody").pw_uid


# ----------------------------------------------------------------------------- the attack
ATTACK = '''
import json, os, pathlib
TERM, LEAK, SALT_ENV = {term!r}, {leak!r}, {salt_env!r}
found = {{"uid": os.getuid(), "salt": os.environ.get(SALT_ENV),
          "crmlab_env": sorted(k for k in os.environ if k.startswith("CRMLAB")), "read": {{}}, "listed": {{}},
          "proc_salt": [], "proc_term": [], "wrote_term": False}}
# 1. walk up from data_dir, listing every folder on the way, looking for keys and the term
for parent in [pathlib.Path(data_dir).resolve(), *pathlib.Path(data_dir).resolve().parents]:
    try:
        names = os.listdir(parent)
        found["listed"][str(parent)] = [n for n in names if n in ("keys", "assignment.json", "students")]
    except OSError:
        pass
# 2. read the term folder and the keys by their absolute paths
key_text = None
for rel in ("assignment.json", "keys/s001/answers.json", "keys/s001/{nb}/recorded_answers.json"):
    try:
        text = open(os.path.join(TERM, rel)).read()
        found["read"][rel] = len(text)
        if rel.endswith("answers.json") and key_text is None and "notebooks" in text:
            key_text = text
    except OSError as e:
        found["read"][rel] = type(e).__name__
# 3. the salt and the term path in any process's environment or command line
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for what, bucket, needle in (("environ", "proc_salt", {salt!r}), ("cmdline", "proc_term", TERM)):
        try:
            if needle in open(f"/proc/{{pid}}/{{what}}", "rb").read().decode("utf-8", "replace"):
                found[bucket].append(pid)
        except OSError:
            pass
# 4. write into the term folder
try:
    open(os.path.join(TERM, "pwned.txt"), "w").write("x")
    found["wrote_term"] = True
except OSError:
    pass
if key_text:
    answers = {{a["name"]: a["value"] for a in json.loads(key_text)["notebooks"]["{nb}"]["answers"]}}
    n_orders, mean_orders = answers["n_orders"], answers["mean_orders"]
else:
    # 5. make the grader read the key's recorded answers instead of ours
    import crmlab.teaching
    crmlab.teaching.record_answers = lambda *a, **k: None
    os.symlink(os.path.join(TERM, "keys/s001/{nb}/recorded_answers.json"),
               os.path.join(output_dir, "recorded_answers.json"))
# 6. write what was found where the salt would go
with open(LEAK, "w") as f:
    json.dump(found, f)
'''


@pytest.fixture()
def leak_dir():
    """Where the attack writes what it found: outside the temporary folder (a grading kernel gets a private, empty
    /tmp in its mount namespace, so a folder there would be invisible to it)."""
    outside = "/var/tmp" if os.path.isdir("/var/tmp") and os.path.realpath("/var/tmp") != \
        os.path.realpath(tempfile.gettempdir()) else None
    d = Path(tempfile.mkdtemp(prefix="crmlab-test-leak-", dir=outside))
    os.chmod(d, 0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _attack_nb(term: Path, leak: Path):
    code = ATTACK.format(term=str(term.resolve()), leak=str(leak), salt_env=SALT_ENV, salt=SALT, nb=NB)
    return student_nb(term, ex1=code, ex2="pass")


def test_attack_works_without_isolation(term, tmp_path, leak_dir, monkeypatch):
    """Control: run as the grading user with no isolation, the same submission reads the key and scores full marks
    (what issue 11 found) - so the attack code below is real."""
    if not ROOT:
        pytest.skip("the control reads the root-owned term folder")
    monkeypatch.setenv(SALT_ENV, SALT)
    sub = write_sub(tmp_path, _attack_nb(term, leak_dir / "leak.json"))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=60, isolation=None)
    leak = json.loads((leak_dir / "leak.json").read_text())
    assert grade.score == grade.max_score == 5, grade.answers
    assert leak["read"]["keys/s001/answers.json"] > 0 and leak["wrote_term"]
    assert leak["salt"] is None, "even without isolation the kernel's environment is minimal"
    (term / "pwned.txt").unlink()


def test_adversarial_submission_gets_nothing(term, tmp_path, leak_dir, monkeypatch, kernel_as_nobody):
    """Walking up from data_dir, reading the term folder and keys/*/answers.json by absolute path, reading the salt
    from os.environ or /proc, writing into the term folder, pointing the answers file at the key: all fail, and the
    submission scores as unsolved. The kernel runs as nobody."""
    monkeypatch.setenv(SALT_ENV, SALT)
    sub = write_sub(tmp_path, _attack_nb(term, leak_dir / "leak.json"))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=60)
    leak = json.loads((leak_dir / "leak.json").read_text())
    assert leak["uid"] == kernel_as_nobody != 0
    assert leak["salt"] is None and leak["crmlab_env"] == []
    assert all(not isinstance(v, int) for v in leak["read"].values()), leak["read"]
    assert not any(leak["listed"].values()), leak["listed"]
    assert leak["proc_salt"] == [] and not leak["wrote_term"]
    if namespaces_available():
        assert leak["proc_term"] == [], "the kernel saw the grader's command line"
    assert not (term / "pwned.txt").exists()
    assert SALT not in (leak_dir / "leak.json").read_text()
    assert grade.score == 0 and grade.max_score == 5, grade.answers
    assert any("recorded_answers.json" in e and "could not be opened" in e for e in grade.errors), grade.errors


def test_kernel_environment_has_no_secret(term, tmp_path, monkeypatch):
    """Whatever the user: no CRMLAB_* variable, no salt, no instructor variable reaches student code."""
    monkeypatch.setenv(SALT_ENV, SALT)
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "t0ps3cret")
    code = ('import os\nn_orders = int(len(data.orders))\n'
            'mean_orders = [sorted(os.environ), data_dir, os.getcwd()]')
    sub = write_sub(tmp_path, student_nb(term, ex1=code, ex2="pass"))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=60)
    env, data_dir, cwd = grade.answers.set_index("name").loc["mean_orders", "submitted"]
    assert not [k for k in env if k.startswith("CRMLAB") or k == "INSTRUCTOR_TOKEN"], env
    assert set(env) <= {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONNOUSERSITE", "TMPDIR", "MPLCONFIGDIR",
                        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MALLOC_ARENA_MAX",
                        "PYDEVD_DISABLE_FILE_VALIDATION", "USER", "LOGNAME", "PYTHONPATH", "JPY_PARENT_PID",
                        "JPY_SESSION_NAME", "MPLBACKEND", "PYDEVD_USE_FRAME_EVAL", "CLICOLOR", "FORCE_COLOR",
                        "PAGER", "GIT_PAGER", "TERM", "CLICOLOR_FORCE",  # set by ipykernel itself
                        "SPARK_LOCAL_IP", "PYARROW_IGNORE_TIMEZONE"}, env  # set by pandera when imported
    term_abs = str(term.resolve())
    assert term_abs not in data_dir and term_abs not in cwd, "student code saw a path into the term folder"
    assert Path(data_dir).name == "data" and "crmlab-grade-" in data_dir


def test_memory_hog_is_stopped_and_graded_as_failed(term, tmp_path):
    """Exercise 2 allocates 3 GiB under a 1 GiB limit: MemoryError in that cell; exercise 1 still counts."""
    hog = "big = bytearray(3 * 2**30)\n" + EX2
    sub = write_sub(tmp_path, student_nb(term, ex1=EX1, ex2=hog))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=60, memory_mb=1024)
    assert grade.score == 2, grade.answers
    assert any("MemoryError" in e for e in grade.errors), grade.errors


def test_endless_loop_is_interrupted_and_the_notebook_goes_on(term, tmp_path):
    sub = write_sub(tmp_path, student_nb(term, ex1=EX1, ex2="while True:\n    pass"))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=6, total_timeout=90)
    assert grade.score == 2 and grade.stopped is None, grade.answers
    assert any("CellTimeoutError" in e for e in grade.errors), grade.errors


def test_loop_that_ignores_interrupts_hits_the_total_limit(term, tmp_path):
    stubborn = ("import time\nwhile True:\n    try:\n        time.sleep(0.2)\n    except KeyboardInterrupt:\n"
                "        pass")
    sub = write_sub(tmp_path, student_nb(term, ex1=EX1, ex2=stubborn))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=3, total_timeout=8)
    assert grade.score == 0 and grade.max_score == 5
    assert "total time limit" in grade.stopped, grade.stopped


def test_killing_the_kernel_is_graded_as_failed(term, tmp_path):
    sub = write_sub(tmp_path, student_nb(term, ex1=EX1, ex2="import os\nos._exit(3)"))
    grade = grade_submission(sub, term / "keys" / "s001" / "answers.json", timeout=30)
    assert grade.score == 0 and "kernel died" in grade.stopped, grade


def test_linked_or_broken_submissions_and_bad_keys_are_clear_errors(term, tmp_path):
    key = term / "keys" / "s001" / "answers.json"
    link = tmp_path / f"{NB}.ipynb"
    link.symlink_to(term / "keys" / "s001" / NB / f"{NB}.ipynb")
    with pytest.raises(ValueError, match="symbolic link"):
        grade_submission(link, key)
    broken = tmp_path / "broken" / f"{NB}.ipynb"
    broken.parent.mkdir()
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="not a valid notebook"):
        grade_submission(broken, key)
    for bad, msg in (([1], "got a list"), ({"notebooks": {NB: {"answers": "x"}}}, "must be a list"),
                     ({"notebooks": []}, "notebooks")):
        with pytest.raises(ValueError, match=msg):
            check_key(bad)
        p = tmp_path / "bad_key.json"
        p.write_text(json.dumps(bad))
        with pytest.raises(ValueError, match=msg):
            grade_submission(broken, p)


def test_outputs_are_read_as_untrusted(tmp_path):
    target = tmp_path / "secret.json"
    target.write_text('{"n_orders": 42}')
    (tmp_path / "link.json").symlink_to(target)
    assert read_output(tmp_path / "link.json")[0] == {}
    assert "could not be opened" in read_output(tmp_path / "link.json")[1]
    (tmp_path / "list.json").write_text("[1, 2]")
    assert read_output(tmp_path / "list.json") == ({}, "list.json does not hold a JSON object")
    (tmp_path / "dir.json").mkdir()
    assert read_output(tmp_path / "dir.json")[0] == {}
    (tmp_path / "big.json").write_bytes(b" " * (9 * 2**20))
    assert "larger than" in read_output(tmp_path / "big.json")[1]


# ----------------------------------------------------------------------------- batch grading
@pytest.fixture(scope="module")
def batch(term, tmp_path_factory):
    """Two students graded in parallel: s001 solved everything, s002 only exercise 1."""
    folder = tmp_path_factory.mktemp("handed_in")
    write_sub(folder, student_nb(term, "s001", ex1=EX1, ex2=EX2), "s001")
    write_sub(folder, student_nb(term, "s002", ex1=EX1), "s002")
    (folder / "s999").mkdir()  # not a student of the term
    seen = []
    grades = grade_term(term, folder, jobs=2, timeout=60, progress=lambda sid, nb, rep: seen.append((sid, nb)))
    return {"folder": folder, "grades": grades, "seen": seen}


def test_batch_gradebook_rows_and_totals(batch):
    gb = batch["grades"].gradebook
    assert sorted(batch["seen"]) == [("s001", NB), ("s002", NB)]
    assert list(gb.columns) == ["student_id", "notebook", "exercise", "score", "max_score", "status", "note"]
    assert set(gb["status"]) == {"graded"}
    rows = {(r.student_id, r.notebook, r.exercise): (r.score, r.max_score) for r in gb.itertuples()}
    assert rows[("s001", NB, f"{NB}-ex1")] == (2, 2) and rows[("s001", NB, f"{NB}-ex2")] == (3, 3)
    assert rows[("s002", NB, f"{NB}-ex1")] == (2, 2) and rows[("s002", NB, f"{NB}-ex2")] == (0, 3)
    assert rows[("s001", "total", "total")] == (5, 5) and rows[("s002", "total", "total")] == (2, 5)
    assert rows[("s002", NB, "total")] == (2, 5)
    assert (gb["max_score"] > 0).all(), "no zero-point rows"
    assert len(gb) == 2 * (2 + 1 + 1)
    assert batch["grades"].unknown == ("s999",)
    note = gb.set_index(["student_id", "notebook", "exercise"]).loc[("s002", NB, "total"), "note"]
    assert "NotImplementedError" in note


def test_feedback_hides_expected_values_unless_revealed(batch, term):
    fb = batch["grades"].feedback[("s002", NB)]
    key = json.loads((term / "keys" / "s002" / "answers.json").read_text())
    expected = {a["name"]: a["value"] for a in key["notebooks"][NB]["answers"]}
    assert "Score: 2 / 5" in fb and "Exercise 1 | 2 / 2" in fb and "Exercise 2 | 0 / 3" in fb
    assert "`mean_orders` has no value" in fb
    assert str(expected["mean_orders"])[:6] not in fb and "expected" not in fb
    assert "n_rows" not in fb, "0-point results.json checks are not shown to students"
    for marker in ("BEGIN", "HIDDEN", "marker"):
        assert marker not in fb
    assert "NotImplementedError" in fb
    report = GradeReport(answers=pd.DataFrame([{"name": "mean_orders", "source": "answer", "exercise": f"{NB}-ex2",
                                                "expected": 1.2345, "submitted": 9.0, "ok": False, "points": 3.0,
                                                "earned": 0.0}]), score=0.0, max_score=3.0)
    assert "1.2345" not in feedback_text(NB, report)
    assert "`mean_orders` = `9.0` is not correct (expected `1.2345`)" in feedback_text(NB, report, reveal=True)


def test_missing_broken_and_linked_notebooks_are_rows_of_zero(term, tmp_path):
    folder = tmp_path / "subs"
    (folder / "s001").mkdir(parents=True)
    (folder / "s001" / f"{NB}.ipynb").write_text("this is not a notebook")
    (folder / "s002").mkdir()
    (folder / "s002" / f"{NB}.ipynb").symlink_to(term / "keys" / "s002" / NB / f"{NB}.ipynb")
    grades = grade_term(term, folder)
    gb = grades.gradebook.set_index(["student_id", "notebook", "exercise"])
    assert gb.loc[("s001", NB, f"{NB}-ex1"), "score"] == 0
    assert "not a valid notebook" in gb.loc[("s001", NB, f"{NB}-ex1"), "note"]
    assert str(folder) not in gb.loc[("s001", NB, f"{NB}-ex1"), "note"]
    assert "symbolic link" in gb.loc[("s002", NB, "total"), "note"]
    assert gb.loc[("s002", "total", "total"), "score"] == 0
    (folder / "s002" / f"{NB}.ipynb").unlink()
    grades = grade_term(term, folder)
    assert grades.gradebook.set_index(["student_id", "notebook", "exercise"]).loc[("s002", NB, "total"),
                                                                                   "note"] == "no submission"
    assert "Not graded: no submission." in grades.feedback[("s002", NB)]


def test_gradebook_csv_is_atomic_and_safe_for_spreadsheets(batch, tmp_path):
    gb = batch["grades"].gradebook.copy()
    gb.loc[0, "note"] = "=HYPERLINK(\"http://x\")"
    out = write_gradebook(gb, tmp_path / "gradebook.csv")
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["note"].startswith("'=") and len(rows) == len(gb)
    with pytest.raises(ValueError, match="exists"):
        write_gradebook(gb, out)
    write_gradebook(gb, out, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"], "temporary file left behind"
    assert safe_cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0" and safe_cell("@SUM(1)") == "'@SUM(1)"
    fb = write_feedback(batch["grades"].feedback, tmp_path / "feedback")
    assert sorted(p.relative_to(fb).as_posix() for p in fb.rglob("*.md")) == [f"s001/{NB}.md", f"s002/{NB}.md"]
    with pytest.raises(ValueError, match="not empty"):
        write_feedback(batch["grades"].feedback, fb)


def _cli():
    parser = argparse.ArgumentParser(prog="crmlab")
    add_subcommands(parser.add_subparsers(dest="command"))
    return parser


def test_batch_cli(term, tmp_path, capsys):
    """crmlab grade --term --submissions --out: gradebook, feedback folder, refuses to overwrite; no kernels needed
    here (nothing submitted), so it is quick."""
    from crmlab.cli import CLIError

    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "gradebook.csv"
    args = _cli().parse_args(["grade", "--term", str(term), "--submissions", str(subs), "--out", str(out), "-q"])
    assert args.func(args) == 0
    book = pd.read_csv(out)
    assert set(book["student_id"]) == {"s001", "s002"} and (book["score"] == 0).all()
    assert (tmp_path / "subs_feedback" / "s001" / f"{NB}.md").is_file()
    with pytest.raises(CLIError, match="exists"):
        args.func(args)
    args = _cli().parse_args(["grade", "--term", str(term), "--submissions", str(subs)])
    with pytest.raises(CLIError, match="together"):
        args.func(args)
    args = _cli().parse_args(["grade", "--term", str(term), "--submissions", str(subs), "--out", str(out),
                              "--key", "k.json", "--force"])
    with pytest.raises(CLIError, match="one submission"):
        args.func(args)
    with pytest.raises(SystemExit):
        _cli().parse_args(["grade", "--term", str(term), "--submissions", str(subs), "--out", str(out),
                           "--jobs", "0"])
    capsys.readouterr()


def test_grade_help_says_what_is_isolated(capsys):
    with pytest.raises(SystemExit):
        _cli().parse_args(["grade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for phrase in ("no CRMLAB_COURSE_SALT", "--total-timeout", "nobody", "NOT isolated when you are not root",
                   "namespaces", "IPC sockets", "--reveal", "--jobs"):
        assert phrase in text, phrase
