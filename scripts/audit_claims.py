#!/usr/bin/env python
"""The claims audit: run the analysis lessons on unseen seeds and check their findings against the truth.

Writes ``OUT/audit.md`` (the table), ``OUT/audit.csv`` and ``OUT/records.json`` (every claim of every
run); with ``--docs`` also ``docs/claims_audit.md``. Exit 1 if a claim misses a goal or a run failed.
See :mod:`crmlab.notebook.audit` for the method and the goals.

Examples
--------
    python scripts/audit_claims.py                       # 20 seeds, classroom preset, all analysis lessons
    python scripts/audit_claims.py --seeds 3 02 04       # a quick look at two lessons
    make audit                                           # the published table (docs/claims_audit.md)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS_LESSONS = ("01", "02", "03", "04", "05", "06", "07")


def main(argv: list[str] | None = None) -> int:
    from tqdm.auto import tqdm

    from crmlab._fs import write_text_atomic
    from crmlab.notebook.audit import format_markdown, records_json, run_audit, summarize
    from crmlab.notebook.runner import find_notebooks

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("Examples")[1])
    ap.add_argument("lessons", nargs="*", default=list(ANALYSIS_LESSONS), help="lesson numbers (default: 01-07)")
    ap.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    ap.add_argument("--first-seed", type=int, default=1000, help="first seed; unseen by the tests (default 1000)")
    ap.add_argument("--preset", default="classroom", help="dataset preset (default classroom)")
    ap.add_argument("--jobs", type=int, default=2, help="lessons run in parallel (default 2)")
    ap.add_argument("--out", default=str(ROOT / "runs" / "audit"), help="output folder (default runs/audit)")
    ap.add_argument("--docs", action="store_true", help="also write docs/claims_audit.md")
    args = ap.parse_args(argv)
    if args.seeds < 1 or args.jobs < 1:
        ap.error("--seeds and --jobs must be positive")
    paths = find_notebooks(args.lessons, folder=ROOT / "notebooks")
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    t0 = time.perf_counter()
    with tqdm(total=len(paths) * len(seeds), unit="run", desc="auditing", file=sys.stderr) as bar:
        records = run_audit(paths, seeds, preset=args.preset, jobs=args.jobs, progress=bar.update)
    errors = [f"{r['notebook']} seed {r['seed']}: {r['error']}" for r in records if r.get("error")]
    table = summarize(records)
    text = format_markdown(table, seeds=seeds, preset=args.preset, errors=errors)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(text, out / "audit.md")
    write_text_atomic(table.to_csv(index=False), out / "audit.csv")
    write_text_atomic(records_json(records), out / "records.json")
    if args.docs:
        write_text_atomic(text, ROOT / "docs" / "claims_audit.md")
    print(text)
    print(f"{len(records)} claim records from {len(paths) * len(seeds)} runs in {time.perf_counter() - t0:.0f} s; "
          f"written to {out}")
    return 1 if errors or not table["goal_met"].all() else 0


if __name__ == "__main__":
    sys.exit(main())
