"""File-system helpers shared by every writer: atomic files, atomic folders, checksums.

Nothing crmlab writes is ever half-written: a file is written to a hidden
temporary sibling and moved into place with :func:`os.replace`; a folder
(a dataset, a term of teaching material) is assembled in a hidden temporary
sibling folder and swapped in by :func:`replace_dir` only when complete.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> p = write_json_atomic({"a": 1}, folder / "x.json")
>>> p.read_text()
'{\\n  "a": 1\\n}\\n'
>>> target_problem(folder, force=False)
'exists and is not empty'
>>> target_problem(folder / "new", force=False) is None
True
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

__all__ = [
    "sha256_file",
    "json_text",
    "atomic_path",
    "write_text_atomic",
    "write_json_atomic",
    "target_problem",
    "make_temp_dir",
    "replace_dir",
]


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def json_text(obj: Any) -> str:
    """The JSON text crmlab writes: indented, UTF-8 characters kept, NaN refused, final newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` if the block succeeds.

    On any exception the temporary file is removed and ``path`` is untouched.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "plot.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, path: str | os.PathLike) -> Path:
    """Write UTF-8 text to ``path`` atomically and return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_json_atomic(obj: Any, path: str | os.PathLike) -> Path:
    """Write ``obj`` as JSON (see :func:`json_text`) to ``path`` atomically and return the path."""
    return write_text_atomic(json_text(obj), path)


def target_problem(path: str | os.PathLike, *, force: bool) -> str | None:
    """Why ``path`` cannot take a new output folder, or ``None`` if it can.

    A path that does not exist or is an empty folder can; a non-empty folder
    only with ``force``; a file never.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        return "exists and is not a folder"
    if p.is_dir() and any(p.iterdir()) and not force:
        return "exists and is not empty"
    return None


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def make_temp_dir(target: str | os.PathLike) -> Path:
    """A new hidden folder next to ``target`` (same file system, so it can be renamed onto it)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


def replace_dir(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move the complete folder ``tmp`` onto ``target``, replacing what is there.

    The old folder is renamed aside first and removed only after the new one is
    in place; if the second rename fails, the old folder is moved back.
    """
    tmp, target = Path(tmp), Path(target)
    if not target.exists():
        tmp.rename(target)
        return
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    backup.rmdir()
    target.rename(backup)
    try:
        tmp.rename(target)
    except BaseException:
        backup.rename(target)
        raise
    shutil.rmtree(backup, ignore_errors=True)
