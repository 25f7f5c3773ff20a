#!/usr/bin/env python
"""Check the package's architecture: layers, import cycles and module size.

Reads every module of ``crmlab/`` with :mod:`ast` (nothing is imported) and
collects every import of a crmlab module, at any level (inside functions too).
It then reports

* **upward edges**: a module importing from a higher layer (see ``LAYERS`` and
  ``docs/architecture.md``);
* **cycles** in the import graph (strongly connected components);
* **imports of the package facade** (``from crmlab import X`` / ``from . import X`` where
  X is not a submodule) from inside the package;
* **private names imported across modules** (``from .io import _helper``);
* **modules over the size limit** (``MAX_LINES``).

Usage::

    python scripts/check_architecture.py          # exit 0 if clean, 1 otherwise
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "crmlab"
MAX_LINES = 800

#: Layers, lowest first. A module may import modules of its own layer or lower ones, never higher.
LAYERS: list[tuple[str, ...]] = [
    ("crmlab._version", "crmlab._checks", "crmlab._fs", "crmlab._resources", "crmlab.domain", "crmlab.i18n"),
    ("crmlab.config",),
    ("crmlab.schema", "crmlab.simulate", "crmlab.plots"),
    ("crmlab.realism",),
    ("crmlab.dataset",),
    ("crmlab.io",),
    ("crmlab.extracts", "crmlab.scale"),
    ("crmlab.analysis",),
    ("crmlab.notebook",),
    ("crmlab.teaching",),
    ("crmlab.cli", "crmlab.__main__"),
]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(mod: str) -> int | None:
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for pre in prefixes:
            if mod == pre or mod.startswith(pre + "."):
                if best is None or len(pre) > best[1]:
                    best = (rank, len(pre))
    return None if best is None else best[0]


def _resolve(mod: str, is_pkg: bool, level: int, target: str | None) -> str:
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(mods: dict[str, Path]) -> dict[str, set[tuple[str, str, int]]]:
    """Module -> {(imported module, imported name or '', line)}."""
    out: dict[str, set[tuple[str, str, int]]] = {}
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_pkg = path.name == "__init__.py"
        edges: set[tuple[str, str, int]] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "crmlab" or a.name.startswith("crmlab."):
                        edges.add((a.name, "", node.lineno))
            elif isinstance(node, ast.ImportFrom):
                src = _resolve(mod, is_pkg, node.level, node.module) if node.level else (node.module or "")
                if not (src == "crmlab" or src.startswith("crmlab.")):
                    continue
                for a in node.names:
                    sub = f"{src}.{a.name}"
                    if sub in mods:
                        edges.add((sub, "", node.lineno))
                    else:
                        edges.add((src, a.name, node.lineno))
        out[mod] = edges
    return out


def _sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def problems() -> dict[str, list[str]]:
    """Every architecture problem, by kind."""
    mods = modules()
    edges = imports(mods)
    found: dict[str, list[str]] = {"upward": [], "cycle": [], "facade": [], "private": [], "size": [], "unlayered": []}
    graph: dict[str, set[str]] = {}
    for mod, es in edges.items():
        src_layer = layer(mod)
        if mod != "crmlab" and src_layer is None:
            found["unlayered"].append(f"{mod}: not in any layer of scripts/check_architecture.py")
        for target, name, line in sorted(es):
            graph.setdefault(mod, set()).add(target)
            where = f"{mods[mod].relative_to(ROOT)}:{line}"
            if target == "crmlab" and mod != "crmlab":
                found["facade"].append(f"{where}: {mod} imports {name or 'crmlab'} from the package facade")
                continue
            tl = layer(target)
            if mod != "crmlab" and src_layer is not None and tl is not None and tl > src_layer:
                found["upward"].append(f"{where}: {mod} (layer {src_layer}) imports {target} (layer {tl})")
            if name.startswith("_") and not name.startswith("__") and target.rsplit(".", 1)[0] != mod.rsplit(".", 1)[0]:
                found["private"].append(f"{where}: {mod} imports private {target}.{name}")
    for comp in _sccs(graph):
        found["cycle"].append(" <-> ".join(comp))
    for mod, path in mods.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            found["size"].append(f"{path.relative_to(ROOT)}: {n} lines (limit {MAX_LINES})")
    return found


def main() -> int:
    found = problems()
    total = 0
    for kind, items in found.items():
        for item in items:
            print(f"{kind:9} {item}")
        total += len(items)
    print(f"{total} problem(s) in {len(modules())} modules" if total else f"architecture ok ({len(modules())} modules)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
