"""Lesson sources: percent-format Python files (jupytext) to notebooks and back.

The lessons are written as ``notebooks/src/NN_name.py`` in jupytext's
*percent* format, so that they diff and review like code: ``# %%`` starts a
code cell, ``# %% [markdown]`` a Markdown cell whose lines are ``# ``-prefixed,
and ``# %% tags=["parameters"]`` tags a cell. :func:`source_to_notebook` reads
one with :func:`jupytext.reads` into an nbformat v4 notebook with the
``python3`` kernel and no jupytext metadata (the committed ``.ipynb`` stays
clean); :func:`notebook_to_source` writes a notebook back as percent text
(outputs dropped).

**Two editions from one source.** A Markdown cell marked
``# %% [markdown] lang="zh"`` is the Chinese translation of the English
Markdown cell right before it. :func:`source_to_notebook` with ``lang="en"``
drops the translations; with ``lang="zh"`` it puts each translation in place
of its English cell (keeping the English cell's ``tags`` unless the
translation has its own). Code cells are the same in both editions: the language
of what the code prints and draws is the notebook parameter ``lang``, which
the build injects (:func:`crmlab.notebook.execute.inject_parameters`).
:func:`translation_problems` lists Markdown cells without a translation and
translations without an English cell.

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

__all__ = ["source_to_notebook", "notebook_to_source", "read_source", "translation_problems", "SOURCE_FORMAT",
           "KERNELSPEC", "LANG_KEY"]

#: The jupytext format of the lesson sources.
SOURCE_FORMAT = "py:percent"
#: The kernel every lesson runs on.
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: Cell metadata jupytext keeps only to reproduce the text layout; never written to a notebook.
_LAYOUT_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "skipline", "noskipline")
#: Write cells with their tags only and no notebook header (the lesson sources carry none).
_WRITE_FILTERS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "tags,lang,-all"}
#: Cell metadata key marking a translation (``lang="zh"``).
LANG_KEY = "lang"


def _parse(text: str) -> Any:
    import jupytext

    nb = jupytext.reads(text, fmt=SOURCE_FORMAT)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        for key in _LAYOUT_KEYS:
            cell.metadata.pop(key, None)
    return nb


def translation_problems(text: str, lang: str = "zh") -> list[str]:
    """What keeps a source from being a complete ``lang`` edition: cells without or with a misplaced translation.

    >>> translation_problems('# %% [markdown]\\n# Hello\\n\\n# %% [markdown] lang="zh"\\n# 你好\\n\\n# %% [markdown]\\n# Bye\\n')
    ['markdown cell 3 has no zh translation: Bye']
    """
    cells = _parse(text).cells
    problems = []
    for i, cell in enumerate(cells):
        tr = cell.metadata.get(LANG_KEY)
        if tr is not None:
            prev = cells[i - 1] if i else None
            if cell.cell_type != "markdown" or prev is None or prev.cell_type != "markdown" or LANG_KEY in prev.metadata:
                problems.append(f"cell {i + 1} ({tr}) does not follow an English markdown cell")
        elif cell.cell_type == "markdown":
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if nxt is None or nxt.metadata.get(LANG_KEY) != lang:
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                problems.append(f"markdown cell {i + 1} has no {lang} translation: {first[:60]}")
    return problems


def source_to_notebook(text: str, lang: str = "en") -> Any:
    """Convert percent-format source text to an nbformat v4 notebook of one edition.

    Parameters
    ----------
    text : str
        The source (see the module docstring for the format).
    lang : {"en", "zh"}, default "en"
        The edition: Markdown cells of this language (English cells whose
        translation is missing stay English).

    Returns
    -------
    nbformat.NotebookNode
        Kernel ``python3``; cell tags kept; no ``jupytext`` or ``lang`` metadata.
    """
    import nbformat

    from ..i18n import check_lang

    check_lang(lang)
    nb = _parse(text)
    cells = []
    for cell in nb.cells:
        tr = cell.metadata.pop(LANG_KEY, None)
        if tr is None:
            cells.append(cell)
        elif tr == lang and cells and cells[-1].cell_type == "markdown":
            # a translation keeps the tags of its English cell unless it has its own
            if "tags" not in cell.metadata and "tags" in cells[-1].metadata:
                cell.metadata["tags"] = list(cells[-1].metadata["tags"])
            cells[-1] = cell
    nb.cells = cells
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


def read_source(path: str | os.PathLike, lang: str = "en") -> Any:
    """Read a percent-format source file into a notebook of one edition (see :func:`source_to_notebook`)."""
    return source_to_notebook(Path(path).read_text(encoding="utf-8"), lang=lang)
