#!/usr/bin/env python3
"""Benchmark the partitioned path: generation on a local Dask cluster, streaming checks, and a projection.

For each size N (default 1M and 10M customers of the ``large`` preset) one
fresh subprocess runs :func:`crmlab.scale.generate_partitioned` with
``engine="dask"`` on a new ``LocalCluster`` (``--workers`` processes, one
thread each) into a temporary folder, and reports:

* wall time per phase (cluster start and context, first pass of every chunk,
  global ranks on the client, second pass, truth and manifest), CPU seconds of
  the client and of the chunk tasks (summed over the tasks);
* **peak memory per worker**: the largest ``ru_maxrss`` of a worker process
  (reported by the tasks themselves: the whole life of the worker, Dask and
  libraries included), and the client's peak;
* the per-chunk task time (two passes) - the cost the projection scales;
* the size of the output folder on disk;
* with ``--check``: :func:`crmlab.scale.validate_partitioned` and
  :func:`crmlab.scale.describe_partitioned` on the folder (time and peak RSS of
  that subprocess: streaming, so bounded by the part size and DuckDB's memory
  limit).

The folder is deleted after each run. The machine's load average is recorded
before and after every run (other work on a shared machine inflates wall
times; CPU seconds move much less).

**Projection to 100M customers on a cluster.** With ``k = N / chunk_size``
chunks and ``W`` workers, the time is modelled as

    T(N, W) = setup + k * c / W * overlap + ranks(N) + finish(N)

where ``c`` is the mean per-chunk task time (both passes) measured at the
largest size, ``ranks(N)`` and ``finish(N)`` are the client's serial steps,
extrapolated linearly in N from the two largest sizes, and ``overlap`` =
measured (first + second) wall time / (k * c / W) at the largest size (>= 1:
scheduling and stragglers). Worker memory is taken as constant (bounded by
the chunk size: compare the sizes); client memory grows with the sort keys of
all orders (linear in N). Disk is linear in N. The projection is printed for
W = 16, 64 and 256.

Examples
--------
::

    python scripts/bench_scale.py --sizes 1M,10M --workers 2 --check --out /tmp/scale.json
    python scripts/bench_scale.py --sizes 100k --workers 2 --check        # smoke run, ~1 minute
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from bench_generate import load_average, parse_count  # the sibling script (scripts/ is on sys.path)

PRESET = "large"
_RESULT_TAG = "BENCH_RESULT "
PROJECT_TO = 100_000_000
PROJECT_WORKERS = (16, 64, 256)


def log(message: str) -> None:
    print(f"[bench_scale] {message}", file=sys.stderr, flush=True)


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# ----------------------------------------------------------------------------- subprocess workers
def run_generate(n: int, workers: int, chunk_size: int | None, seed: int, tmpdir: Path | None,
                 check: bool) -> dict[str, Any]:
    """Generate one partitioned dataset on a new local Dask cluster (in this process); then maybe check it."""
    import crmlab  # noqa: F401 - import time is not part of the run
    from crmlab.scale import generate_partitioned

    base = Path(tempfile.mkdtemp(prefix="crmlab-scale-", dir=tmpdir))
    out = base / "data"
    try:
        load0, cpu0, t0 = load_average(), cpu_seconds(), time.perf_counter()
        run = generate_partitioned(PRESET, out, engine="dask", n_workers=workers, seed=seed, n_customers=n,
                                   chunk_size=chunk_size)
        wall = time.perf_counter() - t0
        result = {"n_customers": n, "workers": workers, "wall_s": wall, "client_cpu_s": cpu_seconds() - cpu0,
                  "load_average": [load0, load_average()], "disk_mb": folder_mb(out), **run.to_dict()}
        result["path"] = None
        if check:
            result["check"] = run_check_subprocess(out)
        return result
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_check(path: Path) -> dict[str, Any]:
    """validate_partitioned then describe_partitioned on ``path`` (in this process)."""
    from crmlab.scale import describe_partitioned, validate_partitioned

    load0, t0 = load_average(), time.perf_counter()
    rows = validate_partitioned(path)
    t1 = time.perf_counter()
    desc = describe_partitioned(path)
    t2 = time.perf_counter()
    return {"validate_s": t1 - t0, "describe_s": t2 - t1, "rows_total": sum(rows.values()),
            "one_time_buyer_share": desc["one_time_buyer_share"], "peak_rss_mb": rss_mb(),
            "load_average": [load0, load_average()]}


def _self(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_RESULT_TAG)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return {"error": f"exit status {proc.returncode}: {tail}"}
    return json.loads(lines[-1][len(_RESULT_TAG):])


def run_check_subprocess(path: Path) -> dict[str, Any]:
    return _self(["--worker-check", str(path)])


# ----------------------------------------------------------------------------- projection
def project(runs: Sequence[dict[str, Any]], n_target: int = PROJECT_TO,
            workers: Sequence[int] = PROJECT_WORKERS) -> dict[str, Any] | None:
    """Time, memory and disk for ``n_target`` customers from the measured runs (see the module docstring).

    Examples
    --------
    >>> runs = [{"n_customers": 10, "n_chunks": 1, "n_workers": 1, "chunk_size": 10, "chunk_seconds": [1.0],
    ...          "seconds": {"setup": 1, "first": 0.6, "second": 0.6, "ranks": 0.1, "finish": 0.1},
    ...          "client_peak_rss_mb": 300, "worker_peak_rss_mb": 200, "disk_mb": 1.0},
    ...         {"n_customers": 20, "n_chunks": 2, "n_workers": 1, "chunk_size": 10, "chunk_seconds": [1.0, 1.0],
    ...          "seconds": {"setup": 1, "first": 1.2, "second": 1.2, "ranks": 0.2, "finish": 0.2},
    ...          "client_peak_rss_mb": 400, "worker_peak_rss_mb": 200, "disk_mb": 2.0}]
    >>> p = project(runs, 40, workers=(2,))
    >>> p["chunks"], p["by_workers"]["2"]["seconds"], p["client_peak_rss_mb"], p["disk_gb"]
    (4, 4.2, 600.0, 0.00390625)
    """
    ok = sorted((r for r in runs if "error" not in r), key=lambda r: r["n_customers"])
    if not ok:
        return None
    big = ok[-1]
    c = sum(big["chunk_seconds"]) / len(big["chunk_seconds"])
    par = big["seconds"]["first"] + big["seconds"]["second"]
    overlap = max(1.0, par / (big["n_chunks"] * c / big["n_workers"]))

    def linear(key) -> tuple[float, float]:
        if len(ok) < 2:
            return 0.0, key(big) / big["n_customers"]
        a, b = ok[-2], ok[-1]
        slope = (key(b) - key(a)) / (b["n_customers"] - a["n_customers"])
        return key(b) - slope * b["n_customers"], slope

    serial = {name: linear(lambda r, name=name: r["seconds"][name]) for name in ("ranks", "finish")}
    mem0, mem1 = linear(lambda r: r["client_peak_rss_mb"])
    k = -(-n_target // big["chunk_size"])
    out = {"n_customers": n_target, "chunks": k, "chunk_size": big["chunk_size"], "chunk_task_s": c,
           "overlap": overlap, "setup_s": big["seconds"]["setup"],
           "serial_s": {name: max(0.0, a + b * n_target) for name, (a, b) in serial.items()},
           "worker_peak_rss_mb": max(r["worker_peak_rss_mb"] for r in ok),
           "client_peak_rss_mb": round(mem0 + mem1 * n_target, 1),
           "disk_gb": big["disk_mb"] / big["n_customers"] * n_target / 1024, "by_workers": {}}
    for w in workers:
        t = out["setup_s"] + k * c / w * overlap + sum(out["serial_s"].values())
        out["by_workers"][str(w)] = {"seconds": round(t, 1), "chunk_s": round(k * c / w * overlap, 1)}
    return out


# ----------------------------------------------------------------------------- report
def markdown(report: dict[str, Any]) -> str:
    lines = [f"## crmlab partitioned generation on Dask, {report['date']}", "",
             f"Preset `{PRESET}`, seed {report['seed']}; a new LocalCluster per run ({report['workers']} worker "
             f"processes, 1 thread each); {report['cpus']} logical CPUs, load average at the start "
             f"{report['load_start']}.", "",
             "| customers | chunks | wall s | setup / first / ranks / second / finish s | chunk task s (mean, max) "
             "| peak RSS per worker MB | client peak MB | output MB | load 1 min (start -> end) |",
             "|---:|---:|---:|:---|:---|---:|---:|---:|:---|"]
    for r in report["runs"]:
        if "error" in r:
            lines.append(f"| {r['n_customers']:,} | FAILED: {r['error'].splitlines()[0]} |||||||||")
            continue
        s = r["seconds"]
        ch = r["chunk_seconds"]
        la = r["load_average"]
        lines.append(
            f"| {r['n_customers']:,} | {r['n_chunks']} | {r['wall_s']:.1f} | {s['setup']:.1f} / {s['first']:.1f} / "
            f"{s['ranks']:.1f} / {s['second']:.1f} / {s['finish']:.1f} | {sum(ch) / len(ch):.2f}, {max(ch):.2f} | "
            f"{r['worker_peak_rss_mb']:,.0f} | {r['client_peak_rss_mb']:,.0f} | {r['disk_mb']:,.0f} | "
            f"{la[0][0]:.1f} -> {la[1][0]:.1f} |")
    checks = [r for r in report["runs"] if "check" in r]
    if checks:
        lines += ["", "| customers | validate_partitioned s | describe_partitioned s | peak RSS MB | rows |",
                  "|---:|---:|---:|---:|---:|"]
        for r in checks:
            c = r["check"]
            if "error" in c:
                lines.append(f"| {r['n_customers']:,} | FAILED: {c['error'].splitlines()[0]} ||||")
            else:
                lines.append(f"| {r['n_customers']:,} | {c['validate_s']:.1f} | {c['describe_s']:.1f} | "
                             f"{c['peak_rss_mb']:,.0f} | {c['rows_total']:,} |")
    p = report.get("projection")
    if p:
        ws = ", ".join(f"{w} workers ~{v['seconds']:,.0f} s" for w, v in p["by_workers"].items())
        lines += ["", f"Projection to {p['n_customers']:,} customers ({p['chunks']:,} chunks of "
                  f"{p['chunk_size']:,}): chunk task {p['chunk_task_s']:.2f} s, scheduling overlap "
                  f"{p['overlap']:.2f}, client serial steps ranks {p['serial_s']['ranks']:.0f} s + finish "
                  f"{p['serial_s']['finish']:.0f} s: {ws}; peak RSS per worker ~{p['worker_peak_rss_mb']:,.0f} MB "
                  f"(bounded by the chunk size), client ~{p['client_peak_rss_mb']:,.0f} MB, output "
                  f"~{p['disk_gb']:,.1f} GB."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench_scale.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1M,10M", help="customer counts (default 1M,10M)")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (default 2)")
    ap.add_argument("--chunk-size", type=int, default=None, help="customers per chunk (default: the preset's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", action="store_true", help="also time validate_partitioned and describe_partitioned")
    ap.add_argument("--tmpdir", type=Path, default=None, help="where the temporary datasets go")
    ap.add_argument("--out", type=Path, default=None, help="also write the measurements as JSON")
    ap.add_argument("--worker-generate", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-check", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker_check:
        print(_RESULT_TAG + json.dumps(run_check(Path(args.worker_check))), flush=True)
        return 0
    if args.worker_generate:
        res = run_generate(int(args.worker_generate), args.workers, args.chunk_size, args.seed, args.tmpdir,
                           args.check)
        print(_RESULT_TAG + json.dumps(res), flush=True)
        return 0
    sizes = sorted({parse_count(s) for s in args.sizes.split(",") if s.strip()})
    report: dict[str, Any] = {"date": dt.date.today().isoformat(), "seed": args.seed, "workers": args.workers,
                              "cpus": os.cpu_count(), "load_start": load_average(), "runs": []}
    for n in sizes:
        log(f"{n:,} customers on {args.workers} Dask workers (load {load_average()}) ...")
        extra = ["--workers", str(args.workers), "--seed", str(args.seed)]
        if args.chunk_size:
            extra += ["--chunk-size", str(args.chunk_size)]
        if args.check:
            extra.append("--check")
        if args.tmpdir:
            extra += ["--tmpdir", str(args.tmpdir)]
        res = _self(["--worker-generate", str(n), *extra])
        res.setdefault("n_customers", n)
        log(f"{n:,}: " + (res["error"].splitlines()[0] if "error" in res else
                          f"{res['wall_s']:.1f} s, worker peak {res['worker_peak_rss_mb']:,.0f} MB"))
        report["runs"].append(res)
    report["projection"] = project(report["runs"])
    report["load_end"] = load_average()
    print(markdown(report))
    if args.out:
        from crmlab._fs import write_json_atomic

        write_json_atomic(report, args.out)
    return 1 if any("error" in r for r in report["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
