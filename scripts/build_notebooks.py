#!/usr/bin/env python
"""Build the committed notebooks from their sources and execute them on the classroom dataset.

``notebooks/src/NN_name.py`` (percent format) -> ``notebooks/NN_name.ipynb`` with the
outputs of a run on the classroom preset (the default parameters). Timing metadata is
stripped so that a rebuild without changes gives the same file. ``results.json`` of the
run goes to a temporary folder, not into the repository.

Examples
--------
    python scripts/build_notebooks.py              # all notebooks
    python scripts/build_notebooks.py 02 05        # some
    python scripts/build_notebooks.py --no-execute # convert only (no outputs)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"


def _clean(nb) -> None:
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]


def build(src: Path, execute: bool = True, timeout: int = 600) -> Path:
    import nbformat
    import papermill

    from crmlab.runner import source_to_notebook

    nb = source_to_notebook(src.read_text(encoding="utf-8"))
    target = ROOT / "notebooks" / f"{src.stem}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / target.name
        nbformat.write(nb, raw)
        if execute:
            out = Path(tmp) / "executed.ipynb"
            papermill.execute_notebook(str(raw), str(out), kernel_name="python3", cwd=tmp,
                                       execution_timeout=timeout, progress_bar=False)
            nb = nbformat.read(out, as_version=4)
        _clean(nb)
        staged = target.with_suffix(".ipynb.tmp")
        nbformat.write(nb, staged)
        staged.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="number prefixes or names (default: all sources)")
    ap.add_argument("--no-execute", action="store_true", help="convert without running")
    args = ap.parse_args(argv)
    sources = sorted(SRC.glob("*.py"))
    if args.names:
        sources = [s for s in sources if any(s.stem == n or s.stem.startswith(n) for n in args.names)]
    if not sources:
        print("build_notebooks: no matching sources", file=sys.stderr)
        return 1
    for s in sources:
        print(f"building {s.stem} ...", flush=True)
        build(s, execute=not args.no_execute)
    return 0


if __name__ == "__main__":
    sys.exit(main())
