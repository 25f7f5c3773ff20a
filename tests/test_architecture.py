"""The package's architecture (docs/architecture.md): layers, no import cycles, small modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _checker():
    spec = importlib.util.spec_from_file_location("check_architecture", ROOT / "scripts" / "check_architecture.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_no_cycles_no_upward_imports_no_oversized_modules():
    found = _checker().problems()
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_the_checker_sees_violations(tmp_path, monkeypatch):
    """The check above can fail: a cycle, an upward import and a facade import in a scratch package are found."""
    chk = _checker()
    pkg = tmp_path / "crmlab"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .io import x\n")
    (pkg / "io.py").write_text("def f():\n    from .analysis import a\n")
    (pkg / "analysis" / "__init__.py").write_text("")
    (pkg / "analysis" / "a.py").write_text("from ..io import f\nfrom .. import make_retail_crm\n")
    (pkg / "big.py").write_text("x = 1\n" * (chk.MAX_LINES + 1))
    monkeypatch.setattr(chk, "ROOT", tmp_path)
    monkeypatch.setattr(chk, "PACKAGE", pkg)
    found = chk.problems()
    assert any("crmlab.io (layer 5) imports crmlab.analysis" in u for u in found["upward"])
    assert found["cycle"] and found["facade"] and found["size"]
