"""Confining a kernel: a minimal environment, resource limits, an unprivileged user, Linux namespaces.

:func:`crmlab.notebook.execute.execute_notebook` takes an :class:`Isolation`
and starts the kernel through :mod:`crmlab.notebook.kernel_launcher` (run by
its path, standard library only), which applies it before the kernel's own
code runs:

* **environment**: the kernel gets exactly the ``env`` given -
  :func:`kernel_environment` builds a minimal one (``PATH``, ``HOME``,
  ``LANG``, the path to this package, one BLAS thread; nothing else of the
  caller's, so no ``CRMLAB_*`` variable and no secret);
* **limits** (``setrlimit`` in the kernel's process, inherited by all it
  starts): address space (``memory_mb``), CPU seconds, processes of the
  user, size of a written file; no core dumps;
* **user** (only when the caller is root): the kernel drops to ``user``
  (default of grading: ``nobody``) with no supplementary groups and
  ``no_new_privs``; files it must reach (its runtime folder, its working
  folder) are handed to that user by the caller;
* **namespaces** (root, Linux, the ``unshare`` program of util-linux;
  :func:`namespaces_available`): a private PID namespace (the kernel sees only
  its own processes - not the grader's command line or environment - and all
  it started dies with it), a private mount namespace (``hide`` folders are
  covered by an empty read-only file system; a closed ancestor of the Python
  installation such as ``/root`` is replaced by one that holds only the
  installation; the temporary folder is private and empty but for the
  kernel's own folders), no network (a new, empty network namespace), private System V
  IPC. The kernel still talks to the executor over IPC sockets in its runtime
  folder (never TCP).

What is *not* confined is listed by :func:`describe` (one line per point),
which ``crmlab grade`` prints and the teaching guide repeats: without root the
kernel runs as the calling user and can read whatever that user can read; the
file system outside the hidden folders stays visible, read-only where the
permissions say so; the CPU is shared (limits are per kernel, in seconds).

Examples
--------
>>> iso = Isolation(memory_mb=2048, namespaces=False)
>>> iso.limits()["as"] == 2048 * 2**20
True
>>> env = kernel_environment("/tmp/home")
>>> sorted(k for k in env if k.startswith("CRMLAB"))
[]
>>> env["HOME"]
'/tmp/home'
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

__all__ = ["Isolation", "kernel_environment", "namespaces_available", "resolve_user", "describe",
           "prepare_runtime", "LAUNCHER", "DEFAULT_USER"]

#: The launcher script (run by path in front of the kernel's command).
LAUNCHER = Path(__file__).with_name("kernel_launcher.py")
#: The user kernels drop to when the caller is root and no other user is given.
DEFAULT_USER = "nobody"
_UNSHARE = ("--pid", "--fork", "--kill-child", "--mount", "--mount-proc", "--ipc")


@dataclass(frozen=True)
class Isolation:
    """How a kernel is confined (see the module docstring).

    Attributes
    ----------
    user : str or int, optional
        Run the kernel as this user (name or uid); needs root. ``None``: as the caller.
    memory_mb : int, optional
        Address-space limit of the kernel (``RLIMIT_AS``), in MiB.
    cpu_seconds : int, optional
        CPU-time limit (``RLIMIT_CPU``): the kernel is killed when it has used that much.
    max_processes : int, optional
        ``RLIMIT_NPROC`` (processes and threads of the user); only applied with ``user``.
    max_file_mb : int, optional
        Largest file the kernel may write (``RLIMIT_FSIZE``), in MiB.
    namespaces : bool, optional
        ``None``: use PID/mount/network namespaces when :func:`namespaces_available`;
        ``True``: require them (error if unavailable); ``False``: never.
    hide : tuple of str
        Folders covered by an empty read-only file system inside the kernel's mount namespace.
    network : bool, default False
        With namespaces: keep the network (default: none).
    """

    user: str | int | None = None
    memory_mb: int | None = None
    cpu_seconds: int | None = None
    max_processes: int | None = None
    max_file_mb: int | None = None
    namespaces: bool | None = None
    hide: tuple[str, ...] = ()
    network: bool = False

    def limits(self) -> dict[str, int | None]:
        """The ``setrlimit`` values the launcher applies (``None``: unchanged)."""
        mib = 2**20
        return {"as": None if self.memory_mb is None else int(self.memory_mb) * mib,
                "cpu": self.cpu_seconds,
                "nproc": self.max_processes if self.user is not None else None,
                "fsize": None if self.max_file_mb is None else int(self.max_file_mb) * mib,
                "core": 0}

    def use_namespaces(self) -> bool:
        """Whether the kernel runs in its own namespaces (raises if required and unavailable)."""
        if self.namespaces is False:
            return False
        ok = namespaces_available()
        if self.namespaces and not ok:
            raise RuntimeError("namespaces were required but are not available (needs root on Linux and a "
                               "working 'unshare' from util-linux)")
        return ok


def resolve_user(user: str | int) -> tuple[int, int, str]:
    """(uid, gid, name) of a user given by name or number.

    Raises
    ------
    ValueError
        No such user, or root (a kernel must not run as root when isolated).
    """
    import pwd

    try:
        entry = pwd.getpwuid(int(user)) if str(user).isdigit() else pwd.getpwnam(str(user))
    except (KeyError, OverflowError):
        raise ValueError(f"user {user!r}: no such user on this machine") from None
    if entry.pw_uid == 0:
        raise ValueError(f"user {user!r} is root; choose an unprivileged user such as {DEFAULT_USER!r}")
    return entry.pw_uid, entry.pw_gid, entry.pw_name


@functools.lru_cache(maxsize=1)
def namespaces_available() -> bool:
    """Whether this process can start a kernel in new PID, mount, IPC and network namespaces.

    True only as root on Linux with ``unshare`` on the ``PATH`` and a trial run
    that succeeds (containers often forbid it). Checked once per process.
    """
    if sys.platform != "linux" or os.geteuid() != 0:
        return False
    unshare = shutil.which("unshare")
    if not unshare:
        return False
    try:
        done = subprocess.run([unshare, *_UNSHARE, "--net", "--", "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _package_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent


def kernel_environment(home: str | os.PathLike, *, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment for a kernel: nothing of the caller's beyond what Python needs.

    ``PATH`` (the interpreter's folder and the system folders), ``HOME`` and
    ``TMPDIR``-free temporary files under ``home``, ``LANG=C.UTF-8``,
    ``PYTHONPATH`` only when this package is not installed in site-packages
    (a source checkout), ``PYTHONNOUSERSITE``, matplotlib's configuration
    under ``home``, one BLAS/OpenMP thread, and ``extra``.

    Parameters
    ----------
    home : path-like
        The kernel's home folder (writable by the kernel's user).
    extra : mapping, optional
        More variables.
    """
    home = str(home)
    path = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]))
    env = {"PATH": path, "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1",
           "TMPDIR": str(Path(home) / "tmp"), "MPLCONFIGDIR": str(Path(home) / ".matplotlib"),
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MALLOC_ARENA_MAX": "2", "PYDEVD_DISABLE_FILE_VALIDATION": "1", "USER": "kernel", "LOGNAME": "kernel"}
    root = _package_root()
    if "site-packages" not in root.parts and "dist-packages" not in root.parts:
        env["PYTHONPATH"] = str(root)
    env.update({str(k): str(v) for k, v in (extra or {}).items()})
    return env


def prepare_runtime(user: tuple[int, int] | None) -> tuple[Path, Path, Path]:
    """A private folder for one kernel: ``(outer, control, runtime)``.

    ``outer`` (0700, or 0711 when the kernel changes user, so that it can reach
    ``runtime`` without listing ``outer``) holds ``control`` (0700, the
    caller's: the launcher's settings) and ``runtime`` (the connection file and
    the IPC sockets; the kernel's user owns it) under a random name.
    """
    import secrets

    outer = Path(tempfile.mkdtemp(prefix="crmlab-kernel-"))
    control = outer / "control"
    control.mkdir(mode=0o700)
    runtime = outer / secrets.token_hex(16)
    runtime.mkdir(mode=0o700)
    if user is not None:
        os.chmod(outer, 0o711)
        os.chown(runtime, user[0], user[1])
    return outer, control, runtime


def launcher_command(iso: Isolation, control: Path, *, cwd: Path, user: tuple[int, int] | None,
                     expose: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> list[str]:
    """The command in front of the kernel's: ``[unshare ...] python -I -S kernel_launcher.py SPEC --``."""
    namespaces = iso.use_namespaces()
    spec: dict[str, Any] = {"mounts": namespaces, "limits": iso.limits(), "cwd": str(cwd)}
    if user is not None:
        spec.update(uid=user[0], gid=user[1])
    if namespaces:
        needed = [sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent), str(_package_root()),
                  *expose, *[p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)]]
        hide = [Path(h).resolve() for h in iso.hide if Path(h).is_dir()]
        needed = [p for p in dict.fromkeys(needed) if not any(Path(p).resolve().is_relative_to(h) for h in hide)]
        spec.update(expose=needed, hide=[str(h) for h in hide],
                    private_tmp=tempfile.gettempdir(),
                    # the kernel's own folders, and the Python installation if it lives under the temp folder
                    keep_in_tmp=[str(control.parent), str(cwd), *keep, *needed])
    spec_path = control / "launcher.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    os.chmod(spec_path, 0o600)
    prefix: list[str] = []
    if namespaces:
        prefix = [shutil.which("unshare") or "unshare", *_UNSHARE, *([] if iso.network else ["--net"]), "--"]
    return [*prefix, sys.executable, "-I", "-S", str(LAUNCHER), str(spec_path), "--"]


def describe(iso: Isolation | None) -> list[str]:
    """What is and is not confined for a kernel started with ``iso`` on this machine, one line each.

    Examples
    --------
    >>> describe(None)[0]
    'not isolated: the kernel runs as this user, with this environment and no limits'
    """
    if iso is None:
        return ["not isolated: the kernel runs as this user, with this environment and no limits"]
    lines = ["environment: minimal (PATH, HOME, LANG, the package path); no CRMLAB_* or other variables of "
             "the grader; the kernel works in a temporary folder with a copy of the student's data"]
    lim = [f"memory {iso.memory_mb} MiB" if iso.memory_mb else "", f"CPU {iso.cpu_seconds} s" if iso.cpu_seconds
           else "", f"files up to {iso.max_file_mb} MiB" if iso.max_file_mb else ""]
    lines.append("limits: " + (", ".join(x for x in lim if x) or "none") + "; per-cell and total time limits")
    root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
    if iso.user is not None and root:
        lines.append(f"user: the kernel runs as {iso.user!r} (unprivileged, no groups, no_new_privs); it cannot "
                     "read files closed to other users (the term folder and keys are 0700/0600)")
    elif root:
        lines.append("user: NOT isolated - the kernel runs as root and can read and change everything")
    else:
        lines.append("user: NOT isolated - the kernel runs as the grading user and can read everything that "
                     "user can (keys, the term folder, other submissions, the grader's environment in /proc); "
                     "run as root (kernels then drop to 'nobody') or in a container or VM")
    try:
        ns = iso.use_namespaces()
    except RuntimeError:
        ns = False
    if ns:
        lines.append("namespaces: own PID namespace (sees no other process), own mount namespace (the term "
                     "folder, keys and submissions hidden, a private empty /tmp), "
                     + ("network kept" if iso.network else "no network")
                     + "; still visible: the rest of the file system, as its user's permissions allow")
    else:
        lines.append("namespaces: not available (needs root and util-linux 'unshare'): the kernel can see other "
                     "processes, use the network, and read every file its user may read (other kernels run "
                     "as the same user)")
    return lines
