#!/usr/bin/env python
"""Instructors: build a term's per-student datasets and student notebooks (without answer keys).

Thin entry point over :func:`crmlab.teaching.build_assignment` with ``execute_keys=False``;
use ``scripts/build_answer_keys.py`` (or ``crmlab assignment``) for the keys. The course salt comes
from ``--salt`` or the ``CRMLAB_COURSE_SALT`` environment variable: keep it secret and reuse it all
course long, since every student's seed is derived from it.

Examples
--------
    CRMLAB_COURSE_SALT=... python scripts/build_student_versions.py --roster roster.csv --notebooks 01 05 --out term1
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None, *, execute_keys: bool = False) -> int:
    from crmlab import teaching

    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--roster", required=True, help="CSV with a student_id column (and optionally name)")
    ap.add_argument("--notebooks", nargs="+", required=True, help="notebook numbers or names, e.g. 01 05")
    ap.add_argument("--out", required=True, help="output folder (must not exist or be empty, unless --force)")
    ap.add_argument("--salt", default=os.environ.get(teaching.SALT_ENV), help=f"course salt (default: ${teaching.SALT_ENV})")
    ap.add_argument("--preset", default="classroom", help="dataset preset for every student")
    ap.add_argument("--n-customers", type=int, default=None, help="dataset size override")
    ap.add_argument("--lang", choices=["en", "zh"], default="en", help="edition of the lessons (zh: Chinese)")
    ap.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    args = ap.parse_args(argv)
    if not args.salt:
        print(f"error: give --salt or set {teaching.SALT_ENV}", file=sys.stderr)
        return 2
    try:
        info = teaching.build_assignment(args.roster, args.notebooks, args.out, salt=args.salt, preset=args.preset,
                                         n_customers=args.n_customers, execute_keys=execute_keys, force=args.force,
                                         lang=args.lang,
                                         progress=lambda msg: print(msg, file=sys.stderr))
    except (ValueError, OSError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {len(info.get('students', []))} students, notebooks {', '.join(info.get('notebooks', []))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
