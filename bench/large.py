"""Large corpora: throughput of `extract run` for 1 and N workers, memory per worker, resume time,
start-up, peak memory for one huge article, all next to jieba.lcut measured in the same run.

    make bench                       # bench.py (stages) and this, 20,000 articles
    python bench/large.py --docs 20000
    python bench/large.py --quick    # 600 articles: to iterate, not to quote

The corpus is generated: articles of about 1,200 characters cut at paragraph breaks from real news
pages (../shared/seeds and ../shared/dev-news/texts, read at run time, never copied into the project)
and the project's corpus, in turn. Each command runs in its own child process; its peak memory is
the largest resident set of that process or any of its workers (ru_maxrss of the children).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTICLE_CHARS = 1_200


def sources() -> list[str]:
    from extract.io.decode import decode_bytes

    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "dev-news" / "texts").glob("*.txt"))
    paths += sorted((ROOT / "corpus").glob("*.txt"))
    return [decode_bytes(p.read_bytes()).text for p in paths]


def articles(n: int) -> list[str]:
    """``n`` articles of about ARTICLE_CHARS characters, paragraphs taken from each source in turn."""
    pools = [[p for p in re.split(r"\n\s*\n|\n", text) if p.strip()] for text in sources()]
    pools = [p for p in pools if p]
    out, cursor = [], [0] * len(pools)
    while len(out) < n:
        for k, pool in enumerate(pools):
            paras = []
            while sum(map(len, paras)) < ARTICLE_CHARS:
                paras.append(pool[cursor[k] % len(pool)])
                cursor[k] += 1
            out.append("\n".join(paras) + "\n")
            if len(out) == n:
                break
    return out


def write_corpus(folder: Path, texts: list[str]) -> int:
    folder.mkdir(parents=True)
    for i, text in enumerate(texts):
        (folder / f"a{i:06d}.txt").write_text(text, encoding="utf-8")
    return sum(map(len, texts))


def write_huge(path: Path, texts: list[str], megabytes: float) -> int:
    """One article of about ``megabytes`` MB of UTF-8: the generated articles one after another,
    paragraphs apart (a year of a daily pasted into one file)."""
    chunks, size = [], 0
    for text in itertools.cycle(texts):
        if size >= megabytes * 1e6:
            break
        chunks.append(text)
        size += len(text.encode("utf-8")) + 1
    path.write_text("\n".join(chunks), encoding="utf-8")
    return sum(map(len, chunks)) + len(chunks) - 1


_MEASURE = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps({'seconds': time.perf_counter() - t, 'rc': p.returncode, 'out': p.stdout + p.stderr,\n"
    "  'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,\n"
    "  'cpu_s': resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime}))\n"
)


def measure(args: list[str]) -> dict:
    """Run one command in a child of a fresh process: wall and CPU seconds, peak MB of any process."""
    res = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, check=True)
    data = json.loads(res.stdout)
    if data["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{data['out']}")
    return data


def jieba_rate(texts: list[str]) -> float:
    import jieba

    jieba.initialize()
    text = "".join(texts)
    t = time.process_time()
    jieba.lcut(text)
    return len(text) / (time.process_time() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--small", type=int, default=2_000, help="the smaller corpus for the memory figure")
    ap.add_argument("--quick", action="store_true", help="600 and 200 articles, to iterate")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--big-mb", type=float, default=20.0,
                    help="size of the one huge article (its peak memory must not grow with it)")
    args = ap.parse_args()
    if args.quick or os.environ.get("BENCH_QUICK"):
        args.docs, args.small, args.big_mb = 600, 200, 2.5
    exe = str(Path(sys.executable).with_name("extract"))
    tmp = Path(tempfile.mkdtemp(prefix="extract-large-"))
    load = os.getloadavg()
    rows: list[tuple[str, dict, int, int]] = []
    try:
        texts = articles(args.docs)
        big_chars = write_corpus(tmp / "big", texts)
        small_chars = write_corpus(tmp / "small", texts[: args.small])
        (tmp / "huge").mkdir()
        huge_chars = write_huge(tmp / "huge" / "huge.txt", texts, args.big_mb)
        (tmp / "one").mkdir()
        (tmp / "one" / "a.txt").write_text("全省累计进出口总额达8144亿元，年均增长5.1%。\n", encoding="utf-8")
        ref = jieba_rate(texts[: min(len(texts), 2_000)])
        n, j = f"{args.docs:,} articles", str(args.jobs)
        small = f"{args.small:,} articles"
        plan = [  # label, input folder, output folder, options, documents; quickest first
            ("start-up: one short article, with entities", "one", "o-one", [], 1),
            (f"{small}, 1 worker", "small", "o-small", ["--jobs", "1"], args.small),
            (f"{small}, {j} workers", "small", "o-small-n", ["--jobs", j], args.small),
            (f"{n}, 1 worker, --no-entities", "big", "o-big-ne", ["--jobs", "1", "--no-entities"], args.docs),
            (f"{n}, resume of that finished run", "big", "o-big-ne", ["--jobs", "1", "--no-entities"],
             args.docs),
            (f"{n}, {j} workers, --no-entities", "big", "o-big-ne-n", ["--jobs", j, "--no-entities"], args.docs),
            (f"one {args.big_mb:g} MB article, --no-entities --facts", "huge", "o-huge",
             ["--jobs", "1", "--no-entities", "--facts"], 1),
            (f"{n}, 1 worker", "big", "o-big", ["--jobs", "1"], args.docs),
            (f"{n}, {j} workers", "big", "o-big-n", ["--jobs", j], args.docs),
        ]
        for label, name, out, extra, docs in plan:
            data = measure([exe, "run", str(tmp / name), "--out", str(tmp / out), "--no-progress", *extra])
            chars = {"big": big_chars, "small": small_chars, "huge": huge_chars}.get(name, 0)
            rows.append((label, data, docs, chars))
            print(f"{label}: {data['seconds']:.1f} s, {data['out'].strip().splitlines()[-1]}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nlarge corpora: {args.docs:,} generated articles ({big_chars:,} characters, "
          f"about {ARTICLE_CHARS} each), {os.cpu_count()} cores, load average at start "
          f"{load[0]:.1f} (other users' work shares the cores)")
    print(f"jieba.lcut on the first {min(args.docs, 2_000):,} articles: {ref:,.0f} chars per CPU second")
    print(f"{'run':<52}{'wall s':>8}{'docs/s':>8}{'CPU s/doc':>10}{'chars/CPU s':>12}{'x jieba':>8}"
          f"{'peak MB':>9}")
    for label, data, docs, chars in rows:
        cpu_rate = chars / data["cpu_s"] if chars else 0
        print(f"{label:<52}{data['seconds']:>8.1f}{docs / data['seconds']:>8.1f}"
              f"{data['cpu_s'] / max(docs, 1):>10.4f}{cpu_rate:>12,.0f}{cpu_rate / ref:>8.2f}"
              f"{data['peak_mb']:>9.0f}")
    print("chars/CPU s: characters per CPU second of the whole command (start-up, all workers and the "
          "parent included); x jieba: that over jieba.lcut's chars per CPU second")


if __name__ == "__main__":
    main()
