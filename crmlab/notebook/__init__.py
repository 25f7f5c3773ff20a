"""The lessons' plumbing: notebook helpers, lesson sources, the one executor and the runner.

* :mod:`crmlab.notebook.helpers` - what the lessons call: :func:`get_data`,
  :func:`require_tables`, :func:`orders_with_value`, :func:`write_results`,
  :func:`truth_check` (re-exported here: ``from crmlab.notebook import get_data``);
* :mod:`crmlab.notebook.sources` - percent-format sources (jupytext) to notebooks and back;
* :mod:`crmlab.notebook.execute` - :func:`~crmlab.notebook.execute.execute_notebook`, the executor
  used by ``crmlab run``, ``scripts/build_notebooks.py`` and teaching (nbclient, papermill-style
  parameters, IPC kernel);
* :mod:`crmlab.notebook.runner` - :func:`~crmlab.notebook.runner.find_notebooks`,
  :func:`~crmlab.notebook.runner.run_notebook`: run lessons into an output folder with HTML.

The executor and the runner (which import nbclient and nbconvert) load on first use.

Examples
--------
>>> from crmlab.notebook import find_notebooks, get_data
>>> find_notebooks(["05"])[0].stem
'05_market_basket'
"""

from __future__ import annotations

import importlib
from typing import Any

from .helpers import (MissingTablesError, get_data, orders_with_value, require_tables, to_jsonable, truth_check,
                      write_results)

_LAZY = {
    "source_to_notebook": "sources", "notebook_to_source": "sources", "read_source": "sources",
    "execute_notebook": "execute", "NotebookRunError": "execute", "Execution": "execute", "CellError": "execute",
    "find_notebooks": "runner", "run_notebook": "runner", "run_notebooks": "runner", "RunResult": "runner",
}

__all__ = ["get_data", "require_tables", "MissingTablesError", "orders_with_value", "write_results", "truth_check",
           "to_jsonable", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
