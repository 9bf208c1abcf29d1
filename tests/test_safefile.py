"""safefile: save targets refused or accepted, modes kept, symlinks written through, stale temporaries removed."""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

import pytest

from annplay.engine import MLP
from annplay.engine.safefile import (
    HOST,
    STALE_AFTER,
    atomic_write_bytes,
    check_regular_file,
    check_save_target,
    expand_user,
    open_regular,
    remove_stale_temporaries,
    temp_name,
)


def refusal(path: object, **kw: str) -> str:
    with pytest.raises(ValueError) as info:
        check_save_target(path, **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return message


def dead_pid() -> int:
    """A process id that is certainly not running (a child that has exited and been reaped)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


# ---- check_save_target -------------------------------------------------------------------------

def test_empty_name_and_trailing_slash_are_refused(tmp_path: Path) -> None:
    assert "empty" in refusal("")
    assert "empty" in refusal("   ")
    assert "folder" in refusal(f"{tmp_path}/new/")
    assert "folder" in refusal(f"{tmp_path}/.")


def test_directory_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, what="export")
    assert message.startswith(f"export {tmp_path}:") and "directory" in message


def test_dev_null_is_refused_and_kept() -> None:
    message = refusal("/dev/null")
    assert "character device" in message and "/dev/null" in message
    with pytest.raises(ValueError):
        atomic_write_bytes("/dev/null", b"x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_refused_and_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "FIFO" in refusal(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        MLP([2, 2, 1]).save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        assert "socket" in refusal(path)
        with pytest.raises(ValueError, match="socket"):
            atomic_write_bytes(path, b"x")
        assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_names_over_the_os_limit_are_refused_in_one_line(tmp_path: Path) -> None:
    long_name = "m" * 300 + ".npz"
    message = refusal(tmp_path / long_name)
    assert "300" not in message or "bytes" in message
    assert "at most" in message and len(message) < 300
    assert "at most" in refusal(tmp_path / ("d" * 400) / "x.npz")
    deep = tmp_path.joinpath(*(["abcdefgh"] * 600))
    assert "limit" in refusal(deep)


def test_missing_parent_and_parent_that_is_a_file(tmp_path: Path) -> None:
    assert "does not exist" in refusal(tmp_path / "nope" / "m.npz")
    (tmp_path / "f").write_text("x")
    assert "not a folder" in refusal(tmp_path / "f" / "m.npz")


def test_new_name_and_regular_file_are_accepted(tmp_path: Path) -> None:
    assert check_save_target(tmp_path / "new.npz") == tmp_path / "new.npz"
    (tmp_path / "old.npz").write_bytes(b"x")
    assert check_save_target(str(tmp_path / "old.npz")) == tmp_path / "old.npz"


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "gone.npz")
    assert "symlink" in refusal(tmp_path / "link")


# ---- atomic_write_bytes ------------------------------------------------------------------------

def test_symlink_to_a_model_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.npz"
    MLP([2, 3, 1], seed=0).save(real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    new = MLP([2, 3, 1], seed=1)
    new.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (MLP.load(real).get_flat() == new.get_flat()).all()
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["link.npz", "real.npz"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_resave_keeps_the_target_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "m.npz"
    MLP([2, 3, 1]).save(path)
    os.chmod(path, mode)
    MLP([2, 3, 1], seed=3).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "n.bin", b"abc")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "n.bin").st_mode) == 0o640
    assert (tmp_path / "n.bin").read_bytes() == b"abc"


def test_long_valid_name_gets_a_shortened_temporary(tmp_path: Path) -> None:
    name = "x" * 250
    atomic_write_bytes(tmp_path / name, b"ok")
    assert os.listdir(tmp_path) == [name]
    assert len(temp_name(tmp_path / name).name.encode()) <= 255


def make_temp(folder: Path, target: str, pid: int, age: float) -> Path:
    tmp = temp_name(folder / target, pid=pid)
    tmp.write_bytes(b"partial")
    then = time.time() - age
    os.utime(tmp, (then, then))
    return tmp


def test_stale_temporaries_of_dead_writers_are_removed_on_save(tmp_path: Path) -> None:
    gone = dead_pid()
    stale = make_temp(tmp_path, "m.npz", gone, STALE_AFTER + 30)
    other_stale = make_temp(tmp_path, "other.npz", gone, 3600)
    fresh = make_temp(tmp_path, "m.npz", gone, 1)                      # may still be in its first minute
    live = make_temp(tmp_path, "m.npz", os.getpid(), 3600)            # a running writer: never touched
    foreign = tmp_path / ".m.npz.backup.tmp"                           # not in annplay's form: kept
    foreign.write_bytes(b"x")
    os.utime(foreign, (0, 0))
    MLP([2, 2, 1]).save(tmp_path / "m.npz")
    left = set(os.listdir(tmp_path))
    assert stale.name not in left and other_stale.name not in left
    assert {fresh.name, live.name, foreign.name, "m.npz"} == left


def test_another_machines_temporaries_are_never_removed(tmp_path: Path) -> None:
    gone = dead_pid()
    mine = make_temp(tmp_path, "m.npz", gone, 3600)
    theirs = tmp_path / mine.name.replace(f"annplay-{HOST}-", "annplay-otherhost-")
    mine.rename(theirs)
    assert remove_stale_temporaries(tmp_path) == [] and theirs.exists()


def test_remove_stale_temporaries_reports_what_it_removed(tmp_path: Path) -> None:
    gone = dead_pid()
    stale = make_temp(tmp_path, "a.json", gone, 120)
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert remove_stale_temporaries(tmp_path / "missing") == []


def test_failed_write_removes_its_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: object, dst: object) -> None:
        raise OSError("simulated")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "x", b"1")
    assert os.listdir(tmp_path) == []


# ---- reading: regular files only ---------------------------------------------------------------

def test_open_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=r"--data .*pipe: is a FIFO"):
        open_regular(fifo, "--data")
    with pytest.raises(ValueError, match="FIFO"):
        check_regular_file(fifo, "model")


def test_open_regular_refuses_devices_directories_and_missing(tmp_path: Path) -> None:
    for path, words in [("/dev/null", "character device"), (tmp_path, "directory"),
                        (tmp_path / "nope", "no such file"), ("", "empty")]:
        with pytest.raises(ValueError, match=words):
            open_regular(path, "model")


def test_open_regular_reads_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"data")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with open_regular(tmp_path / "b") as f:
        assert f.read() == b"data"


def test_expand_user() -> None:
    with pytest.raises(ValueError, match="no user 'nosuchuser_annplay'"):
        expand_user("~nosuchuser_annplay/x.json", "export")
    assert expand_user("~/x.json") == Path(os.path.expanduser("~/x.json"))
    assert expand_user("plain/x") == Path("plain/x")


# ---- kill -9 during a save -----------------------------------------------------------------------

BLOCKED_SAVER = r"""
import os, sys
from annplay.engine import MLP
def stuck(src, dst):                     # the temporary is written and synced: stop right before the rename
    print("ready", flush=True)
    sys.stdin.read()
os.replace = stuck
MLP([50, 400, 10], seed=0).save(sys.argv[1])
"""


def test_kill_9_during_save_leaves_a_temporary_that_the_next_save_removes(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    target = tmp_path / "m.npz"
    MLP([2, 2, 1], seed=1).save(target)
    old = target.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", BLOCKED_SAVER, str(target)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        (tmp,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert f".m.npz.annplay-{HOST}-{child.pid}-" in tmp.name
        past = time.time() - 2 * STALE_AFTER
        os.utime(tmp, (past, past))
        MLP([2, 2, 1], seed=2).save(target)             # the writer is alive: its temporary stays
        assert tmp.exists()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    assert target.read_bytes() != old and MLP.load(target).layers == [2, 2, 1]     # the target was never broken
    assert tmp.exists()                                  # killed: the temporary is left behind ...
    os.utime(tmp, (past, past))                          # ... and a minute later,
    MLP([2, 2, 1], seed=3).save(target)                  # the next save into the folder removes it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_folder_that_is_not_writable_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode))
    assert "not writable" in refusal(tmp_path / "m.npz")
    (tmp_path / "old.npz").write_bytes(b"x")
    assert "not writable" in refusal(tmp_path / "old.npz")


def test_pid_less_temporaries_of_older_annplay_are_removed_after_an_hour(tmp_path: Path) -> None:
    def legacy(name: str, age: float) -> Path:
        path = tmp_path / name
        path.write_bytes(b"old partial save")
        os.utime(path, (time.time() - age, time.time() - age))
        return path

    old = legacy(".m.npz.k3j_9x0a.tmp", 2 * 3600)
    recent = legacy(".m.npz.abcdefgh.tmp", 120)                 # under an hour: may still be written
    other = legacy(".other.npz.k3j_9x0a.tmp", 2 * 3600)        # not the file being saved: left alone
    odd = legacy(".m.npz.k3j_9x0a_LONGER.tmp", 2 * 3600)       # not mkstemp's form: left alone
    MLP([2, 2, 1]).save(tmp_path / "m.npz")
    assert not old.exists() and recent.exists() and other.exists() and odd.exists()


def test_a_folder_where_no_file_can_be_created_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refuse(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(".tmp"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ValueError, match=r"cannot create a file in .* \(Permission denied\)"):
        atomic_write_bytes(tmp_path / "m.npz", b"x")
    assert os.listdir(tmp_path) == []
