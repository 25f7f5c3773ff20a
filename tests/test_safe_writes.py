"""Writes that never lose data (issue 11, items 5-8): the lock, the re-check at the swap, crashes, a full disk.

Crashes are simulated in a child process that dies with ``os._exit`` at a chosen
point of the swap (no clean-up code runs, as after SIGKILL); then the folder must
hold the old or the new dataset - directly, or after the next writer or reader
has moved the old one back - and the leftovers must be cleaned up and reported.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

import crmlab
from crmlab import _fs
from crmlab.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _which(folder: Path) -> str | None:
    """'old' (parquet), 'new' (csv), or None when the folder holds no complete dataset."""
    if not folder.is_dir() or not (folder / "manifest.json").is_file():
        return None
    fmt = json.loads((folder / "manifest.json").read_text())["format"]
    return {"parquet": "old", "csv": "new"}[fmt]


def _hidden(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


@pytest.fixture(scope="module")
def small():
    return crmlab.make_retail_crm("tiny", seed=4, n_customers=150)


@pytest.fixture
def old_and_new(tmp_path, small):
    """``target`` holds the old dataset (parquet); ``new`` a complete new one (csv) to write over it."""
    target = crmlab.save_dataset(small, tmp_path / "work" / "ds", format="parquet")
    new = crmlab.save_dataset(small, tmp_path / "src_new", format="parquet")
    return target, new


# ----------------------------------------------------------------------------- the lock
_HOLD = """
import sys, time
from crmlab import _fs
with _fs.lock_output(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def _holder(out: Path) -> subprocess.Popen:
    """A process holding the lock of ``out`` (until killed)."""
    p = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], env=_env(), stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_second_writer_fails_naming_the_first(tmp_path, capsys):
    out = tmp_path / "d"
    holder = _holder(out)
    try:
        code = main(["generate", "--preset", "tiny", "--n-customers", "100", "--out", str(out), "-q"])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert "being written by another crmlab process" in err and f"pid {holder.pid} " in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and not out.exists()
    with _fs.lock_output(out):  # free once its holder is gone
        pass
    assert _hidden(tmp_path, "d") == []  # the lock file goes with its last owner


def test_two_concurrent_generate_processes_one_wins(tmp_path):
    out = tmp_path / "d"
    cmd = [sys.executable, "-m", "crmlab", "generate", "--preset", "tiny", "--n-customers", "300", "--out", str(out)]
    procs = [subprocess.Popen(cmd + ["--seed", str(s)], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for s in (1, 2)]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(r[0] for r in results)
    assert codes[0] == 0 and codes[1] != 0, results
    loser = next(r for r in results if r[0] != 0)
    assert "being written by another crmlab process" in loser[2] or "not empty" in loser[2]
    assert "Traceback" not in loser[2] and "wrote" not in loser[1]
    winner = next(r for r in results if r[0] == 0)
    seed = json.loads((out / "manifest.json").read_text())["scenario"]["seed"]
    assert f"seed {seed}" in winner[1]  # the dataset there is the one the winner reported
    crmlab.load_dataset(out)
    assert _hidden(tmp_path, "d") == []


def test_lock_is_reentrant_and_refuses_another_thread(tmp_path):
    out = tmp_path / "d"
    seen = []
    with _fs.lock_output(out) as lock:
        assert lock.exists()
        with _fs.lock_output(out):
            pass
        assert lock.exists()

        def other():
            try:
                with _fs.lock_output(out):
                    seen.append("got it")
            except _fs.OutputLocked as e:
                seen.append(str(e))

        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert "another thread" in seen[0]
    assert not lock.exists()
    with _fs.lock_output(out, wait=1):  # free again
        pass


def test_lock_of_a_killed_process_is_not_stale(tmp_path):
    out = tmp_path / "d"
    p = _holder(out)
    with pytest.raises(_fs.OutputLocked, match=rf"pid {p.pid} "):
        with _fs.lock_output(out):
            pass
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    with _fs.lock_output(out):  # the kernel released it with the process
        pass


def test_waiting_for_the_lock(tmp_path):
    out = tmp_path / "d"
    release = threading.Event()

    def holder():
        with _fs.lock_output(out):
            release.wait(5)

    # another thread counts as another writer; wait= waits for it
    t = threading.Thread(target=holder)
    t.start()
    time.sleep(0.2)
    threading.Timer(0.5, release.set).start()
    t0 = time.monotonic()
    with _fs.lock_output(out, wait=10):
        pass
    assert time.monotonic() - t0 >= 0.3
    t.join()


# ----------------------------------------------------------------------------- nothing deleted without force
def test_file_placed_into_out_during_a_write_survives(tmp_path, small, monkeypatch):
    import crmlab.io as io_mod

    out = tmp_path / "d"
    real = io_mod._write_table

    def meddle(df, path, fmt):
        out.mkdir(exist_ok=True)
        (out / "notes.txt").write_text("mine")
        return real(df, path, fmt)

    monkeypatch.setattr(io_mod, "_write_table", meddle)
    with pytest.raises(crmlab.DatasetError, match="filled by something else while crmlab was writing"):
        crmlab.save_dataset(small, out)
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert _hidden(tmp_path, "d") == []


def test_file_placed_into_out_during_cli_generate_survives(tmp_path, monkeypatch, capsys):
    import crmlab.io as io_mod

    out = tmp_path / "d"
    real = io_mod._write_table

    def meddle(df, path, fmt):
        out.mkdir(exist_ok=True)
        (out / "keep.csv").write_text("x")
        return real(df, path, fmt)

    monkeypatch.setattr(io_mod, "_write_table", meddle)
    assert main(["generate", "--preset", "tiny", "--n-customers", "100", "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "nothing was replaced or deleted" in err and "Traceback" not in err
    assert (out / "keep.csv").read_text() == "x"


def test_empty_folder_may_be_filled_and_a_file_never_replaced(tmp_path, small):
    empty = tmp_path / "e"
    empty.mkdir()
    crmlab.save_dataset(small, empty)
    assert (empty / "manifest.json").is_file()
    f = tmp_path / "f"
    f.write_text("x")
    for force in (False, True):
        with pytest.raises(crmlab.DatasetError, match="not a folder"):
            crmlab.save_dataset(small, f, force=force)
    assert f.read_text() == "x"


def test_replace_dir_without_force_refuses_a_filled_target(tmp_path):
    target = tmp_path / "t"
    tmp = _fs.make_temp_dir(target)
    (tmp / "new.txt").write_text("new")
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(_fs.OutputChanged):
        _fs.replace_dir(tmp, target, force=False)
    assert (target / "old.txt").read_text() == "old"
    _fs.replace_dir(tmp, target)  # the default (teaching's term folder) replaces, once complete
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert _hidden(tmp_path, "t") == []


def test_force_replaces_once_complete(old_and_new, small):
    target, _ = old_and_new
    crmlab.save_dataset(small, target, format="csv", force=True)
    assert _which(target) == "new"
    assert _hidden(target.parent, "ds") == []


def test_swap_without_atomic_exchange(old_and_new, small, monkeypatch):
    target, _ = old_and_new
    monkeypatch.setattr(_fs, "_exchange", lambda a, b: False)
    crmlab.save_dataset(small, target, format="csv", force=True)
    assert _which(target) == "new"
    assert _hidden(target.parent, "ds") == []


# ----------------------------------------------------------------------------- crashes
_CRASH = """
import os, sys
from pathlib import Path
import crmlab, crmlab.io as io_mod
from crmlab import _fs

point, target, source = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
data = crmlab.load_dataset(source)
renames = []
real_rename = os.rename

def rename(a, b, *args, **kw):
    renames.append((str(a), str(b)))
    n = len(renames)
    if point == "between_renames" and n == 2:   # old moved aside, new not yet in place
        os._exit(137)
    if point == "after_swap" and n == 3:        # new in place, old not yet renamed to trash
        os._exit(137)
    return real_rename(a, b, *args, **kw)

if point in ("between_renames", "after_swap"):
    _fs._exchange = lambda a, b: False
    os.rename = rename
if point == "after_exchange":
    real_exchange = _fs._exchange
    def exchange(a, b):
        ok = real_exchange(a, b)
        os._exit(137)
    _fs._exchange = exchange
if point == "while_writing":
    real_write = io_mod._write_table
    calls = []
    def write(df, path, fmt):
        calls.append(path)
        if len(calls) == 4:
            os._exit(137)
        return real_write(df, path, fmt)
    io_mod._write_table = write
crmlab.save_dataset(data, target, format="csv", force=True)
print("finished")
"""


@pytest.mark.parametrize("point,at_path,after_recovery", [
    ("while_writing", "old", "old"),
    ("between_renames", None, "old"),
    ("after_swap", "new", "new"),
    ("after_exchange", "new", "new"),
])
def test_crash_at_any_point_leaves_old_or_new(old_and_new, point, at_path, after_recovery):
    target, new = old_and_new
    p = subprocess.run([sys.executable, "-c", _CRASH, point, str(target), str(new)], env=_env(),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 137, p.stderr
    assert _which(target) == at_path
    left = _hidden(target.parent, "ds")
    assert left, "a crash leaves hidden leftovers behind"
    messages = []
    if at_path is None:  # the next reader (or writer) moves the old folder back
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            crmlab.load_dataset(target)
        messages += [str(w.message) for w in rec]
        assert any("restored the previous contents" in m for m in messages), messages
        assert _which(target) == "old"
    # the next writer cleans up what is left, says so, and does not write over the data without force
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        with pytest.raises(crmlab.DatasetError, match="not empty"):
            crmlab.save_dataset(crmlab.load_dataset(target), target, format="csv")
    messages += [str(w.message) for w in rec]
    assert any("removed" in m and "interrupted" in m for m in messages), messages
    assert _which(target) == after_recovery
    assert [n for n in _hidden(target.parent, "ds") if not n.endswith(".lock")] == []


def test_cli_after_a_crash_between_renames_restores_and_refuses(old_and_new, capsys):
    target, new = old_and_new
    p = subprocess.run([sys.executable, "-c", _CRASH, "between_renames", str(target), str(new)], env=_env(),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 137 and not target.exists()
    code = main(["generate", "--preset", "tiny", "--n-customers", "100", "--out", str(target), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "not empty" in err  # the old data came back, and is not written over
    assert "warning: " in err and "restored the previous contents" in err
    assert _which(target) == "old"


def test_sigkill_during_generate_never_loses_the_old_dataset(old_and_new):
    import contextlib

    target, _ = old_and_new
    cmd = [sys.executable, "-m", "crmlab", "generate", "--preset", "tiny", "--n-customers", "2000", "--format", "csv",
           "--out", str(target), "--force", "-q"]
    for delay in (1.5, 3.5):
        p = subprocess.Popen(cmd, env=_env())
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not target.exists():
            with pytest.warns(UserWarning):
                crmlab.load_dataset(target)
        assert _which(target) in ("old", "new")
    left = [n for n in _hidden(target.parent, "ds") if not n.endswith(".lock")]
    with pytest.warns(_fs.OutputWarning) if left else contextlib.nullcontext():
        with _fs.output_dir(target, force=True) as tmp:
            (tmp / "x").write_text("x")
    assert _hidden(target.parent, "ds") == []


def test_leftovers_of_unknown_writers_are_reported_not_removed(tmp_path):
    target = tmp_path / "d"
    target.mkdir()
    odd = tmp_path / ".d.tmp-abc123"  # an older crmlab's name: its writer cannot be told
    odd.mkdir()
    other_host = tmp_path / ".d.tmp-ffffffff-123-abcd"
    other_host.mkdir()
    msgs = _fs.recover_output(target)
    assert odd.exists() and other_host.exists()
    assert any(".d.tmp-abc123" in m and "left alone" in m for m in msgs)
    assert any("another host" in m for m in msgs) or _fs._HOST_ID == "ffffffff"


def test_old_leftover_of_an_older_crmlab_is_restored(tmp_path):
    target = tmp_path / "d"
    old = tmp_path / ".d.old-k3j4h5"
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    msgs = _fs.recover_output(target)
    assert (target / "manifest.json").is_file() and not old.exists()
    assert "restored" in msgs[0]


# ----------------------------------------------------------------------------- a full disk
def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_while_saving(old_and_new, small, monkeypatch):
    import crmlab.io as io_mod

    target, _ = old_and_new
    real = io_mod._write_table
    calls = []

    def write(df, path, fmt):
        calls.append(path)
        if len(calls) == 3:
            _enospc()
        return real(df, path, fmt)

    monkeypatch.setattr(io_mod, "_write_table", write)
    with pytest.raises(crmlab.DatasetError, match="the disk is full.*untouched"):
        crmlab.save_dataset(small, target, format="csv", force=True)
    assert _which(target) == "old"
    assert _hidden(target.parent, "ds") == []
    calls.clear()
    with pytest.raises(crmlab.DatasetError, match="the disk is full"):
        crmlab.save_dataset(small, target.parent / "fresh", format="csv")
    assert not (target.parent / "fresh").exists() and _hidden(target.parent, "fresh") == []


def _cdnow(folder: Path) -> Path:
    p = folder / "CDNOW_master.txt"
    p.write_text("00001 19970101  1   11.77\n00002 19970112  2   24.00\n00001 19970301  1   9.99\n")
    return p


def test_import_writes_its_report_inside_the_atomic_step(tmp_path):
    out = tmp_path / "imp"
    assert main(["import", "cdnow", str(_cdnow(tmp_path)), "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert "cleaning_report.json" in manifest["files"]  # written with the tables, checksummed with them
    report = json.loads((out / "cleaning_report.json").read_text())
    assert report["kind"] == "cdnow" and report["source"]["kind"] == "cdnow"
    crmlab.load_dataset(out)


def test_import_on_a_full_disk_is_one_clear_error_and_writes_nothing(tmp_path, monkeypatch, capsys):
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == "cleaning_report.json":
            _enospc()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    out = tmp_path / "imp"
    code = main(["import", "cdnow", str(_cdnow(tmp_path)), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "the disk is full" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and _hidden(tmp_path, "imp") == []


def test_scorecard_plot_on_a_full_disk(tmp_path, monkeypatch, capsys):
    import matplotlib.figure

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", _enospc)
    plot = tmp_path / "card.png"
    code = main(["scorecard", "classroom", "--plot", str(plot)])
    err = capsys.readouterr().err
    assert code == 1 and "the disk is full" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
