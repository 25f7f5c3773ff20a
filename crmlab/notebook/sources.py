"""Lesson sources: percent-format Python files (jupytext) to notebooks and back.

The lessons are written as ``notebooks/src/NN_name.py`` in jupytext's
*percent* format, so that they diff and review like code: ``# %%`` starts a
code cell, ``# %% [markdown]`` a Markdown cell whose lines are ``# ``-prefixed,
and ``# %% tags=["parameters"]`` tags a cell. :func:`source_to_notebook` reads
one with :func:`jupytext.reads` into an nbformat v4 notebook with the
``python3`` kernel and no jupytext metadata (the committed ``.ipynb`` stays
clean); :func:`notebook_to_source` writes a notebook back as percent text
(outputs dropped).

Examples
--------
>>> nb = source_to_notebook('# %% [markdown]\\n# # Title\\n\\n# %% tags=["parameters"]\\nseed = 0\\n')
>>> [(c.cell_type, c.source, c.metadata.get("tags")) for c in nb.cells]
[('markdown', '# Title', None), ('code', 'seed = 0', ['parameters'])]
>>> nb.metadata["kernelspec"]["name"], "jupytext" in nb.metadata
('python3', False)
>>> print(notebook_to_source(nb))
# %% [markdown]
# # Title
<BLANKLINE>
# %% tags=["parameters"]
seed = 0
<BLANKLINE>
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

__all__ = ["source_to_notebook", "notebook_to_source", "read_source", "SOURCE_FORMAT", "KERNELSPEC"]

#: The jupytext format of the lesson sources.
SOURCE_FORMAT = "py:percent"
#: The kernel every lesson runs on.
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: Cell metadata jupytext keeps only to reproduce the text layout; never written to a notebook.
_LAYOUT_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "skipline", "noskipline")
#: Write cells with their tags only and no notebook header (the lesson sources carry none).
_WRITE_FILTERS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "tags,-all"}


def source_to_notebook(text: str) -> Any:
    """Convert percent-format source text to an nbformat v4 notebook.

    Parameters
    ----------
    text : str
        The source (see the module docstring for the format).

    Returns
    -------
    nbformat.NotebookNode
        Kernel ``python3``; cell tags kept; no ``jupytext`` metadata.
    """
    import jupytext
    import nbformat

    nb = jupytext.reads(text, fmt=SOURCE_FORMAT)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        for key in _LAYOUT_KEYS:
            cell.metadata.pop(key, None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def notebook_to_source(nb: Any) -> str:
    """The percent-format source of a notebook (inverse of :func:`source_to_notebook`; outputs dropped)."""
    import jupytext

    nb = copy.deepcopy(nb)
    nb.metadata["jupytext"] = dict(_WRITE_FILTERS)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return jupytext.writes(nb, fmt=SOURCE_FORMAT)


def read_source(path: str | os.PathLike) -> Any:
    """Read a percent-format source file into a notebook (see :func:`source_to_notebook`)."""
    return source_to_notebook(Path(path).read_text(encoding="utf-8"))
