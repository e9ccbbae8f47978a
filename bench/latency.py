"""Search latency (p50/p99 per query), index build time and peak memory, by knowledge-base size.

Run:  python bench/latency.py [--sizes real,5000,50000] [--queries 2000] [--embeddings [--cache DIR]]

With --embeddings the engine is the one that ships (BM25 + e5 embeddings + the learned confidence): the
first build embeds every phrasing into an empty vector cache (timed as "first build"), the second reads
them back (timed as "start-up", the build a restart does). With --cache DIR the vectors are kept in DIR
between runs: the first run builds them (timed as "first build") and then starts again from them, later runs
time only the start-up and the questions.

Each size runs in a fresh child process so its peak RSS (ru_maxrss, whole process) is its own.
Synthetic knowledge bases are made from the shipped entries: entry i copies shipped entry i mod n and
gives it a made-up product name of two real syllables, so vocabulary and term statistics stay
Vietnamese-like while every entry is distinct. Queries are the dev questions (tests/eval, dev part),
cycled; with --embeddings the engine remembers recent question vectors, so only the first pass over the
questions pays for embedding them: the default --queries is one pass.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import load_part
from knowledge.embeddings import E5Embedder, VectorCache
from knowledge.loader import load_directory
from knowledge.model import KnowledgeBase
from knowledge.search import SearchEngine

SYLLABLES = (
    "an",
    "bình",
    "châu",
    "đông",
    "hải",
    "hạ",
    "long",
    "minh",
    "ngọc",
    "phong",
    "quang",
    "sơn",
    "tân",
    "thanh",
    "tiên",
    "vân",
    "yên",
    "hòa",
    "lộc",
    "phát",
    "hưng",
    "thịnh",
    "mai",
    "cầm",
)
KINDS = (
    "chả mực",
    "nước mắm",
    "trà hoa vàng",
    "ba kích",
    "rượu",
    "miến dong",
    "sá sùng",
    "gạo",
    "mật ong",
    "nấm",
    "bánh gio",
    "dầu sở",
)


def synthetic_kb(size: int, seed: int = 7) -> KnowledgeBase:
    kb, _ = load_directory()
    rng = random.Random(seed)
    entries = []
    for i in range(size):
        base = kb.entries[i % len(kb.entries)]
        name = f"{rng.choice(KINDS)} {rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
        entries.append(
            replace(
                base,
                id=f"syn-{i}",
                question=f"{base.question} ({name})",
                alternates=[f"{a} {name}" for a in base.alternates],
                answer=f"{name.capitalize()}: {base.answer[:600]}",
                related=[],
            )
        )
    return KnowledgeBase(kb.topics, entries)


def child(size: str, n_queries: int | None, embeddings: bool, cache: str | None = None) -> dict:
    kb = load_directory()[0] if size == "real" else synthetic_kb(int(size))
    questions = [item.question for item in load_part("dev")]
    n_queries = n_queries or len(questions)
    first_build = None
    if embeddings:
        embedder = E5Embedder()
        # A kept cache (--cache) pays the first build (15 minutes at 5,000 entries) only the first time;
        # without one, every run builds into a throwaway folder and then starts from it.
        with contextlib.nullcontext(cache) if cache else tempfile.TemporaryDirectory() as root:
            folder = Path(root) / size
            if not any(folder.glob("*")):  # nothing kept yet (or an interrupted build)
                started = time.perf_counter()
                SearchEngine(kb, embedder=embedder, vectors=VectorCache(folder, embedder.name, embedder.dim))
                first_build = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            engine = SearchEngine(kb, embedder=embedder, vectors=VectorCache(folder, embedder.name, embedder.dim))
            build = time.perf_counter() - started
    else:
        started = time.perf_counter()
        engine = SearchEngine(kb)
        build = time.perf_counter() - started
    for question in questions[:50]:  # warm caches the way a running bot has them
        engine.search(question)
    timings = []
    for i in range(n_queries):
        question = questions[i % len(questions)]
        t0 = time.perf_counter()
        engine.search(question)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": len(kb.entries),
        "build_s": round(build, 2),
        "p50_ms": round(timings[len(timings) // 2], 2),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "peak_rss_mb": round(peak_mb, 1),
        "queries": n_queries,
        "first_build_s": first_build,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="real,5000,50000")
    parser.add_argument("--queries", type=int, help="default: each dev question once")
    parser.add_argument("--embeddings", action="store_true", help="the hybrid engine, as shipped")
    parser.add_argument(
        "--cache", help="keep the vector cache in this folder between runs (the first run builds it, timed)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.queries, args.embeddings, args.cache)))
        return
    print("| entries | first build (s) | index build (s) | p50 (ms) | p99 (ms) | max (ms) | peak RSS (MB) |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", size]
            + (["--queries", str(args.queries)] if args.queries else [])
            + (["--embeddings"] if args.embeddings else [])
            + (["--cache", args.cache] if args.cache else []),
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout)
        print(
            f"| {r['size']:,} | {r['first_build_s'] or '—'} | {r['build_s']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['peak_rss_mb']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
