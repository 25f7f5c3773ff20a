"""Where and how a submission runs when it is graded: a private folder, a minimal environment, limits.

:func:`grading_isolation` gives the :class:`crmlab.notebook.isolation.Isolation`
of a grading kernel (as root: the user ``nobody``, namespaces when available;
always: memory, CPU, process and file-size limits); :class:`Sandbox` is the
temporary folder a submission runs in::

    /tmp/crmlab-grade-XXXX/            0711, the grader's (cannot be listed)
      <random 32 hex digits>/          0711, the grader's (cannot be guessed)
        data/                          a copy of the student's dataset, read-only for the kernel
        work/                          the kernel's working folder and output_dir (the kernel's user)
        home/                          its HOME, matplotlib's configuration, TMPDIR (the kernel's user)

Nothing of the term folder is in it: the notebook's ``data_dir`` is set to
``data/`` and ``output_dir`` to ``work/``. The kernel cannot move ``work/``
(its parent is not its own) and :func:`read_output` opens the files it wrote
without following links, so it cannot make the grader read another file.
The folder is removed afterwards.

Examples
--------
>>> iso = grading_isolation(memory_mb=1024, total_timeout=60)
>>> iso.memory_mb, iso.cpu_seconds
(1024, 120)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any, Sequence

from ..notebook.isolation import DEFAULT_USER, Isolation, kernel_environment, resolve_user

__all__ = ["grading_isolation", "Sandbox", "read_output", "DEFAULT_MEMORY_MB", "DEFAULT_TOTAL_TIMEOUT",
           "MAX_OUTPUT_BYTES"]

#: Address-space limit of a grading kernel (MiB).
DEFAULT_MEMORY_MB = 4096
#: Seconds a whole submission may run.
DEFAULT_TOTAL_TIMEOUT = 1800
#: Largest answers or results file the grader reads.
MAX_OUTPUT_BYTES = 8 * 2**20


def grading_isolation(*, user: str | int | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
                      total_timeout: int = DEFAULT_TOTAL_TIMEOUT, hide: Sequence[str | os.PathLike] = (),
                      namespaces: bool | None = None) -> Isolation:
    """The confinement of a grading kernel.

    Parameters
    ----------
    user : str or int, optional
        The unprivileged user the kernel runs as when the grader is root
        (default ``nobody``). Ignored, with the kernel running as the grader,
        when the grader is not root.
    memory_mb : int
        Address-space limit (MiB).
    total_timeout : int
        Seconds the whole notebook may run; the CPU limit is twice that (plus a minute).
    hide : sequence of path-like
        Folders hidden from the kernel in its mount namespace (term folder, submissions, keys, feedback).
    namespaces : bool, optional
        See :class:`crmlab.notebook.isolation.Isolation`.
    """
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    who = (user if user is not None else DEFAULT_USER) if root else None
    return Isolation(user=who, memory_mb=int(memory_mb), cpu_seconds=2 * int(total_timeout),
                     max_processes=1024, max_file_mb=1024, namespaces=namespaces,
                     hide=tuple(str(Path(h).expanduser().resolve()) for h in hide))


class Sandbox:
    """The temporary folder one submission runs in (layout in the module docstring); a context manager.

    Parameters
    ----------
    data : path-like or None
        The student's dataset folder, copied (regular files only) to ``data/``.
    isolation : Isolation or None
        Its ``user`` (when the grader is root) owns ``work/`` and ``home/``.
    """

    def __init__(self, data: str | os.PathLike | None, isolation: Isolation | None):
        owner = None
        if isolation is not None and isolation.user is not None and os.geteuid() == 0:
            uid, gid, _ = resolve_user(isolation.user)
            owner = (uid, gid)
        self.root = Path(tempfile.mkdtemp(prefix="crmlab-grade-"))
        try:
            box = self.root / secrets.token_hex(16)
            box.mkdir(mode=0o700)
            self.data, self.work, self.home = box / "data", box / "work", box / "home"
            if data is not None:
                _copy_regular_files(Path(data), self.data)
            else:
                self.data.mkdir()
            for d in (self.work, self.home, self.home / "tmp"):
                d.mkdir(mode=0o700)
            if owner is not None:
                os.chmod(self.root, 0o711)
                os.chmod(box, 0o711)
                for d in (self.work, self.home, self.home / "tmp"):
                    os.chown(d, *owner)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        self.env = kernel_environment(self.home)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Remove the folder (whatever the kernel left in it)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _copy_regular_files(src: Path, dest: Path) -> None:
    """Copy the regular files of ``src`` (recursively, no links) into ``dest``: folders 0755, files 0644."""
    dest.mkdir(mode=0o755)
    os.chmod(dest, 0o755)
    for entry in os.scandir(src):
        if entry.is_symlink():
            continue
        if entry.is_dir():
            _copy_regular_files(Path(entry.path), dest / entry.name)
        elif entry.is_file():
            shutil.copyfile(entry.path, dest / entry.name)
            os.chmod(dest / entry.name, 0o644)


def read_output(path: str | os.PathLike) -> tuple[dict[str, Any], str | None]:
    """A JSON object a kernel wrote, read without trusting it: ``(content, problem)``.

    The file is opened without following a symbolic link, must be a regular
    file of at most :data:`MAX_OUTPUT_BYTES` and hold a JSON object;
    otherwise the content is ``{}`` and ``problem`` says why (``None`` when
    the file is simply absent or fine).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = p.write_text('{"x": 1}')
    >>> read_output(p)
    ({'x': 1}, None)
    >>> read_output(p.with_name("absent.json"))
    ({}, None)
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return {}, None
    except OSError as e:
        return {}, f"{p.name} could not be opened ({e.strerror or e}; a link or not a file?)"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return {}, f"{p.name} is not a regular file"
        if st.st_size > MAX_OUTPUT_BYTES:
            return {}, f"{p.name} is larger than {MAX_OUTPUT_BYTES // 2**20} MiB"
        with os.fdopen(fd, "rb") as f:
            fd = -1
            raw = f.read(MAX_OUTPUT_BYTES + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}, f"{p.name} is not valid JSON"
    if not isinstance(obj, dict):
        return {}, f"{p.name} does not hold a JSON object"
    return obj, None
