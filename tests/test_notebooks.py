"""Every notebook: well-formed, in sync with its source, re-executes to the committed outputs
(nbval), runs with papermill on the tiny preset, and refuses unknown parameters."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crmlab.runner import NotebookRunError, notebook_to_source, run_notebook, source_to_notebook

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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_in_sync_with_source(path):
    src = ROOT / "notebooks" / "src" / f"{path.stem}.py"
    assert src.exists(), f"missing source {src.name}"
    expected = source_to_notebook(src.read_text(encoding="utf-8"))
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in expected.cells], \
        f"{path.name} differs from {src.name}: run scripts/build_notebooks.py {path.stem[:2]}"


def test_source_round_trip():
    src = (ROOT / "notebooks" / "src" / f"{NOTEBOOKS[0].stem}.py").read_text(encoding="utf-8")
    nb = source_to_notebook(src)
    again = source_to_notebook(notebook_to_source(nb))
    assert [c.source for c in nb.cells] == [c.source for c in again.cells]
    assert [c.metadata.get("tags") for c in nb.cells] == [c.metadata.get("tags") for c in again.cells]


def test_nbval_reproduces_committed_outputs(tmp_path):
    """Re-execute every committed notebook and compare its outputs (nbval), in a scratch copy."""
    for p in NOTEBOOKS:
        shutil.copy(p, tmp_path / p.name)
    sanitize = ROOT / "notebooks" / "nbval_sanitize.cfg"
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
           "-p", "no:xdist", "-q", "--nbval-sanitize-with", str(sanitize), *[p.name for p in NOTEBOOKS]]
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_on_the_tiny_preset(tmp_path, path):
    res = run_notebook(path, tmp_path, parameters={"preset": "tiny", "seed": 2}, html=False)
    assert res.results, "the notebook wrote no results.json"
    assert json.loads((tmp_path / path.stem / "results.json").read_text()) == res.results


def test_unknown_parameter_fails(tmp_path):
    with pytest.raises(NotebookRunError, match="unknown parameter"):
        run_notebook(NOTEBOOKS[0], tmp_path, parameters={"bogus": 1})


def test_failing_cell_is_named(tmp_path):
    with pytest.raises(NotebookRunError, match=r"cell \d+ failed"):
        run_notebook(NOTEBOOKS[0], tmp_path, parameters={"data_dir": str(tmp_path / "missing")}, html=False)


def test_cli_run_writes_outputs_and_html(tmp_path):
    from crmlab.cli import main

    assert main(["run", NOTEBOOKS[0].stem[:2], "-p", "preset", "tiny", "--out", str(tmp_path), "-q"]) == 0
    out = tmp_path / NOTEBOOKS[0].stem
    assert (out / NOTEBOOKS[0].name).exists() and (out / f"{NOTEBOOKS[0].stem}.html").exists()
    assert main(["run", "99_nope", "--out", str(tmp_path)]) == 2
