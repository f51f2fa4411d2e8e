"""The Python module's overhead against the program (issue 24's targets):
  - net.run of a config against `myelin run`'s own simulation time (its "simulation of X ms
    Y s"), interleaved, medians; build and output excluded on both sides;
  - net.spikes() of every recorded population (the Brunel example: ~400k spikes).

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/overhead.py \
        [--myelin build/release/apps/myelin] [--config examples/brunel/brunel.json] [--runs 7]
"""
import argparse
import pathlib
import re
import statistics
import subprocess
import tempfile
import time

import myelin

root = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--myelin", default=root / "build/release/apps/myelin")
parser.add_argument("--config", default=root / "examples/brunel/brunel.json")
parser.add_argument("--runs", type=int, default=7)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

program, module, views = [], [], []
n_spikes = 0
with tempfile.TemporaryDirectory() as out:
    for k in range(args.runs):
        done = subprocess.run([str(args.myelin), "run", str(args.config), "--threads", str(args.threads), "--output",
                               f"{out}/run", "--force", "--quiet"], capture_output=True, text=True, check=True)
        program.append(float(re.search(r"simulation of [0-9.]+ ms ([0-9.]+) s", done.stdout).group(1)))
        net = myelin.Network(args.config, threads=args.threads).build()
        start = time.perf_counter()
        net.run(float(net.config["simulation"]["t_stop"]))
        module.append(time.perf_counter() - start)
        start = time.perf_counter()
        arrays = [net.spikes(p) for p in net.recorded_populations]
        views.append(time.perf_counter() - start)
        n_spikes = sum(len(t) for t, _ in arrays)
        del net, arrays

p, m = statistics.median(program), statistics.median(module)
print(f"{args.config.name if hasattr(args.config, 'name') else args.config}, {args.threads} threads, "
      f"medians of {args.runs} interleaved runs")
print(f"myelin run (simulation):  {p:.3f} s   runs: {' '.join(f'{x:.3f}' for x in program)}")
print(f"net.run:                  {m:.3f} s   runs: {' '.join(f'{x:.3f}' for x in module)}")
print(f"overhead:                 {100 * (m - p) / p:+.1f} %")
print(f"net.spikes() of {n_spikes} spikes: {1e3 * statistics.median(views):.3f} ms (median)")
