"""Truth recovery through the notebooks themselves: run each analysis notebook with papermill
on several seeds and compare its results.json with the truth the simulator recorded.

Tolerances (stated once, here):
* 01 survey: NPS within 8 points; strongest driver correct; every Cronbach's alpha >= 0.70.
* 02 churn (20,000 customers, for precise hazard ratios): AUC 0.70-0.88; top-decile lift >= 1.2
  and >= 85% of its ceiling 1/base rate (the issue's 1.8 is impossible when most customers churn:
  lift <= 1/base rate); price-change-cancellation hazard ratio within ±35%; the campaign ATE within
  3 standard errors of the truth (the truth is an expected uplift, computed analytically). Its
  claims (issue 10): each printed, worded by its interval (a directional word only when supported),
  none supported against the truth, the truth of each in claims_truth; no fixed finding left.
* 04 loyalty (20,000 customers): the city-launch ITT within 3 standard errors of its truth in every
  seed and its 95% CI covering the truth in at least 2 of 3 seeds; the naive lift at least twice the
  causal CI's upper bound; the enrolment-based DiD's 95% CI (with its lapse slope: members enrol only
  while active) covering the att in at least 2 of 3 seeds; no supported claim against its truth.
* 03 segmentation: ARI against the planted segments >= 0.6; as many segments as planted;
  top 20% of customers hold 55-80% of revenue.
* 05 basket: the planted TV -> wall bracket rule among the top 5 rules by lift; the decoy item not.
* 06 service: the complaint share after a failure within 0.05 of the planted 0.5 and above the
  myth's 10%; every claim has its truth in claims_truth and no supported claim points against it;
  the AC-peak installation difference supported (planted clearly).
* 07 lifecycle: the winnable share of lapsed customers (modified BG/NBD) within 0.10 of the true share
  still alive (the model does not fit the simulator's buying exactly: on seed 3 its estimate is 0.08
  low and its interval, which holds parameter but not model error, misses); the original BG/NBD's answer
  far above it (one-time buyers all "alive"); as many lapsed customers as the truth counts; the up-sell
  drift and the share-of-wallet claims have their truth; every claim with a truth agrees with it when
  supported; the silo overstatement and the raw multichannel premium positive (both hold by construction).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crmlab
from crmlab.notebook.runner import run_notebook

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [1, 2, 3]

pytestmark = pytest.mark.slow


def _run(stem: str, seed: int, tmp_path: Path, **params) -> tuple[dict, dict]:
    nb = ROOT / "notebooks" / f"{stem}.ipynb"
    res = run_notebook(nb, tmp_path, parameters={"seed": seed, **params}, html=False, timeout=600)
    overrides = {"n_customers": params["n_customers"]} if "n_customers" in params else {}
    truth = crmlab.make_retail_crm("classroom", seed=seed, **overrides).truth
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


CHURN_CLAIMS_WITH_TRUTH = {
    *(f"churn.hr.{k}" for k in ("price_change_cancel", "failed_delivery", "failed_installation", "unresolved_complaint",
                                 "expired_coupon", "late_delivery")),
    "churn.strongest_failure", "churn.unresolved_vs_resolved", "churn.campaign_ate",
    "churn.uplift_risk_top_minus_bottom", "churn.uplift_value_high", "churn.uplift_value_high_minus_low",
    "churn.sleeping_dogs", "churn.qini", "churn.best_targeting", "churn.profit_uplift_minus_risk",
    "churn.profit_uplift_minus_random",
}
CHURN_CLAIMS = CHURN_CLAIMS_WITH_TRUTH | {"churn.one_time", "churn.naive_any_failure", "churn.model_auc"}
FIXED_CHURN_FINDINGS = ("barely seem to matter", "works least - or backfires", "earns the most with",
                        "Most repeat orders come within a year", "Here too, unresolved complaints matter more")


def _printed(path: Path) -> str:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            out.append("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", "")))
        if c["cell_type"] == "markdown":
            out.append("".join(c["source"]))
    return "\n".join(out)


@pytest.mark.parametrize("seed", SEEDS)
def test_churn_notebook_claims(seed, tmp_path):
    """Issue 10: every finding of notebook 02 is computed; directional words only with a supported claim."""
    run = run_notebook(ROOT / "notebooks" / "02_churn_case.ipynb", tmp_path, parameters={"seed": 100 + seed},
                       html=False, timeout=600)
    res, text = run.results, _printed(run.output)
    claims = {c["id"]: c for c in res["claims"]}
    assert set(claims) == CHURN_CLAIMS
    assert set(res["claims_truth"]) == CHURN_CLAIMS_WITH_TRUTH
    for c in claims.values():
        lo, hi = c["ci"]
        assert c["supported"] == (lo > c["null"] or hi < c["null"]), c
        assert ("cannot tell" in c["text"]) == (not c["supported"]), c
        assert c["text"] in text, f"{c['id']} is not shown"
        truth = res["claims_truth"].get(c["id"])
        if truth is not None and c["supported"]:
            assert (truth - c["null"]) * (lo - c["null"]) > 0, f"supported against the truth: {c} vs {truth}"
    for fixed in FIXED_CHURN_FINDINGS:
        assert fixed not in text, fixed
    # risk quintiles say which end is which; value terciles are in value order, not alphabetical
    assert "1 (highest risk)" in text and "5 (lowest risk)" in text
    table = text[text.index("value tercile"):]
    assert table.index("\nlow ") < table.index("\nmid ") < table.index("\nhigh ")
    # the profit uses the offer cost of the data: c of the formula is the treated customers' mean offer_cost
    camp = crmlab.make_retail_crm("classroom", seed=100 + seed).campaigns
    c_mean = camp.loc[camp["treated"], "offer_cost"].mean()
    assert f"- {c_mean:.2f}) =" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_churn_notebook(seed, tmp_path):
    res, truth = _run("02_churn_case", seed, tmp_path, n_customers=20000)
    assert 0.70 <= res["auc"] <= 0.88, res["auc"]
    ceiling = 1 / res["base_rate"]
    assert res["top_decile_lift"] >= max(1.2, 0.85 * ceiling), (res["top_decile_lift"], ceiling)
    hr, true_hr = res["hazard_ratios"]["price_change_cancel"], truth["churn"]["hazard_ratios"]["price_change_cancel"]
    assert abs(hr / true_hr - 1) <= 0.35, (hr, true_hr)
    assert set(res["hazard_ratios"]) == set(truth["churn"]["hazard_ratios"])
    lo, hi = res["campaign_ate_ci"]
    se = (hi - lo) / (2 * 1.96)
    assert abs(res["campaign_ate"] - truth["campaign"]["ate"]) < 3 * se, (res["campaign_ate"], lo, hi, truth["campaign"]["ate"])
    # at this size the claims that have a truth are mostly decided - and never against it
    for c in res["claims"]:
        t = res["claims_truth"].get(c["id"])
        if t is not None and c["supported"]:
            assert (t - c["null"]) * (c["ci"][0] - c["null"]) > 0, (c, t)


@pytest.fixture(scope="module")
def loyalty_runs(tmp_path_factory):
    out = {}
    for seed in SEEDS:
        out[seed] = _run("04_loyalty_program", seed, tmp_path_factory.mktemp(f"loyalty{seed}"), n_customers=20000)
    return out


def test_loyalty_notebook(loyalty_runs):
    import math

    covered, did_covered, checked, contradictions = 0, 0, 0, []
    for seed, (res, truth) in loyalty_runs.items():
        itt = truth["loyalty"]["launch_itt"]
        lo, hi = res["launch_itt_ci"]
        se = (math.log1p(hi) - math.log1p(lo)) / (2 * 1.96)
        z = (math.log1p(res["launch_itt"]) - math.log1p(itt)) / se
        assert abs(z) < 3, f"seed {seed}: launch ITT {res['launch_itt']:.3f} vs truth {itt:.3f} (z = {z:.2f})"
        covered += lo <= itt <= hi
        c_lo, c_hi = res["causal_ci"]
        did_covered += c_lo <= truth["loyalty"]["att"] <= c_hi
        assert res["naive_effect"] >= 2 * c_hi, f"seed {seed}: naive {res['naive_effect']:.2f} vs causal CI {c_lo:.2f}..{c_hi:.2f}"
        for c in res["claims"]:
            t = res["claims_truth"].get(c["id"])
            # the per-member launch effect is the launch ITT divided by the enrolment share: one finding,
            # counted once (as loyalty.launch_itt)
            if t is not None and c["id"] != "loyalty.launch_per_member":
                checked += 1
                if c["supported"] and (t - c["null"]) * (c["ci"][0] - c["null"]) <= 0:
                    contradictions.append((seed, c["id"], c["ci"], t))
    assert covered >= 2, f"the 95% CI covered the truth in {covered} of {len(loyalty_runs)} seeds"
    assert did_covered >= 2, f"the enrolment DiD's CI covered the att in {did_covered} of {len(loyalty_runs)} seeds"
    # the audit's rule (a supported claim contradicts its truth in at most 1 of 20 checks), on the pooled
    # claims x seeds of this test (about 25 checks): at most one contradiction
    assert len(contradictions) <= max(1, checked // 20), contradictions


@pytest.mark.parametrize("seed", SEEDS)
def test_service_notebook(seed, tmp_path):
    res, truth = _run("06_service_promises", seed, tmp_path)
    sv = truth["service"]
    assert abs(res["complaint_after_failure"] - sv["complaint_given_failure"]) < 0.05
    assert res["complaint_after_failure_ci"][0] > 0.10
    claims = {c["id"]: c for c in res["claims"]}
    assert set(claims) == set(res["claims_truth"]), set(claims) ^ set(res["claims_truth"])
    for cid, c in claims.items():
        if c["supported"]:
            t, null = res["claims_truth"][cid], c["null"]
            assert (c["ci"][0] > null) == (t > null), (cid, c, t)
    assert claims["service.install_peak_minus_rest"]["supported"]


@pytest.mark.parametrize("seed", SEEDS)
def test_lifecycle_notebook(seed, tmp_path):
    res, truth = _run("07_multichannel_lifecycle", seed, tmp_path)
    true_alive = res["claims_truth"]["lifecycle.winnable"]
    assert true_alive == pytest.approx(truth["lifecycle"]["lapsed_alive_share"])
    assert abs(res["winnable_share"] - true_alive) < 0.10
    assert res["winnable_share_ci"][0] < res["winnable_share"] < res["winnable_share_ci"][1]
    assert res["winnable_share_bgnbd"] > true_alive + 0.3
    assert res["lapsed"] == truth["lifecycle"]["lapsed_n"]  # the lesson's lapse definition is the truth's
    assert {"lifecycle.winnable", "lifecycle.upsell_drift", "lifecycle.wallet_mean", "lifecycle.stores_3plus",
            "lifecycle.wallet_promoters"} <= set(res["claims_truth"])
    claims = {c["id"]: c for c in res["claims"]}
    for cid, t in res["claims_truth"].items():
        c = claims[cid]
        if c["supported"]:
            assert (c["ci"][0] > c["null"]) == (t > c["null"]), (cid, c, t)
    assert claims["lifecycle.silo_store"]["supported"] and claims["lifecycle.silo_store"]["estimate"] > 0
    assert claims["lifecycle.multichannel_raw"]["ci"][0] > 0
