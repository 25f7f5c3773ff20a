"""The helpers the lessons call (crmlab.notebook): results.json, tables, data from parameters."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis._results import Estimate, Result
from crmlab.notebook import MissingTablesError, get_data, require_tables, to_jsonable, truth_check, write_results


@dataclasses.dataclass(frozen=True, repr=False)
class _Fit(Result):
    effect: Estimate
    table: pd.DataFrame
    n: int


def test_write_results_serialises_result_objects_frames_and_numpy(tmp_path):
    fit = _Fit(Estimate(0.1234567891, np.float64(0.1), 0.2, 0.9), pd.DataFrame({"k": [1, 2], "v": [0.5, np.nan]}),
               np.int64(7))
    path = write_results({"fit": fit, "arr": np.array([1.0, np.inf]), "flag": np.bool_(True),
                          "day": pd.Timestamp("2025-01-31"), 3: "three"}, tmp_path / "out")
    assert path == tmp_path / "out" / "results.json"
    got = json.loads(path.read_text(encoding="utf-8"))
    assert got == {"fit": {"effect": {"estimate": 0.123457, "ci_low": 0.1, "ci_high": 0.2, "confidence_level": 0.9},
                           "table": [{"k": 1, "v": 0.5}, {"k": 2, "v": None}], "n": 7},
                   "arr": [1.0, None], "flag": True, "day": "2025-01-31", "3": "three"}
    assert to_jsonable(pd.Timestamp("2025-01-31 10:30")) == "2025-01-31 10:30:00"


def test_require_tables_and_truth_check(tiny):
    require_tables(tiny, ["orders", "customers"])
    with pytest.raises(MissingTablesError, match="the survey section needs the table\\(s\\) nope; this dataset has"):
        require_tables(tiny, ["orders", "nope"], purpose="the survey section")
    table = truth_check([("NPS", 31.5, 30.0, "within 8 points")])
    assert table.loc["NPS", "truth"] == 30.0 and list(table.columns) == ["estimate", "truth", "tolerance"]


def test_get_data_from_parameters(tmp_path):
    import crmlab

    classroom = get_data()
    assert classroom.path is not None and len(classroom.customers) == 5000, "the bundled classroom dataset"
    small = get_data(preset="tiny", seed=1, n_customers=200)
    assert len(small.customers) == 200 and small.truth is not None
    crmlab.save_dataset(small, tmp_path / "d")
    assert len(get_data(str(tmp_path / "d")).customers) == 200
