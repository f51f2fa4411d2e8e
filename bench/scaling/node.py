#!/usr/bin/env python3
"""Strong and weak scaling on the node it runs on, as Markdown tables (docs/scaling.md).

Strong: one network (default the full microcircuit, 500 ms) on 2, 4, ... threads of one
rank, then ranks x threads that fill the node, and 2 ranks x C/2 threads launched as a
plain `mpirun -n 2` (OpenMPI binds each rank to one core: the slow case Myelin warns
about). Every row's spikes are compared with the first row's: they must be identical.

Checkpoints: the same network written at 10 ms on C ranks x 1 thread, as one file (rank 0
gathers) and a file per rank, and the latter resumed on 1 rank x C threads to 20 ms,
against an unbroken run of 20 ms.

Weak (as NEST's HPC benchmark): a Brunel network (model A, g = 5, eta = 2, the in-degrees
of examples/brunel) with a fixed number of neurons per rank, on 1, 2, 4, ... ranks of one
thread each; parallel efficiency = T(1) / T(R) of the simulation time.

    /usr/bin/python3 bench/scaling/node.py [--myelin build/release/apps/myelin] [--cores N]
        [--config examples/microcircuit/microcircuit.json] [--t-stop 500]
        [--weak-neurons 12500] [--weak-t-stop 1000] [--skip-strong] [--skip-checkpoints] [--skip-weak]

Needs Python 3 with h5py, and OpenMPI's mpirun (MPIRUN=... to name another) for the rows
with ranks. About 3 minutes on 16 cores with the defaults; on 2 cores use --quick (the
scaled microcircuit, a smaller weak network).
"""
import argparse
import json
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

import h5py

ROOT = pathlib.Path(__file__).resolve().parents[2]


def parse():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--myelin", default=str(ROOT / "build/release/apps/myelin"))
    ap.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--config", default=str(ROOT / "examples/microcircuit/microcircuit.json"))
    ap.add_argument("--t-stop", type=float, default=500.0)
    ap.add_argument("--weak-neurons", type=int, default=12500, help="per rank")
    ap.add_argument("--weak-t-stop", type=float, default=1000.0)
    ap.add_argument("--weak-threads", type=int, default=1, help="threads per rank of the weak-scaling runs")
    ap.add_argument("--skip-strong", action="store_true")
    ap.add_argument("--skip-checkpoints", action="store_true")
    ap.add_argument("--skip-weak", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="microcircuit_small.json and 2,500 neurons per rank (a 2-core machine)")
    args = ap.parse_args()
    if args.quick:
        args.config = str(ROOT / "examples/microcircuit/microcircuit_small.json")
        args.weak_neurons = 2500
    return args


def powers_of_two(limit):
    k, out = 1, []
    while k <= limit:
        out.append(k)
        k *= 2
    return out


def mpirun(ranks, threads, bind):
    """The launch line for `ranks` ranks of `threads` threads; bind=False: OpenMPI's default."""
    cmd = [os.environ.get("MPIRUN", "mpirun"), "-n", str(ranks)]
    if os.geteuid() == 0:
        cmd += ["--allow-run-as-root"]
    cmd += ["--oversubscribe"]
    if bind:
        cmd += ["--map-by", f"slot:PE={threads}", "--bind-to", "core"] if threads > 1 else ["--bind-to", "core"]
    return cmd


def run(myelin, config, ranks, threads, out, t_stop=None, bind=True, more=(), command="run"):
    cmd = [myelin, command, str(config), "--threads", str(threads), "--output", str(out), "--force", "--quiet", *more]
    if t_stop is not None:
        cmd += ["--t-stop", str(t_stop)]
    if ranks > 1:
        cmd = mpirun(ranks, threads, bind) + cmd
    env = dict(os.environ, OMP_PROC_BIND="false")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    m = re.search(r"(?:build|restore) ([0-9.]+) s, simulation of ([0-9.]+) ms ([0-9.]+) s \(real-time factor ([0-9.]+)"
                  r".*peak memory ([0-9]+) MB( per rank)?", done.stdout)
    if not m:
        sys.exit(f"no timing line in the output of {' '.join(cmd)}:\n{done.stdout}")
    written = re.search(r"checkpoints? \(written in ([0-9.]+) s\)", done.stdout)
    return {"build": float(m[1]), "ms": float(m[2]), "sim": float(m[3]), "rtf": float(m[4]), "peak_MB": int(m[5]),
            "per_rank": bool(m[6]), "warned": "warning" in done.stderr,
            "checkpoint_s": float(written[1]) if written else None}


def same_spikes(a, b):
    with h5py.File(a / "spikes.h5", "r") as fa, h5py.File(b / "spikes.h5", "r") as fb:
        pops = sorted(fa["spikes"])
        if pops != sorted(fb["spikes"]):
            return False
        for p in pops:
            for d in ("timestamps", "node_ids"):
                x, y = fa[f"spikes/{p}/{d}"][()], fb[f"spikes/{p}/{d}"][()]
                if x.shape != y.shape or x.tobytes() != y.tobytes():
                    return False
    return True


def strong(args, work):
    C = args.cores
    rows = [(1, t, True, f"1 rank x {t} thread{'s' if t > 1 else ''}") for t in powers_of_two(C) if t >= min(2, C)]
    if C not in [r[1] for r in rows]:
        rows.append((1, C, True, f"1 rank x {C} threads"))
    if shutil.which(os.environ.get("MPIRUN", "mpirun")) and C >= 2:
        if C >= 8:
            rows.append((4, C // 4, True, f"4 ranks x {C // 4} threads"))
        rows.append((C, 1, True, f"{C} ranks x 1 thread"))
        if C >= 4:
            rows.append((2, C // 2, False, f"2 ranks x {C // 2} threads, plain `mpirun -n 2`"))
    print(f"### Strong scaling: {pathlib.Path(args.config).name}, {args.t_stop:g} ms\n")
    print("| partition | build (s) | simulation (s) | real-time factor | peak memory | spikes |")
    print("|---|---|---|---|---|---|")
    first = None
    for ranks, threads, bind, label in rows:
        out = work / f"strong_{ranks}x{threads}{'' if bind else '_plain'}"
        r = run(args.myelin, args.config, ranks, threads, out, args.t_stop, bind)
        same = "reference" if first is None else ("identical" if same_spikes(first, out) else "DIFFERENT")
        first = first or out
        mem = f"{r['peak_MB'] / 1e3:.2f} GB" + (" per rank" if r["per_rank"] else "")
        print(f"| {label}{' (warned)' if r['warned'] else ''} | {r['build']:.1f} | {r['sim']:.2f} | {r['rtf']:.2f} "
              f"| {mem} | {same} |", flush=True)
        if out != first:
            shutil.rmtree(out)
    print()


def checkpoints(args, work):
    C = args.cores
    ranks = C if shutil.which(os.environ.get("MPIRUN", "mpirun")) and C >= 2 else 1
    print(f"### Checkpoints: {pathlib.Path(args.config).name} at 10 ms, {ranks} rank{'s' if ranks > 1 else ''} x 1 "
          f"thread\n")
    print("| checkpoint | written in (s) | peak memory per rank | size | resumed on 1 x C: restore (s) | spikes at 20 ms |")
    print("|---|---|---|---|---|---|")
    whole = work / "whole"
    run(args.myelin, args.config, ranks, 1, whole, 20.0)
    for files in ("one", "per-rank"):
        out = work / f"checkpoint_{files}"
        r = run(args.myelin, args.config, ranks, 1, out, 10.0, more=["--checkpoint-every", "10", "--checkpoint-files", files])
        size = sum(f.stat().st_size for f in [out / "checkpoint.h5", *out.glob("checkpoint.h5.parts/*")])
        resumed = work / f"resumed_{files}"
        q = run(args.myelin, out / "checkpoint.h5", 1, C, resumed, 20.0, command="resume")
        same = "identical" if same_spikes(whole, resumed) else "DIFFERENT"
        print(f"| {files} | {r['checkpoint_s']:.2f} | {r['peak_MB'] / 1e3:.2f} GB | {size / 1e9:.2f} GB | {q['build']:.1f} "
              f"| {same} |", flush=True)
        shutil.rmtree(out)
        shutil.rmtree(resumed)
    shutil.rmtree(whole)
    print()


def brunel(n_total, t_stop, seed=12345):
    """examples/brunel/brunel.json's neurons, weights, delays, in-degrees and drive, with n_total neurons."""
    base = json.loads((ROOT / "examples/brunel/brunel.json").read_text())
    n_e = n_total * 4 // 5
    base["populations"][0]["n"] = n_e
    base["populations"][1]["n"] = n_total - n_e
    base["simulation"].update({"t_stop": t_stop, "seed": seed})
    base["description"] = f"bench/scaling/node.py: brunel.json with {n_total} neurons (weak scaling)"
    base["recorders"] = {"spikes": {"populations": ["E", "I"]}}
    return base


def weak(args, work):
    C = args.cores
    T = args.weak_threads
    ranks = powers_of_two(C // T) if shutil.which(os.environ.get("MPIRUN", "mpirun")) else [1]
    print(f"### Weak scaling: Brunel, {args.weak_neurons} neurons per rank (in-degrees 1,000 + 250), "
          f"{args.weak_t_stop:g} ms, {T} thread{'s' if T > 1 else ''} per rank\n")
    print("| ranks | neurons | build (s) | simulation (s) | real-time factor | efficiency | peak per rank |")
    print("|---|---|---|---|---|---|---|")
    t1 = None
    for R in ranks:
        n = args.weak_neurons * R
        config = work / f"weak_{R}.json"
        config.write_text(json.dumps(brunel(n, args.weak_t_stop)))
        out = work / f"weak_{R}"
        r = run(args.myelin, config, R, T, out)
        t1 = t1 or r["sim"]
        print(f"| {R} | {n} | {r['build']:.1f} | {r['sim']:.2f} | {r['rtf']:.2f} | {100 * t1 / r['sim']:.0f} % "
              f"| {r['peak_MB']} MB |", flush=True)
        shutil.rmtree(out)
    print()


def main():
    args = parse()
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([args.myelin, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}; {args.cores} cores ({cpu}), {platform.node()}, {time.strftime('%Y-%m-%d')}\n")
    start = time.time()
    with tempfile.TemporaryDirectory() as work:
        if not args.skip_strong:
            strong(args, pathlib.Path(work))
        if not args.skip_checkpoints:
            checkpoints(args, pathlib.Path(work))
        if not args.skip_weak:
            weak(args, pathlib.Path(work))
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
