#!/usr/bin/env python
"""Instructors: build a term's per-student datasets, student notebooks AND answer keys.

Same options as ``scripts/build_student_versions.py``; additionally executes every solution
notebook on every student's data and writes ``keys/<student>/answers.json`` (what
``crmlab grade`` compares a submission with).

Examples
--------
    CRMLAB_COURSE_SALT=... python scripts/build_answer_keys.py --roster roster.csv --notebooks 01 05 --out term1
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    spec = importlib.util.spec_from_file_location("build_student_versions",
                                                  Path(__file__).with_name("build_student_versions.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main(argv, execute_keys=True)


if __name__ == "__main__":
    sys.exit(main())
