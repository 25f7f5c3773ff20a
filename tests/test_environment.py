"""environment.yml and pyproject.toml list the same packages with the same minimum versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"jupyterlab", "pandas", "seaborn", "scikit-learn", "mlxtend", "faker", "papermill", "nbval"}


def _parse(spec: str) -> tuple[str, str | None]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][^,;\s]*))?", spec)
    assert m, spec
    return m.group(1).lower().replace("_", "-"), m.group(2)


def _pyproject() -> dict[str, str | None]:
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = [*proj["dependencies"], *(d for extra in proj["optional-dependencies"].values() for d in extra)]
    return dict(_parse(d) for d in deps)


def _conda() -> dict[str, str | None]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for d in env["dependencies"]:
        if isinstance(d, str) and not d.startswith(("python", "pip")):
            name, ver = _parse(d)
            out[name] = ver
    return out


def test_same_packages_and_minimum_versions():
    py, conda = _pyproject(), _conda()
    assert py == conda, {"only in pyproject": sorted(set(py) - set(conda)),
                         "only in environment.yml": sorted(set(conda) - set(py)),
                         "different versions": sorted(k for k in set(py) & set(conda) if py[k] != conda[k])}


def test_every_dependency_has_a_minimum_version_and_required_ones_present():
    py = _pyproject()
    assert all(v for v in py.values()), [k for k, v in py.items() if not v]
    assert REQUIRED <= set(py)


def test_python_version_agrees():
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert proj["requires-python"].replace(" ", "") in conda_py.replace("python", "")
