"""The committed classroom dataset is reproducible byte for byte from its scenario file."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

import crmlab

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "datasets" / "classroom"


def _build_module():
    spec = importlib.util.spec_from_file_location("build_classroom", ROOT / "scripts" / "build_classroom.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_dataset_is_valid_and_loads_by_name():
    data = crmlab.load_dataset("classroom")
    assert data.path.resolve() == COMMITTED.resolve()
    assert len(data.customers) == 5000 and data.truth is not None


def test_regenerating_reproduces_the_committed_files(tmp_path):
    build = _build_module()
    assert build.main(["--out", str(tmp_path / "c")]) == 0
    manifest = json.loads((COMMITTED / "manifest.json").read_text())
    for name in manifest["files"]:
        new = hashlib.sha256((tmp_path / "c" / name).read_bytes()).hexdigest()
        old = hashlib.sha256((COMMITTED / name).read_bytes()).hexdigest()
        assert new == old, f"{name} differs from the committed copy (rebuild with `make data`)"
        assert old == manifest["files"][name]["sha256"], f"{name} does not match manifest.json"
    fresh = json.loads((tmp_path / "c" / "manifest.json").read_text())
    fresh.pop("versions"), manifest.pop("versions")
    assert fresh == manifest


def test_data_dictionary_is_current():
    build = _build_module()
    text = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert text == build.dictionary_text(), "datasets/README.md is stale: run `make data`"


def test_scenario_file_matches_the_manifest():
    build = _build_module()
    manifest = json.loads((COMMITTED / "manifest.json").read_text())
    assert build.load_scenario().to_dict() == manifest["scenario"]
