#!/usr/bin/env python3
"""Compares two myelin binaries on the benchmark configs, runs interleaved (A, B, A, B,
...) so that the machine's drift hits both alike, and prints the median simulation and
build times, peak memory, and B's time relative to A's.

    /usr/bin/python3 bench/same_output/speed.py OLD_MYELIN NEW_MYELIN [--runs 7] [--only brunel,coba]
"""
import argparse
import json
import pathlib
import statistics
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from common import mean_outdegree, run_myelin  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
# name: (config, threads, extra arguments)
BENCHES = {
    "brunel": ("examples/brunel/brunel.json", 2, []),
    "microcircuit": ("examples/microcircuit/microcircuit.json", 2, ["--t-stop", "300"]),
    "coba": ("examples/coba/coba.json", 2, []),
    "brunel_stdp": ("examples/plasticity/brunel_stdp.json", 2, []),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", default=",".join(BENCHES))
    args = ap.parse_args()
    print("| config | old sim (s) | new sim (s) | new/old | old build (s) | new build (s) | old / new peak (MB) |")
    print("|---|---|---|---|---|---|---|")
    for name in args.only.split(","):
        config, threads, extra = BENCHES[name]
        path = ROOT / config
        outdegree = mean_outdegree(json.loads(path.read_text())) if name != "coba" else {}
        rows = {"old": [], "new": []}
        with tempfile.TemporaryDirectory() as out:
            for _ in range(args.runs):
                for label, binary in (("old", args.old), ("new", args.new)):
                    rows[label].append(run_myelin(binary, path, outdegree, threads, f"{out}/{label}", extra=extra))
        med = {k: {m: statistics.median(r[m] for r in v) for m in ("sim_s", "build_s", "peak_MB")}
               for k, v in rows.items()}
        o, n = med["old"], med["new"]
        print(f"| {name} | {o['sim_s']:.3f} | {n['sim_s']:.3f} | {n['sim_s'] / o['sim_s']:.3f} | "
              f"{o['build_s']:.2f} | {n['build_s']:.2f} | {o['peak_MB']:.0f} / {n['peak_MB']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
