#!/usr/bin/env python3
"""Summarizes tests/bench/run.sh results as Markdown (medians).

Usage: summarize.py RESULTS_DIR WORK_DIR
       summarize.py --targets RESULTS_DIR WORK_DIR   (after the peer run)

Reads RESULTS_DIR/raw/{cold,floor,warm,check}-n{N}-run{K}.time (GNU `time -v`),
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
         ("check", "trustsite check"),
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


def own_runs(results):
    runs = {}
    for path in glob.glob(os.path.join(results, "raw", "*-run*.time")):
        m = re.match(r"(\w+)-n(\d+)-run\d+\.time$", os.path.basename(path))
        if m:
            runs.setdefault((m.group(1), int(m.group(2))), []).append(parse_time_v(path))
    return runs


def main():
    if sys.argv[1] == "--targets":
        print(targets(sys.argv[2]))
        return
    results, work = sys.argv[1], sys.argv[2]
    runs = own_runs(results)
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
        check = medians.get(("check", n))
        if cold and check:
            out.append(f"- {n} docs: check takes {check['wall'] / cold['wall']:.2f} of a cold build's wall time "
                       f"({check['cpu'] / cold['cpu']:.2f} of its CPU time)")
        serve = serve_ms(os.path.join(results, "raw", f"serve-n{n}.err"))
        if serve:
            out.append(f"- {n} docs: serve rebuild after a one-line edit: median {statistics.median(serve):.0f} ms "
                       f"(min {min(serve)}, max {max(serve)}, {len(serve)} edits; first build "
                       f"{first_build_ms(os.path.join(results, 'raw', f'serve-n{n}.err'))} ms)")
    print("\n".join(out))


def targets(results):
    """The performance targets (issue 17), against Zola 0.21 of the same run."""
    runs = own_runs(results)
    peers_path = os.path.join(results, "peers", "summary.json")
    peers = json.load(open(peers_path))["builds"] if os.path.exists(peers_path) else []
    zola = {b["n"]: b for b in peers if b["peer"] == "zola-syntect"}
    # trustsite as run_peers.sh's "self" peer ran interleaved with Zola, under
    # the same load: the cold and memory comparisons use it when present.
    selfp = {b["n"]: b for b in peers if b["peer"] == "self"}
    out = ["| docs | target | measured | met |", "|---:|---|---|---|"]

    def row(n, target, measured, met, applies=True):
        # Targets stated for one size only are shown at the others for the trend.
        verdict = ("yes" if met else "**no**") if applies else f"({'yes' if met else 'no'}; stated for 10,000)"
        out.append(f"| {n} | {target} | {measured} | {verdict} |")

    for n in sorted({n for _, n in runs}):
        cold, warm, floor, check = (median_of(runs.get((k, n))) for k in ("cold", "warm", "floor", "check"))
        cold_rss = statistics.median(r["rss"] for r in runs[("cold", n)]) if cold else None
        z = zola.get(n)
        if cold and z:
            s = selfp.get(n)
            c, rss, how = (s["wall_s"], s["rss_mib"], "interleaved") if s else (cold, cold_rss, "not interleaved")
            row(n, "cold at least 2x faster than Zola 0.21",
                f"{c:.2f} s vs {z['wall_s']:.2f} s: {z['wall_s'] / c:.2f}x ({how})", z["wall_s"] / c >= 2)
            row(n, "peak memory under half of Zola 0.21's",
                f"{rss:.0f} MiB vs {z['rss_mib']:.0f} MiB: {rss / z['rss_mib']:.0%}", rss * 2 < z["rss_mib"])
        if warm and z:
            row(n, "warm rebuild at least 5x faster than Zola 0.21",
                f"{warm:.2f} s vs {z['wall_s']:.2f} s: {z['wall_s'] / warm:.1f}x (not interleaved)",
                z["wall_s"] / warm >= 5,
                applies=n == 10000)
        if cold and check:
            row(n, "check at most a third of a cold build", f"{check:.2f} s vs {cold:.2f} s: {check / cold:.2f}",
                check * 3 <= cold, applies=n == 10000)
        if cold and floor:
            row(n, "cold within 1.3x of the floor", f"{cold / floor:.2f}x", cold / floor <= 1.3, applies=n == 10000)
        serve = serve_ms(os.path.join(results, "raw", f"serve-n{n}.err"))
        if serve:
            med = statistics.median(serve)
            first = first_build_ms(os.path.join(results, "raw", f"serve-n{n}.err"))
            if n == 1000:
                row(n, "serve rebuild after one edit under 100 ms",
                    f"median {med:.0f} ms of {len(serve)} (first build {first} ms)", med < 100)
            else:
                out.append(f"| {n} | serve rebuild after one edit (reported) | median {med:.0f} ms of "
                           f"{len(serve)} (first build {first} ms) | |")
    if not zola:
        out.append("")
        out.append("(Zola 0.21 was not in this run: the comparisons with it are missing.)")
    return "\n".join(out)


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
