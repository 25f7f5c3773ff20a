#!/usr/bin/env python
"""Rebuild the committed classroom dataset and its data dictionary.

The dataset is regenerated from the scenario file ``datasets/classroom.scenario.json``
(a preset name plus overrides), written as CSV to ``datasets/classroom/``, and
``datasets/README.md`` is refreshed from the data contract. The same scenario
gives byte-identical files on any machine (tests/test_classroom_dataset.py
checks that the committed copy is reproducible).

Examples
--------
    python scripts/build_classroom.py --force          # rebuild in place
    python scripts/build_classroom.py --out /tmp/c     # build a copy elsewhere
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILE = ROOT / "datasets" / "classroom.scenario.json"
DICTIONARY = ROOT / "datasets" / "README.md"

_HEADER = """# Datasets

`classroom/` is the committed teaching dataset: the `classroom` preset (about
5,000 customers of a Suning-like multichannel 3C retailer, 2024-01-01 to
2025-12-31) generated from `classroom.scenario.json`, as CSV (UTF-8). It holds
every table of the data contract, `truth.json` (the planted effects: the
answer key), `truth_customers.csv` (latent traits per customer) and
`manifest.json` (scenario, package versions, row counts, SHA-256 per file).

Rebuild it with `make data` (or `python scripts/build_classroom.py --force`);
a test checks that the rebuild is byte-identical. Any other size or seed:
`crmlab generate --preset classroom --seed 7 --out my_data`.

Notebooks never read `truth.json` except in their final "check against the
truth" cell; when you hand data to students for graded work, generate their
own copies without it (`crmlab.save_dataset(data, path, include_truth=False)`).

Codes (channels, statuses, categories, cities, provinces) are English
snake_case so that plots need no CJK font; names, phone numbers, e-mails,
city/province display names and survey comments are Chinese (locale `zh_CN`).

## Data dictionary

This section is generated from `crmlab/schema.py` by `scripts/build_classroom.py`.

"""


def load_scenario(path: Path = SCENARIO_FILE):
    """The classroom Scenario recorded in the scenario file."""
    from crmlab.config import get_scenario

    spec = json.loads(path.read_text(encoding="utf-8"))
    return get_scenario(spec["preset"], **spec.get("overrides", {}))


def dictionary_text() -> str:
    from crmlab.schema import data_dictionary_markdown

    return _HEADER + data_dictionary_markdown()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="The scenario file records the preset and any overrides.")
    ap.add_argument("--out", type=Path, default=ROOT / "datasets" / "classroom", help="output folder")
    ap.add_argument("--force", action="store_true", help="replace an existing dataset")
    ap.add_argument("--scenario", type=Path, default=SCENARIO_FILE, help="scenario file")
    args = ap.parse_args(argv)

    import crmlab
    from crmlab.io import write_json_atomic  # noqa: F401  (atomic writes below)

    sc = load_scenario(args.scenario)
    data = crmlab.make_retail_crm(sc, seed=sc.seed)
    try:
        crmlab.save_dataset(data, args.out, format="csv", force=args.force)
    except crmlab.DatasetError as e:
        print(f"build_classroom: {e}", file=sys.stderr)
        return 1
    tmp = DICTIONARY.with_suffix(".md.tmp")
    tmp.write_text(dictionary_text(), encoding="utf-8")
    tmp.replace(DICTIONARY)
    print(f"wrote {args.out} ({sum(len(t) for t in data.values()):,} rows) and {DICTIONARY.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
