"""The Brunel network from Python: run it, take its spikes as arrays, draw a raster.

    PYTHONPATH=build/release/python python3 examples/python/brunel_raster.py [--ms 1000] [--plot raster.png]
"""
import argparse
import pathlib

import numpy as np

import myelin

here = pathlib.Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--config", default=here.parent / "brunel/brunel.json")
parser.add_argument("--ms", type=float, default=1000.0)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--plot", help="draw the raster of 100 neurons into this image (needs matplotlib)")
args = parser.parse_args()

net = myelin.Network(args.config, threads=args.threads)
net.run(args.ms)
times, ids = net.spikes("E")
n = net.config["populations"][0]["n"]
stats = myelin.spike_stats(times, ids, n, 0.0, args.ms)
print(f"E: {len(times)} spikes, {stats['rate']:.2f} Hz, CV {stats['cv']:.3f}")

if args.plot:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = ids < 100
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 5), height_ratios=[3, 1])
    top.plot(times[shown], ids[shown], ",k")
    top.set_ylabel("neuron")
    bottom.hist(times, bins=np.arange(0.0, args.ms + 5.0, 5.0), color="k")
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel("spikes / 5 ms")
    fig.savefig(args.plot, dpi=150)
    print(f"wrote {args.plot}")
