"""Where the lessons and the bundled datasets are, in a checkout and in an installed wheel.

The repository keeps them where users look for them (``notebooks/`` and
``datasets/`` at the top level); the packaging maps those folders into the
package as ``crmlab.lessons`` and ``crmlab.datasets`` (see ``pyproject.toml``),
so :mod:`importlib.resources` finds them the same way from a checkout, an
editable install or a wheel - never by walking up from this file.

Examples
--------
>>> from crmlab._resources import lessons_dir
>>> (lessons_dir() / "00_data_tour.ipynb").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["lessons_dir", "bundled_dataset"]

MANIFEST = "manifest.json"


def _package_dir(package: str) -> Path | None:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        return None
    path = Path(str(root))
    return path if path.is_dir() else None


def lessons_dir() -> Path:
    """The folder holding the lesson notebooks (``NN_*.ipynb``, ``src/``, ``zh/``)."""
    path = _package_dir("crmlab.lessons")
    if path is None:
        raise FileNotFoundError("the crmlab lessons are not installed (package crmlab.lessons is missing); "
                                "reinstall crmlab")
    return path


def bundled_dataset(name: str) -> Path | None:
    """The folder of a dataset shipped with the package (``"classroom"``), or ``None``."""
    root = _package_dir("crmlab.datasets")
    if root is None or not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    folder = root / name
    return folder if (folder / MANIFEST).is_file() else None
