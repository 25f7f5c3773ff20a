"""The claims audit: its bookkeeping on hand-made records, and (slow) the lessons on unseen seeds."""

from __future__ import annotations

import math

import pytest

from crmlab.notebook.audit import chance_of_coverage, claim_records, format_markdown, run_audit, summarize
from crmlab.notebook.runner import find_notebooks


def _rec(seed, est, lo, hi, truth, *, null=0.0, cid="x.effect"):
    return {"notebook": "04", "seed": seed, "id": cid, "estimate": est, "ci": [lo, hi], "null": null,
            "supported": lo > null or hi < null, "truth": truth}


def test_false_discoveries_and_coverage_are_counted():
    recs = [_rec(1, 0.2, 0.1, 0.3, 0.15),     # supported, right direction, covers
            _rec(2, 0.2, 0.1, 0.3, -0.05),    # supported upwards, truth below the null: false discovery, misses
            _rec(3, -0.2, -0.3, -0.1, 0.0),   # supported downwards, truth on the null: false discovery, misses
            _rec(4, 0.0, -0.1, 0.1, 0.3),     # not supported: never a false discovery, misses
            _rec(5, 1.5, 1.2, 1.8, 1.4, null=1.0, cid="x.ratio")]
    t = summarize(recs).set_index("claim")
    assert t.loc["x.effect", "runs"] == 4 and t.loc["x.effect", "false_discoveries"] == 2
    assert t.loc["x.effect", "supported"] == 0.75 and t.loc["x.effect", "coverage"] == 0.25
    assert not t.loc["x.effect", "goal_met"] and t.loc["x.ratio", "goal_met"]
    # 1 cover in 4 runs: P(X <= 1) for X ~ Binomial(4, 0.95) = 0.05**4 + 4 * 0.95 * 0.05**3
    assert t.loc["x.effect", "coverage_chance"] == pytest.approx(0.05 ** 4 + 4 * 0.95 * 0.05 ** 3, abs=1e-3)
    assert t.loc["x.ratio", "coverage_chance"] == 1.0
    md = format_markdown(summarize(recs), seeds=[1, 2, 3, 4, 5], preset="classroom")
    assert "`x.effect`" in md and "**not met**" in md and "1 of 2 claims meet both goals" in md
    assert "| 25% of 4 | 0.00 | **not met** |" in md


def test_chance_of_coverage_is_the_binomial_tail():
    # against a direct sum over the binomial distribution, and its extremes
    n, p = 20, 0.95
    pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
    for covered in (15, 17, 18, 19):
        assert chance_of_coverage(covered, n) == pytest.approx(sum(pmf[:covered + 1]))
    assert chance_of_coverage(20, 20) == 1.0 and chance_of_coverage(0, 20) == pytest.approx(0.05 ** 20)
    assert chance_of_coverage(17, 20) > 0.05 > chance_of_coverage(15, 20)
    assert math.isnan(chance_of_coverage(0, 0))


def test_claims_without_truth_have_no_coverage_and_records_carry_truth():
    results = {"claims": [{"id": "a", "text": "t", "estimate": 1.0, "ci": [0.5, 1.5], "null": 0.0, "supported": True},
                          {"id": "b", "text": "u", "estimate": 0.0, "ci": [-1, 1], "null": 0.0, "supported": False}],
               "claims_truth": {"a": 1.2}}
    recs = claim_records(results, notebook="01", seed=7)
    assert [r["truth"] for r in recs] == [1.2, None]
    t = summarize(recs).set_index("claim")
    assert t.loc["a", "coverage"] == 1.0 and math.isnan(t.loc["b", "coverage"]) and t.loc["b", "with_truth"] == 0
    assert summarize([]).empty


@pytest.mark.slow
def test_audit_on_unseen_seeds():
    """Three unseen seeds of the classroom preset through every analysis lesson: every lesson states its
    findings as claims, every run succeeds, and no supported claim contradicts the truth more than once."""
    paths = find_notebooks(["01", "02", "03", "04", "05", "06", "07"])
    records = run_audit(paths, [1000, 1001, 1002], preset="classroom", jobs=2)
    assert not [r for r in records if r.get("error")], [r["error"] for r in records if r.get("error")][:2]
    table = summarize(records)
    assert set(table["notebook"]) == {p.stem for p in paths}, "a lesson wrote no claims"
    assert (table["false_discoveries"] <= 1).all(), table[table["false_discoveries"] > 1].to_dict("records")
    assert table["with_truth"].sum() > 0
