"""The executor's confinement options: total time limit, minimal environment, limits, user, namespaces.

Small notebooks without data, a few seconds each. Grading on top of this is tested in
``test_teaching_grading.py``.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from crmlab.notebook import isolation
from crmlab.notebook.execute import NotebookRunError, execute_notebook
from crmlab.notebook.isolation import LAUNCHER, Isolation, describe, kernel_environment, namespaces_available
from crmlab.notebook.sources import source_to_notebook

ROOT = os.geteuid() == 0


def nb(*cells: str):
    return source_to_notebook("".join(f"# %%\n{c}\n\n" for c in cells))


@pytest.fixture()
def workdir():
    d = Path(tempfile.mkdtemp(prefix="crmlab-test-work-"))
    os.chmod(d, 0o777)
    yield d
    import shutil

    shutil.rmtree(d, ignore_errors=True)


def test_total_timeout_stops_the_notebook():
    book = nb(*["import time\ntime.sleep(1.5)"] * 6, "print('never')")
    with pytest.raises(NotebookRunError, match="total time limit of 3 s") as e:
        execute_notebook(book, timeout=60, total_timeout=3)
    assert e.value.ename == "TotalTimeoutError"
    with pytest.raises(ValueError, match="total_timeout"):
        execute_notebook(book, total_timeout=0)


def test_isolated_kernel_user_environment_and_memory(workdir, monkeypatch):
    monkeypatch.setenv("CRMLAB_COURSE_SALT", "do-not-leak")
    book = nb("import os, json\nprint(json.dumps([os.getuid(), sorted(os.environ)]))",
              "big = bytearray(2 * 2**30)")
    iso = Isolation(user="nobody" if ROOT else None, memory_mb=1024)
    run = execute_notebook(book, cwd=workdir, env=kernel_environment(workdir), isolation=iso, allow_errors=True,
                           timeout=60)
    uid, env = json.loads(run.notebook.cells[0].outputs[0]["text"])
    assert uid == (pwd.getpwnam("nobody").pw_uid if ROOT else os.getuid())
    assert not [k for k in env if k.startswith("CRMLAB")]
    assert [e.ename for e in run.errors] == ["MemoryError"]


def test_a_limit_too_low_for_the_kernel_is_a_clear_error(workdir):
    with pytest.raises(NotebookRunError, match="kernel died while starting"):
        execute_notebook(nb("print(1)"), cwd=workdir, env=kernel_environment(workdir),
                         isolation=Isolation(memory_mb=40), timeout=30, startup_timeout=30)


@pytest.mark.skipif(not ROOT, reason="namespaces need root")
def test_namespaces_hide_folders_tmp_processes_and_network(workdir):
    if not namespaces_available():
        pytest.skip("unshare is not usable here")
    base = "/var/tmp" if os.path.isdir("/var/tmp") else None
    secret = Path(tempfile.mkdtemp(prefix="crmlab-test-term-", dir=base))
    (secret / "answers.json").write_text("{}")
    os.chmod(secret, 0o755)  # readable by everyone: only the mount namespace can hide it
    other = Path(tempfile.mkdtemp(prefix="crmlab-test-other-"))  # someone else's folder in /tmp
    os.chmod(other, 0o755)
    code = (f"import os, socket, json, tempfile\ntry:\n    seen = os.listdir({str(secret)!r})\nexcept OSError as e:\n"
            "    seen = type(e).__name__\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=2)\n"
            "    net = 'connected'\nexcept OSError as e:\n    net = type(e).__name__\n"
            "print(json.dumps([os.getpid(), seen, len([p for p in os.listdir('/proc') if p.isdigit()]), net, "
            "sorted(os.listdir(tempfile.gettempdir()))]))")
    try:
        runs = [execute_notebook(nb(code), cwd=workdir, env=kernel_environment(workdir), timeout=60,
                                 isolation=Isolation(user="nobody", hide=hide)) for hide in ((), (str(secret),))]
    finally:
        import shutil

        shutil.rmtree(secret)
        shutil.rmtree(other)
    (pid0, seen0, _, _, _), (pid, seen, nproc, net, tmp) = [json.loads(r.notebook.cells[0].outputs[0]["text"])
                                                            for r in runs]
    if base == "/var/tmp":
        assert seen0 == ["answers.json"], "control: without hiding, the folder is readable"
    assert seen in ([], "PermissionError"), seen
    assert pid == pid0 == 1 and nproc <= 3, "the kernel sees only its own processes"
    assert net != "connected"
    # the private /tmp holds the kernel's folders, and the Python installation when it lives under /tmp
    install = {Path(os.path.relpath(os.path.realpath(p), os.path.realpath(tempfile.gettempdir()))).parts[0]
               for p in (sys.prefix, isolation.__file__)}
    assert other.name not in tmp and all(t.startswith(("crmlab-kernel-", "crmlab-test-work-")) or t in install
                                         for t in tmp), tmp


def test_required_namespaces_that_are_missing_are_an_error(monkeypatch):
    monkeypatch.setattr(isolation, "namespaces_available", lambda: False)
    with pytest.raises(RuntimeError, match="namespaces were required"):
        Isolation(namespaces=True).use_namespaces()
    assert Isolation().use_namespaces() is False
    text = " ".join(describe(Isolation(user=None)))
    assert "NOT isolated" in text and "not available" in text


def test_launcher_reports_its_own_errors(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"limits": {"as": 2**40}}))
    done = subprocess.run([sys.executable, "-I", "-S", str(LAUNCHER), str(spec), "--", sys.executable, "-c",
                           "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == str(2**40)
    done = subprocess.run([sys.executable, "-I", "-S", str(LAUNCHER), str(spec)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 97 and "usage" in done.stderr


def test_resolve_user_refuses_root_and_unknown():
    with pytest.raises(ValueError, match="root"):
        isolation.resolve_user(0)
    with pytest.raises(ValueError, match="no such user"):
        isolation.resolve_user("no-such-user-crmlab")
