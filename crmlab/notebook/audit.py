"""The claims audit: do the lessons' findings hold on data they have never seen?

Every analysis lesson writes its findings to ``results.json`` as ``claims``
(:mod:`crmlab.analysis.claims`) and, on synthetic data, the true value of each
claim's estimand as ``claims_truth`` (read in the lesson's truth-check section).
The audit runs the lessons on many unseen seeds and tabulates, per claim:

* **supported** - share of runs whose interval excludes the null (the lesson then
  uses a directional word);
* **false discoveries** - runs where a supported claim points the wrong way: the
  truth lies on the other side of the null, or on it;
* **coverage** - share of runs whose interval contains the truth, and how
  likely so few covers would be by chance: ``P(X <= covers)`` for ``X``
  binomial with the runs and 0.95 (:func:`chance_of_coverage`). An interval of
  exactly 95% covers 17 or fewer of 20 truths in 7.5% of audits, so among
  seventy claims about five miss the 18-of-20 goal by chance alone; a small
  probability (below 1%) is the sign of an interval that is too narrow.

Goals (issue "findings that stay true"): no supported claim contradicts the
truth on more than 1 seed in 20, and every interval covers its truth on at
least 18 of 20 seeds.

Examples
--------
>>> recs = [{"notebook": "04", "seed": s, "id": "loyalty.did", "estimate": e, "ci": [e - .1, e + .1],
...          "null": 0.0, "supported": e - .1 > 0, "truth": 0.14} for s, e in enumerate([0.2, 0.05, 0.3])]
>>> summarize(recs)[["runs", "supported", "false_discoveries", "coverage"]].to_dict("records")
[{'runs': 3, 'supported': 0.667, 'false_discoveries': 0, 'coverage': 0.667}]
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

__all__ = ["GOAL_MAX_FALSE", "GOAL_MIN_COVERAGE", "NOMINAL_COVERAGE", "chance_of_coverage", "run_audit", "audit_one", "claim_records", "summarize",
           "format_markdown", "records_json"]

#: At most this share of runs may show a supported claim that contradicts the truth (1 in 20).
GOAL_MAX_FALSE = 1 / 20
#: At least this share of runs must have an interval covering the truth (18 in 20).
GOAL_MIN_COVERAGE = 18 / 20
#: The level of the lessons' intervals.
NOMINAL_COVERAGE = 0.95


def chance_of_coverage(covered: int, runs: int, level: float = NOMINAL_COVERAGE) -> float:
    """Probability that intervals of exactly ``level`` cover ``covered`` or fewer of ``runs`` truths.

    Examples
    --------
    >>> round(chance_of_coverage(17, 20), 3), round(chance_of_coverage(18, 20), 3), chance_of_coverage(20, 20)
    (0.075, 0.264, 1.0)
    """
    if runs <= 0:
        return math.nan
    return float(min(1.0, sum(math.comb(runs, k) * level ** k * (1 - level) ** (runs - k) for k in range(covered + 1))))


def claim_records(results: dict[str, Any], *, notebook: str, seed: int) -> list[dict[str, Any]]:
    """One record per claim of a lesson's ``results.json``, with its truth if recorded."""
    truth = results.get("claims_truth") or {}
    out = []
    for c in results.get("claims") or []:
        t = truth.get(c["id"])
        out.append({"notebook": notebook, "seed": seed, "id": c["id"], "estimate": c.get("estimate"),
                    "ci": c.get("ci"), "null": c.get("null", 0.0), "supported": bool(c.get("supported")),
                    "truth": None if t is None else float(t), "text": c.get("text", "")})
    return out


def audit_one(path: str | os.PathLike, seed: int, preset: str = "classroom", *, timeout: int = 900) -> list[dict]:
    """Run one lesson on one seed (in a temporary folder) and return its claim records.

    A failing run is returned as one record with ``error`` set, so that the audit reports it.
    """
    from .execute import NotebookRunError
    from .runner import run_notebook

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="crmlab-audit-") as tmp:
        try:
            res = run_notebook(path, tmp, parameters={"preset": preset, "seed": int(seed)}, timeout=timeout,
                               html=False)
        except NotebookRunError as e:
            return [{"notebook": path.stem, "seed": seed, "id": None, "error": str(e)}]
    return claim_records(res.results, notebook=path.stem, seed=int(seed))


def run_audit(paths: Sequence[str | os.PathLike], seeds: Iterable[int], *, preset: str = "classroom",
              jobs: int = 1, progress: Callable[[int], Any] | None = None) -> list[dict[str, Any]]:
    """Run every lesson in ``paths`` on every seed; return all claim records (see :func:`claim_records`)."""
    tasks = [(str(p), int(s)) for s in seeds for p in paths]
    records: list[dict[str, Any]] = []
    if jobs <= 1:
        for p, s in tasks:
            records += audit_one(p, s, preset)
            if progress:
                progress(1)
        return records
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for recs in pool.map(audit_one, *zip(*tasks), [preset] * len(tasks)):
            records += recs
            if progress:
                progress(1)
    return records


def _truth(r: dict[str, Any]) -> float | None:
    t = r.get("truth")
    return None if t is None or (isinstance(t, float) and math.isnan(t)) else float(t)


def _contradicts(r: dict[str, Any]) -> bool:
    if not r["supported"] or _truth(r) is None:
        return False
    lo, _ = r["ci"]
    direction = 1 if lo > r["null"] else -1
    return (_truth(r) - r["null"]) * direction <= 0


def _covers(r: dict[str, Any]) -> bool | None:
    t = _truth(r)
    if t is None or r["ci"] is None or any(v is None or math.isnan(v) for v in r["ci"]):
        return None
    return r["ci"][0] <= t <= r["ci"][1]


def summarize(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Per claim: runs, supported share, false discoveries (count and share), coverage, goals met.

    ``coverage`` is over runs whose claim has a truth and a finite interval (NaN if none).
    """
    rows = []
    recs = [r for r in records if r.get("id")]
    for (nb, cid), group in pd.DataFrame(recs).groupby(["notebook", "id"], sort=True) if recs else []:
        g = group.to_dict("records")
        n = len(g)
        false = sum(_contradicts(r) for r in g)
        cov = [c for c in (_covers(r) for r in g) if c is not None]
        coverage = round(sum(cov) / len(cov), 3) if cov else math.nan
        chance = round(chance_of_coverage(sum(cov), len(cov)), 3) if cov else math.nan
        rows.append({"notebook": nb, "claim": cid, "runs": n, "supported": round(sum(r["supported"] for r in g) / n, 3),
                     "false_discoveries": false, "false_share": round(false / n, 3),
                     "with_truth": len(cov), "coverage": coverage, "coverage_chance": chance,
                     "goal_met": (false / n <= GOAL_MAX_FALSE) and (not cov or coverage >= GOAL_MIN_COVERAGE)})
    cols = ["notebook", "claim", "runs", "supported", "false_discoveries", "false_share", "with_truth", "coverage",
            "coverage_chance", "goal_met"]
    return pd.DataFrame(rows, columns=cols)


def format_markdown(table: pd.DataFrame, *, seeds: Sequence[int], preset: str, errors: Sequence[str] = ()) -> str:
    """The audit table as Markdown, with the method and the goals."""
    lines = [
        "# Claims audit",
        "",
        f"Every analysis lesson run on {len(seeds)} unseen seeds ({min(seeds)}..{max(seeds)}) of the `{preset}` "
        "preset (`make audit`, `scripts/audit_claims.py`). Per claim: the share of runs where the interval "
        "excludes the null (the lesson then states a direction), the runs where such a supported claim "
        "contradicts the truth (false discoveries), and how often the interval covers the truth of its estimand.",
        "",
        f"Goals: false discoveries in at most {GOAL_MAX_FALSE:.0%} of runs (1 in 20); coverage of at least "
        f"{GOAL_MIN_COVERAGE:.0%} (18 in 20).",
        "",
        "*Chance* is the probability that intervals of exactly 95% cover the truth this rarely or less "
        "(binomial). Exact 95% intervals cover 17 or fewer of 20 truths in 7.5% of audits, so among many claims "
        "a few miss the coverage goal by chance alone; a chance below 1% is the sign of an interval that is "
        "too narrow.",
        "",
        "| lesson | claim | runs | supported | false discoveries | coverage | chance | goals |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in table.to_dict("records"):
        cov = "-" if r["with_truth"] == 0 else f"{r['coverage']:.0%} of {r['with_truth']}"
        chance = "-" if r["with_truth"] == 0 else f"{r['coverage_chance']:.2f}"
        lines.append(f"| {r['notebook']} | `{r['claim']}` | {r['runs']} | {r['supported']:.0%} | "
                     f"{r['false_discoveries']} | {cov} | {chance} | {'met' if r['goal_met'] else '**not met**'} |")
    met = int(table["goal_met"].sum()) if len(table) else 0
    lines += ["", f"{met} of {len(table)} claims meet both goals."]
    if errors:
        lines += ["", "Runs that failed:", "", *[f"- {e}" for e in errors]]
    return "\n".join(lines) + "\n"


def records_json(records: Sequence[dict[str, Any]]) -> str:
    """All records as JSON text (for the audit's raw output)."""
    return json.dumps(list(records), indent=1, ensure_ascii=False, default=str)
