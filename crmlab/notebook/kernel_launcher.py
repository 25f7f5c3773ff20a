"""The kernel launcher of isolated runs: limits, hidden folders and an unprivileged user, then the kernel.

Not imported: :mod:`crmlab.notebook.isolation` runs this file by its path as
the command in front of the kernel's own command line::

    [unshare --pid --fork --kill-child --mount --mount-proc --net --ipc --]
        python -I -S kernel_launcher.py SPEC.json -- python -m ipykernel_launcher -f kernel.json

It uses the standard library only (``-I -S``: no site packages, no user
paths) and, in this order,

1. in a private mount namespace (``"mounts": true``, only under ``unshare``):
   makes every mount private, makes the folders the kernel needs (the Python
   installation, the package) reachable when an ancestor is closed to the
   kernel's user (an empty tmpfs over that ancestor with just the needed
   entries bind-mounted back - so the rest of it, e.g. ``/root``, is hidden),
   and covers each folder of ``"hide"`` (the term folder, the submissions)
   with an empty read-only tmpfs;
2. sets the resource limits of ``"limits"`` (``RLIMIT_AS``, ``RLIMIT_CPU``,
   ``RLIMIT_NPROC``, ``RLIMIT_FSIZE``, ``RLIMIT_CORE``);
3. drops to ``"uid"``/``"gid"`` with no supplementary groups (only when it
   runs as root) and checks that root cannot be regained;
4. sets ``no_new_privs`` (no set-user-id program can give privileges back);
5. removes the variables of ``"unset_env"`` and replaces itself with the
   kernel (``execv``), which inherits all of the above.

Any failure ends it with exit status 97 and one line on stderr; the kernel
then never starts and the executor reports that.
"""

import ctypes
import json
import os
import resource
import stat
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
LIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "nproc": resource.RLIMIT_NPROC,
          "fsize": resource.RLIMIT_FSIZE, "core": resource.RLIMIT_CORE}

_libc = ctypes.CDLL(None, use_errno=True)


class LaunchError(Exception):
    pass


def _mount(source, target, fstype, flags, data=None):
    enc = [None if x is None else os.fsencode(x) for x in (source, target, fstype, data)]
    if _libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]) != 0:
        err = ctypes.get_errno()
        raise LaunchError(f"mount {target}: {os.strerror(err)}")


def _traversable(path, uid, gid):
    st = os.stat(path)
    if uid == 0:
        return True
    if st.st_uid == uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid == gid:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def _first_blocked(path, uid, gid):
    """(closed ancestor, its child on the way to ``path``) or None if every ancestor can be traversed."""
    parts = path.strip("/").split("/")
    current = "/"
    for part in parts[:-1] if os.path.isfile(path) else parts:
        if not _traversable(current, uid, gid):
            return current, os.path.join(current, part)
        current = os.path.join(current, part)
    return None


def _rebuild(folder, children, options):
    """Cover ``folder`` with an empty tmpfs and bind-mount ``children`` (its entries to keep) back into it.

    The children are held open (``O_PATH``) while ``folder`` is covered and mounted back from
    ``/proc/self/fd``, so nothing has to be staged elsewhere.
    """
    held = [(child, os.path.isdir(child), os.open(child, os.O_PATH)) for child in children]
    try:
        _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
        for child, is_dir, fd in held:
            if is_dir:
                os.mkdir(child, 0o755)
            else:
                open(child, "w").close()
            _mount(f"/proc/self/fd/{fd}", child, None, MS_BIND | MS_REC)
    finally:
        for _, _, fd in held:
            os.close(fd)


def _expose(paths, uid, gid):
    """Make every path of ``paths`` reachable for ``uid``; hide the rest of each closed ancestor."""
    for _ in range(16):  # one closed ancestor per round; nested closed folders take more rounds
        blocked = {}
        for p in paths:
            if os.path.exists(p):
                hit = _first_blocked(p, uid, gid)
                if hit:
                    blocked.setdefault(hit[0], set()).add(hit[1])
        if not blocked:
            return
        closed = min(blocked, key=len)
        st = os.stat(closed)
        _rebuild(closed, sorted(blocked[closed]), f"mode=0755,uid={st.st_uid},gid={st.st_gid},size=1m")
    raise LaunchError("too many nested closed folders on the way to the Python installation")


def _private_tmp(tmp, keep):
    """A fresh, empty ``tmp`` (mode 1777) holding only the entries of ``keep`` (the kernel's own folders)."""
    tmp = os.path.realpath(tmp)
    children = set()
    for p in keep:
        rel = os.path.relpath(os.path.realpath(p), tmp)
        if not rel.startswith(".."):
            children.add(os.path.join(tmp, rel.split(os.sep)[0]))
    _rebuild(tmp, sorted(children), "mode=1777,size=256m")


def _hide(paths):
    for p in paths:
        if os.path.isdir(p):
            _mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "mode=0000,size=4k")


def _limits(limits):
    for name, value in limits.items():
        if value is not None:
            resource.setrlimit(LIMITS[name], (int(value), int(value)))


def _drop(uid, gid):
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
        raise LaunchError("could not change to the unprivileged user")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise LaunchError("root could be regained after dropping privileges")


def main(argv):
    if len(argv) < 4 or argv[2] != "--":
        raise LaunchError("usage: kernel_launcher.py SPEC.json -- COMMAND ...")
    with open(argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    cmd = argv[3:]
    uid, gid = spec.get("uid"), spec.get("gid")
    if spec.get("mounts"):
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        if uid is not None:
            _expose([os.path.realpath(p) for p in spec.get("expose", [])], uid, gid)
        _hide(spec.get("hide", []))
        if spec.get("private_tmp"):
            _private_tmp(spec["private_tmp"], spec.get("keep_in_tmp", []))
    _limits(spec.get("limits", {}))
    if uid is not None and os.getuid() == 0:
        _drop(uid, gid)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise LaunchError("cannot set no_new_privs")
    for key in spec.get("unset_env", []):
        os.environ.pop(key, None)
    if spec.get("cwd"):
        os.chdir(spec["cwd"])
    try:
        os.execv(cmd[0], cmd)
    except PermissionError:
        raise LaunchError(f"cannot start {cmd[0]} as uid {os.getuid()}: permission denied - a folder on the way to "
                          "the Python installation is closed to that user (use namespaces, i.e. root with "
                          "'unshare', or install Python where that user can read it)") from None


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (LaunchError, OSError, ValueError, KeyError) as e:
        print(f"crmlab kernel launcher: {e}", file=sys.stderr)
        sys.exit(97)
