"""Packaging details that pyproject.toml cannot express on its own.

The lessons (``notebooks/``) and the bundled datasets (``datasets/``) live at the top level of the
repository, where users look for them; they are installed inside the package as ``crmlab.lessons``
and ``crmlab.datasets``, where :mod:`importlib.resources` finds them (``crmlab/_resources.py``),
from a wheel and from an editable install alike. Everything else is in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["crmlab", "crmlab.*"]), "crmlab.lessons", "crmlab.datasets"],
    package_dir={"crmlab.lessons": "notebooks", "crmlab.datasets": "datasets"},
    package_data={
        "crmlab": ["data/*.csv", "data/*.json", "data/fonts/*"],
        "crmlab.lessons": ["*.ipynb", "*.cfg", "src/*.py", "zh/*.ipynb", "*.md"],
        "crmlab.datasets": ["*.md", "*.json", "classroom/*.csv", "classroom/*.json", "classroom/*.parquet"],
    },
)
