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


@pytest.fixture(scope="session")
def loyalty_worlds():
    """``get(size, seed)`` -> (dataset, monthly panel) of the classroom preset at 5,000 (``"classroom"``)
    or 20,000 (``"n20000"``) customers, built once per session for the loyalty truth-recovery tests."""
    from crmlab.analysis.loyalty import monthly_panel

    sizes = {"classroom": 5000, "n20000": 20000}
    cache = {}

    def get(size, seed):
        if (size, seed) not in cache:
            d = crmlab.make_retail_crm("classroom", seed=seed, n_customers=sizes[size])
            cache[(size, seed)] = (d, monthly_panel(d.orders, d.customers, d.loyalty, as_of="2025-12-31"))
        return cache[(size, seed)]

    return get
