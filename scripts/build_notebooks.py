#!/usr/bin/env python
"""Build the committed notebooks from their sources and execute them on the classroom dataset.

``notebooks/src/NN_name.py`` (jupytext percent format, :mod:`crmlab.notebook.sources`) ->
``notebooks/NN_name.ipynb`` (English) and ``notebooks/zh/NN_name.ipynb`` (Chinese, once the
source's Markdown is fully translated; the code cells are the same, the default of the parameter
``lang`` is the edition's language) executed by :mod:`crmlab.notebook.execute`, with the outputs of a run on the
classroom preset (the default parameters). Timing metadata is
stripped so that a rebuild without changes gives the same file. ``results.json`` of the
run goes to a temporary folder, not into the repository.

Examples
--------
    python scripts/build_notebooks.py              # all notebooks
    python scripts/build_notebooks.py 02 05        # some
    python scripts/build_notebooks.py --no-execute # convert only (no outputs)
    python scripts/build_notebooks.py 01 --lang zh # one edition
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"


def _clean(nb) -> None:
    """Drop what changes from run to run: timings, papermill metadata, empty tags."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]


def _keep_ids(nb, target: Path) -> None:
    """Reuse the cell ids of the committed notebook where a cell is unchanged (quiet diffs)."""
    import nbformat

    if not target.is_file():
        return
    old = nbformat.read(target, as_version=4)
    by_content = {}
    for cell in old.cells:
        by_content.setdefault((cell.cell_type, cell.source), []).append(cell.get("id"))
    used = set()
    for cell in nb.cells:
        ids = [i for i in by_content.get((cell.cell_type, cell.source), []) if i and i not in used]
        if ids:
            cell["id"] = ids[0]
            used.add(ids[0])


def has_edition(src: Path, lang: str) -> bool:
    """Whether the source can be built in ``lang``: English always; another language once fully translated."""
    from crmlab.notebook.sources import translation_problems

    return lang == "en" or not translation_problems(src.read_text(encoding="utf-8"), lang)


def _edition_default(nb, lang: str, name: str):
    """``nb`` with its parameters cell's ``lang = "en"`` line set to ``lang``, the comment kept.

    The edition's language is the default of the parameter, not an injected cell: papermill (and
    ``crmlab run``) replace an injected cell when they inject other parameters, so a Chinese
    notebook run with ``-p seed 7`` would otherwise print its findings in English.
    """
    import re

    pat = re.compile(r'^lang\s*=\s*"en"', re.M)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            if not pat.search(cell.source):
                raise SystemExit(f"{name}: the parameters cell has no line 'lang = \"en\"' to set to {lang!r}")
            cell.source = pat.sub(f'lang = "{lang}"', cell.source, count=1)
            return nb
    raise SystemExit(f"{name}: no code cell tagged 'parameters'")


def build(src: Path, execute: bool = True, timeout: int = 600, lang: str = "en") -> Path:
    """Convert one source to ``notebooks/<name>.ipynb`` (``notebooks/zh/`` for the Chinese edition),
    executed on the classroom dataset unless told not to."""
    import nbformat

    from crmlab._fs import atomic_path
    from crmlab.notebook.execute import execute_notebook
    from crmlab.notebook.sources import read_source

    nb = read_source(src, lang=lang)
    folder = ROOT / "notebooks" / ("" if lang == "en" else lang)
    folder.mkdir(exist_ok=True)
    target = folder / f"{src.stem}.ipynb"
    if lang != "en":  # the code is the same; the edition's language is the parameter's default
        nb = _edition_default(nb, lang, src.stem)
    if execute:
        with tempfile.TemporaryDirectory() as tmp:  # results.json of the run lands here, not in the repository
            nb = execute_notebook(nb, cwd=tmp, timeout=timeout, name=src.stem).notebook
    _clean(nb)
    _keep_ids(nb, target)
    nbformat.validate(nb)
    with atomic_path(target) as staged:
        nbformat.write(nb, staged)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="number prefixes or names (default: all sources)")
    ap.add_argument("--no-execute", action="store_true", help="convert without running")
    ap.add_argument("--lang", nargs="+", choices=["en", "zh"], default=["en", "zh"],
                    help="editions to build (default: both; an edition is skipped until its translation is complete)")
    args = ap.parse_args(argv)
    sources = sorted(SRC.glob("*.py"))
    if args.names:
        sources = [s for s in sources if any(s.stem == n or s.stem.startswith(n) for n in args.names)]
    if not sources:
        print("build_notebooks: no matching sources", file=sys.stderr)
        return 1
    for s in sources:
        for lang in args.lang:
            if not has_edition(s, lang):
                print(f"skipping {s.stem} ({lang}): not fully translated yet", flush=True)
                continue
            print(f"building {s.stem} ({lang}) ...", flush=True)
            build(s, execute=not args.no_execute, lang=lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
