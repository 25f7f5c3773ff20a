"""The package as users get it: a wheel installed into a fresh environment, used outside the checkout.

The wheel is built from a copy of the checkout (the build writes ``build/`` and ``*.egg-info``
next to the sources, so never in place), without the development symlinks ``crmlab/lessons``
and ``crmlab/datasets`` (as in a fresh clone). It is installed with ``--no-deps`` into a new
virtual environment; the dependencies already installed for the tests are made visible by a
``.pth`` file naming this interpreter's site-packages. (A path added by a ``.pth`` line is not
scanned for ``.pth`` files itself, so an editable crmlab installed there stays inactive: crmlab
comes from the wheel, which the test checks, in the command and in the notebook kernel.)

Then, from an unrelated folder: ``crmlab run 00 --out X`` (lesson and classroom dataset from the
wheel) and ``crmlab describe classroom``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", "runs",
        "scratch"}

pytestmark = pytest.mark.slow


def _ignore(folder: str, names: list[str]) -> set[str]:
    out = {n for n in names if n in SKIP or n.endswith(".egg-info")}
    if Path(folder).resolve() == (ROOT / "crmlab").resolve():
        out |= {"lessons", "datasets"}  # development symlinks, absent from a fresh clone
    return out


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment with the crmlab wheel of this checkout installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_ignore, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(tmp / "dist")], cwd=tmp, env=env)
    wheels = list((tmp / "dist").glob("crmlab-*.whl"))
    assert len(wheels) == 1, wheels
    prefix = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], cwd=tmp, env=env)
    python = prefix / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheels[0])],
         cwd=tmp, env=env)
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=tmp, env=env).stdout.strip())
    deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (purelib / "_crmlab_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    shared = Path(sys.prefix) / "share" / "jupyter"  # nbconvert's templates, as a full install would have them
    if shared.is_dir():
        env["JUPYTER_PATH"] = str(shared)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return {"prefix": prefix, "python": python, "crmlab": prefix / "bin" / "crmlab", "env": env, "cwd": elsewhere}


def test_crmlab_comes_from_the_wheel(venv):
    r = _run([venv["python"], "-c", "import crmlab, crmlab.cli, crmlab.notebook; print(crmlab.__file__)"],
             cwd=venv["cwd"], env=venv["env"])
    path = Path(r.stdout.strip()).resolve()
    assert venv["prefix"].resolve() in path.parents, path
    assert ROOT not in path.parents


def test_run_a_lesson_from_any_folder(venv):
    r = _run([venv["crmlab"], "run", "00", "--out", "X"], cwd=venv["cwd"], env=venv["env"])
    assert "Kernel is running over TCP" not in r.stderr
    out = venv["cwd"] / "X" / "00_data_tour"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["rows"]["customers"] == 5000, "the classroom dataset bundled in the wheel"
    assert (out / "00_data_tour.ipynb").is_file() and (out / "00_data_tour.html").is_file()


def test_the_kernel_imports_crmlab_from_the_wheel_too(venv):
    probe = venv["cwd"] / "probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("output_dir = '.'"),
        nbformat.v4.new_code_cell("import crmlab\nfrom crmlab.notebook import write_results\n"
                                  "write_results({'file': crmlab.__file__}, output_dir)")])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, probe)
    _run([venv["crmlab"], "run", str(probe), "--out", "P", "--no-html"], cwd=venv["cwd"], env=venv["env"])
    where = json.loads((venv["cwd"] / "P" / "probe" / "results.json").read_text(encoding="utf-8"))["file"]
    assert venv["prefix"].resolve() in Path(where).resolve().parents, where


def test_describe_the_bundled_classroom_dataset(venv):
    r = _run([venv["crmlab"], "describe", "classroom"], cwd=venv["cwd"], env=venv["env"])
    assert "5,000" in r.stdout and "one-time buyers" in r.stdout
