#!/usr/bin/env python
"""Write docs/instructor_guide.md from docs/teaching.md and the lesson sources (notebooks/src/NN_*.py).

Per lesson: objectives, prerequisites and time (the ``objectives`` cell), the exercises with their points
and model solutions, the written tasks with model outline and rubric, the quiz with its answers
(``quiz-answers``), the take-home messages; before them the hand-written part (docs/teaching.md: running a
term, per-student data, assignments, grading, feedback) and a table of timings. See
:mod:`crmlab.teaching.guide`. Regenerate after changing a lesson or docs/teaching.md; ``--check`` exits 1
when the committed guide is out of date (the test suite runs it).

Examples
--------
    python scripts/build_instructor_guide.py            # writes docs/instructor_guide.md
    python scripts/build_instructor_guide.py --check    # exit 1 if it would change
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--sources", default=str(ROOT / "notebooks" / "src"), help="folder of the lesson sources")
    ap.add_argument("--handwritten", default=str(ROOT / "docs" / "teaching.md"),
                    help="Markdown of the hand-written part (running a term)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "instructor_guide.md"), help="the guide to write")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if --out is missing or stale")
    args = ap.parse_args(argv)

    from crmlab._fs import write_text_atomic
    from crmlab.teaching.guide import instructor_guide, lesson_sources

    sources = lesson_sources(args.sources)
    if not sources:
        print(f"error: no lesson sources NN_*.py in {args.sources}", file=sys.stderr)
        return 2
    try:
        handwritten = Path(args.handwritten).read_text(encoding="utf-8")
        text = instructor_guide(sources, handwritten)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != text:
            print(f"{out} is {'missing' if current is None else 'out of date'}: run "
                  "python scripts/build_instructor_guide.py", file=sys.stderr)
            return 1
        print(f"{out} is up to date ({len(sources)} lessons)")
        return 0
    write_text_atomic(text, out)
    print(f"wrote {out} ({len(sources)} lessons, {len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
