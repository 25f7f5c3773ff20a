#!/usr/bin/env python3
"""Benchmark crmlab's data generation and print Markdown tables.

Two measurements, both made in the same run so that ratios compare like with
like on the same machine:

(a) **PII records per second.** crmlab's vectorised
    :func:`crmlab.simulate.pii.draw_people` (gender, birth year, name, phone,
    e-mail for a whole array of people) against Faker called row by row
    (``fake.name()``, ``fake.phone_number()``, ``fake.email()`` on a seeded
    ``Faker(locale)``), for the locales zh_CN and en_US. Set-up (loading the
    name pools, building the Faker proxy) and a small warm-up call are not
    timed; each side is timed ``--repeat`` times and the best time is kept
    (as :mod:`timeit` recommends: noise only ever adds time).

    Faker is also timed making whole **customer records** row by row: the
    fields of crmlab's ``customers`` table that Faker can make (name by
    gender, gender, date of birth, province and city, phone number, e-mail,
    sign-up date).

(b) **The full relational dataset.** ``crmlab.make_retail_crm("large",
    seed=0, n_customers=N, n_jobs=J)`` followed by
    ``crmlab.save_dataset(data, tmp, format="parquet")`` - exactly what
    ``crmlab generate`` does: the contract check runs while the Parquet files
    are written, so "write" is the two together - for a series of sizes N
    (default 10k, 30k, 100k, 300k, 1M). Each run happens in a fresh
    subprocess, so its peak resident set size is its own (importing crmlab
    and the modules it loads lazily on first use, scipy.stats and pandera, is
    timed separately as "import"; "total" is generate + write): the peak RSS
    reported is ``ru_maxrss`` of ``RUSAGE_SELF`` plus that of
    ``RUSAGE_CHILDREN`` (the largest reaped worker of ``n_jobs > 1``), an
    upper bound on the true simultaneous peak. Part (a) runs in a subprocess
    too, so the parent stays small: on Linux a child's ``ru_maxrss`` starts
    at its parent's high-water mark (for the same reason the lazy imports,
    one of which runs ``ldconfig``, happen before any data exists). The
    largest size is also run with every other ``--jobs`` value, giving the
    speed-up of ``n_jobs=2`` over ``n_jobs=1``. CPU seconds (user + system,
    of the run and its workers) are recorded next to wall seconds: on a
    shared machine they move much less with the load.

(c) **The whole dataset against Faker.** Customers per second of the
    fastest 1M run of (b), all tables included (import excluded, total =
    generate + write), divided by Faker's customer records per second in the
    preset's locale from (a); next to it the same for the partitioned path
    (``generate_partitioned(engine="process", n_workers=J)`` with the largest
    ``--jobs`` value: the same data, validated part by part, written by J
    processes as one Parquet part per chunk and table), run when 1M is among
    the sizes.

The machine's load average is recorded at the start and the end: on a shared
machine, a load above the CPU count means the timings are inflated.

The data are deterministic (``--seed``, default 0); the timings are not.
Nothing is asserted about them: targets (PII >= 100x Faker; 1M customers in
at most 20 s and 3 GB on 2 cores; the whole dataset >= 5x Faker's customer
records) are reported as met or not met, and the exit status is 0 unless a run
crashed. Progress goes to stderr, the Markdown report to
stdout; nothing is written into the repository unless ``--out`` says so, and
temporary folders are removed.

Examples
--------
The full benchmark (several minutes on 2 cores)::

    python scripts/bench_generate.py
    python scripts/bench_generate.py --out /tmp/bench.json

A smoke run (small sizes, well under a minute)::

    python scripts/bench_generate.py --quick
    python scripts/bench_generate.py --quick --sizes 2000 --faker-rows 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

PRESET = "large"
PRESET_LOCALE = "zh_CN"  # the locale of the preset (crmlab.get_scenario("large").locale)
LOCALES = ("zh_CN", "en_US")
DEFAULT_SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)
QUICK_SIZES = (2_000, 10_000)
DEFAULT_JOBS = (1, 2)
DEFAULT_PII_ROWS = 1_000_000
QUICK_PII_ROWS = 100_000
DEFAULT_FAKER_ROWS = 20_000
QUICK_FAKER_ROWS = 2_000
DEFAULT_REPEAT = 3
QUICK_REPEAT = 1

TARGET_PII_RATIO = 100.0
TARGET_SIZE = 1_000_000
TARGET_SECONDS = 20.0
TARGET_RSS_MB = 3_000.0
TARGET_DATASET_RATIO = 5.0

_RESULT_TAG = "BENCH_RESULT "


def log(message: str) -> None:
    """Write a progress line to stderr (stdout carries the Markdown report)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------
def parse_count(text: str) -> int:
    """Parse a positive count such as ``20000``, ``20_000``, ``30k`` or ``1M``.

    Parameters
    ----------
    text : str
        Digits, optionally with underscores or commas and a ``k``/``M`` suffix.

    Returns
    -------
    int

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is not a positive whole count.

    Examples
    --------
    >>> parse_count("30k"), parse_count("1M"), parse_count("2_000")
    (30000, 1000000, 2000)
    """
    raw = text.strip().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(raw[-1:].lower(), 1)
    digits = raw[:-1] if scale > 1 else raw
    try:
        value = float(digits) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (use e.g. 20000, 30k, 1M)") from None
    if not (math.isfinite(value) and value >= 1 and value == int(value)):
        raise argparse.ArgumentTypeError(f"expected a positive whole count, got {text!r}")
    return int(value)


def parse_count_list(text: str) -> tuple[int, ...]:
    """Parse a comma-separated list of counts (``"10k,30k,1M"``), duplicates dropped, order kept.

    Examples
    --------
    >>> parse_count_list("10k, 2000,10000")
    (10000, 2000)
    """
    items = [part for part in text.split(",") if part.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected at least one value")
    return tuple(dict.fromkeys(parse_count(part) for part in items))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``--help`` documents every option)."""
    parser = argparse.ArgumentParser(
        prog="bench_generate.py",
        description=(
            "Benchmark crmlab data generation: (a) PII records/s, crmlab's vectorised draw_people "
            "vs Faker row by row (zh_CN and en_US); (b) the full relational dataset of the "
            f"'{PRESET}' preset (make_retail_crm + save_dataset to parquet) from 10k to 1M customers, "
            "each size in a fresh subprocess: wall time, peak RSS, rows, n_jobs speed-up. "
            "Prints Markdown tables to stdout (progress to stderr); writes nothing else unless --out."
        ),
        epilog=(
            "examples:\n"
            "  python scripts/bench_generate.py                    # full run, several minutes on 2 cores\n"
            "  python scripts/bench_generate.py --quick            # smoke run, small sizes only\n"
            "  python scripts/bench_generate.py --sizes 10k,100k --jobs 1 --only scaling\n"
            "  python scripts/bench_generate.py --out /tmp/bench.json\n"
            "Counts accept underscores and k/M suffixes (30k, 1M). Timings are reported, never asserted: "
            "the exit status is 0 unless a run crashed."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=parse_count_list, default=None, metavar="N[,N...]",
                        help="customer counts for the scaling series (default: 10k,30k,100k,300k,1M; "
                             "with --quick: 2k,10k)")
    parser.add_argument("--jobs", type=parse_count_list, default=None, metavar="J[,J...]",
                        help="n_jobs values: the first is used for every size, the others are also run "
                             "at the largest size to measure the speed-up (default: 1,2)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: small sizes and row counts, one repeat (finishes in well under a minute)")
    parser.add_argument("--faker-rows", type=parse_count, default=None, metavar="N",
                        help=f"rows generated with Faker per locale (default {DEFAULT_FAKER_ROWS:,}; "
                             f"--quick {QUICK_FAKER_ROWS:,})")
    parser.add_argument("--pii-rows", type=parse_count, default=None, metavar="N",
                        help=f"rows generated with crmlab per locale (default {DEFAULT_PII_ROWS:,}; "
                             f"--quick {QUICK_PII_ROWS:,})")
    parser.add_argument("--repeat", type=parse_count, default=None, metavar="K",
                        help=f"timed repetitions of each PII measurement, best kept (default {DEFAULT_REPEAT}; "
                             f"--quick {QUICK_REPEAT})")
    parser.add_argument("--only", choices=("pii", "scaling"), default=None,
                        help="run only part (a) 'pii' or part (b) 'scaling' (default: both)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every generated dataset (default 0)")
    parser.add_argument("--tmpdir", type=Path, default=None, metavar="DIR",
                        help="where the temporary dataset folders go (default: the system temp folder); "
                             "they are removed after each run")
    parser.add_argument("--out", type=Path, default=None, metavar="results.json",
                        help="also write all measurements as JSON to this file (written atomically)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    return parser


@dataclass(frozen=True)
class Settings:
    """Resolved options of one benchmark run."""

    sizes: tuple[int, ...]
    jobs: tuple[int, ...]
    pii_rows: int
    faker_rows: int
    repeat: int
    run_pii: bool
    run_scaling: bool
    seed: int
    tmpdir: Path | None
    out: Path | None
    quick: bool


def resolve_settings(args: argparse.Namespace) -> Settings:
    """Fill in the defaults that depend on ``--quick``."""
    quick = bool(args.quick)
    return Settings(
        sizes=tuple(sorted(args.sizes or (QUICK_SIZES if quick else DEFAULT_SIZES))),
        jobs=tuple(args.jobs or DEFAULT_JOBS),
        pii_rows=args.pii_rows or (QUICK_PII_ROWS if quick else DEFAULT_PII_ROWS),
        faker_rows=args.faker_rows or (QUICK_FAKER_ROWS if quick else DEFAULT_FAKER_ROWS),
        repeat=args.repeat or (QUICK_REPEAT if quick else DEFAULT_REPEAT),
        run_pii=args.only in (None, "pii"),
        run_scaling=args.only in (None, "scaling"),
        seed=args.seed,
        tmpdir=args.tmpdir,
        out=args.out,
        quick=quick,
    )


# ---------------------------------------------------------------------------
# machine information
# ---------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _memory_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages (None where unavailable): other work on a shared machine."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def machine_info() -> dict[str, Any]:
    """CPU, memory, platform and library versions of this machine.

    Returns
    -------
    dict
        ``date``, ``cpu_model``, ``cpu_count`` (logical CPUs),
        ``cpus_usable`` (CPU affinity of this process), ``memory_gb``,
        ``platform``, ``python`` and the versions of crmlab, numpy, pandas,
        pyarrow and Faker, and ``load_average_start`` (see :func:`load_average`).
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _memory_gb()
    return {
        "date": dt.date.today().isoformat(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "memory_gb": round(memory, 1) if memory else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_start": load_average(),
        **{name: _version(dist) for name, dist in
           (("crmlab", "crmlab"), ("numpy", "numpy"), ("pandas", "pandas"), ("pyarrow", "pyarrow"),
            ("faker", "Faker"))},
    }


# ---------------------------------------------------------------------------
# (a) PII records per second
# ---------------------------------------------------------------------------
def _best_time(run: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    """Call ``run()`` ``repeat`` times; the best wall time and all of them."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), times


def _crmlab_people(n: int, locale: str, seed: int) -> Any:
    """Draw ``n`` people with crmlab: gender and birth year, then name, phone and e-mail."""
    import numpy as np

    from crmlab.simulate.pii import draw_people

    rng = np.random.default_rng(seed)
    gender = np.where(rng.random(n) < 0.5, "female", "male")
    birth_year = rng.integers(1950, 2007, size=n)
    return draw_people(rng, n, locale=locale, gender=gender, birth_year=birth_year)


def time_crmlab_pii(n: int, locale: str, *, seed: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` wall time of :func:`_crmlab_people` for ``n`` rows (after a warm-up)."""
    _crmlab_people(1_000, locale, seed)  # loads the name pools and warms up pyarrow
    best, times = _best_time(lambda: _crmlab_people(n, locale, seed), repeat)
    return {"rows": n, "seconds": best, "all_seconds": times, "rows_per_s": n / best}


def time_faker_pii(n: int, locale: str, *, seed: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` wall time of ``n`` Faker rows (name, phone number, e-mail) for ``locale``.

    Returns ``{"error": ...}`` instead if Faker is not installed.
    """
    try:
        from faker import Faker
    except ImportError:
        return {"rows": n, "error": "Faker is not installed (pip install faker)"}
    fake = Faker(locale)

    def run() -> list[tuple[str, str, str]]:
        fake.seed_instance(seed)
        return [(fake.name(), fake.phone_number(), fake.email()) for _ in range(n)]

    fake.seed_instance(seed)
    [(fake.name(), fake.phone_number(), fake.email()) for _ in range(100)]  # warm-up
    best, times = _best_time(run, repeat)
    return {"rows": n, "seconds": best, "all_seconds": times, "rows_per_s": n / best}


def time_faker_customers(n: int, locale: str, *, seed: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` wall time of ``n`` Faker customer records for ``locale``.

    A customer record holds the fields of crmlab's ``customers`` table that
    Faker can make: gender, a name of that gender, date of birth, province
    (state) and city, phone number, e-mail and a sign-up date.
    """
    try:
        from faker import Faker
    except ImportError:
        return {"rows": n, "error": "Faker is not installed (pip install faker)"}
    fake = Faker(locale)
    start, end = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
    region = (lambda: (fake.province(), fake.city_name())) if locale == "zh_CN" else (
        lambda: (fake.state(), fake.city()))

    def record() -> tuple:
        gender = fake.random_element(("female", "male"))
        name = fake.name_female() if gender == "female" else fake.name_male()
        return (name, gender, fake.date_of_birth(minimum_age=18, maximum_age=75), *region(),
                fake.phone_number(), fake.email(), fake.date_between(start, end))

    def run() -> list[tuple]:
        fake.seed_instance(seed)
        return [record() for _ in range(n)]

    fake.seed_instance(seed)
    [record() for _ in range(100)]  # warm-up
    best, times = _best_time(run, repeat)
    return {"rows": n, "seconds": best, "all_seconds": times, "rows_per_s": n / best}


def bench_pii(settings: Settings) -> list[dict[str, Any]]:
    """Part (a) in this process: per locale, crmlab and Faker timings and their ratio, and Faker customer records."""
    results = []
    for locale in LOCALES:
        ours = time_crmlab_pii(settings.pii_rows, locale, seed=settings.seed, repeat=settings.repeat)
        faker = time_faker_pii(settings.faker_rows, locale, seed=settings.seed, repeat=settings.repeat)
        records = time_faker_customers(settings.faker_rows, locale, seed=settings.seed, repeat=settings.repeat)
        ratio = ours["rows_per_s"] / faker["rows_per_s"] if "rows_per_s" in faker else None
        results.append({"locale": locale, "crmlab": ours, "faker": faker, "ratio": ratio,
                        "faker_customer_records": records})
    return results


# ---------------------------------------------------------------------------
# (b) full dataset, one size per subprocess
# ---------------------------------------------------------------------------
def peak_rss_mb() -> dict[str, float]:
    """Peak RSS of this process and of its largest reaped child, in MB (2**20 bytes).

    Notes
    -----
    ``ru_maxrss`` is in KiB on Linux and in bytes on macOS. For
    ``RUSAGE_CHILDREN`` it is the maximum over waited-for children, not a sum;
    ``self + children`` is therefore an upper bound on the simultaneous peak.
    """
    unit = 1 if sys.platform == "darwin" else 1024
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / 2**20
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit / 2**20
    return {"self": self_mb, "children": children_mb, "total": self_mb + children_mb}


LAZY_MODULES = ("crmlab", "crmlab.simulate.engine", "crmlab.simulate.faults", "pandera.pandas",
                "pandera.errors", "pyarrow.parquet", "scipy.stats")
"""Modules that ``make_retail_crm``/``save_dataset`` import (some lazily, on first call):
importing them up front keeps one-off import costs (scipy.stats, pandera) out of the timings."""


def import_lazy_modules() -> None:
    """Import :data:`LAZY_MODULES` (those that are installed) and validate a tiny table.

    The first validation imports pandera's strategies, hypothesis and trio;
    trio runs ``ldconfig`` in a subprocess, whose ``ru_maxrss`` on Linux
    starts at this process's RSS - done here, while the process is small, it
    does not inflate ``RUSAGE_CHILDREN``.
    """
    import importlib

    for name in LAZY_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            if name == "crmlab":
                raise
    import pandas as pd

    import crmlab

    crmlab.validate_dataset({"stores": pd.DataFrame({"store_id": ["S0001"]})}, required_only=True)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its reaped children so far."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def vm_hwm_mb() -> float | None:
    """Peak RSS of this process's current address space (``VmHWM``, Linux only), in MB.

    Unlike ``ru_maxrss`` it does not carry over the parent's high-water mark
    through ``fork``/``exec``; recorded as a cross-check.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def run_worker(n_customers: int, n_jobs: int, *, seed: int, tmpdir: Path | None) -> dict[str, Any]:
    """Generate and save one dataset in this process; return timings, rows and peak RSS.

    Meant to run in a fresh interpreter (``--worker dataset:N:J``) so that the peak
    RSS belongs to this run alone.
    """
    start = time.perf_counter()
    import_lazy_modules()
    import_s = time.perf_counter() - start
    import crmlab

    load_start = load_average()
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    data = crmlab.make_retail_crm(PRESET, seed=seed, n_customers=n_customers, n_jobs=n_jobs)
    generate_s = time.perf_counter() - start
    cpu1 = cpu_seconds()
    rss_after_generate = peak_rss_mb()

    with tempfile.TemporaryDirectory(prefix="crmlab-bench-", dir=tmpdir) as tmp:
        start = time.perf_counter()
        folder = crmlab.save_dataset(data, Path(tmp) / "data", format="parquet")  # validates, as generate does
        write_s = time.perf_counter() - start
        disk_mb = sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 2**20
    cpu2 = cpu_seconds()

    chunk_size = data.scenario.chunk_size
    rows = {name: len(table) for name, table in data.items()}
    rss = peak_rss_mb()
    return {
        "n_customers": n_customers,
        "n_jobs": n_jobs,
        "n_chunks": -(-n_customers // chunk_size),
        "import_s": import_s,
        "generate_s": generate_s,
        "write_s": write_s,
        "total_s": generate_s + write_s,
        "generate_cpu_s": cpu1 - cpu0,
        "write_cpu_s": cpu2 - cpu1,
        "total_cpu_s": cpu2 - cpu0,
        "load_average": [load_start, load_average()],
        "rows": rows,
        "rows_total": sum(rows.values()),
        "disk_mb": disk_mb,
        "peak_rss_generate_mb": rss_after_generate["total"],
        "peak_rss_self_mb": rss["self"],
        "peak_rss_children_mb": rss["children"],
        "vm_hwm_self_mb": vm_hwm_mb(),
        "peak_rss_mb": rss["total"],
    }


def run_partitioned(n_customers: int, n_jobs: int, *, seed: int, tmpdir: Path | None) -> dict[str, Any]:
    """The partitioned path in this process: ``generate_partitioned(engine="process", n_workers=n_jobs)``.

    The same data, validated part by part in the tasks, written as one
    Parquet part per chunk and table by ``n_jobs`` local processes (what
    ``crmlab generate --partitioned --jobs J`` does).
    """
    start = time.perf_counter()
    import_lazy_modules()
    import_s = time.perf_counter() - start
    from crmlab.scale import generate_partitioned

    load_start = load_average()
    cpu0 = cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-", dir=tmpdir) as tmp:
        start = time.perf_counter()
        run = generate_partitioned(PRESET, Path(tmp) / "data", engine="process", n_workers=n_jobs, seed=seed,
                                   n_customers=n_customers)
        total_s = time.perf_counter() - start
        disk_mb = sum(p.stat().st_size for p in run.path.rglob("*") if p.is_file()) / 2**20
    rss = peak_rss_mb()
    return {"n_customers": n_customers, "n_jobs": n_jobs, "n_chunks": run.n_chunks, "import_s": import_s,
            "total_s": total_s, "total_cpu_s": cpu_seconds() - cpu0, "seconds": run.seconds,
            "rows_total": sum(v for k, v in run.rows.items() if k != "truth_customers"), "disk_mb": disk_mb,
            "worker_peak_rss_mb": run.worker_peak_rss_mb, "peak_rss_self_mb": rss["self"],
            "load_average": [load_start, load_average()]}


def run_self(worker: str, settings: Settings) -> dict[str, Any]:
    """Run this script as ``--worker WORKER`` in a fresh interpreter and parse its result line.

    Returns
    -------
    dict
        The worker's result plus ``wall_s`` (the subprocess's wall time), or
        ``{"error": ..., "wall_s": ...}`` if it crashed.

    Notes
    -----
    The parent process stays small (it imports neither numpy nor crmlab):
    on Linux a child's ``ru_maxrss`` starts at the RSS of the process it was
    forked from (the high-water mark survives ``exec``), so a large parent
    would inflate every worker's reported peak.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, "--seed", str(settings.seed),
           "--pii-rows", str(settings.pii_rows), "--faker-rows", str(settings.faker_rows),
           "--repeat", str(settings.repeat)]
    if settings.tmpdir is not None:
        cmd += ["--tmpdir", str(settings.tmpdir)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall_s = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_RESULT_TAG)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        why = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit status {proc.returncode}"
        return {"error": f"{why}: {tail}", "wall_s": wall_s}
    result = json.loads(lines[-1][len(_RESULT_TAG):])
    result["wall_s"] = wall_s
    return result


def spawn_worker(n_customers: int, n_jobs: int, settings: Settings) -> dict[str, Any]:
    """Run :func:`run_worker` for one (customers, n_jobs) in a fresh subprocess."""
    result = run_self(f"dataset:{n_customers}:{n_jobs}", settings)
    return {"n_customers": n_customers, "n_jobs": n_jobs, **result}


def scaling_plan(sizes: Sequence[int], jobs: Sequence[int]) -> list[tuple[int, int]]:
    """(customers, n_jobs) runs: every size with ``jobs[0]``, the largest also with the other values.

    Examples
    --------
    >>> scaling_plan([10, 100], [1, 2])
    [(10, 1), (100, 1), (100, 2)]
    """
    base, *others = jobs
    runs = [(n, base) for n in sorted(sizes)]
    runs += [(max(sizes), j) for j in others]
    return runs


def bench_scaling(settings: Settings) -> list[dict[str, Any]]:
    """Part (b): run :func:`scaling_plan` one subprocess at a time."""
    results = []
    for n, j in scaling_plan(settings.sizes, settings.jobs):
        log(f"dataset: {n:,} customers, n_jobs={j} ...")
        res = spawn_worker(n, j, settings)
        if "error" in res:
            log(f"dataset: {n:,} customers, n_jobs={j} FAILED ({res['error']})")
        else:
            log(f"dataset: {n:,} customers, n_jobs={j}: generate {res['generate_s']:.1f} s, "
                f"write {res['write_s']:.1f} s, peak RSS {res['peak_rss_mb']:,.0f} MB")
        results.append(res)
    return results


# ---------------------------------------------------------------------------
# derived numbers
# ---------------------------------------------------------------------------
def power_law_exponent(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Least-squares slope ``b`` of ``log y = a + b log x`` (``y ~ x**b``); None with < 2 distinct x.

    Examples
    --------
    >>> round(power_law_exponent([1, 10, 100], [2, 20, 200]), 6)
    1.0
    """
    pts = [(math.log(a), math.log(b)) for a, b in zip(x, y) if a > 0 and b > 0]
    if len({p[0] for p in pts}) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    return sxy / sxx


def linear_fit(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``y = fixed + per_1m * x / 1e6``; returns ``(fixed, per_1m)``.

    Examples
    --------
    >>> linear_fit([1e6, 2e6, 3e6], [3.0, 5.0, 7.0])
    (1.0, 2.0)
    """
    if len(x) != len(y) or len(set(x)) < 2:
        raise ValueError("linear_fit needs at least two distinct x values and as many y values")
    u = [v / 1e6 for v in x]
    mu, my = sum(u) / len(u), sum(y) / len(y)
    slope = sum((a - mu) * (b - my) for a, b in zip(u, y)) / sum((a - mu) ** 2 for a in u)
    return my - slope * mu, slope


def summarize_scaling(runs: Sequence[dict[str, Any]], jobs: Sequence[int]) -> dict[str, Any]:
    """Ratios against the baselines measured in the same run, growth exponents and target checks.

    The series is the runs with ``n_jobs == jobs[0]``; its smallest size is
    the baseline for time per customer and memory. The speed-up compares the
    largest size with each other ``n_jobs`` value to ``jobs[0]``.
    """
    ok = [r for r in runs if "error" not in r]
    series = sorted((r for r in ok if r["n_jobs"] == jobs[0]), key=lambda r: r["n_customers"])
    out: dict[str, Any] = {"base_n_jobs": jobs[0]}
    if not series:
        return out
    base = series[0]
    out["baseline"] = {"n_customers": base["n_customers"], "n_jobs": base["n_jobs"]}
    for r in ok:
        r["customers_per_s"] = r["n_customers"] / r["generate_s"]
        r["generate_per_customer_vs_base"] = (r["generate_s"] / r["n_customers"]) / (
            base["generate_s"] / base["n_customers"])
        r["total_per_customer_vs_base"] = (r["total_s"] / r["n_customers"]) / (base["total_s"] / base["n_customers"])
        r["rss_vs_base"] = r["peak_rss_mb"] / base["peak_rss_mb"]
    sizes = [r["n_customers"] for r in series]
    metrics = {key: [r[f"{key}_s"] for r in series] for key in ("generate", "write", "total")}
    metrics["peak_rss"] = [r["peak_rss_mb"] for r in series]
    if len(series) >= 2:
        out["growth"] = {
            key: {**dict(zip(("fixed", "per_1m"), linear_fit(sizes, ys))),
                  "local_exponent": power_law_exponent(sizes[-2:], ys[-2:])}
            for key, ys in metrics.items()
        }
    largest = max(r["n_customers"] for r in ok)
    at_largest = {r["n_jobs"]: r for r in ok if r["n_customers"] == largest}
    if jobs[0] in at_largest:
        ref = at_largest[jobs[0]]
        out["speedup"] = {
            str(j): {"generate": ref["generate_s"] / r["generate_s"], "total": ref["total_s"] / r["total_s"],
                     "n_chunks": r["n_chunks"]}
            for j, r in sorted(at_largest.items()) if j != jobs[0]
        }
    at_target = [r for r in ok if r["n_customers"] == TARGET_SIZE]
    if at_target:
        fastest = min(at_target, key=lambda r: r["total_s"])
        out["targets"] = {
            "total_s": fastest["total_s"], "generate_s": fastest["generate_s"], "n_jobs": fastest["n_jobs"],
            "import_s": fastest["import_s"], "time_met": fastest["total_s"] <= TARGET_SECONDS,
            "peak_rss_mb": fastest["peak_rss_mb"], "rss_met": fastest["peak_rss_mb"] <= TARGET_RSS_MB,
        }
    return out


def summarize_dataset_ratio(pii: Sequence[dict[str, Any]] | None, runs: Sequence[dict[str, Any]] | None,
                            locale: str, partitioned: Sequence[dict[str, Any]] = ()) -> dict[str, Any] | None:
    """Part (c): customers/s of the whole dataset (fastest 1M run) over Faker's customer records/s.

    ``partitioned`` runs (the partitioned path on local processes) are
    reported next to the fastest in-process run, as ``partitioned``.

    Examples
    --------
    >>> pii = [{"locale": "zh_CN", "faker": {"rows_per_s": 20.0},
    ...         "faker_customer_records": {"rows_per_s": 10.0}}]
    >>> runs = [{"n_customers": 1_000_000, "n_jobs": 2, "total_s": 10_000.0, "total_cpu_s": 15_000.0}]
    >>> summarize_dataset_ratio(pii, runs, "zh_CN")["ratio_records"]
    10.0
    """
    if not pii or not runs:
        return None
    faker = next((r for r in pii if r["locale"] == locale), None)
    done = [r for r in runs if "error" not in r and r["n_customers"] == TARGET_SIZE]
    if faker is None or not done or "rows_per_s" not in faker.get("faker_customer_records", {}):
        return None
    best = min(done, key=lambda r: r["total_s"])
    rate = best["n_customers"] / best["total_s"]
    records = faker["faker_customer_records"]["rows_per_s"]
    pii_rows = faker["faker"].get("rows_per_s")
    out = {"locale": locale, "n_customers": best["n_customers"], "n_jobs": best["n_jobs"],
           "total_s": best["total_s"], "customers_per_s": rate, "faker_records_per_s": records,
           "faker_pii_rows_per_s": pii_rows, "ratio_records": rate / records,
           "ratio_pii_rows": rate / pii_rows if pii_rows else None,
           "met": rate / records >= TARGET_DATASET_RATIO, "partitioned": []}
    for r in partitioned:
        if "error" in r or r["n_customers"] != TARGET_SIZE:
            continue
        prate = r["n_customers"] / r["total_s"]
        out["partitioned"].append({"n_jobs": r["n_jobs"], "total_s": r["total_s"], "customers_per_s": prate,
                                   "ratio_records": prate / records,
                                   "ratio_pii_rows": prate / pii_rows if pii_rows else None,
                                   "met": prate / records >= TARGET_DATASET_RATIO})
    return out


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------
def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """A Markdown table; ``align`` holds one ``l`` or ``r`` per column."""
    marks = [":---" if a == "l" else "---:" for a in align]
    return ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|",
            *("| " + " | ".join(row) + " |" for row in rows)]


def _met(flag: bool) -> str:
    return "met" if flag else "**not met**"


def _fmt(x: float | None, spec: str, suffix: str = "") -> str:
    return "n/a" if x is None else f"{x:{spec}}{suffix}"


def machine_markdown(info: dict[str, Any]) -> list[str]:
    """The machine as a two-column Markdown table."""
    def load(key: str) -> str:
        values = info.get(key)
        return "n/a" if not values else " / ".join(f"{v:.1f}" for v in values)

    rows = [
        ("date", info["date"]),
        ("CPU", info["cpu_model"]),
        ("logical CPUs (usable)", f"{info['cpu_count']} ({info['cpus_usable']})"),
        ("memory", _fmt(info["memory_gb"], ".1f", " GB")),
        ("platform", info["platform"]),
        ("python", info["python"]),
        ("crmlab / numpy / pandas / pyarrow / Faker",
         " / ".join(info[k] for k in ("crmlab", "numpy", "pandas", "pyarrow", "faker"))),
        ("load average 1 / 5 / 15 min, start -> end", f"{load('load_average_start')} -> {load('load_average_end')}"),
    ]
    return _table(("machine", ""), rows, "ll")


def pii_markdown(results: Sequence[dict[str, Any]]) -> list[str]:
    """Part (a) as Markdown: rows/s of both generators and their ratio per locale."""
    rows = []
    for r in results:
        ours, faker = r["crmlab"], r["faker"]
        records = r.get("faker_customer_records", {})
        rows.append((
            r["locale"], f"{ours['rows']:,}", f"{ours['seconds']:.2f}", f"{ours['rows_per_s']:,.0f}",
            f"{faker['rows']:,}", _fmt(faker.get("seconds"), ".2f"), _fmt(faker.get("rows_per_s"), ",.0f"),
            _fmt(r["ratio"], ",.0f", "x"),
            "n/a" if r["ratio"] is None else _met(r["ratio"] >= TARGET_PII_RATIO),
            _fmt(records.get("rows_per_s"), ",.0f"),
        ))
    header = ("locale", "crmlab rows", "crmlab s", "crmlab rows/s", "Faker rows", "Faker s", "Faker rows/s",
              "crmlab / Faker", f"target >= {TARGET_PII_RATIO:.0f}x", "Faker customer records/s")
    return _table(header, rows, "lrrrrrrrlr")


def scaling_markdown(runs: Sequence[dict[str, Any]], summary: dict[str, Any]) -> list[str]:
    """Part (b) as Markdown: one row per run, then the ratios and target checks."""
    rows = []
    for r in runs:
        if "error" in r:
            first_line = r["error"].splitlines()[0] if r["error"] else "failed"
            rows.append((f"{r['n_customers']:,}", str(r["n_jobs"]), f"FAILED: {first_line}", *[""] * 11))
            continue
        load = (r.get("load_average") or [None])[0]
        rows.append((
            f"{r['n_customers']:,}", str(r["n_jobs"]), f"{r['import_s']:.1f}", f"{r['generate_s']:.1f}",
            f"{r['write_s']:.1f}", f"{r['total_s']:.1f}", f"{r.get('total_cpu_s', float('nan')):.1f}",
            f"{r['rows']['orders']:,}", f"{r['rows_total']:,}", f"{r['n_customers'] / r['total_s']:,.0f}",
            f"{r['generate_per_customer_vs_base']:.2f}x", f"{r['total_per_customer_vs_base']:.2f}x",
            f"{r['peak_rss_mb']:,.0f}", f"{r['rss_vs_base']:.1f}x", "n/a" if not load else f"{load[0]:.1f}",
        ))
    header = ("customers", "n_jobs", "import s", "generate s", "write s (validate + parquet)", "total s",
              "total CPU s", "orders", "rows (all tables)", "customers/s (total)", "generate s/customer vs base",
              "total s/customer vs base", "peak RSS MB", "RSS vs base", "load (1 min) at start")
    lines = _table(header, rows, "r" * len(header))
    lines += ["", *scaling_notes(summary)]
    return lines


def scaling_notes(summary: dict[str, Any]) -> list[str]:
    """Bullet points under the scaling table: baseline, growth, speed-up, targets."""
    notes = []
    base = summary.get("baseline")
    if base:
        notes.append(f"- Baseline (\"base\"): {base['n_customers']:,} customers, n_jobs={base['n_jobs']}, "
                     "measured in this run.")
    growth = summary.get("growth")
    if growth:
        parts = [f"{label} {g['fixed']:.1f} s fixed, {g['per_1m']:.1f} s per 1M customers, "
                 f"b = {_fmt(g['local_exponent'], '.2f')}"
                 for label, g in (("generate", growth["generate"]), ("write", growth["write"]),
                                  ("total", growth["total"]))]
        rss = growth["peak_rss"]
        notes.append("- Growth over the series: least-squares line (fixed part and slope per 1M customers) and "
                     "b, the local exponent (time ~ N^b) between the two largest sizes: " + "; ".join(parts)
                     + f"; peak RSS {rss['fixed']:,.0f} MB fixed, {rss['per_1m']:,.0f} MB per 1M customers, "
                     f"b = {_fmt(rss['local_exponent'], '.2f')}.")
    for j, s in summary.get("speedup", {}).items():
        caveat = " (a single chunk: n_jobs cannot help)" if s["n_chunks"] <= 1 else ""
        notes.append(f"- Speed-up of n_jobs={j} over n_jobs={summary['base_n_jobs']} at the largest size: "
                     f"generate {s['generate']:.2f}x, total {s['total']:.2f}x{caveat}.")
    tgt = summary.get("targets")
    if tgt:
        notes.append(
            f"- Target, {TARGET_SIZE:,} customers, all tables, validated, Parquet, in at most "
            f"{TARGET_SECONDS:.0f} s (generate + write): best {tgt['total_s']:.1f} s with n_jobs={tgt['n_jobs']} "
            f"(generate {tgt['generate_s']:.1f} s; importing crmlab another {tgt['import_s']:.1f} s): "
            f"{_met(tgt['time_met'])}.")
        notes.append(f"- Target, peak RSS of that run at most {TARGET_RSS_MB / 1000:.0f} GB: "
                     f"{tgt['peak_rss_mb']:,.0f} MB: {_met(tgt['rss_met'])}.")
    elif base:
        notes.append(f"- Targets ({TARGET_SIZE:,} customers) not evaluated: that size was not run.")
    return notes


def ratio_markdown(c: dict[str, Any]) -> list[str]:
    """Part (c) as Markdown: the whole dataset against Faker's customer records."""
    rows = [("in one process, one file per table", f"{c['n_customers']:,}", str(c["n_jobs"]), f"{c['total_s']:.1f}",
             f"{c['customers_per_s']:,.0f}", c["locale"], f"{c['faker_records_per_s']:,.0f}",
             f"{c['ratio_records']:.1f}x", _fmt(c["ratio_pii_rows"], ".1f", "x"), _met(c["met"]))]
    for p in c.get("partitioned", []):
        rows.append(("partitioned, local processes", f"{c['n_customers']:,}", str(p["n_jobs"]), f"{p['total_s']:.1f}",
                     f"{p['customers_per_s']:,.0f}", c["locale"], f"{c['faker_records_per_s']:,.0f}",
                     f"{p['ratio_records']:.1f}x", _fmt(p["ratio_pii_rows"], ".1f", "x"), _met(p["met"])))
    header = ("path", "customers", "n_jobs", "total s", "customers/s (all tables)", "Faker locale",
              "Faker customer records/s", "crmlab / Faker records", "crmlab / Faker PII rows",
              f"target >= {TARGET_DATASET_RATIO:.0f}x (records)")
    return _table(header, rows, "lrrrrlrrrl")


def report_markdown(report: dict[str, Any]) -> str:
    """The whole report: machine, part (a), part (b), part (c)."""
    info = report["machine"]
    lines = [f"## crmlab generation benchmark, {info['date']}", "", *machine_markdown(info), ""]
    if report.get("pii") is not None:
        lines += ["### (a) PII records per second: crmlab draw_people vs Faker row by row", "",
                  *pii_markdown(report["pii"]), ""]
    if report.get("scaling") is not None:
        lines += [f"### (b) Full relational dataset: preset `{PRESET}`, seed {report['settings']['seed']}, "
                  "parquet, validated; one subprocess per run", "",
                  *scaling_markdown(report["scaling"]["runs"], report["scaling"]["summary"]), ""]
    if report.get("dataset_ratio") is not None:
        lines += ["### (c) The whole dataset against Faker's customer records", "",
                  *ratio_markdown(report["dataset_ratio"]), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# output and entry point
# ---------------------------------------------------------------------------
def _worker_main(spec: str, settings: Settings) -> int:
    """Hidden entry point of the subprocesses: ``--worker pii`` or ``--worker dataset:N:J``."""
    if spec == "pii":
        result: Any = {"locales": bench_pii(settings)}
    else:
        try:
            kind, n_text, j_text = spec.split(":")
            if kind not in ("dataset", "partitioned"):
                raise ValueError(kind)
            n, j = parse_count(n_text), parse_count(j_text)
        except (ValueError, argparse.ArgumentTypeError):
            print(f"--worker expects 'pii', 'dataset:N:J' or 'partitioned:N:J', got {spec!r}", file=sys.stderr)
            return 2
        run = run_worker if kind == "dataset" else run_partitioned
        result = run(n, j, seed=settings.seed, tmpdir=settings.tmpdir)
    print(_RESULT_TAG + json.dumps(result), flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit status (1 if a dataset run crashed, else 0)."""
    args = build_parser().parse_args(argv)
    settings = resolve_settings(args)
    if args.worker is not None:
        return _worker_main(args.worker, settings)
    if settings.tmpdir is not None and not settings.tmpdir.is_dir():
        build_parser().error(f"--tmpdir {settings.tmpdir} is not an existing folder")
    settings_dict = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(settings).items()}
    report: dict[str, Any] = {"machine": machine_info(), "settings": settings_dict,
                              "preset": PRESET, "pii": None, "scaling": None, "partitioned": None,
                              "dataset_ratio": None}
    failed = False
    if settings.run_pii:
        log(f"PII: crmlab {settings.pii_rows:,} and Faker {settings.faker_rows:,} rows per locale, "
            f"best of {settings.repeat} (in a subprocess) ...")
        pii = run_self("pii", settings)
        if "error" in pii:
            log(f"PII benchmark FAILED ({pii['error']})")
            failed = True
        else:
            report["pii"] = pii["locales"]
            for r in report["pii"]:
                log(f"PII {r['locale']}: crmlab {r['crmlab']['rows_per_s']:,.0f} rows/s, Faker "
                    f"{r['faker'].get('rows_per_s', float('nan')):,.0f} rows/s")
    if settings.run_scaling:
        runs = bench_scaling(settings)
        report["scaling"] = {"runs": runs, "summary": summarize_scaling(runs, settings.jobs)}
        if TARGET_SIZE in settings.sizes:
            j = max(settings.jobs)
            log(f"partitioned: {TARGET_SIZE:,} customers on {j} local processes ...")
            part = {"n_customers": TARGET_SIZE, "n_jobs": j,
                    **run_self(f"partitioned:{TARGET_SIZE}:{j}", settings)}
            log("partitioned: " + (f"FAILED ({part['error']})" if "error" in part else f"{part['total_s']:.1f} s"))
            report["partitioned"] = [part]
    report["dataset_ratio"] = summarize_dataset_ratio(
        report["pii"], (report["scaling"] or {}).get("runs"), PRESET_LOCALE, report.get("partitioned") or ())
    report["machine"]["load_average_end"] = load_average()
    print(report_markdown(report), flush=True)
    if settings.out is not None:
        from crmlab._fs import write_json_atomic  # here, not at the top: the parent stays small while it measures

        write_json_atomic(report, settings.out.expanduser())
        log(f"results written to {settings.out}")
    failed |= report["scaling"] is not None and any("error" in r for r in report["scaling"]["runs"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
