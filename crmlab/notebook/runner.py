"""Running the lessons: find them, execute them into an output folder, export HTML.

:func:`find_notebooks` finds the lesson notebooks that ship with the package
(:func:`crmlab._resources.lessons_dir`, the same from a checkout and from an
installed wheel) by name or number prefix. :func:`run_notebook` executes one
with :func:`crmlab.notebook.execute.execute_notebook` into
``OUT/<name>/`` - never over the installed or committed copy - and writes the
executed notebook, its HTML export and the ``results.json`` the notebook
writes (its ``output_dir`` parameter points there). ``crmlab run`` is a thin
shell over :func:`run_notebooks`.

Examples
--------
>>> [p.name for p in find_notebooks(["00"])]
['00_data_tour.ipynb']
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .execute import KERNEL_NAME, NotebookRunError, execute_notebook

__all__ = ["find_notebooks", "run_notebook", "run_notebooks", "export_html", "RunResult", "NotebookRunError"]


def find_notebooks(names: Sequence[str] | None = None, folder: str | os.PathLike | None = None, *,
                   lang: str = "en") -> list[Path]:
    """Lesson notebooks by name or number prefix (``"01"``, ``"02_churn_case"``); all if none given.

    Parameters
    ----------
    names : sequence of str, optional
        Names, number prefixes or paths of ``.ipynb`` files.
    folder : path-like, optional
        Where to look (default: the installed lessons, :func:`crmlab._resources.lessons_dir`, and
        its ``zh/`` folder for the Chinese edition).
    lang : {"en", "zh"}, default "en"
        The edition.

    Returns
    -------
    list of Path, without duplicates, in the order asked.

    Raises
    ------
    NotebookRunError
        A name matches no notebook (the message lists the available ones).
    """
    from .._resources import lessons_dir
    from ..i18n import check_lang

    check_lang(lang)
    root = Path(folder) if folder is not None else lessons_dir() / ("zh" if lang == "zh" else "")
    all_nbs = sorted(root.glob("*.ipynb"))
    if not names:
        return all_nbs
    out: list[Path] = []
    for n in names:
        p = Path(n)
        if p.suffix == ".ipynb" and p.is_file():
            out.append(p)
            continue
        hits = [q for q in all_nbs if q.stem == n or q.stem.startswith(n)]
        if not hits:
            raise NotebookRunError(f"no notebook matches {n!r}; available: {', '.join(q.stem for q in all_nbs)}")
        out += hits
    return list(dict.fromkeys(out))


@dataclass
class RunResult:
    """One notebook run by :func:`run_notebook`.

    Attributes
    ----------
    notebook : str
        Its name (file stem).
    output : Path
        The executed notebook, ``OUT/<name>/<name>.ipynb``.
    seconds : float
    results : dict
        The ``results.json`` it wrote (empty if none).
    html : Path or None
        The HTML export.
    """

    notebook: str
    output: Path
    seconds: float
    results: dict[str, Any] = field(default_factory=dict)
    html: Path | None = None


def export_html(nb_path: str | os.PathLike) -> Path:
    """Export an executed notebook to HTML next to it (``name.html``) and return the path."""
    import nbformat
    from nbconvert import HTMLExporter

    from .._fs import write_text_atomic

    nb_path = Path(nb_path)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(nb_path, as_version=4))
    return write_text_atomic(body, nb_path.with_suffix(".html"))


def _write_notebook(nb: Any, path: Path) -> None:
    import nbformat

    from .._fs import atomic_path

    with atomic_path(path) as tmp:
        nbformat.write(nb, tmp)


def _absolute_data_dir(params: dict[str, Any]) -> None:
    """A relative ``data_dir`` naming an existing folder is relative to the caller, not to the output folder."""
    value = params.get("data_dir")
    if isinstance(value, str) and value and not Path(value).is_absolute() and Path(value).expanduser().is_dir():
        params["data_dir"] = str(Path(value).expanduser().resolve())


def run_notebook(path: str | os.PathLike, out_dir: str | os.PathLike, *, parameters: Mapping[str, Any] | None = None,
                 timeout: int = 600, html: bool = True, kernel_name: str = KERNEL_NAME,
                 env: Mapping[str, str] | None = None) -> RunResult:
    """Execute one notebook into ``out_dir/<name>/``.

    The executed notebook, its HTML export and its ``results.json`` land in
    ``out_dir/<name>/``, which is also the kernel's working folder; the
    notebook's ``output_dir`` parameter points there unless given. A relative
    ``data_dir`` that names an existing folder is taken relative to the current
    folder.

    Parameters
    ----------
    path : path-like
        The ``.ipynb`` (see :func:`find_notebooks`).
    out_dir : path-like
    parameters : mapping, optional
        Notebook parameters; one the notebook does not declare is an error.
    timeout : int, default 600
        Seconds one cell may run.
    html : bool, default True
        Also export HTML.
    kernel_name : str, default "python3"
    env : mapping, optional
        Environment of the kernel (see :func:`crmlab.notebook.execute.execute_notebook`).

    Returns
    -------
    RunResult

    Raises
    ------
    NotebookRunError
        Unknown parameter, failing cell (the message names it and the executed
        copy, which is written for inspection), timeout, kernel death, failed
        HTML export.
    """
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    dest = Path(out_dir) / path.stem
    dest.mkdir(parents=True, exist_ok=True)
    params = dict(parameters or {})
    params.setdefault("output_dir", str(dest.resolve()))
    _absolute_data_dir(params)
    out_nb = dest / path.name
    t0 = time.perf_counter()
    try:
        run = execute_notebook(nb, parameters=params, cwd=dest, timeout=timeout, kernel_name=kernel_name, env=env,
                               name=path.name)
    except NotebookRunError as e:
        if e.executed is not None:
            _write_notebook(e.executed, out_nb)
            raise NotebookRunError(f"{e} (executed copy: {out_nb})", notebook=e.notebook, cell=e.cell,
                                   ename=e.ename, evalue=e.evalue, executed=e.executed) from None
        raise
    _write_notebook(run.notebook, out_nb)
    res_file = dest / "results.json"
    results = json.loads(res_file.read_text(encoding="utf-8")) if res_file.is_file() else {}
    page = None
    if html:
        try:
            page = export_html(out_nb)
        except Exception as e:  # noqa: BLE001 - nbconvert templates missing or broken: say so, keep the run
            text = (str(e).strip().splitlines() or [""])[0]
            raise NotebookRunError(f"{path.name}: ran, but the HTML export failed ({type(e).__name__}: {text}); "
                                   f"the executed notebook is {out_nb}; run without HTML to skip the export",
                                   notebook=path.name) from None
    return RunResult(path.stem, out_nb, time.perf_counter() - t0, results, page)


def run_notebooks(paths: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *,
                  parameters: Mapping[str, Any] | None = None, timeout: int = 600, html: bool = True,
                  stop_on_error: bool = False, progress: Callable[[int], Any] | None = None,
                  env: Mapping[str, str] | None = None) -> tuple[list[RunResult], list[str]]:
    """Run several notebooks (see :func:`run_notebook`); return their results and the error messages.

    ``progress`` is called with 1 after each notebook; ``stop_on_error`` stops at the first failure.
    """
    done, errors = [], []
    for p in paths:
        try:
            done.append(run_notebook(p, out_dir, parameters=parameters, timeout=timeout, html=html, env=env))
        except NotebookRunError as e:
            errors.append(str(e))
            if stop_on_error:
                break
        finally:
            if progress:
                progress(1)
    return done, errors
