"""The one notebook executor: ``crmlab run``, the notebook build and teaching all run notebooks here.

:func:`execute_notebook` runs a notebook in memory with :mod:`nbclient` and
returns an :class:`Execution` (the executed notebook and the cells that
raised). It

* injects parameters as papermill does: a code cell tagged
  ``injected-parameters`` right after the cell tagged ``parameters``
  (:func:`papermill.parameterize.parameterize_notebook`), so an executed
  notebook looks the same as one run by papermill, and the lessons keep running
  under papermill too; a parameter the notebook does not declare is an error
  naming the ones it accepts (:func:`inject_parameters`);
* runs the kernel in a given working folder, with a per-cell timeout, an
  optional total time limit, an optional environment, optionally confined
  (:class:`crmlab.notebook.isolation.Isolation`: resource limits, an
  unprivileged user, namespaces), and either stops at the first failing cell
  (:class:`NotebookRunError` naming notebook, cell and error) or keeps going
  (``allow_errors=True``: grading must score the exercises after a failing one);
* talks to the kernel over IPC sockets in a private temporary folder, never
  over TCP: no open local port, and no "Kernel is running over TCP without
  encryption" warning. (``AsyncKernelManager`` rather than the blocking
  ``KernelManager``: with the blocking one nbclient cannot enforce the per-cell
  timeout.)

Cells are numbered as in the notebook given (0-based, Markdown cells counted,
the injected parameters cell not counted): ``nb.cells[error.cell]`` is the cell
that failed.

Examples
--------
>>> from crmlab.notebook.sources import source_to_notebook
>>> nb = source_to_notebook('# %% tags=["parameters"]\\nx = 1\\n\\n# %%\\nprint(x * 2)\\n')
>>> run = execute_notebook(nb, parameters={"x": 21}, timeout=60)
>>> run.notebook.cells[2].outputs[0].text
'42\\n'
>>> run.errors
()
>>> execute_notebook(nb, parameters={"y": 1})
Traceback (most recent call last):
...
crmlab.notebook.execute.NotebookRunError: notebook: unknown parameter(s) y; it accepts: x
"""

from __future__ import annotations

import atexit
import copy
import functools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .._checks import positive_int
from .isolation import Isolation, launcher_command, prepare_runtime, resolve_user

__all__ = ["execute_notebook", "inject_parameters", "declared_parameters", "Execution", "CellError",
           "NotebookRunError", "KERNEL_NAME", "INJECTED_TAG", "PARAMETERS_TAG"]

KERNEL_NAME = "python3"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


class NotebookRunError(RuntimeError):
    """A notebook could not run to the end: the message names the notebook, the cell and the error.

    Attributes
    ----------
    notebook : str
        Name of the notebook.
    cell : int or None
        Index of the failing cell in the notebook given (see the module docstring).
    ename, evalue : str or None
        The error's class name and message (``CellTimeoutError``, ``DeadKernelError`` for the executor's own).
    executed : nbformat.NotebookNode or None
        The notebook as far as it ran (outputs up to the failure), to save for inspection.
    """

    def __init__(self, message: str, *, notebook: str = "notebook", cell: int | None = None,
                 ename: str | None = None, evalue: str | None = None, executed: Any = None):
        super().__init__(message)
        self.notebook, self.cell, self.ename, self.evalue, self.executed = notebook, cell, ename, evalue, executed


@dataclass(frozen=True)
class CellError:
    """A cell that raised while the notebook ran on (``allow_errors=True``).

    ``str(error)`` is ``"cell 7: NotImplementedError: "``.
    """

    cell: int
    ename: str
    evalue: str
    execution_count: int | None = None

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.ename}: {self.evalue}"


@dataclass(frozen=True)
class Execution:
    """The outcome of :func:`execute_notebook`.

    Attributes
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook (with the ``injected-parameters`` cell if parameters were given).
    errors : tuple of CellError
        The cells that raised, in order (empty unless ``allow_errors``).
    seconds : float
        Wall time, kernel start included.
    parameters : dict
        The parameters injected.
    """

    notebook: Any
    errors: tuple[CellError, ...] = ()
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)


def _parameters_cell_index(nb: Any) -> int | None:
    return next((i for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])), None)


def _injected_index(nb: Any) -> int | None:
    return next((i for i, c in enumerate(nb.cells) if INJECTED_TAG in c.get("metadata", {}).get("tags", [])), None)


def declared_parameters(nb: Any) -> dict[str, str]:
    """The parameters a notebook declares: name -> default (as source text), in order.

    Read from the cell tagged ``parameters`` as papermill reads it; empty if there is none.

    Examples
    --------
    >>> from crmlab.notebook.sources import source_to_notebook
    >>> declared_parameters(source_to_notebook('# %% tags=["parameters"]\\nseed = 0\\ndata_dir = None\\n'))
    {'seed': '0', 'data_dir': 'None'}
    """
    from papermill.translators import papermill_translators

    i = _parameters_cell_index(nb)
    if i is None:
        return {}
    language = nb.metadata.get("kernelspec", {}).get("language") or "python"
    kernel = nb.metadata.get("kernelspec", {}).get("name") or KERNEL_NAME
    translator = papermill_translators.find_translator(kernel, language)
    return {p.name: p.default for p in translator.inspect(nb.cells[i])}


def inject_parameters(nb: Any, parameters: Mapping[str, Any], *, name: str = "notebook",
                      check: bool = True) -> Any:
    """A copy of ``nb`` with the cell ``injected-parameters`` holding ``parameters``, as papermill writes it.

    The cell goes right after the ``parameters`` cell (replacing an earlier
    injected cell); ``nb.metadata.papermill.parameters`` records the values.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    parameters : mapping
    name : str
        Name of the notebook in messages.
    check : bool, default True
        Refuse parameters the notebook does not declare. ``False`` injects them
        anyway, as papermill does (grading: a student may have deleted the
        ``parameters`` tag; the cell then goes first).

    Raises
    ------
    NotebookRunError
        With ``check``, a parameter the notebook does not declare (papermill itself only warns).
    """
    import logging

    from papermill.parameterize import parameterize_notebook

    declared = declared_parameters(nb)
    unknown = sorted(set(parameters) - set(declared))
    if unknown and check:
        raise NotebookRunError(f"{name}: unknown parameter(s) {', '.join(unknown)}; it accepts: "
                               f"{', '.join(declared) or 'none'}", notebook=name)
    nb = copy.deepcopy(nb)
    added = [c for c in nb.cells if "tags" not in c.metadata]
    for cell in added:  # papermill expects every cell to have tags
        cell.metadata["tags"] = []
    nb.metadata.setdefault("papermill", {})
    kernel = nb.metadata.get("kernelspec", {}).get("name") or KERNEL_NAME
    language = nb.metadata.get("kernelspec", {}).get("language") or "python"
    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.ERROR)  # no "does not contain a cell with tag 'parameters'" warning
    try:
        nb = parameterize_notebook(nb, dict(parameters), kernel_name=kernel, language=language)
    finally:
        papermill_log.setLevel(level)
    for cell in nb.cells:
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
    return nb


def execute_notebook(nb: Any, *, parameters: Mapping[str, Any] | None = None, cwd: str | os.PathLike | None = None,
                     timeout: int = 600, allow_errors: bool = False, interrupt_on_timeout: bool = False,
                     check_parameters: bool = True,
                     env: Mapping[str, str] | None = None, kernel_name: str = KERNEL_NAME, name: str = "notebook",
                     startup_timeout: int = 60, total_timeout: int | None = None,
                     isolation: Isolation | None = None) -> Execution:
    """Execute a notebook (in memory) and return the executed copy and its failing cells.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook; not modified. Its outputs are cleared before running.
    parameters : mapping, optional
        Values for the notebook's parameters, injected as papermill does
        (:func:`inject_parameters`); none injected if empty.
    cwd : path-like, optional
        Working folder of the kernel (default: the current one).
    timeout : int, default 600
        Seconds one cell may run; must be > 0.
    allow_errors : bool, default False
        ``False``: stop at the first cell that raises (:class:`NotebookRunError`).
        ``True``: run every cell and report the failing ones in ``Execution.errors``.
    interrupt_on_timeout : bool, default False
        With ``allow_errors``: interrupt a cell that runs too long, record it as a
        ``CellTimeoutError`` in ``errors`` and go on (default: the run stops).
    check_parameters : bool, default True
        Refuse parameters the notebook does not declare (see :func:`inject_parameters`).
    env : mapping, optional
        The complete environment of the kernel process (default: this process's).
    kernel_name : str, default "python3"
    name : str, default "notebook"
        Name of the notebook in messages.
    startup_timeout : int, default 60
        Seconds to wait for the kernel to start.
    total_timeout : int, optional
        Seconds the whole notebook may run (kernel start excluded): each cell's
        timeout is cut to the time left, and when none is left the run stops
        (:class:`NotebookRunError` with ``ename="TotalTimeoutError"``; the
        kernel and everything it started are killed).
    isolation : crmlab.notebook.isolation.Isolation, optional
        Confine the kernel (limits, user, namespaces; see that module). The
        runtime folder is handed to ``isolation.user``; ``cwd`` must already be
        reachable by it. Pass a minimal ``env`` too
        (:func:`crmlab.notebook.isolation.kernel_environment`).

    Returns
    -------
    Execution

    Raises
    ------
    NotebookRunError
        Unknown parameter; a cell raised (without ``allow_errors``); a cell
        timed out; the total time ran out; the kernel died or did not start.
        ``error.executed`` holds the notebook as far as it ran.
    ValueError
        ``timeout`` or ``total_timeout`` not a positive whole number, ``cwd``
        not a folder, an unknown ``isolation.user``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    timeout = positive_int(timeout, "timeout")
    workdir = Path(cwd if cwd is not None else os.getcwd()).expanduser().resolve()
    if not workdir.is_dir():
        raise ValueError(f"cwd {workdir}: no such folder")
    params = dict(parameters or {})
    nb = inject_parameters(nb, params, name=name, check=check_parameters) if params else copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    injected = _injected_index(nb) if params else None

    def input_index(i: int) -> int:
        return i - 1 if injected is not None and i > injected else i

    state: dict[str, Any] = {"cell": None, "timed_out": set(), "deadline": None}
    timeout_error = {"output_type": "error", "ename": "CellTimeoutError",
                     "evalue": f"the cell ran longer than {timeout} s and was interrupted", "traceback": []}

    def on_cell_executed(cell: Any, cell_index: int, execute_reply: Any, **_: Any) -> None:
        if (execute_reply or {}).get("content", {}).get("ename") == timeout_error["ename"]:
            state["timed_out"].add(cell_index)

    user = None
    if isolation is not None and isolation.user is not None and os.geteuid() == 0:
        uid, gid, _ = resolve_user(isolation.user)
        user = (uid, gid)
    if isolation is not None:
        outer, control, runtime = prepare_runtime(user)
        try:
            prefix = launcher_command(isolation, control, cwd=workdir, user=user)
        except BaseException:
            shutil.rmtree(outer, ignore_errors=True)
            raise
    else:  # private (0700): connection file and IPC sockets
        outer = runtime = Path(tempfile.mkdtemp(prefix="crmlab-kernel-"))
        prefix = []
    km = _kernel_manager_class()(kernel_name=kernel_name, transport="ipc", connection_file=str(runtime / "kernel.json"))
    km.crmlab_prefix, km.crmlab_owner = prefix, user
    go_on = bool(interrupt_on_timeout and allow_errors)
    deadline = None if total_timeout is None else positive_int(total_timeout, "total_timeout")

    def cell_timeout(cell: Any) -> int:
        if state["deadline"] is None:
            return timeout
        return max(1, min(timeout, int(state["deadline"] - time.monotonic()) + 1))

    def on_cell_start(cell: Any, cell_index: int, **_: Any) -> None:
        state["cell"] = cell_index
        if state["deadline"] is None and deadline is not None:
            state["deadline"] = time.monotonic() + deadline
        elif state["deadline"] is not None and time.monotonic() >= state["deadline"]:
            raise _TotalTimeout()

    client = NotebookClient(
        nb, km=km, kernel_name=kernel_name, timeout=timeout, startup_timeout=startup_timeout,
        allow_errors=allow_errors, resources={"metadata": {"path": str(workdir)}},
        on_cell_start=on_cell_start, on_cell_executed=on_cell_executed, interrupt_on_timeout=go_on,
        error_on_timeout={k: v for k, v in timeout_error.items() if k != "output_type"} if go_on else None,
        timeout_func=cell_timeout if deadline is not None else None,
        shutdown_kernel="immediate" if isolation is not None else "graceful")
    start_options: dict[str, Any] = {}
    if env is not None:
        start_options["env"] = {str(k): str(v) for k, v in env.items()}
    stderr_path = None
    if isolation is not None:  # the launcher's and kernel's stderr, for the message if the kernel dies
        stderr_path = outer / "control" / "stderr.txt"
        start_options["stderr"] = open(stderr_path, "wb")  # noqa: SIM115 - closed in finally
    t0 = time.perf_counter()
    busy = False

    def failure(message: str, ename: str, evalue: str) -> NotebookRunError:
        i = state["cell"]
        k = None if i is None else input_index(i)
        where = f"cell {k}" if k is not None else "the kernel"
        return NotebookRunError(f"{name}: {where} {message}", notebook=name, cell=k, ename=ename, evalue=evalue,
                                executed=nb)

    try:
        client.execute(**start_options)
    except _TotalTimeout:  # between cells: the kernel is idle, or stuck in a cell that ignored an interrupt
        raise failure(f"was not reached: the notebook used up its total time limit of {deadline} s",
                      "TotalTimeoutError", f"total time limit of {deadline} s") from None
    except CellExecutionError as e:
        raise failure(f"failed with {e.ename}: {e.evalue}", e.ename, e.evalue) from None
    except CellTimeoutError:
        busy = True
        if state["deadline"] is not None and time.monotonic() >= state["deadline"]:
            raise failure(f"was stopped: the notebook used up its total time limit of {deadline} s",
                          "TotalTimeoutError", f"total time limit of {deadline} s") from None
        raise failure(f"timed out after {timeout} s", "CellTimeoutError", f"timed out after {timeout} s") from None
    except DeadKernelError as e:
        raise failure(f"killed the kernel ({e}{_last_line(stderr_path)})", "DeadKernelError", str(e)) from None
    except Exception as e:  # noqa: BLE001 - kernel did not start, broken connection: one clear message
        text = (str(e).strip().splitlines() or [""])[-1]
        if isinstance(e, RuntimeError) and "Kernel died before replying to kernel_info" in str(e):
            text = "the kernel died while starting" + _last_line(stderr_path)
        raise NotebookRunError(f"{name}: the notebook could not run: {type(e).__name__}: {text}", notebook=name,
                               ename=type(e).__name__, evalue=text, executed=nb) from None
    finally:
        atexit.unregister(client._cleanup_kernel)  # registered by nbclient, left behind when the kernel failed to start
        _stop(km, client.kc, interrupt=busy)
        if "stderr" in start_options:
            start_options["stderr"].close()
        shutil.rmtree(outer, ignore_errors=True)
    for i in state["timed_out"]:  # the interrupted cell shows the timeout, not the KeyboardInterrupt it got
        cell = nb.cells[i]
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        cell.outputs.append(nbformat.from_dict(timeout_error))
    errors = tuple(CellError(input_index(i), o.get("ename", ""), o.get("evalue", ""), c.get("execution_count"))
                   for i, c in enumerate(nb.cells) if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "error")
    return Execution(nb, errors, time.perf_counter() - t0, params)


def _last_line(path: Path | None) -> str:
    """``": <last line>"`` of a captured stderr file, or ``""``."""
    if path is None or not path.is_file():
        return ""
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 4096))
        lines = [ln.strip() for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return f": {lines[-1][:300]}" if lines else ""


class _TotalTimeout(Exception):
    """The total time limit ran out before a cell started."""


@functools.lru_cache(maxsize=1)
def _kernel_manager_class() -> type:
    from jupyter_client import AsyncKernelManager

    class KernelManager(AsyncKernelManager):
        """Puts the launcher of :mod:`crmlab.notebook.isolation` in front of the kernel's command and hands
        the connection file to the kernel's user."""

        crmlab_prefix: list[str] = []
        crmlab_owner: tuple[int, int] | None = None

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            if self.crmlab_owner is not None:
                os.chown(self.connection_file, *self.crmlab_owner)
            return [*self.crmlab_prefix, *cmd]

    return KernelManager


def _stop(km: Any, kc: Any, *, interrupt: bool) -> None:
    """Shut the kernel down; a kernel still busy with a timed-out cell is interrupted first.

    (Killed in the middle of a cell, ipykernel prints a ZMQ traceback on our stderr.)
    """
    from queue import Empty

    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel and interrupt:
            run_sync(km.interrupt_kernel)()
            deadline = time.monotonic() + 5
            while kc is not None and time.monotonic() < deadline:  # wait until it is idle again
                try:
                    msg = run_sync(kc.iopub_channel.get_msg)(timeout=max(0.1, deadline - time.monotonic()))
                except Empty:
                    break
                if msg.get("msg_type") == "status" and msg.get("content", {}).get("execution_state") == "idle":
                    break
        if kc is not None:
            kc.stop_channels()
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        run_sync(km.cleanup_resources)()
    except Exception:  # noqa: BLE001 - best effort on the way out
        pass
