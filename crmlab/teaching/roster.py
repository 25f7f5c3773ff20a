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

__all__ = ["student_seed", "dataset_id", "read_roster", "check_student_ids", "SALT_ENV", "SEED_BITS"]

#: Environment variable holding the course salt (``crmlab assignment``).
SALT_ENV = "CRMLAB_COURSE_SALT"
#: Bits of HMAC output in a seed.
SEED_BITS = 64
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


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


#: Names Windows reserves for devices: a folder called ``CON`` (or ``con.txt``) cannot be created there.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def check_student_ids(ids: list[str]) -> None:
    """Refuse student ids that cannot be folder names on every system; raise ValueError naming them.

    Ids use letters, digits, ``.``, ``_``, ``-``, start with a letter or
    digit, do not end with ``.``, are not reserved device names of Windows
    (``CON``, ``NUL``, ``COM1``, ...) and differ in more than upper/lower case
    (``s001`` and ``S001`` would be one folder on macOS and Windows).

    >>> check_student_ids(["s001", "s002"])
    >>> check_student_ids(["s001", "S001"])
    Traceback (most recent call last):
    ...
    ValueError: roster: student_id values differ only in upper/lower case, which makes them one folder on macOS and Windows: 's001' and 'S001'
    """
    bad = [s for s in ids if not _SAFE_ID.match(s) or s.endswith(".")]
    if bad:
        raise ValueError(f"roster: student_id values must be non-empty, use only letters, digits, '.', '_', '-', "
                         f"and not end with '.' (bad: {', '.join(repr(b) for b in bad[:5])})")
    reserved = [s for s in ids if s.split(".", 1)[0].upper() in _RESERVED]
    if reserved:
        raise ValueError(f"roster: student_id values that are reserved device names on Windows cannot be folder "
                         f"names (bad: {', '.join(repr(b) for b in reserved[:5])})")
    seen: dict[str, str] = {}
    for s in ids:
        other = seen.setdefault(s.casefold(), s)
        if other != s:
            raise ValueError(f"roster: student_id values differ only in upper/lower case, which makes them one "
                             f"folder on macOS and Windows: {other!r} and {s!r}")


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
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        raise ValueError(f"roster: duplicated student_id {', '.join(dup[:5])}")
    check_student_ids(list(ids))
    out = pd.DataFrame({"student_id": ids})
    if "name" in df.columns:
        out["name"] = df["name"].astype(str)
    return out.reset_index(drop=True)
