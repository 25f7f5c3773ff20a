"""Notebook sources, execution with papermill, and HTML export.

Notebook sources live in ``notebooks/src/*.py`` in the *percent* format
(``# %%`` starts a code cell, ``# %% [markdown]`` a Markdown cell whose lines
are ``# ``-prefixed; ``# %% tags=["parameters"]`` tags a cell), so that they
diff and review like code. :func:`source_to_notebook` turns one into a
notebook with kernel ``python3``; :func:`run_notebooks` executes notebooks
with papermill into an output folder - never over the committed copies -
refusing unknown parameters, with a per-cell timeout, and exports HTML.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["source_to_notebook", "notebook_to_source", "run_notebook", "run_notebooks", "NotebookRunError",
           "find_notebooks", "RunResult", "NOTEBOOK_DIR"]

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
_CELL = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")
_TAGS = re.compile(r"tags\s*=\s*(\[[^\]]*\])")


class NotebookRunError(RuntimeError):
    """A notebook failed: the message names the notebook, the cell and the error."""


# ----------------------------------------------------------------------------- sources
def source_to_notebook(text: str):
    """Convert percent-format source text to an ``nbformat`` v4 notebook."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells: list[Any] = []
    kind, tags, buf = None, [], []

    def flush():
        if kind is None:
            return
        lines = list(buf)
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            lines = [ln[2:] if ln.startswith("# ") else ln[1:] if ln.startswith("#") else ln for ln in lines]
            cell = new_markdown_cell("\n".join(lines))
        else:
            cell = new_code_cell("\n".join(lines))
        if tags:
            cell.metadata["tags"] = list(tags)
        cells.append(cell)

    for line in text.splitlines():
        m = _CELL.match(line)
        if m:
            flush()
            kind = "markdown" if m.group("md") else "code"
            t = _TAGS.search(m.group("rest") or "")
            tags = json.loads(t.group(1)) if t else []
            buf = []
        elif kind is not None:
            buf.append(line)
    flush()
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def notebook_to_source(nb) -> str:
    """Inverse of :func:`source_to_notebook` (outputs are dropped)."""
    out = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        head = "# %% [markdown]" if cell.cell_type == "markdown" else "# %%"
        if tags:
            head += f" tags={json.dumps(tags)}"
        out.append(head)
        if cell.cell_type == "markdown":
            out += [("# " + ln) if ln else "#" for ln in cell.source.splitlines()]
        else:
            out += cell.source.splitlines()
        out.append("")
    return "\n".join(out)


def find_notebooks(names: Sequence[str] | None = None, folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Committed notebooks by name or number prefix (``"01"``, ``"02_churn_case"``); all if none given."""
    all_nbs = sorted(p for p in folder.glob("*.ipynb"))
    if not names:
        return all_nbs
    out = []
    for n in names:
        p = Path(n)
        if p.suffix == ".ipynb" and p.exists():
            out.append(p)
            continue
        hits = [q for q in all_nbs if q.stem == n or q.stem.startswith(f"{n}_") or q.stem.startswith(n)]
        if not hits:
            raise NotebookRunError(f"no notebook matches {n!r}; available: {', '.join(q.stem for q in all_nbs)}")
        out += hits
    return list(dict.fromkeys(out))


# ----------------------------------------------------------------------------- running
@dataclass
class RunResult:
    notebook: str
    output: Path
    seconds: float
    results: dict[str, Any] = field(default_factory=dict)
    html: Path | None = None


def _check_parameters(path: Path, parameters: Mapping[str, Any]) -> None:
    import papermill

    declared = papermill.inspect_notebook(str(path))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise NotebookRunError(
            f"{path.name}: unknown parameter(s) {', '.join(unknown)}; it accepts: {', '.join(declared) or 'none'}"
        )


def _export_html(nb_path: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    html = nb_path.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def run_notebook(path: str | Path, out_dir: str | Path, *, parameters: Mapping[str, Any] | None = None,
                 timeout: int = 600, html: bool = True, kernel_name: str = "python3") -> RunResult:
    """Execute one notebook with papermill into ``out_dir/<name>/``.

    The executed notebook, its HTML export and its ``results.json`` land in
    ``out_dir/<name>/``; the notebook's ``output_dir`` parameter points there.
    Raises :class:`NotebookRunError` naming the failing cell.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = Path(path)
    params = dict(parameters or {})
    dest = Path(out_dir) / path.stem
    dest.mkdir(parents=True, exist_ok=True)
    params.setdefault("output_dir", str(dest.resolve()))
    _check_parameters(path, params)
    out_nb = dest / path.name
    t0 = time.perf_counter()
    try:
        papermill.execute_notebook(str(path), str(out_nb), parameters=params, kernel_name=kernel_name,
                                   cwd=str(path.parent), execution_timeout=timeout, progress_bar=False,
                                   log_output=False, request_save_on_cell_execute=False)
    except PapermillExecutionError as e:
        raise NotebookRunError(
            f"{path.name}: cell {e.exec_count} failed with {e.ename}: {e.evalue} (executed copy: {out_nb})"
        ) from None
    except Exception as e:  # kernel death, timeout
        raise NotebookRunError(f"{path.name}: {type(e).__name__}: {e}") from None
    res_file = dest / "results.json"
    results = json.loads(res_file.read_text()) if res_file.exists() else {}
    return RunResult(path.stem, out_nb, time.perf_counter() - t0, results, _export_html(out_nb) if html else None)


def run_notebooks(paths: Iterable[str | Path], out_dir: str | Path, *, parameters: Mapping[str, Any] | None = None,
                  timeout: int = 600, html: bool = True, stop_on_error: bool = False,
                  progress=None) -> tuple[list[RunResult], list[str]]:
    """Run several notebooks; return their results and the error messages."""
    done, errors = [], []
    for p in paths:
        try:
            done.append(run_notebook(p, out_dir, parameters=parameters, timeout=timeout, html=html))
        except NotebookRunError as e:
            errors.append(str(e))
            if stop_on_error:
                break
        if progress:
            progress(1)
    return done, errors
