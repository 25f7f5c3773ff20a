"""The front door of the importers: :func:`load_extract` dispatches on the kind of extract.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "CDNOW_master.txt"
>>> _ = p.write_text(" 00001 19970101  1   11.77\\n 00002 19970112  2   24.00\\n")
>>> data = load_extract(p, kind="cdnow")
>>> data.manifest["source"]["kind"], len(data.orders)
('cdnow', 2)
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from ..dataset import Dataset
from . import pseudonyms
from .cdnow import read_cdnow
from .cleaning import DEFAULT_CATEGORY
from .mapping import read_mapped
from .online_retail import read_online_retail

__all__ = ["KINDS", "load_extract"]

#: The kinds of extract :func:`load_extract` reads.
KINDS: tuple[str, ...] = ("online-retail", "cdnow", "csv")


def load_extract(
    path: str | os.PathLike | None = None,
    kind: str | None = None,
    mapping: str | os.PathLike | Mapping[str, Any] | None = None,
    *,
    encoding: str | None = None,
    date_format: str | None = None,
    sheet: str | int | None = None,
    start: Any = None,
    end: Any = None,
    category: str | None = None,
    pseudonymize: bool = False,
    salt: str | bytes | None = None,
    drop_duplicates: bool = True,
    allow_outside_paths: bool = False,
) -> Dataset:
    """Import a real extract as a :class:`~crmlab.Dataset` (no truth).

    Parameters
    ----------
    path : path-like, optional
        The extract file (``online-retail``, ``cdnow``); for ``csv``, the YAML
        mapping file, or the folder the file names of a dict ``mapping`` are
        relative to.
    kind : {"online-retail", "cdnow", "csv"}, optional
        Default ``csv`` when ``mapping`` is given or ``path`` ends in ``.yml``
        / ``.yaml``.
    mapping : path-like or dict, optional
        The YAML mapping (kind ``csv``).
    encoding, date_format, sheet, start, end, category
        See :func:`read_online_retail`, :func:`read_cdnow`, :func:`read_mapped`.
    pseudonymize : bool, default False
        Replace customer ids, names, phones and e-mails with salted HMAC-SHA256
        pseudonyms (:func:`pseudonymize`) before returning.
    salt : str or bytes, optional
        The secret salt; required with ``pseudonymize``.
    drop_duplicates : bool, default True
        ``online-retail``: drop lines identical to an earlier line (see
        :func:`read_online_retail`).
    allow_outside_paths : bool, default False
        ``csv``: let the mapping name files outside its own folder (see
        :func:`read_mapped`).

    Returns
    -------
    Dataset
        ``manifest = {"source": {...}, "cleaning": {...}}``; ``truth`` is None.

    Raises
    ------
    ExtractError
        The file cannot be read (missing, a folder, empty, truncated, wrong encoding).
    MappingError
        The mapping is invalid (names the mapping key).
    ValidationError
        The data breaks a rule (names file, column, rule and lines).
    ValueError
        Bad arguments (unknown kind, category or date).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cdnow.txt"
    >>> _ = p.write_text(" 00001 19970101  1   11.77\\n")
    >>> data = load_extract(p, kind="cdnow", pseudonymize=True, salt="course-2025-secret")
    >>> bool(data.customers.customer_id.str.startswith("P").all()), data.truth is None
    (True, True)
    """
    if kind is None:
        if mapping is not None or (path is not None and str(path).lower().endswith((".yml", ".yaml"))):
            kind = "csv"
        else:
            raise ValueError(f"kind must be given: one of {', '.join(KINDS)}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if pseudonymize:
        pseudonyms.check_salt(salt)
    cat = category or DEFAULT_CATEGORY
    if kind == "online-retail":
        if path is None:
            raise ValueError("path of the Online Retail file is required")
        data = read_online_retail(path, encoding=encoding, date_format=date_format, sheet=sheet, start=start,
                                  end=end, category=cat, drop_duplicates=drop_duplicates)
    elif kind == "cdnow":
        if path is None:
            raise ValueError("path of the CDNOW file is required")
        if sheet is not None:
            raise ValueError("sheet (--sheet) does not apply to cdnow: the CDNOW file is text")
        data = read_cdnow(path, encoding=encoding, date_format=date_format, start=start, end=end, category=cat)
    else:
        if mapping is None:
            if path is None:
                raise ValueError("kind 'csv' needs a mapping (a YAML file or a dict)")
            data = read_mapped(path, start=start, end=end, category=category, allow_outside=allow_outside_paths)
        elif isinstance(mapping, Mapping):
            data = read_mapped(mapping, base=path, start=start, end=end, category=category,
                               allow_outside=allow_outside_paths)
        else:
            data = read_mapped(mapping, base=None, start=start, end=end, category=category,
                               allow_outside=allow_outside_paths)
    if pseudonymize:
        data = pseudonyms.pseudonymize(data, salt)  # type: ignore[arg-type]
    return data
