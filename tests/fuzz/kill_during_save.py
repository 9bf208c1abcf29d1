"""``kill -9`` during saves: how many temporary files are left behind, before and after the next save.

    python -m tests.fuzz.kill_during_save --runs 40            # new safefile, then the pre-issue-12 one

Each run starts a process that saves 32 MB to the same target in a loop, kills it with SIGKILL at a random
moment, counts the annplay temporaries left in the folder, ages them past STALE_AFTER (as if a minute had
passed), saves once more from this process and counts again. The old safefile is read from git (OLD_COMMIT).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLD_COMMIT = "f322206"
SIZE = 32 << 20

CHILD = r"""
import importlib.util, sys
folder, source = sys.argv[1], sys.argv[2]
if source == "new":
    from annplay.engine.safefile import atomic_write_bytes
else:
    spec = importlib.util.spec_from_file_location("old_safefile", source)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    atomic_write_bytes = mod.atomic_write_bytes
data = bytes(SIZE)
print("go", flush=True)
while True:
    atomic_write_bytes(folder + "/m.npz", data)
""".replace("SIZE", str(SIZE))


def temporaries(folder: Path) -> list[Path]:
    """Temporary files of saves to m.npz (old: .m.npz.XXXXXXXX.tmp, new: .m.npz.annplay-PID-HEX.tmp)."""
    return [p for p in folder.iterdir() if p.name.startswith(".m.npz.") and p.name.endswith(".tmp")]


def one_run(folder: Path, source: str, write, rng: random.Random) -> tuple[int, int]:
    """(temporaries this run left right after the kill, temporaries in the folder after the next save)."""
    earlier = set(temporaries(folder))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), source], stdout=subprocess.PIPE,
                             cwd=ROOT)
    assert child.stdout is not None
    child.stdout.readline()                          # "go": the save loop is about to start
    time.sleep(rng.uniform(0.0, 0.4))
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    left = [p for p in temporaries(folder) if p not in earlier]
    past = time.time() - 120                         # as if a minute had passed before the next save
    for p in temporaries(folder):
        os.utime(p, (past, past))
    write(folder / "m.npz", b"next save")
    return len(left), len(temporaries(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from annplay.engine.safefile import atomic_write_bytes
    with tempfile.TemporaryDirectory() as tmp:
        old_source = Path(tmp) / "old_safefile.py"
        old_source.write_text(subprocess.run(["git", "show", f"{OLD_COMMIT}:annplay/engine/safefile.py"],
                                             capture_output=True, text=True, check=True, cwd=ROOT).stdout)
        import importlib.util
        spec = importlib.util.spec_from_file_location("old_safefile", old_source)
        assert spec is not None and spec.loader is not None
        old = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old)
        for label, source, write in (("old", str(old_source), old.atomic_write_bytes),
                                     ("new", "new", atomic_write_bytes)):
            folder = Path(tmp) / label
            folder.mkdir()
            rng = random.Random(args.seed)
            results = [one_run(folder, source, write, rng) for _ in range(args.runs)]
            runs_left = sum(1 for before, _ in results if before)
            remaining = len(temporaries(folder))
            size = sum(p.stat().st_size for p in temporaries(folder)) / 2**20
            print(f"{label}: {args.runs} kill -9 runs; {runs_left} left a temporary right after the kill; "
                  f"{remaining} temporaries ({size:.0f} MiB) remain after the next saves")


if __name__ == "__main__":
    main()
