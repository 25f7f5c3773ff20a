"""Shared fixtures: small datasets built by the tests themselves (tiny preset)."""

from __future__ import annotations

import pytest

import crmlab


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path_factory, monkeypatch):
    """Never touch the user's data home from a test."""
    monkeypatch.setenv("CRMLAB_DATA", str(tmp_path_factory.getbasetemp() / "data_home"))


@pytest.fixture(scope="session")
def tiny():
    """The tiny preset, seed 1 (about 800 customers, 18 months)."""
    return crmlab.make_retail_crm("tiny", seed=1)


@pytest.fixture(scope="session")
def classroom0():
    """The classroom preset with seed 0, generated in memory."""
    return crmlab.make_retail_crm("classroom", seed=0)
