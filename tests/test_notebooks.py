"""Every notebook: well-formed, in sync with its jupytext source, re-executes to the committed outputs
(nbval), runs on the tiny preset through the one executor (and still under papermill), and refuses
unknown parameters; the executor talks to its kernel over IPC, not TCP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crmlab.notebook.execute import NotebookRunError, declared_parameters, execute_notebook
from crmlab.notebook.runner import find_notebooks, run_notebook
from crmlab.notebook.sources import notebook_to_source, source_to_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PARAMS = {"data_dir", "preset", "seed", "n_customers", "as_of", "output_dir"}
IDS = [p.stem for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_structure(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell must be tagged 'parameters'"
    names = {line.split("=")[0].strip() for line in code[0].source.splitlines() if "=" in line}
    assert PARAMS <= names, PARAMS - names
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ("Question", "Method", "Result", "Discussion", "Quiz", "truth"):
        assert part in text, f"{path.name}: no '{part}' section"
    # the truth is read only in the final "check against the truth" section
    check = next(i for i, c in enumerate(nb.cells)
                 if c.cell_type == "markdown" and "Check against the truth" in c.source)
    for c in nb.cells[:check]:
        if c.cell_type == "code":
            assert "data.truth" not in c.source, f"{path.name}: the truth is read before the check section"
    # executed with outputs, no errors
    assert all(c.get("execution_count") for c in code), "commit the notebook executed (scripts/build_notebooks.py)"
    for c in code:
        for o in c.get("outputs", []):
            assert o.output_type != "error", f"{path.name}: error output {o.get('ename')}"
    # figures have titles (no bare plotting calls that print object reprs)
    for c in code:
        for o in c.get("outputs", []):
            txt = o.get("data", {}).get("text/plain", "") if o.output_type == "execute_result" else ""
            assert " at 0x" not in txt, f"{path.name}: object repr with a memory address: {txt[:80]}"


def test_the_installed_lessons_are_these_notebooks():
    assert [p.name for p in find_notebooks()] == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_in_sync_with_source(path):
    """The committed notebook holds the cells of its jupytext source, and no jupytext metadata."""
    src = ROOT / "notebooks" / "src" / f"{path.stem}.py"
    assert src.exists(), f"missing source {src.name}"
    expected = source_to_notebook(src.read_text(encoding="utf-8"))
    nb = nbformat.read(path, as_version=4)
    hint = f"{path.name} differs from {src.name}: run scripts/build_notebooks.py {path.stem[:2]}"
    assert [c.source for c in nb.cells] == [c.source for c in expected.cells], hint
    assert [c.cell_type for c in nb.cells] == [c.cell_type for c in expected.cells], hint
    assert [c.metadata.get("tags") for c in nb.cells] == [c.metadata.get("tags") for c in expected.cells], hint
    assert "jupytext" not in nb.metadata and "jupytext" not in expected.metadata
    assert all(set(c.metadata) <= {"tags"} for c in expected.cells), "jupytext layout metadata leaked into cells"


@pytest.mark.parametrize("src", sorted((ROOT / "notebooks" / "src").glob("*.py")), ids=lambda p: p.stem)
def test_source_round_trip(src):
    """source -> notebook -> source -> notebook keeps every cell (type, text, tags)."""
    nb = source_to_notebook(src.read_text(encoding="utf-8"))
    text = notebook_to_source(nb)
    again = source_to_notebook(text)
    assert [c.cell_type for c in nb.cells] == [c.cell_type for c in again.cells]
    assert [c.source for c in nb.cells] == [c.source for c in again.cells]
    assert [c.metadata.get("tags") for c in nb.cells] == [c.metadata.get("tags") for c in again.cells]
    assert text.startswith("# %%"), "no jupytext header in the source"
    assert notebook_to_source(again) == text


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_nbval_reproduces_committed_outputs(tmp_path, edition):
    """Re-execute every committed notebook of an edition and compare its outputs (nbval), in a scratch copy."""
    books = NOTEBOOKS if edition == "en" else sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
    assert books, f"no committed notebooks of the {edition} edition"
    for p in books:
        shutil.copy(p, tmp_path / p.name)
    sanitize = ROOT / "notebooks" / "nbval_sanitize.cfg"
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
           "-p", "no:xdist", "-q", "--nbval-sanitize-with", str(sanitize), *[p.name for p in books]]
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_on_the_tiny_preset(tmp_path, path):
    res = run_notebook(path, tmp_path, parameters={"preset": "tiny", "seed": 2}, html=False)
    assert res.results, "the notebook wrote no results.json"
    assert json.loads((tmp_path / path.stem / "results.json").read_text()) == res.results
    # parameters injected as papermill does: a tagged cell right after the parameters cell
    executed = nbformat.read(res.output, as_version=4)
    tags = [c.metadata.get("tags", []) for c in executed.cells]
    i = next(k for k, t in enumerate(tags) if "parameters" in t)
    assert "injected-parameters" in tags[i + 1]
    assert "preset = \"tiny\"" in executed.cells[i + 1].source
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_unknown_parameter_fails_naming_the_accepted_ones(tmp_path):
    with pytest.raises(NotebookRunError, match="unknown parameter") as e:
        run_notebook(NOTEBOOKS[0], tmp_path, parameters={"bogus": 1})
    assert "bogus" in str(e.value)
    assert all(name in str(e.value) for name in PARAMS), str(e.value)


def test_declared_parameters_agree_with_papermill():
    import papermill

    for path in NOTEBOOKS:
        assert list(declared_parameters(nbformat.read(path, as_version=4))) == list(papermill.inspect_notebook(path))


def test_failing_cell_is_named(tmp_path):
    with pytest.raises(NotebookRunError, match=r"cell \d+ failed") as e:
        run_notebook(NOTEBOOKS[0], tmp_path, parameters={"data_dir": str(tmp_path / "missing")}, html=False)
    err = e.value
    assert NOTEBOOKS[0].name in str(err) and err.ename in str(err)
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert "get_data" in nb.cells[err.cell].source, "the cell number points at the failing cell of the notebook"
    executed = tmp_path / NOTEBOOKS[0].stem / NOTEBOOKS[0].name
    assert executed.is_file() and str(executed) in str(err), "the executed copy is kept for inspection"


def test_still_runs_under_papermill(tmp_path):
    """The lessons keep the papermill contract: papermill's own executor runs them with parameters."""
    import papermill

    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS[0]), str(out), parameters={"preset": "tiny", "seed": 2,
                                                                       "output_dir": str(tmp_path)},
                               kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    assert json.loads((tmp_path / "results.json").read_text())
    executed = nbformat.read(out, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_cli_run_writes_outputs_and_html(tmp_path):
    from crmlab.cli import main

    assert main(["run", NOTEBOOKS[0].stem[:2], "-p", "preset", "tiny", "--out", str(tmp_path), "-q"]) == 0
    out = tmp_path / NOTEBOOKS[0].stem
    assert (out / NOTEBOOKS[0].name).exists() and (out / f"{NOTEBOOKS[0].stem}.html").exists()
    assert main(["run", "99_nope", "--out", str(tmp_path)]) == 2


def test_cli_run_kernel_over_ipc_and_relative_data_dir(tmp_path):
    """``crmlab run`` as a process: no TCP kernel warning on stderr; a relative data_dir is the caller's."""
    import crmlab

    crmlab.save_dataset(crmlab.make_retail_crm("tiny", seed=3, n_customers=300), tmp_path / "mydata")
    cmd = [sys.executable, "-m", "crmlab", "run", "00", "-p", "data_dir", "mydata", "--out", "runs", "--no-html"]
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Kernel is running over TCP" not in r.stderr and "without encryption" not in r.stderr, r.stderr
    results = json.loads((tmp_path / "runs" / NOTEBOOKS[0].stem / "results.json").read_text())
    assert results["rows"]["customers"] == 300, results  # the data of mydata, not the classroom dataset
