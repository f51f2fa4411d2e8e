#!/usr/bin/env python3
"""The memory and communication model of docs/scaling.md, with the constants measured on
the 2-core machine (docs/performance.md, bench/scaling/exchange_latency.json). Prints
the tables of docs/scaling.md: the full microcircuit on R ranks (strong scaling) and a
network that grows with R, 77,169 neurons per rank (weak scaling).

    python3 bench/scaling/model.py
"""
import math

# Microcircuit (examples/microcircuit/microcircuit.json), measured or counted.
N = 77169                 # neurons
S = 298880968             # synapses
S_MAX = 45499805          # the largest projection (L2/3E -> L2/3E)
SUM_SOURCES = 596469      # sum over projections of the source population's size
SPIKES_PER_S = 250600     # whole-network spikes per biological second (1.5 s run)
D_MIN_MS = 0.1
N_SLOTS, CHANNELS = 92, 2  # ring-buffer rows (d_min + d_max + 1) and channels used
CORE_S_PER_S = 63.0       # core-seconds per biological second (RTF 31.5 on 2 threads)

B_SYN = 8.0               # bytes per synapse: 16-bit target, float weight, 16-bit delay
B_BUILD = 24.0            # transient bytes per synapse of the projection being built
B_OFFSET = 8.0            # row offset per source, per projection and thread
B_NEURON = 3 * 8 + 4 + 12 + 4 + N_SLOTS * CHANNELS * 8  # state, counter, Poisson target, spike slot, ring
B_SPIKE = 16              # one spike record (step, gid)
M0_MPI = 27e6             # a rank's baseline (tiny network, 2 or 16 ranks: 27 MB)
ALPHA_S = 1.5e-6          # one all-gather window, 2 ranks, shared memory (measured)
ALPHA_NET_S = 3e-6        # per log2(R) stage over a network (assumed, typical MPI small-message latency)


def memory(R, T, n, s, s_max, sum_sources):
    steady = s * B_SYN / R + T * B_OFFSET * sum_sources + n / R * B_NEURON + M0_MPI
    return steady, steady + s_max * B_BUILD / R


def fraction_reached(R, k=S / N):
    """Share of ranks a spike must reach when its k targets are spread over R ranks."""
    return 1.0 - (1.0 - 1.0 / R) ** k


def table(title, rows):
    print(title)
    print("| ranks | synapses per rank (MB) | row offsets per rank (MB) | peak per rank (MB) | "
          "all-gather received per window (kB) | targeted received per window (kB) | compute per window (µs) | "
          "collective latency per window (µs) |")
    print("|---|---|---|---|---|---|---|---|")
    for R, n, s, s_max, sum_sources, spikes in rows:
        steady, peak = memory(R, 1, n, s, s_max, sum_sources)
        per_window = spikes * D_MIN_MS * 1e-3 * B_SPIKE
        compute = CORE_S_PER_S * (n / N) * D_MIN_MS * 1e-3 / R * 1e6
        latency = (ALPHA_S if R <= 2 else ALPHA_NET_S * math.log2(R)) * 1e6
        print(f"| {R:,} | {s * B_SYN / R / 1e6:.3g} | {B_OFFSET * sum_sources / 1e6:.3g} | {peak / 1e6:.3g} | "
              f"{per_window / 1e3:.3g} | {per_window * fraction_reached(R) / 1e3:.3g} | {compute:.3g} | {latency:.3g} |")
    print()


Rs = [1, 10, 100, 1000, 10000, 100000]
table("Strong scaling: the full microcircuit on R ranks x 1 thread",
      [(R, N, S, S_MAX, SUM_SOURCES, SPIKES_PER_S) for R in Rs])
table("Weak scaling: 77,169 neurons per rank, same in-degrees and rates",
      [(R, N * R, S * R, S_MAX * R, SUM_SOURCES * R, SPIKES_PER_S * R) for R in Rs])
