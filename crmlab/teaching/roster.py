"""The class: the roster, each student's dataset seed and the dataset id students see.

A student's seed is the first 64 bits of ``HMAC-SHA256(salt, student_id)``
(:func:`student_seed`): stable for a course salt (the course secret, kept by
the teacher), unguessable without it, and too many to search (2**64). The
seed never reaches the student: their dataset and notebooks carry an opaque
:func:`dataset_id` (from a different HMAC message, so it tells nothing about
the seed); the term's ``assignment.json`` and ``keys/`` (instructor side) map
ids to seeds. Student ids become folder names, so :func:`read_roster`
accepts only letters, digits, ``.``, ``_`` and ``-``, not case-insensitive
duplicates (``s001``/``S001`` collide on some file systems), no trailing dot
and no reserved Windows device name (``CON``, ``NUL``, ...).

Examples
--------
>>> import pandas as pd
>>> roster = read_roster(pd.DataFrame({"student_id": [" s001", "s002"], "name": ["Li Wei", "Wang Fang"]}))
>>> roster["student_id"].tolist()
['s001', 's002']
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import pandas as pd

__all__ = ["student_seed", "dataset_id", "read_roster", "SALT_ENV", "SEED_BITS"]

#: Environment variable holding the course salt (``crmlab assignment``).
SALT_ENV = "CRMLAB_COURSE_SALT"
#: Bits of HMAC output in a seed.
SEED_BITS = 64
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _digest(student_id: str, salt: str, purpose: bytes) -> bytes:
    if not isinstance(salt, str) or not salt:
        raise ValueError("salt must be a non-empty string (the course secret)")
    sid = str(student_id).strip()
    if not sid:
        raise ValueError("student_id must be a non-empty string")
    return hmac.new(salt.encode("utf-8"), purpose + sid.encode("utf-8"), hashlib.sha256).digest()


def student_seed(student_id: str, salt: str) -> int:
    """The dataset seed of one student (instructor side only).

    Parameters
    ----------
    student_id : str
    salt : str
        The course secret; the same salt and id always give the same seed.

    Returns
    -------
    int in ``[0, 2**64)``.

    Notes
    -----
    ``seed = int.from_bytes(HMAC-SHA256(key=salt, msg=student_id)[:8], "big")``:
    64 bits, so that nobody can find a student's seed by generating datasets
    for candidate seeds.

    Examples
    --------
    >>> student_seed("s001", "course-salt-2026") == student_seed("s001", "course-salt-2026")
    True
    >>> 0 <= student_seed("s001", "course-salt-2026") < 2**64
    True
    """
    return int.from_bytes(_digest(student_id, salt, b"")[: SEED_BITS // 8], "big")


def dataset_id(student_id: str, salt: str) -> str:
    """The opaque id of a student's dataset: what their folder and notebooks show instead of the seed.

    ``"ds-"`` and 16 hex digits of ``HMAC-SHA256(salt, "dataset-id:" + student_id)``:
    stable, distinct per student, and unrelated to :func:`student_seed`.

    Examples
    --------
    >>> dataset_id("s001", "course-salt-2026") == dataset_id("s001", "course-salt-2026")
    True
    >>> dataset_id("s001", "course-salt-2026").startswith("ds-")
    True
    """
    return "ds-" + _digest(student_id, salt, b"dataset-id:")[:8].hex()


def read_roster(roster: str | os.PathLike | pd.DataFrame) -> pd.DataFrame:
    """Read and check a roster (CSV path or DataFrame) with ``student_id`` and optional ``name``.

    Raises
    ------
    ValueError
        No ``student_id`` column, empty roster, empty, duplicated or unsafe ids
        (ids become folder names: letters, digits, ``.``, ``_``, ``-``; no
        trailing dot, no device name, no two ids equal but for case).
    """
    if isinstance(roster, pd.DataFrame):
        df = roster.copy()
    else:
        try:
            df = pd.read_csv(roster, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.EmptyDataError) as e:
            raise ValueError(f"roster {roster}: cannot read ({e})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if "student_id" not in df.columns:
        raise ValueError(f"roster: no 'student_id' column (columns: {', '.join(df.columns) or 'none'})")
    if df.empty:
        raise ValueError("roster: no students (the table is empty)")
    ids = df["student_id"].astype(str).str.strip()
    bad = [s for s in ids if not _SAFE_ID.match(s)]
    if bad:
        raise ValueError(f"roster: student_id values must be non-empty and use only letters, digits, '.', '_', '-'"
                         f" (bad: {', '.join(repr(b) for b in bad[:5])})")
    bad = [s for s in ids if s.endswith(".") or s.split(".")[0].lower() in _RESERVED]
    if bad:
        raise ValueError(f"roster: student_id values cannot end with '.' or be a reserved device name such as CON "
                         f"(bad: {', '.join(repr(b) for b in bad[:5])})")
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        raise ValueError(f"roster: duplicated student_id {', '.join(dup[:5])}")
    folded = ids.str.lower()
    clash = sorted(set(ids[folded.duplicated(keep=False)]))
    if clash:
        raise ValueError(f"roster: student_id values that differ only in case ({', '.join(clash[:6])}) would share "
                         "a folder on case-insensitive file systems; make them distinct")
    out = pd.DataFrame({"student_id": ids})
    if "name" in df.columns:
        out["name"] = df["name"].astype(str)
    return out.reset_index(drop=True)
