"""Truth recovery through the notebooks themselves: run each analysis notebook with papermill
on several seeds and compare its results.json with the truth the simulator recorded.

Tolerances (stated once, here):
* 01 survey: NPS within 8 points; strongest driver correct; every Cronbach's alpha >= 0.70.
* 03 segmentation: ARI against the planted segments >= 0.6; as many segments as planted;
  top 20% of customers hold 55-80% of revenue.
* 05 basket: the planted TV -> wall bracket rule among the top 5 rules by lift; the decoy item not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crmlab
from crmlab.runner import run_notebook

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [1, 2, 3]

pytestmark = pytest.mark.slow


def _run(stem: str, seed: int, tmp_path: Path) -> tuple[dict, dict]:
    nb = ROOT / "notebooks" / f"{stem}.ipynb"
    res = run_notebook(nb, tmp_path, parameters={"seed": seed}, html=False, timeout=300)
    truth = crmlab.make_retail_crm("classroom", seed=seed).truth
    return res.results, truth


@pytest.mark.parametrize("seed", SEEDS)
def test_survey_notebook(seed, tmp_path):
    res, truth = _run("01_satisfaction_survey", seed, tmp_path)
    t = truth["survey"]
    assert abs(res["nps"] - t["nps"]) <= 8, (res["nps"], t["nps"])
    assert res["nps_ci"][0] < res["nps"] < res["nps_ci"][1]
    assert res["driver_ranking"][0] == t["driver_ranking"][0], (res["driver_ranking"], t["driver_ranking"])
    assert min(res["cronbach_alpha"].values()) >= 0.70, res["cronbach_alpha"]


@pytest.mark.parametrize("seed", SEEDS)
def test_basket_notebook(seed, tmp_path):
    res, truth = _run("05_market_basket", seed, tmp_path)
    top5 = [(r["antecedent"], r["consequent"]) for r in res["rules"][:5]]
    assert ("tv", "wall_bracket") in top5 or ("wall_bracket", "tv") in top5, top5
    decoy = truth["basket"]["decoy_item"]
    assert all(decoy not in pair for pair in top5), top5
    assert decoy in res["decoys"]
    assert len(res["rules"]) == 20
    for r in res["rules"]:
        assert {"antecedent", "consequent", "support", "confidence", "lift"} <= set(r)


@pytest.mark.parametrize("seed", SEEDS)
def test_segmentation_notebook(seed, tmp_path):
    res, truth = _run("03_segmentation", seed, tmp_path)
    assert res["ari_vs_truth"] >= 0.6, res["ari_vs_truth"]
    assert res["n_segments"] == truth["segments"]["n"]
    assert 0.55 <= res["top20_revenue_share"] <= 0.80, res["top20_revenue_share"]
