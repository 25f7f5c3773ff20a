"""Shared by the tests and the docstring examples: every test starts with pandas' default display options.

Some tests execute lesson code in-process, and the lessons set ``display.precision`` for their tables;
without this reset a docstring example that prints a DataFrame would depend on the order of the tests.
"""

import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _pandas_display_defaults():
    yield
    pd.reset_option("display")
