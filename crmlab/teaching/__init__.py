"""Teaching mode: graded exercises inside the lessons, per-student datasets, answer keys, grading.

* :mod:`crmlab.teaching.markup` - the exercise markers (nbgrader-compatible)
  and the written tasks graded by hand: :func:`find_exercises`,
  :func:`find_written`, :func:`strip_solutions` (the student version),
  :func:`add_nbgrader_metadata`;
* :mod:`crmlab.teaching.texts` - what students read (placeholders, feedback) in English and Chinese;
* :mod:`crmlab.teaching.roster` - :func:`read_roster`, :func:`student_seed`
  (each student's dataset seed, from the course salt; instructor side only)
  and :func:`dataset_id` (what the student sees instead);
* :mod:`crmlab.teaching.assignment` - :func:`build_assignment`: datasets,
  student notebooks, answer keys and an nbgrader source folder for a class;
* :mod:`crmlab.teaching.grading` - :func:`grade_submission` (a
  :class:`GradeReport`) and :func:`record_answers`, which the last cell of an
  exercise notebook calls;
* :mod:`crmlab.teaching.sandbox` - where and how student code runs when
  graded (:func:`grading_isolation`, the temporary folder, untrusted outputs);
* :mod:`crmlab.teaching.gradebook` - :func:`grade_term` (a whole term, in
  parallel), :func:`write_gradebook` and :func:`write_feedback`;
* :mod:`crmlab.teaching.written` - the written tasks graded by hand: a CSV
  template for the instructor (:func:`write_written_template`) and the filled
  file checked against the term (:func:`read_written`) for :func:`grade_term`.

Notebooks run through :func:`crmlab.notebook.execute.execute_notebook`; the
commands ``crmlab assignment`` and ``crmlab grade`` are in :mod:`crmlab.cli.teaching`.

Examples
--------
>>> from crmlab.teaching import student_seed
>>> student_seed("s001", "course-salt-2026") == student_seed("s001", "course-salt-2026")
True
"""

from __future__ import annotations

from .assignment import answer_key_entries, build_assignment
from .gradebook import TermGrades, grade_term, write_feedback, write_gradebook
from .grading import (ANSWERS_FILE, ANSWERS_TAG, GradeReport, answer_matches, grade_submission, record_answers,
                      with_answers_cell)
from .markup import (ExerciseMarkupError, add_nbgrader_metadata, find_exercises, find_written, marker_mentions,
                     strip_outputs, strip_solutions)
from .roster import SALT_ENV, dataset_id, read_roster, student_seed
from .sandbox import grading_isolation
from .written import WrittenGrade, read_written, write_written_template

__all__ = ["student_seed", "dataset_id", "read_roster", "find_exercises", "find_written", "strip_solutions",
           "add_nbgrader_metadata",
           "strip_outputs", "marker_mentions", "build_assignment", "answer_key_entries", "grade_submission",
           "GradeReport", "record_answers", "with_answers_cell", "answer_matches", "grade_term", "TermGrades",
           "write_gradebook", "write_feedback", "grading_isolation", "ExerciseMarkupError", "SALT_ENV",
           "ANSWERS_FILE", "ANSWERS_TAG", "write_written_template", "read_written", "WrittenGrade"]
