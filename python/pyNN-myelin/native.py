"""Connections drawn by Myelin's own rules: with `rng=NativeRNG()` (as pyNN.nest's), PyNN's
standard connectors become Myelin's connection rules and random weights and delays its
distributions, so the engine draws them at the build (in C++, the same for any threads and
ranks, keyed by the network's seed) instead of PyNN drawing them in Python one target at a
time. Anything that cannot be said that way is connected by PyNN as usual."""

import numpy as np
import pyNN.random
from pyNN import connectors as pc
from pyNN import common


class NativeRNG(pyNN.random.NativeRNG):
    """Myelin's counter-based random streams: connectors and random distributions given this
    rng are drawn by the engine, from the network's seed (setup(rng_seed=...)); the seed
    given here is not used."""

    def __init__(self, seed=None):
        pyNN.random.NativeRNG.__init__(self, seed)

    def next(self, n=None, distribution=None, parameters=None, mask=None):
        raise NotImplementedError("pyNN.myelin.NativeRNG draws inside the engine: use it for connectors and "
                                  "for synaptic weights and delays")


def _native(rng):
    return isinstance(rng, NativeRNG)


def uses_native(connector, synapse_type):
    """Whether a NativeRNG is asked for: the connector's, or (for the connectors that draw
    nothing) that of a random weight or delay."""
    if _native(getattr(connector, "rng", None)):
        return True
    if type(connector) not in (pc.AllToAllConnector, pc.OneToOneConnector):
        return False
    parameters = synapse_type.native_parameters
    return any(isinstance(parameters[name].base_value, pyNN.random.RandomDistribution)
               and _native(parameters[name].base_value.rng) for name in parameters.keys())


def rule(connector, pre, post):
    """Myelin's connection rule for a PyNN connector, or None."""
    if not (isinstance(pre, common.Population) and isinstance(post, common.Population)):
        return None
    autapses = getattr(connector, "allow_self_connections", True)
    if not isinstance(autapses, bool):
        return None  # "NoMutual"
    if type(connector) is pc.AllToAllConnector:
        out = {"rule": "all_to_all"}
    elif type(connector) is pc.OneToOneConnector:
        out = {"rule": "one_to_one"}
    elif type(connector) is pc.FixedProbabilityConnector:
        out = {"rule": "pairwise_bernoulli", "p": connector.p_connect}
    elif type(connector) in (pc.FixedNumberPreConnector, pc.FixedNumberPostConnector, pc.FixedTotalNumberConnector):
        if not isinstance(connector.n, (int, np.integer)):
            return None
        multapses = bool(connector.with_replacement)
        if type(connector) is pc.FixedNumberPreConnector:
            out = {"rule": "fixed_indegree", "indegree": int(connector.n), "allow_multapses": multapses}
        elif type(connector) is pc.FixedNumberPostConnector:
            out = {"rule": "fixed_outdegree", "outdegree": int(connector.n), "allow_multapses": multapses}
        else:
            if not multapses:
                return None
            out = {"rule": "fixed_total_number", "N": int(connector.n)}
    else:
        return None
    if type(connector) not in (pc.OneToOneConnector,):
        out["allow_autapses"] = autapses
    return out


def value(base, scale=1.0):
    """A synapse attribute as Myelin takes it: a number, or a distribution drawn with a
    NativeRNG (scaled by `scale`, which may be negative); None where it cannot be."""
    if isinstance(base, (int, float, np.integer, np.floating)):
        return float(base) * scale
    if not isinstance(base, pyNN.random.RandomDistribution) or not _native(base.rng):
        return None
    p = base.parameters
    bounds = sorted([scale * p.get("low", -np.inf), scale * p.get("high", np.inf)])
    if base.name == "uniform":
        return {"distribution": "uniform", "low": bounds[0], "high": bounds[1]}
    if base.name in ("normal", "normal_clipped"):
        out = {"distribution": "normal", "mean": scale * p["mu"], "std": abs(scale) * p["sigma"]}
        if base.name == "normal_clipped":
            out.update({k: v for k, v in zip(("min", "max"), bounds) if np.isfinite(v)})
        return out
    if base.name == "lognormal" and scale > 0:
        return {"distribution": "lognormal", "mu": p["mu"] + np.log(scale), "sigma": p["sigma"]}
    return None
