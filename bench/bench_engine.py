"""Decision-engine throughput and per-message latency, on one core, all triggers on.

    .venv/bin/python bench/bench_engine.py [--conversations 400] [--turns 10]

Builds conversations whose customer messages are mostly real requests from the
development data (Banking77 test and Bitext, read in place from ``--data``; each text
used once, so no cache sees it twice) mixed with our own sentences in the five built-in
languages (customers who repeat themselves, get angry, type in caps), with bot replies
carrying NLU confidence. Without the development data, or with ``--texts builtin``, only
the 24 built-in sentences are used (every token then hits the scorers' caches: a
flattering figure). Each run starts with the scorers' token caches empty. The
conversations are replayed as the daemon does: after every customer message the whole
conversation so far is re-evaluated with ``Engine.decide``. One engine is kept for the
run, as the daemon keeps one, so each message is analysed once (when it arrives) and
earlier turns come from the engine's memo. A second, cold figure re-creates the engine's
memo for every call (every turn analysed on every decision): the worst case.

Throughput = customer messages decided per second of one core's CPU time; latency = CPU
time of one ``decide`` call (thread CPU clock, so other work on a shared machine does not
inflate it; wall-clock figures on an idle core are the same within noise).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.rules import load_engine  # noqa: E402
from core.conversation import ConversationSnapshot, CustomerInfo, Turn  # noqa: E402
from core.engine import Engine  # noqa: E402
from core.events import Role  # noqa: E402

CUSTOMER = [
    "where is my order, it was supposed to arrive yesterday",
    "I still have not received my parcel",
    "can I change the delivery address for order 5521?",
    "how do I reset my password",
    "the app keeps crashing when I try to pay",
    "why was I charged twice for the same purchase",
    "I've been waiting for two hours, this is ridiculous",
    "WHY IS NOBODY ANSWERING MY QUESTION",
    "hello?? anyone there??",
    "ok thanks",
    "can you check my refund status please",
    "saya nak tukar alamat penghantaran",
    "pesanan saya belum sampai lagi",
    "kenapa lambat sangat ni",
    "bisa bantu cek status pengembalian dana saya?",
    "paket saya belum datang dari minggu lalu",
    "paano ko babaguhin ang address ko?",
    "hindi pa rin dumadating yung order ko",
    "我的订单到哪里了",
    "为什么还没有退款",
    "my card is not working at the shop",
    "I want to cancel my subscription",
    "this is the third time I'm asking about my refund",
    "is there a discount for annual plans?",
]
BOT = [
    "I can help with that. Could you share your order number?",
    "Let me check that for you.",
    "Sorry, I did not understand. Could you rephrase?",
    "Your order is on its way.",
]
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def dev_texts(data: Path) -> list[str]:
    """Real customer requests (Banking77 test, Bitext), when the development data is there."""
    texts: list[str] = []
    banking = data / "dev" / "banking77" / "test.csv"
    bitext = data / "dev" / "bitext" / "bitext_cs_6480rows_2023-08-07.csv"
    for path, column in ((banking, "text"), (bitext, "instruction")):
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                texts += [row[column] for row in csv.DictReader(fh)]
    return texts


def conversations(n: int, turns: int, seed: int = 5, real: Sequence[str] = ()) -> list[list[Turn]]:
    """Synthetic conversations. With ``real`` texts, most customer messages are distinct
    real requests (so no cache sees the same text twice), the rest the built-in
    multilingual, angry and repeated sentences; a customer sometimes repeats themselves."""
    rng = random.Random(seed)
    fresh = list(real)
    rng.shuffle(fresh)
    out = []
    for c in range(n):
        at = T0 + timedelta(minutes=c)
        seq: list[Turn] = []
        said: list[str] = []
        for i in range(turns):
            roll = rng.random()
            if said and roll < 0.1:
                text = rng.choice(said)  # the customer repeats themselves
            elif fresh and roll < 0.75:
                text = fresh.pop()
            else:
                text = rng.choice(CUSTOMER)
            said.append(text)
            if rng.random() < 0.3:
                text = f"{text} (order {rng.randint(1000, 9999)})"
            at += timedelta(seconds=rng.randint(3, 90))
            seq.append(Turn(f"c{c}m{i}", Role.CUSTOMER, text, at, f"c{c}e{i}"))
            at += timedelta(seconds=2)
            seq.append(
                Turn(
                    f"c{c}b{i}",
                    Role.BOT,
                    rng.choice(BOT),
                    at,
                    f"c{c}f{i}",
                    intent=rng.choice(["order_status", "refund", "fallback"]),
                    confidence=round(rng.uniform(0.3, 0.99), 2),
                )
            )
        out.append(seq)
    return out


def snapshots(convs: list[list[Turn]]) -> list[tuple[ConversationSnapshot, str]]:
    """One snapshot per customer message: the conversation up to and including it."""
    out = []
    for c, seq in enumerate(convs):
        for i, turn in enumerate(seq):
            if turn.role is Role.CUSTOMER:
                snap = ConversationSnapshot(
                    f"conv{c}",
                    "web_chat",
                    CustomerInfo(id=f"cust{c}"),
                    tuple(seq[: i + 1]),
                    started_at=T0,
                )
                out.append((snap, turn.event_id))
    return out


Work = list[tuple[ConversationSnapshot, str]]


def workload(real: Sequence[str], n: int = 400, turns: int = 10) -> tuple[Work, Work, list[str]]:
    """The warm-up and the measured snapshots of ``n`` conversations, and the real texts the
    measured ones draw on: the warm-up draws its own, so no measured message was seen before."""
    warm_up = snapshots(conversations(20, turns, seed=99, real=real[-300:]))
    measured = list(real[:-300])
    return warm_up, snapshots(conversations(n, turns, real=measured)), measured


def run(engine: Engine, work: list[tuple[ConversationSnapshot, str]], cold: bool) -> list[float]:
    engine.models.clear_caches()  # every run starts with no token remembered
    latencies = []
    # CPU time of this thread: what one core spends per call, unaffected by other
    # processes on a shared machine taking the core away (wall time would count that)
    clock = time.thread_time_ns
    for snap, event_id in work:
        if cold:
            engine.forget()  # the worst case: nothing remembered
        start = clock()
        engine.decide(snap, event_id)
        latencies.append((clock() - start) / 1e3)
    return latencies


def reference_loop(repeat: int = 3, size: int = 1_000_000) -> float:
    """Nanoseconds per iteration of a fixed pure-Python loop (best of ``repeat``): how fast
    this core runs Python right now, so that figures from different machines, or from a
    shared machine whose host throttles it, can be told apart from changes to the engine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time_ns()
        total = 0
        for i in range(size):
            total += i * i
        best = min(best, time.thread_time_ns() - start)
    return best / size


def reference_memory(repeat: int = 3, mib: int = 128, reads: int = 1_000_000) -> float:
    """Nanoseconds per random 4-byte read from a ``mib``-MiB array (NumPy gather, best of
    ``repeat``): how fast this machine fetches memory that is not in its caches. The
    engine fetches table rows per token, so a host that is slow at memory slows it while
    the reference loop, which stays in the core's caches, reads as usual."""
    table = np.ones(mib * 1024 * 1024 // 4, dtype=np.float32)
    where = np.random.default_rng(0).integers(0, table.size, reads)
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time_ns()
        table.take(where).sum()
        best = min(best, time.thread_time_ns() - start)
    return best / reads


def engine_build() -> str:
    """How the engine runs here: compiled by mypyc, or plain Python. A build older than its
    sources is refused: Python would import the old extension modules."""
    from scripts.compile_engine import status

    state = status()
    if state == "stale":
        raise SystemExit("the compiled engine is older than its sources: run ./dev setup")
    if state == "compiled":
        return "compiled with mypyc (scripts/compile_engine.py)"
    return "plain Python (not compiled: scripts/compile_engine.py says why)"


def machine(before: tuple[float, float], after: tuple[float, float]) -> str:
    """The reference figures, taken before and after the runs, as one line."""
    return (
        f"machine: a reference Python loop took {before[0]:.0f} ns/iteration before the runs "
        f"and {after[0]:.0f} after; a random memory read {before[1]:.1f} and {after[1]:.1f} ns "
        "(lower is faster; a gap between before and after means the machine's speed changed "
        "during the runs)"
    )


def report(label: str, latencies: list[float]) -> float:
    total = sum(latencies) / 1e6
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    rate = len(latencies) / total
    print(f"{label:<44} {rate:>9,.0f} msg/s   p50 {p50:>7.0f} µs   p99 {p99:>7.0f} µs")
    return rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conversations", type=int, default=400)
    ap.add_argument("--turns", type=int, default=10, help="customer messages per conversation")
    ap.add_argument("--config", default=None, help="rules preset or YAML (default preset)")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    ap.add_argument(
        "--texts",
        choices=("real", "builtin"),
        default="real",
        help="customer texts: real requests from the development data (default) or only "
        "the built-in sentences",
    )
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--models", default=None, help="text models archive (default: the shipped one)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    real = dev_texts(args.data) if args.texts == "real" else []
    if args.texts == "real" and not real:
        print(f"no development data under {args.data}: using the built-in sentences only")
    engine = load_engine(args.config, args.models)
    warm_up, work, real = workload(real, args.conversations, args.turns)
    run(load_engine(args.config, args.models), warm_up, cold=False)  # imports, code paths
    known = set(real)
    used = sum(snap.turns[-1].text.split(" (order ")[0] in known for snap, _ in work)
    source = (
        f"{used} real requests (Banking77 test, Bitext; each text used once, but for "
        "customers repeating themselves) + built-in multilingual, angry and repeated sentences"
        if real
        else "built-in sentences only (24, so the token caches are always warm)"
    )
    before = reference_loop(), reference_memory()
    print(
        f"{len(work)} customer messages in {args.conversations} conversations of "
        f"{args.turns} customer + {args.turns} bot turns; one core; all triggers on\n"
        f"customer texts: {source}\nengine: {engine_build()}"
    )
    # The machine is shared: each figure is the fastest of --repeat runs (a fresh engine
    # each time, so every message is analysed once per run, as in the daemon).
    warm = min(
        (run(load_engine(args.config, args.models), work, cold=False) for _ in range(args.repeat)),
        key=sum,
    )
    rate = report("warm (one engine, as the daemon keeps it)", warm)
    cold = min((run(engine, work, cold=True) for _ in range(args.repeat)), key=sum)
    report("cold (every turn re-analysed on every call)", cold)
    print(machine(before, (reference_loop(), reference_memory())))
    print(f"target >= 5,000 msg/s (warm): {'PASS' if rate >= 5000 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
