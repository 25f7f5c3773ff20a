"""The one notebook executor (crmlab.notebook.execute): parameters, errors, timeouts, cwd, env, IPC kernel.

Small in-memory notebooks; each test starts one or two kernels (about a second each).
"""

from __future__ import annotations

import time

import pytest

from crmlab.notebook.execute import (INJECTED_TAG, CellError, NotebookRunError, declared_parameters,
                                     execute_notebook, inject_parameters)
from crmlab.notebook.sources import source_to_notebook

NB = source_to_notebook('''# %% [markdown]
# A notebook

# %% tags=["parameters"]
x = 1
label = "a"

# %%
print(x * 2, label)

# %%
raise ValueError(f"boom {x}")

# %%
print("after")
''')


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_parameters_are_injected_after_the_parameters_cell():
    nb = inject_parameters(NB, {"x": 21})
    assert len(nb.cells) == len(NB.cells) + 1
    assert INJECTED_TAG in nb.cells[2].metadata["tags"] and "x = 21" in nb.cells[2].source
    assert nb.metadata["papermill"]["parameters"] == {"x": 21}
    assert "papermill" not in NB.metadata and "tags" not in NB.cells[0].metadata, "the input is not modified"
    assert "tags" not in nb.cells[0].metadata, "no empty tags added"
    assert declared_parameters(NB) == {"x": "1", "label": '"a"'}


def test_unknown_parameter_names_the_accepted_ones():
    with pytest.raises(NotebookRunError, match=r"lesson: unknown parameter\(s\) y, z; it accepts: x, label"):
        inject_parameters(NB, {"y": 1, "z": 2, "x": 3}, name="lesson")
    nb = inject_parameters(NB, {"y": 1}, check=False)  # grading: injected anyway, as papermill does
    assert "y = 1" in nb.cells[2].source


def test_allow_errors_runs_on_and_numbers_cells_as_in_the_input():
    run = execute_notebook(NB, parameters={"x": 21}, timeout=60, allow_errors=True, name="lesson")
    assert run.errors == (CellError(3, "ValueError", "boom 21", 4),)
    assert str(run.errors[0]) == "cell 3: ValueError: boom 21"
    assert NB.cells[run.errors[0].cell].source.startswith("raise ValueError")
    cells = run.notebook.cells
    assert _text(cells[3]) == "42 a\n" and _text(cells[5]) == "after\n", "cells after the failure ran"
    assert run.parameters == {"x": 21} and run.seconds > 0
    assert not NB.cells[2].get("outputs"), "the input is not modified"


def test_first_error_stops_the_run_and_names_notebook_cell_and_error():
    with pytest.raises(NotebookRunError) as e:
        execute_notebook(NB, timeout=60, name="lesson.ipynb")
    err = e.value
    assert str(err) == "lesson.ipynb: cell 3 failed with ValueError: boom 1"
    assert (err.notebook, err.cell, err.ename, err.evalue) == ("lesson.ipynb", 3, "ValueError", "boom 1")
    assert _text(err.executed.cells[2]) == "2 a\n" and not err.executed.cells[4].outputs


def test_timeout_must_be_positive():
    with pytest.raises(ValueError, match="timeout"):
        execute_notebook(NB, timeout=0)
    with pytest.raises(ValueError, match="timeout"):
        execute_notebook(NB, timeout=-5)


def test_a_cell_that_runs_too_long_is_stopped():
    nb = source_to_notebook("# %%\nimport time\ntime.sleep(60)\n\n# %%\nprint('after')\n")
    t0 = time.perf_counter()
    with pytest.raises(NotebookRunError, match=r"notebook: cell 0 timed out after 1 s"):
        execute_notebook(nb, timeout=1)
    assert time.perf_counter() - t0 < 30
    run = execute_notebook(nb, timeout=1, allow_errors=True, interrupt_on_timeout=True)
    assert [(e.cell, e.ename) for e in run.errors] == [(0, "CellTimeoutError")]
    assert _text(run.notebook.cells[1]) == "after\n", "grading goes on after an interrupted cell"


def test_cwd_env_and_ipc_transport(tmp_path):
    nb = source_to_notebook(
        "# %%\nimport os\nfrom ipykernel.kernelapp import IPKernelApp\n"
        "print(os.getcwd())\nprint(os.environ.get('CRMLAB_TEST_VAR'))\nprint(IPKernelApp.instance().transport)\n")
    env = {**__import__("os").environ, "CRMLAB_TEST_VAR": "hello"}
    run = execute_notebook(nb, cwd=tmp_path, env=env, timeout=60)
    cwd, var, transport = _text(run.notebook.cells[0]).splitlines()
    assert cwd == str(tmp_path.resolve()) and var == "hello"
    assert transport == "ipc", "the kernel must not listen on TCP ports"
    with pytest.raises(ValueError, match="no such folder"):
        execute_notebook(nb, cwd=tmp_path / "missing")


def test_kernel_death_is_a_clear_error():
    nb = source_to_notebook("# %%\nprint(1)\n\n# %%\nimport os\nos._exit(1)\n")
    with pytest.raises(NotebookRunError, match="cell 1") as e:
        execute_notebook(nb, timeout=60, allow_errors=True)
    assert e.value.cell == 1 and e.value.ename == "DeadKernelError"
