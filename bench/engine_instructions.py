"""Machine instructions the engine executes per customer message, counted by Valgrind.

    .venv/bin/python bench/engine_instructions.py [--messages 1000]

Throughput on a shared or throttled machine swings with the host (see the reference loop
that ``bench_engine.py`` prints); an instruction count does not. This runs the workload of
``bench_engine.py`` (its conversations of mostly real requests, one warm engine, token
caches empty at the start) twice under ``valgrind --tool=callgrind``: once with no
measured messages and once with ``--messages``. The difference, divided by the messages,
is what one customer message costs, with loading and warm-up left out. Hash seeds and
BLAS threads are fixed, so two runs of the same code agree to a few hundred instructions
in a million: compare two versions of the engine with it, not two machines. It takes
about two minutes per thousand messages and needs Valgrind (``apt-get install
valgrind``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # the project and bench_engine
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def workload(messages: int, data: Path) -> None:
    """The measured process: bench_engine's warm-up, then ``messages`` decisions."""
    import bench_engine

    from config.rules import load_engine

    warm_up, work, _ = bench_engine.workload(bench_engine.dev_texts(data))
    bench_engine.run(load_engine(None, None), warm_up, cold=False)
    bench_engine.run(load_engine(None, None), work[:messages], cold=False)


def count(messages: int, data: Path) -> int:
    """Instructions of one whole run of the workload under callgrind."""
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--workload",
        str(messages),
        "--data",
        str(data),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the run under valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=1000, help="customer messages measured")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--workload", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.workload is not None:
        workload(args.workload, args.data)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind); nothing measured")
        return 2
    if not (args.data / "dev").is_dir():
        print(f"no development data under {args.data}: using the built-in sentences only")
    from bench_engine import engine_build

    # the compiled and the plain-Python engine differ by a third: say which one is counted
    print(f"engine: {engine_build()}")
    print(f"counting instructions for 0 and {args.messages} messages under callgrind ...")
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two runs are independent
        base, full = pool.map(lambda n: count(n, args.data), (0, args.messages))
    per_message = (full - base) / args.messages
    print(
        f"{per_message / 1e3:,.1f}k instructions per customer message "
        f"({args.messages} messages of bench_engine's workload, one warm engine)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
