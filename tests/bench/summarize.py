#!/usr/bin/env python3
"""Summarizes tests/bench/run.sh results as Markdown (medians).

Usage: summarize.py RESULTS_DIR WORK_DIR

Reads RESULTS_DIR/raw/{cold,floor,warm}-n{N}-run{K}.time (GNU `time -v`),
RESULTS_DIR/raw/serve-n{N}.err (the server's "rebuilt in N ms" lines) and
WORK_DIR/n{N}/.corpus-stats.json (document count and Markdown bytes).
"""
import glob
import json
import os
import re
import statistics
import sys

KINDS = [("cold", "trustsite build (cold, default)"),
         ("warm", "trustsite build --cache (warm)"),
         ("floor", "floor (bare loop)")]


def parse_time_v(path):
    text = open(path).read()

    def grab(label):
        m = re.search(re.escape(label) + r".*?:\s*(\S+)\s*$", text, re.M)
        return m.group(1)

    secs = 0.0
    for part in grab("Elapsed (wall clock) time").split(":"):
        secs = secs * 60 + float(part)
    return {"wall": secs,
            "cpu": float(grab("User time (seconds)")) + float(grab("System time (seconds)")),
            "rss": int(grab("Maximum resident set size (kbytes)")) / 1024}


def main():
    results, work = sys.argv[1], sys.argv[2]
    runs = {}
    for path in glob.glob(os.path.join(results, "raw", "*-run*.time")):
        m = re.match(r"(\w+)-n(\d+)-run\d+\.time$", os.path.basename(path))
        if m:
            runs.setdefault((m.group(1), int(m.group(2))), []).append(parse_time_v(path))
    sizes = sorted({n for _, n in runs})
    out = ["| docs | build | runs | wall s (median) | wall min-max | CPU s | peak RSS MiB | docs/s | MB/s | wall / floor |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    medians = {}
    for n in sizes:
        stats = json.load(open(os.path.join(work, f"n{n}", ".corpus-stats.json")))
        mb = stats["doc_md_bytes"] / 1e6
        for kind, label in KINDS:
            rs = runs.get((kind, n))
            if not rs:
                continue
            med = {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "rss")}
            medians[(kind, n)] = med
            walls = [r["wall"] for r in rs]
            floor = median_of(runs.get(("floor", n)))
            ratio = f"{med['wall'] / floor:.2f}" if floor else ""
            w = max(med["wall"], 0.005)
            out.append(f"| {n} | {label} | {len(rs)} | {med['wall']:.2f} | {min(walls):.2f}-{max(walls):.2f} | "
                       f"{med['cpu']:.2f} | {med['rss']:.0f} | {n / w:.0f} | {mb / w:.1f} | {ratio} |")
    out.append("")
    for n in sizes:
        cold, warm = medians.get(("cold", n)), medians.get(("warm", n))
        if cold and warm:
            out.append(f"- {n} docs: warm rebuild (--cache) is {cold['wall'] / warm['wall']:.1f}x faster than cold")
        serve = serve_ms(os.path.join(results, "raw", f"serve-n{n}.err"))
        if serve:
            out.append(f"- {n} docs: serve rebuild after a one-line edit: median {statistics.median(serve):.0f} ms "
                       f"(min {min(serve)}, max {max(serve)}, {len(serve)} edits; first build "
                       f"{first_build_ms(os.path.join(results, 'raw', f'serve-n{n}.err'))} ms)")
    print("\n".join(out))


def median_of(rs):
    return statistics.median(r["wall"] for r in rs) if rs else None


def serve_ms(path):
    if not os.path.exists(path):
        return []
    return [int(m) for m in re.findall(r"^rebuilt in (\d+) ms", open(path).read(), re.M)]


def first_build_ms(path):
    m = re.search(r"^built in (\d+) ms", open(path).read(), re.M)
    return m.group(1) if m else "?"


if __name__ == "__main__":
    main()
