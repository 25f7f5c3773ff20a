"""The generation benchmark script runs end to end and prints Markdown (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_generate.py"


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One smoke run: 2,000 customers (n_jobs 1 and 2), 200 Faker rows, results as JSON."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = _run("--quick", "--sizes", "2000", "--faker-rows", "200", "--out", str(out))
    return proc, out


def test_quick_run_exits_0_and_prints_tables(quick_run):
    proc, _ = quick_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "| locale | crmlab rows |" in out, out
    assert "| zh_CN | 100,000 |" in out and "| en_US | 100,000 |" in out, out
    assert "| customers | n_jobs |" in out, out
    table_rows = [ln for ln in out.splitlines() if ln.startswith("| 2,000 | ")]
    assert [ln.split(" | ")[1] for ln in table_rows] == ["1", "2"], table_rows
    assert "FAILED" not in out
    assert "| machine |" in out and "logical CPUs" in out


def test_quick_run_writes_consistent_json(quick_run):
    _, path = quick_run
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["machine"]["cpu_count"] >= 1
    assert {r["locale"] for r in report["pii"]} == {"zh_CN", "en_US"}
    for r in report["pii"]:
        assert r["faker"]["rows"] == 200 and r["crmlab"]["rows"] == 100_000
        assert r["ratio"] == pytest.approx(r["crmlab"]["rows_per_s"] / r["faker"]["rows_per_s"])
    runs = report["scaling"]["runs"]
    assert [(r["n_customers"], r["n_jobs"]) for r in runs] == [(2000, 1), (2000, 2)]
    # the data are deterministic: both runs produce the same tables
    assert runs[0]["rows"] == runs[1]["rows"] and runs[0]["rows"]["customers"] == 2000
    assert runs[0]["rows"]["orders"] > 0
    assert all(r["peak_rss_mb"] > 0 for r in runs)
    assert not list(path.parent.glob(".results.json.*")), "temporary file of the atomic write left behind"


def test_help_and_bad_arguments():
    helped = _run("--help", timeout=60)
    assert helped.returncode == 0 and "--faker-rows" in helped.stdout and "--quick" in helped.stdout
    bad = _run("--sizes", "ten", timeout=60)
    assert bad.returncode == 2 and "not a count" in bad.stderr


@pytest.mark.slow
def test_bench_scale_smoke_run(tmp_path):
    """scripts/bench_scale.py: one small run on a local Dask cluster, checked and projected (no timing asserted)."""
    script = SCRIPT.parent / "bench_scale.py"
    out = tmp_path / "scale.json"
    proc = subprocess.run([sys.executable, str(script), "--sizes", "20k", "--workers", "1", "--chunk-size", "10000",
                           "--check", "--tmpdir", str(tmp_path), "--out", str(out)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| 20,000 | 2 |" in proc.stdout and "Projection to 100,000,000 customers" in proc.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    run = report["runs"][0]
    assert run["n_chunks"] == 2 and run["rows"]["customers"] == 20_000
    assert run["worker_peak_rss_mb"] > 0 and run["check"]["rows_total"] > 20_000
    assert report["projection"]["chunks"] == 10_000
    assert [p.name for p in tmp_path.iterdir()] == ["scale.json"], "temporary datasets left behind"


def test_bench_launch_itt_smoke_run():
    """The launch-ITT calibration benchmark: two small seeds, one table row per model, counts that add up."""
    script = SCRIPT.parent / "bench_launch_itt.py"
    proc = subprocess.run([sys.executable, str(script), "--seeds", "1000-1001", "--n-customers", "2000", "--jobs", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and "model" not in line]
    assert len(rows) == 4 and "city + tenure (jackknife)" in rows[-1], proc.stdout
    for line in rows:
        covers = line.split("|")[7].strip()
        assert covers.endswith("/2") and 0 <= int(covers.split("/")[0]) <= 2, line
    bad = subprocess.run([sys.executable, str(script), "--seeds", "x"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "seeds must look like" in bad.stderr
