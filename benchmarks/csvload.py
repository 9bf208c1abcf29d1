"""CSV loading time and peak memory: the loader against pandas.read_csv and earlier loaders, side by side.

    python benchmarks/csvload.py                    # 1M rows: pandas, pre-19, grid, new (and pre-12 with --old)
    python benchmarks/csvload.py --mb 200           # a 200 MB file

pandas is only this benchmark's anchor (skipped without it), never a dependency of annplay.  The pre-19 loader
is csvdata.py before issue 19's fast path (commit BEFORE_19); "grid" is that fast path before it read cells as 8-byte
words (commit GRID: each column typed on a characters×cells grid of bytes); the pre-12 one needs ~7 GB for 200 MB.

Each load runs in a fresh subprocess (Linux); memory is its peak RSS (VmHWM) above its RSS just before the
load, time is the wall time of ``load_csv``. The old loader is read from git (commit OLD_COMMIT).
Files: x1,x2,x3 floats, a text column, a 3-class text label; ~1 % of cells missing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "f322206"          # the last commit before the streamed loader
BEFORE_19 = "3e431f9"           # the streamed loader before issue 19's quote-free fast path
GRID = "303e517"                # the fast path before its word-at-a-time parser

CHILD = r"""
import importlib.util, json, sys, time
import annplay.engine.csvdata as new
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))
which, path, src = sys.argv[1], sys.argv[2], sys.argv[3]
if which == "pandas":
    import pandas
    before = status("VmRSS:")
    t, cpu = time.perf_counter(), time.process_time()
    df = pandas.read_csv(path)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "mb": (status("VmHWM:") - before) / 1024, "rows": len(df)}))
    sys.exit(0)
if which != "new":
    spec = importlib.util.spec_from_file_location("annplay.engine._old_csvdata", src)
    mod = importlib.util.module_from_spec(spec); mod.__package__ = "annplay.engine"
    sys.modules[spec.name] = mod; spec.loader.exec_module(mod)
else:
    mod = new
before = status("VmRSS:")
t, cpu = time.perf_counter(), time.process_time()
ds = mod.load_csv(path, x=["x1", "x2", "x3"], y="label")
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
peak = status("VmHWM:")
print(json.dumps({"seconds": elapsed, "cpu": cpu, "mb": (peak - before) / 1024, "rows": int(ds.n)}))
"""


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """A realistic mixed CSV, written in blocks (the generator itself stays small)."""
    rng = np.random.default_rng(seed)
    names = np.array(["alpha", "beta", "gamma"])
    with path.open("w") as f:
        f.write("x1,x2,x3,name,label\n")
        for start in range(0, rows, 200_000):
            n = min(200_000, rows - start)
            X = rng.normal(size=(n, 3)).round(6)
            labels = names[rng.integers(0, 3, n)]
            cells = X.astype(str)
            cells[rng.random((n, 3)) < 0.003] = "NA"
            lines = [f"{a},{b},{c},item{i},{lab}\n"
                     for i, (a, b, c, lab) in enumerate(zip(cells[:, 0], cells[:, 1], cells[:, 2], labels,
                                                            strict=True), start)]
            f.writelines(lines)


def measure(which: str, path: Path, old_source: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, which, str(path), str(old_source)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--mb", type=float, help="make the file about this many MB instead of --rows")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old", action="store_true", help="also the pre-issue-12 loader (slow, memory-hungry)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = {}
        for which, commit in (("pre-12", OLD_COMMIT), ("pre-19", BEFORE_19), ("grid", GRID)):
            sources[which] = Path(tmp) / f"{which}_csvdata.py"
            sources[which].write_text(subprocess.run(["git", "show", f"{commit}:annplay/engine/csvdata.py"],
                                                     capture_output=True, text=True, check=True, cwd=ROOT).stdout)
        path = Path(tmp) / "big.csv"
        rows = args.rows if args.mb is None else int(args.mb * 1e6 / 48)
        write_csv(path, rows)
        size = os.path.getsize(path) / 1e6
        print(f"{path.name}: {rows:,} rows, {size:.0f} MB; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        try:
            import pandas  # noqa: F401
            anchors = ["pandas"]
        except ImportError:
            anchors = []
        contenders = [*anchors, "pre-19", "grid", "new", *(["pre-12"] if args.old else [])]
        results: dict[str, list[dict]] = {w: [] for w in contenders}
        for _ in range(args.runs):                      # interleaved: each run measures everyone under the same load
            for which in contenders:
                results[which].append(measure(which, path, sources.get(which, Path("-"))))
        for which in contenders:
            secs = [r["seconds"] for r in results[which]]
            mbs = [r["mb"] for r in results[which]]
            cpus = [r["cpu"] for r in results[which]]
            ratio = ""
            if anchors and which != "pandas":              # time ÷ pandas's in the same run (goal ≤ 1.5)
                pairs = list(zip(results["pandas"], results[which], strict=True))
                wall = sorted(b["seconds"] / a["seconds"] for a, b in pairs)
                cpu = sorted(b["cpu"] / a["cpu"] for a, b in pairs)
                ratio = (f"; ÷ pandas {wall[0]:.2f}–{wall[-1]:.2f} (median {wall[len(wall) // 2]:.2f}) wall, "
                         f"{cpu[0]:.2f}–{cpu[-1]:.2f} (median {cpu[len(cpu) // 2]:.2f}) CPU")
            print(f"  {which}: {min(secs):.2f}–{max(secs):.2f} s wall, {min(cpus):.2f}–{max(cpus):.2f} s CPU, "
                  f"peak +{min(mbs):.0f}–{max(mbs):.0f} MB ({results[which][0]['rows']:,} rows){ratio}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
