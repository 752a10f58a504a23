"""Speed and memory of each stage against jieba.lcut on the same generated text, in one run.

    make bench            # or: python bench/bench.py --mb 4

Each stage runs in its own process so that its peak memory (max RSS) is its own. The input is
the corpus articles repeated to the requested size; the whole-run figure writes them as files and
times the `extract run` command itself. Ratios compare stages measured in this same run.
"""

from __future__ import annotations

import os

# as the extract command does: one BLAS thread (see src/extract/cli.py)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


SEEDS = ROOT.parent / "shared" / "seeds"
INPUTS = {
    # real news pages (../shared/seeds): about one quantity per 250 characters
    "news": lambda: sorted(SEEDS.glob("*.txt")),
    # the project's corpus, written to exercise every case: about one quantity per 25 characters
    "corpus": lambda: sorted((ROOT / "corpus").glob("*.txt")),
}


def corpus_text(mb: float, source: str = "corpus") -> str:
    from extract.io.decode import decode_bytes

    parts = [decode_bytes(p.read_bytes()).text for p in INPUTS[source]()]
    if not parts:
        raise SystemExit(f"no input files for {source}")
    base = "\n\n".join(parts)
    target = int(mb * 1e6 / 3)  # about 3 bytes per character in UTF-8
    return (base * (target // len(base) + 1))[:target]


def stage(name: str, mb: float, source: str) -> dict:
    text = corpus_text(mb, source)
    if name == "jieba":
        import jieba

        jieba.initialize()
        t = time.perf_counter()
        jieba.lcut(text)
    elif name == "quantities":
        from extract.quantities.reading import find_quantities
        from extract.text.view import make_view

        find_quantities("预热1万吨")
        t = time.perf_counter()
        for block in [text[i:i + 100_000] for i in range(0, len(text), 100_000)]:
            find_quantities(make_view(block).text)
    elif name == "pipeline":
        from extract.pipeline import extract_document

        extract_document("预热1万吨")
        t = time.perf_counter()
        for block in [text[i:i + 20_000] for i in range(0, len(text), 20_000)]:
            extract_document(block)
    elif name == "entities":
        return entity_stage(text)
    else:
        raise SystemExit(f"unknown stage {name}")
    elapsed = time.perf_counter() - t
    return [{"stage": name, "chars": len(text), "seconds": elapsed, "chars_per_s": len(text) / elapsed,
             "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}]


def entity_stage(text: str) -> list[dict]:
    """find_entities, split into its jieba tokenization and the entity step after it (rules, model,
    combiner: what the issue compares with jieba.lcut), as find_entities runs them, chunk by chunk."""
    from extract.entities.find import chunks, load

    step = load()
    step.entities("预热")
    t_tok = t_ent = 0.0
    for s, e in chunks(text):
        t = time.perf_counter()
        words = step.tokenizer.lcut(text[s:e])
        t_tok += time.perf_counter() - t
        t = time.perf_counter()
        step.choose(step.layers(text[s:e], words))
        t_ent += time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [{"stage": "entities", "chars": len(text), "seconds": t_tok + t_ent,
             "chars_per_s": len(text) / (t_tok + t_ent), "peak_rss_mb": peak},
            {"stage": "entity_step", "chars": len(text), "seconds": t_ent, "chars_per_s": len(text) / t_ent,
             "peak_rss_mb": peak}]


def whole_run(mb: float, source: str, extra: tuple[str, ...] = ()) -> dict:
    text = corpus_text(mb, source)
    tmp = Path(tempfile.mkdtemp(prefix="extract-bench-"))
    try:
        src = tmp / "in"
        src.mkdir()
        size = 20_000
        for i in range(0, len(text), size):
            (src / f"doc{i // size:05d}.txt").write_text(text[i:i + size], encoding="utf-8")
        exe = Path(sys.executable).with_name("extract")
        t = time.perf_counter()
        proc = subprocess.run([str(exe), "run", str(src), "--out", str(tmp / "out"), "--no-progress", *extra],
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(proc.stdout + proc.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        # the command's own summary gives its throughput once models are loaded, comparable with
        # jieba.lcut timed after jieba.initialize()
        after = float(re.search(r"chars/s: ([\d,]+)", proc.stdout).group(1).replace(",", ""))
        label = "extract run " + (" ".join(extra) or "(whole CLI)")
        return [{"stage": label + ", start-up included", "chars": len(text), "seconds": elapsed,
                 "chars_per_s": len(text) / elapsed, "peak_rss_mb": peak},
                {"stage": label + ", after start-up", "chars": len(text), "seconds": len(text) / after,
                 "chars_per_s": after, "peak_rss_mb": peak}]
    finally:
        shutil.rmtree(tmp)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=3.0, help="input size in MB of UTF-8")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--input", choices=sorted(INPUTS), action="append",
                    help="news (the seed pages, if ../shared is there) and/or corpus; default both")
    args = ap.parse_args()
    if args.stage:
        print(json.dumps(stage(args.stage, args.mb, args.input[0])))
        return
    labels = {"jieba": "jieba.lcut (reference)", "quantities": "quantities stage (view + numbers + units)",
              "pipeline": "extract_document (all stages, in process)",
              "entities": "find_entities (jieba tokens + entity step)",
              "entity_step": "  entity step alone (rules, model, combiner)"}
    for source in args.input or [s for s in ("news", "corpus") if INPUTS[s]()]:
        rows = []
        for name in ("jieba", "quantities", "entities", "pipeline"):
            out = subprocess.run([sys.executable, __file__, "--stage", name, "--mb", str(args.mb),
                                  "--input", source], capture_output=True, text=True, check=True)
            rows += json.loads(out.stdout.strip().splitlines()[-1])
        rows += whole_run(args.mb, source)
        rows += whole_run(args.mb, source, ("--no-entities",))
        ref = rows[0]["chars_per_s"]
        print(f"\ninput {source}: {rows[0]['chars']:,} characters (~{args.mb} MB UTF-8, articles repeated)")
        print(f"{'stage':<52}{'chars/s':>12}{'x jieba':>9}{'peak MB':>9}")
        for r in rows:
            print(f"{labels.get(r['stage'], r['stage']):<52}{r['chars_per_s']:>12,.0f}"
                  f"{r['chars_per_s'] / ref:>9.2f}{r['peak_rss_mb']:>9.0f}")


if __name__ == "__main__":
    main()
