"""File-system helpers shared by every writer: atomic files, safe output folders, checksums.

Nothing crmlab writes is ever half-written, and nothing that exists is lost:

* a **file** is written to a hidden temporary sibling and moved into place
  with :func:`os.replace` (:func:`atomic_path`, :func:`write_json_atomic`);
* an **output folder** (a dataset, a term of teaching material) is assembled
  in a hidden temporary sibling folder and swapped in only when complete
  (:func:`output_dir`, or :func:`make_temp_dir` + :func:`replace_dir`).

The rules of an output folder, in one place:

1. **One writer at a time.** A writer holds the lock of the folder
   (:func:`lock_output`: ``fcntl.flock`` on a hidden sibling ``.X.lock``
   that records the owner's pid, host and command). A second writer fails at
   once with :class:`OutputLocked` naming the owner. The kernel releases the
   lock when its process dies (even by SIGKILL), so a lock is never stale.
2. **Nothing is deleted without force.** The target is checked when the
   writer starts (:func:`target_problem`) and again at the swap: without
   ``force`` the new folder is renamed onto the target only if the target
   is still absent or an empty folder (the rename itself refuses a non-empty
   folder, so a file placed there meanwhile survives; :class:`OutputChanged`).
3. **Old or new, never neither.** With ``force`` the complete new folder
   and the old one are exchanged in one atomic ``renameat2(RENAME_EXCHANGE)``
   where the system offers it (Linux); elsewhere the old folder is renamed
   aside to ``.X.old-*`` first. A crash at any point leaves the old or the
   new folder at the path, or the old one in ``.X.old-*`` with nothing at
   the path: the next writer (or :func:`crmlab.load_dataset`) moves it back
   (:func:`recover_output`).
4. **Leftovers are cleaned or reported.** Temporary folders ``.X.tmp-*`` of
   a killed writer, and ``.X.old-*`` / ``.X.trash-*`` of a finished swap, are
   named after their writer's host and pid; the next writer removes those
   whose writer is dead and reports what it did (:class:`OutputWarning`).

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
>>> with output_dir(folder / "new") as tmp:
...     _ = (tmp / "data.txt").write_text("complete")
>>> sorted(q.name for q in folder.iterdir())
['new', 'x.json']
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import warnings
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
    "output_dir",
    "lock_output",
    "recover_output",
    "describe_os_error",
    "OutputError",
    "OutputLocked",
    "OutputChanged",
    "OutputWarning",
]


class OutputError(RuntimeError):
    """An output folder cannot be written: locked, changed meanwhile, not a folder, disk full."""


class OutputLocked(OutputError):
    """Another process is writing the same output folder."""


class OutputChanged(OutputError):
    """The output folder was created or filled by someone else while crmlab was writing; nothing was replaced."""


class OutputWarning(UserWarning):
    """What the clean-up after an interrupted write did (restored, removed or left alone)."""


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


def describe_os_error(e: OSError) -> str:
    """A short human reason for an :class:`OSError` (full disk and quota spelled out).

    >>> describe_os_error(OSError(errno.ENOSPC, "No space left on device"))
    'the disk is full (No space left on device)'
    """
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"the disk is full ({e.strerror or e})"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write ({e.strerror or e})"
    return str(e.strerror or e)


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
    only with ``force``; a file or a symbolic link never (the swap would
    replace the link, not the folder it points to).
    """
    p = Path(path)
    if p.is_symlink():
        return "is a symbolic link; give the folder it points to"
    if p.exists() and not p.is_dir():
        return "exists and is not a folder"
    try:
        if p.is_dir() and any(p.iterdir()) and not force:
            return "exists and is not empty"
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    return None


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


# ----------------------------------------------------------------------------- owners of leftovers
_HOST = socket.gethostname() or "localhost"
_HOST_ID = hashlib.sha256(_HOST.encode("utf-8", "replace")).hexdigest()[:8]
_KINDS = ("tmp", "old", "trash")


def _tag() -> str:
    """``<host id>-<pid>-<random>``: who made a temporary folder, so that a later writer knows if it is dead."""
    return f"{_HOST_ID}-{os.getpid()}-{secrets.token_hex(4)}"


def _named(target: str | os.PathLike) -> Path:
    """``target`` with a real last component (``.``, ``..`` and ``x/`` made absolute), so siblings can be named."""
    t = Path(target).expanduser()
    return Path(os.path.abspath(t)) if t.name in ("", ".", "..") else t


def _leftover_name(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{_tag()}"


def _pid_alive(pid: int) -> bool | None:
    """True/False on POSIX; None where it cannot be told without side effects (Windows)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return None
    return True


def _leftovers(target: Path) -> list[tuple[Path, str, bool | None, str]]:
    """``(path, kind, writer alive?, owner)`` of the hidden ``.X.tmp-*``, ``.X.old-*``, ``.X.trash-*`` of ``target``."""
    pat = re.compile(rf"^\.{re.escape(target.name)}\.({'|'.join(_KINDS)})-(.+)$")
    own = re.compile(r"^([0-9a-f]{8})-(\d+)-[0-9a-f]+$")
    out = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    for p in entries:
        m = pat.match(p.name)
        if not m:
            continue
        kind, rest = m.group(1), m.group(2)
        o = own.match(rest)
        if o is None:
            alive, owner = None, "an unknown process (older crmlab)"
        elif o.group(1) != _HOST_ID:
            alive, owner = None, f"process {o.group(2)} on another host"
        else:
            pid = int(o.group(2))
            alive, owner = _pid_alive(pid), f"process {pid}"
        out.append((p, kind, alive, owner))
    return sorted(out, key=lambda t: t[0].name)


def recover_output(target: str | os.PathLike) -> list[str]:
    """Clean up after interrupted writes of ``target``; return what was done, one sentence each.

    Call with the lock held (:func:`lock_output`; :func:`output_dir` does).
    The rules:

    * ``target`` missing and a ``.X.old-*`` folder there: the old folder is
      moved back (a crash between the two renames of a swap);
    * ``.X.tmp-*`` (an unfinished new folder), ``.X.trash-*`` (an old folder
      being deleted) and ``.X.old-*`` next to an existing ``target`` (a swap
      that had completed) are removed when their writer is dead;
    * leftovers of a live writer are left alone silently; those whose writer
      cannot be told (another host, an older crmlab) are reported, not removed.
    """
    target = _named(target)
    msgs: list[str] = []
    found = _leftovers(target)
    if not os.path.lexists(target):
        olds = [t for t in found if t[1] == "old" and t[2] is not True]
        if olds:
            src = max(olds, key=lambda t: t[0].stat().st_mtime)[0]
            try:
                os.rename(src, target)
                msgs.append(f"{target}: restored the previous contents from {src.name}, left by a write that was "
                            "interrupted between its two renames")
            except OSError as e:
                msgs.append(f"{target}: is missing; the previous contents are in {src} (could not move them back: "
                            f"{e.strerror or e})")
            found = _leftovers(target)
    for p, kind, alive, owner in found:
        if alive is True:
            continue
        if alive is None:
            msgs.append(f"{target}: left alone {p.name} from {owner}; remove it once no crmlab process writes there")
            continue
        if kind == "old" and not os.path.lexists(target):
            msgs.append(f"{target}: is missing; {p.name} may hold its previous contents")
            continue
        shutil.rmtree(p, ignore_errors=True)
        what = {"tmp": "an unfinished output", "old": "the replaced previous contents",
                "trash": "replaced contents being deleted"}[kind]
        if os.path.lexists(p):
            msgs.append(f"{target}: could not remove {p.name} ({what} of {owner}, which was interrupted)")
        else:
            msgs.append(f"{target}: removed {p.name}, {what} left by {owner}, which was interrupted")
    return msgs


# ----------------------------------------------------------------------------- the lock
_held: dict[str, tuple[int, int, int]] = {}  # lock file -> (thread id, depth, fd)
_held_guard = threading.Lock()


def _lock_file(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _norm_target(target: str | os.PathLike) -> Path:
    t = Path(target).expanduser()
    t = Path(os.path.abspath(t))
    try:
        return t.parent.resolve() / t.name
    except OSError:
        return t


def _owner_text(fd: int | None = None, path: Path | None = None) -> str:
    try:
        if fd is not None:
            raw = os.pread(fd, 4096, 0) if hasattr(os, "pread") else b""
        else:
            raw = path.read_bytes()[:4096] if path is not None else b""
        info = json.loads(raw.decode("utf-8"))
        return f"pid {info['pid']} on {info['host']}, since {info['since']}: {info['command']}"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "owner unknown"


def _owner_record() -> bytes:
    cmd = " ".join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])[:300]
    return json.dumps({"pid": os.getpid(), "host": _HOST, "since": time.strftime("%Y-%m-%d %H:%M:%S"),
                       "command": cmd}).encode("utf-8")


def _acquire_flock(lock: Path) -> int | str:
    """The fd of the held lock, or the owner's description if another process holds it."""
    import fcntl

    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            owner = _owner_text(fd)
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return owner
            raise
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the previous owner removed the file between our open and flock: try again
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, _owner_record())
        return fd


def _acquire_excl(lock: Path) -> int | str:
    """Without fcntl (Windows): an O_EXCL lock file; a dead owner on this host is detected by its pid."""
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            owner = _owner_text(path=lock)
            try:
                info = json.loads(lock.read_bytes().decode("utf-8"))
                dead = info.get("host") == _HOST and _pid_alive(int(info["pid"])) is False
            except (OSError, ValueError, KeyError, TypeError):
                dead = False
            if dead:
                lock.unlink(missing_ok=True)
                continue
            return owner + f" (if no crmlab process is running, delete {lock})"
        os.write(fd, _owner_record())
        return fd
    return _owner_text(path=lock)


@contextmanager
def lock_output(target: str | os.PathLike, *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the write lock of the output folder ``target`` for the block (re-entrant in one thread).

    Parameters
    ----------
    target : path-like
        The output folder (need not exist; its parent is created).
    wait : float, default 0
        Seconds to wait for another writer to finish; 0 fails at once.

    Yields
    ------
    Path
        The lock file (``.X.lock`` next to ``target``; removed on release).

    Raises
    ------
    OutputLocked
        Another process (or thread) holds the lock; the message names it.
    OutputError
        The lock file cannot be created (no permission, not a folder, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> with lock_output(out) as lock:
    ...     with lock_output(out):  # the same thread may nest
    ...         lock.name
    '.data.lock'
    """
    t = _norm_target(target)
    lock = _lock_file(t)
    key = str(lock)
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(key)
        if held is not None and held[0] == me:
            _held[key] = (me, held[1] + 1, held[2])
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield lock
        finally:
            with _held_guard:
                tid, depth, fd = _held[key]
                _held[key] = (tid, depth - 1, fd)
        return
    try:
        t.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{t}: cannot create the folder {t.parent} ({describe_os_error(e)})") from None
    deadline = time.monotonic() + max(0.0, float(wait))
    while True:
        with _held_guard:
            other_thread = key in _held
        if other_thread:
            got: int | str = "another thread of this process"
        else:
            try:
                got = _acquire_flock(lock) if _HAVE_FLOCK else _acquire_excl(lock)
            except OSError as e:
                raise OutputError(f"{t}: cannot create the lock file {lock.name} in {t.parent} "
                                  f"({describe_os_error(e)})") from None
        if isinstance(got, int):
            break
        if time.monotonic() >= deadline:
            raise OutputLocked(f"{t} is being written by another crmlab process ({got}); wait until it has "
                               "finished, or choose another folder")
        time.sleep(0.1)
    with _held_guard:
        _held[key] = (me, 1, got)
    try:
        yield lock
    finally:
        with _held_guard:
            _held.pop(key, None)
        try:
            lock.unlink(missing_ok=True)  # while still holding it, so no one locks a removed file
        finally:
            os.close(got)


try:  # pragma: no cover - platform dependent
    import fcntl as _fcntl  # noqa: F401

    _HAVE_FLOCK = True
except ImportError:  # pragma: no cover
    _HAVE_FLOCK = False


# ----------------------------------------------------------------------------- the swap
def make_temp_dir(target: str | os.PathLike) -> Path:
    """A new hidden folder ``.X.tmp-<host>-<pid>-<random>`` next to ``target`` (same file system, so it can be renamed onto it)."""
    target = _named(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(10):
        tmp = _leftover_name(target, "tmp")
        try:
            tmp.mkdir(mode=0o777)
        except FileExistsError:
            continue
        os.chmod(tmp, 0o777 & ~_umask())
        return tmp
    raise OutputError(f"{target}: cannot create a temporary folder next to it")  # pragma: no cover


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    fn = _renameat2()
    if fn is None:
        return False
    import ctypes

    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)):
        return False
    raise OSError(err, os.strerror(err), str(b))


_RENAMEAT2: list[Any] = []


def _renameat2() -> Any:
    if not _RENAMEAT2:
        fn = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                fn = libc.renameat2
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                fn.restype = ctypes.c_int
            except (OSError, AttributeError):
                fn = None
        _RENAMEAT2.append(fn)
    return _RENAMEAT2[0]


def _changed(target: Path) -> OutputChanged:
    return OutputChanged(f"{target} was created or filled by something else while crmlab was writing; nothing was "
                         "replaced or deleted (choose another folder, or use --force / force=True to replace it)")


def replace_dir(tmp: str | os.PathLike, target: str | os.PathLike, *, force: bool = True) -> None:
    """Move the complete folder ``tmp`` onto ``target``, holding ``target``'s lock for the swap.

    Parameters
    ----------
    tmp : path-like
        The complete new folder, made by :func:`make_temp_dir`.
    target : path-like
    force : bool, default True
        Replace an existing non-empty folder. With ``force=False`` the target
        must still be absent or an empty folder at the moment of the swap
        (checked by the rename itself); otherwise :class:`OutputChanged` is
        raised and nothing is replaced.

    Notes
    -----
    With ``force`` the two folders are exchanged atomically where the system
    can (Linux); elsewhere the old folder is renamed aside to ``.X.old-*``,
    the new one renamed into place, and the old one deleted - a crash between
    the two renames leaves the old folder in ``.X.old-*``, which the next
    writer moves back (:func:`recover_output`). A folder is never replaced by
    a file or the other way round.
    """
    tmp, target = Path(tmp), _named(target)
    with lock_output(target):
        if not force:
            _rename_new(tmp, target)
            return
        if not os.path.lexists(target):
            _rename_new(tmp, target)
            return
        if target.is_symlink():
            raise OutputError(f"{target} is a symbolic link; give the folder it points to; nothing was replaced")
        if not target.is_dir():
            raise OutputError(f"{target} exists and is not a folder; nothing was replaced")
        if _exchange(tmp, target):
            trash = _leftover_name(target, "trash")
            try:
                os.rename(tmp, trash)
            except OSError:
                trash = tmp
            shutil.rmtree(trash, ignore_errors=True)
            return
        backup = _leftover_name(target, "old")
        os.rename(target, backup)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(backup, target)
            raise
        trash = _leftover_name(target, "trash")
        try:
            os.rename(backup, trash)
        except OSError:
            trash = backup
        shutil.rmtree(trash, ignore_errors=True)


def _rename_new(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` onto ``target`` only if that is absent or an empty folder (the rename checks it atomically)."""
    if os.name == "nt" and target.is_dir() and not target.is_symlink():  # pragma: no cover - Windows
        try:
            target.rmdir()
        except OSError:
            raise _changed(target) from None
    if target.is_symlink():
        raise _changed(target)
    try:
        os.rename(tmp, target)
    except OSError as e:
        if e.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.EBUSY) or \
                isinstance(e, FileExistsError):
            raise _changed(target) from None
        raise


@contextmanager
def output_dir(target: str | os.PathLike, *, force: bool = False, wait: float = 0.0) -> Iterator[Path]:
    """Write a new output folder safely: yield an empty temporary folder; swap it in when the block succeeds.

    Takes the lock (:func:`lock_output`), cleans up after interrupted writes
    (:func:`recover_output`, reported as :class:`OutputWarning`), checks the
    target (:func:`target_problem`), and on success moves the folder in with
    :func:`replace_dir`. On any error the temporary folder is removed and the
    target is untouched.

    Parameters
    ----------
    target : path-like
    force : bool, default False
        Replace an existing non-empty folder (once the new one is complete).
    wait : float, default 0
        Seconds to wait for another writer of ``target``.

    Raises
    ------
    OutputLocked, OutputChanged, OutputError
        See the module docstring. :class:`OSError` from the block (a full
        disk) propagates unchanged after the clean-up.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with output_dir(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("1")
    >>> with output_dir(out) as tmp:  # doctest: +ELLIPSIS
    ...     pass
    Traceback (most recent call last):
    ...
    crmlab._fs.OutputError: ... exists and is not empty; choose another folder or use --force / force=True
    """
    target = _named(target)
    with lock_output(target, wait=wait):
        for msg in recover_output(target):
            warnings.warn(msg, OutputWarning, stacklevel=3)
        problem = target_problem(target, force=force)
        if problem:
            hint = "; choose another folder or use --force / force=True" if "not empty" in problem else ""
            raise OutputError(f"{target} {problem}{hint}")
        try:
            tmp = make_temp_dir(target)
        except OSError as e:
            raise OutputError(f"cannot write to {target.parent}: {describe_os_error(e)}") from None
        try:
            yield tmp
            replace_dir(tmp, target, force=force)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
