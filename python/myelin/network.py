"""Network: a Myelin network built from a config or step by step, run as often as wanted."""

import copy
import json
import os
import threading

import numpy as np

from . import _myelin


class Network:
    """A spiking network, simulated by Myelin's engine.

    Network(config=None, *, seed=None, threads=None, exchange=None, memory_check=True)

    `config` is a Myelin config as a dict (the JSON of docs/config.md), a path to a
    config or SONATA circuit file, or None to build the network step by step with
    population(), connect(), stimulus() and record_*(). `seed`, `threads` and `exchange`
    override the config's simulation section, as `myelin run`'s flags do; the spikes do
    not depend on threads or exchange.

    The network is built at the first run() (or build()); from then on its structure is
    fixed, and run() continues where the last run ended. Recordings stay in memory:
    spikes(), trace(), weights(). Errors in the config raise ValueError with the
    program's message (file, config path, value, what is allowed); missing files
    raise FileNotFoundError.
    """

    def __init__(self, config=None, *, seed=None, threads=None, exchange=None, memory_check=True):
        self._path = None
        if config is None:
            self._config = {"populations": []}
        elif isinstance(config, dict):
            self._config = copy.deepcopy(config)
        elif isinstance(config, (str, os.PathLike)):
            self._path = os.fspath(config)
            self._config = None
        else:
            raise TypeError(f"config: expected a dict, a path or None, got {type(config).__name__}")
        self._overrides = {"seed": seed, "threads": threads, "exchange": exchange, "memory_check": memory_check}
        self._sim = None
        self._stimulus_changes = {}  # stimulus index -> [(step, its params from then on)] since t = 0

    @classmethod
    def _adopt(cls, config, **keys):
        """A Network of this config dict without copying it (for callers that made it and let go
        of it, such as pyNN.myelin: a deep copy of millions of listed synapses costs seconds)."""
        net = cls(None, **keys)
        net._config = config
        return net

    @classmethod
    def resume(cls, checkpoint, *, threads=None, exchange=None):
        """The network of a checkpoint (Network.checkpoint() or `myelin run --checkpoint-every`), at its
        time, to run on. Its recordings start empty."""
        net = cls.__new__(cls)
        net._path = None
        net._overrides = {}
        net._sim = _myelin.Simulation.from_checkpoint(os.fspath(checkpoint), threads=threads, exchange=exchange)
        net._config = json.loads(net._sim.config_text)
        net._stimulus_changes = {}
        return net

    # Building -----------------------------------------------------------------------------

    def _section(self, key, default):
        if self._sim is not None:
            raise RuntimeError("the network is built (it has run): its structure is fixed; make a new Network")
        if self._config is None:
            raise RuntimeError("a network read from a file is changed in the file, or loaded as a dict first")
        return self._config.setdefault(key, default)

    def simulation(self, **settings):
        """Sets keys of the config's simulation section: resolution, t_stop, seed, threads, exchange, simd."""
        self._section("simulation", {}).update(settings)
        return self

    def population(self, name, model, n, params=None, initial=None, **keys):
        """Adds a population of `n` neurons of `model` (myelin.model_names()), parameters by name
        without units (docs/models.md), initial values as numbers or distributions. Returns its name."""
        p = {"name": name, "model": model, "n": n}
        if params:
            p["params"] = dict(params)
        if initial:
            p["initial"] = dict(initial)
        p.update(keys)
        self._section("populations", []).append(p)
        return name

    def connect(self, source, target, rule="all_to_all", *, weight, delay=None, synapse=None, receptor=None,
                scaling=None, **rule_keys):
        """Adds a projection: synapses from `source` onto `target` by `rule` (all_to_all, one_to_one,
        fixed_indegree, fixed_outdegree, pairwise_bernoulli, fixed_total_number, explicit) with its keys
        (indegree=..., p=..., sources=..., targets=...). `weight` and `delay` (ms) are numbers,
        distributions or, for explicit, lists (NumPy arrays are taken). `synapse` is a model name or
        {"model": ..., "params": ...}. Returns the projection's index (for record_weights, synapses)."""
        connection = {"rule": rule}
        connection.update({k: _plain(v) for k, v in rule_keys.items()})
        p = {"source": source, "target": target, "connection": connection, "weight": _plain(weight)}
        if delay is not None:
            p["delay"] = _plain(delay)
        if synapse is not None:
            p["synapse"] = {"model": synapse} if isinstance(synapse, str) else dict(synapse)
        if receptor is not None:
            p["receptor"] = receptor
        if scaling is not None:
            p["scaling"] = dict(scaling)
        projections = self._section("projections", [])
        projections.append(p)
        return len(projections) - 1

    def stimulus(self, model, targets, params=None, *, weight=None, delay=None, name=None, receptor=None):
        """Adds a stimulus device (poisson_generator, spike_generator, dc_generator, ...) feeding
        `targets`: a population name, a list of them, or {"population": ..., "neurons": [...]}. Returns
        its name (for set_stimulus)."""
        stimuli = self._section("stimuli", [])
        s = {"model": model, "targets": [targets] if isinstance(targets, (str, dict)) else list(targets)}
        s["name"] = name if name is not None else f"{model}_{len(stimuli)}"
        if params:
            s["params"] = {k: _plain(v) for k, v in params.items()}
        if weight is not None:
            s["weight"] = weight
        if delay is not None:
            s["delay"] = delay
        if receptor is not None:
            s["receptor"] = receptor
        stimuli.append(s)
        return s["name"]

    def record(self, population, variables=None, *, neurons=None, interval=None, name=None):
        """Records a population: its spikes (without `variables`; the first call narrows the default
        of all populations to those named), or state variables such as "V_m" of some neurons
        (record_state; `name` defaults to "<population>_<variables>"). Returns what spikes() or
        trace() takes."""
        if variables is None:
            recorders = self._section("recorders", {})
            spikes = recorders.get("spikes")
            recorders["spikes"] = {"populations": (spikes["populations"] if spikes else []) + [population]}
            return population
        names = [variables] if isinstance(variables, str) else list(variables)
        return self.record_state(name or f"{population}_{'_'.join(names)}", population, names, neurons=neurons,
                                 interval=interval)

    def record_spikes(self, populations):
        """Records the spikes of these populations only (default: all); [] or False: none."""
        recorders = self._section("recorders", {})
        recorders["spikes"] = {"populations": list(populations)} if populations else False
        return self

    def record_state(self, name, population, variables, neurons=None, interval=None):
        """Records state variables (e.g. "V_m") of some neurons (default: all) every `interval` ms
        (default: every step), read back with trace(name)."""
        if neurons is None:
            size = next((p["n"] for p in self._config.get("populations", []) if p["name"] == population), None)
            if size is None:
                raise ValueError(f"record_state: no population '{population}' (add it first, or give neurons)")
            neurons = range(size)
        r = {"name": name, "population": population, "neurons": _plain(list(neurons)),
             "variables": [variables] if isinstance(variables, str) else list(variables)}
        if interval is not None:
            r["interval"] = interval
        self._section("recorders", {}).setdefault("state", []).append(r)
        return name

    def record_weights(self, name, projection, *, times=None, interval=None, events=False, sources=None,
                       targets=None):
        """Records the weights of a projection (its index): snapshots at `times` or every `interval`
        ms, and/or every change (`events`, plastic synapses); read back with weights(name)."""
        r = {"name": name, "projection": projection}
        if times is not None:
            r["times"] = _plain(times)
        if interval is not None:
            r["interval"] = interval
        if events:
            r["events"] = True
        if sources is not None:
            r["sources"] = _plain(sources)
        if targets is not None:
            r["targets"] = _plain(targets)
        self._section("recorders", {}).setdefault("weights", []).append(r)
        return name

    # Running ------------------------------------------------------------------------------

    def build(self):
        """Builds the network (run() does it the first time); returns self."""
        if self._sim is None:
            o = self._overrides
            if self._path is not None:
                self._sim = _myelin.Simulation.from_file(self._path, seed=o["seed"], threads=o["threads"],
                                                         exchange=o["exchange"], memory_check=o["memory_check"])
                self._config = json.loads(self._sim.config_text)
            else:
                text, arrays = _dumps(self._config)
                self._sim = _myelin.Simulation.from_config(text, "<dict>", seed=o["seed"], threads=o["threads"],
                                                           exchange=o["exchange"], memory_check=o["memory_check"],
                                                           arrays=arrays)
        return self

    def run(self, ms):
        """Simulates `ms` more milliseconds (whole steps). The GIL is released meanwhile. Ctrl-C (SIGINT)
        or SIGTERM stops the run at the end of a window and raises KeyboardInterrupt; the network is
        whole and can run on from there."""
        self.build()
        main = threading.current_thread() is threading.main_thread()
        if not self._sim.run(float(ms), handle_signals=main):
            raise KeyboardInterrupt(f"myelin: run interrupted at {self.t:.10g} ms; the network can run on from there")
        return self

    def reset(self):
        """Back to t = 0, as PyNN's reset(): the network is built anew from its config (with the
        stimulus parameters set since), so every neuron, synapse, device and random stream starts as
        in the first run, and run() after reset() repeats it bit for bit. Structure, parameters and
        recorders stay; the recordings start empty (keep what spikes() and trace() returned before).
        A network resumed from a checkpoint goes back to the t = 0 of its config."""
        if self._sim is not None:
            self._sim.reset()
        self._stimulus_changes = {}
        return self

    @property
    def min_delay(self):
        """The shortest delay of the built network's projections, in ms (0 without projections): the
        engine advances in windows of this length and exchanges spikes between them."""
        return self.build()._sim.info()["min_delay"]

    @property
    def t(self):
        """Biological time reached, in ms."""
        return self._sim.time if self._sim is not None else 0.0

    @property
    def config(self):
        """The config (a copy): as given or built, or as read from the file."""
        if self._config is None:
            self.build()
        return copy.deepcopy(self._config)

    @property
    def info(self):
        """Neurons, synapses, d_min, build time, threads, ranks, seed of the built network."""
        return self.build()._sim.info()

    def set_stimulus(self, stimulus, **params):
        """Changes parameters of a stimulus device (its name or index) from the next run on, as
        SetStatus between Simulate calls in NEST: set_stimulus("drive", rate=8000.0)."""
        stimuli = (self._config or {}).get("stimuli", [])
        if isinstance(stimulus, int):
            index = stimulus
        else:
            names = [s.get("name") for s in stimuli]
            if stimulus not in names:
                raise ValueError(f"set_stimulus: no stimulus '{stimulus}'; the network has: "
                                 f"{', '.join(str(n) for n in names) or 'none'}")
            index = names.index(stimulus)
        if not 0 <= index < len(stimuli):
            raise ValueError(f"set_stimulus: stimulus {index}; the network has {len(stimuli)}")
        changed = dict(self._config, stimuli=copy.deepcopy(self._config["stimuli"]))  # the rest is not changed
        before = copy.deepcopy(changed["stimuli"][index].get("params", {}))
        changed["stimuli"][index].setdefault("params", {}).update({k: _plain(v) for k, v in params.items()})
        if self._sim is not None:
            self._sim.set_stimulus(index, *_dumps(changed))
            step = int(round(self._sim.time / self._sim.resolution))
            history = self._stimulus_changes.setdefault(index, [(0, before)])
            history[:] = [h for h in history if h[0] < step] + [(step, copy.deepcopy(changed["stimuli"][index]["params"]))]
        self._config = changed
        return self

    def injected_current(self, stimulus):
        """The current (pA) a current device (dc_generator, ac_generator, step_current_generator,
        noise_generator; its name or index) injected into each of its targets at t = 0, h, ...,
        up to the time reached: {"times": (steps,), "current": steps x targets, "population" and
        "neurons": each target's population and index}, from the engine's own device run again
        over each stretch of time with the parameters it had then (set_stimulus), so a noise
        current is the draw the neurons got. Row k is the current during step k."""
        index = self._stimulus_index(stimulus)
        config = self._require_config()
        steps = int(round(self.t / self._sim.resolution)) + 1 if self._sim is not None else 1
        history = self._stimulus_changes.get(index, [(0, config["stimuli"][index].get("params", {}))])
        bounds = [h[0] for h in history[1:]] + [steps]
        seed = self.info["seed"] if self._sim is not None else self._overrides.get("seed")
        parts = []
        for (begin, params), end in zip(history, bounds):
            if begin >= steps:
                break
            # devices depend on the populations and on nothing else
            stretch = {key: config[key] for key in ("simulation", "populations") if key in config}
            stretch["stimuli"] = copy.deepcopy(config["stimuli"])
            stretch["stimuli"][index]["params"] = params
            parts.append(_myelin.Simulation.stimulus_current(_dumps(stretch)[0], index, begin, min(end, steps),
                                                             seed=seed))
        populations, neurons = [], []
        sizes = {p["name"]: p["n"] for p in config.get("populations", [])}
        for target in config["stimuli"][index]["targets"]:
            name = target if isinstance(target, str) else target["population"]
            ids = range(sizes[name]) if isinstance(target, str) or "neurons" not in target else target["neurons"]
            populations += [name] * len(ids)
            neurons += list(ids)
        return {"times": np.arange(steps) * (self._sim.resolution if self._sim is not None else 0.0),
                "current": np.concatenate(parts), "population": populations, "neurons": np.asarray(neurons)}

    def _stimulus_index(self, stimulus):
        stimuli = (self._config or {}).get("stimuli", [])
        if isinstance(stimulus, int):
            if not 0 <= stimulus < len(stimuli):
                raise ValueError(f"stimulus {stimulus}; the network has {len(stimuli)}")
            return stimulus
        names = [s.get("name") for s in stimuli]
        if stimulus not in names:
            raise ValueError(f"no stimulus '{stimulus}'; the network has: {', '.join(str(n) for n in names) or 'none'}")
        return names.index(stimulus)

    def get_params(self, population, name):
        """Number parameter `name` of a population, neuron by neuron: a NumPy array of its n values,
        as given, listed per neuron or drawn (docs/config.md)."""
        index = self._population_index(population)
        if self._sim is not None:
            return self._sim.population_params(index, name)
        text, arrays = _dumps(self._require_config())
        return _myelin.Simulation.config_population_params(text, index, name, seed=self._overrides.get("seed"),
                                                           arrays=arrays)

    def set_params(self, population, neurons=None, **params):
        """Changes parameters of a population, as PyNN's Population.set or NEST's SetStatus: each
        value a number, one value per neuron (a list or NumPy array of n), or a distribution (a
        dict), for all neurons; with `neurons` (population-local indices) a number or one value
        per listed neuron, for those only. Checked as in a config. On a built network in effect
        from the next step on, every neuron keeping its state; the config records the values, so
        reset() and checkpoints keep them."""
        index = self._population_index(population)
        config = self._require_config()
        changed = dict(config, populations=list(config["populations"]))  # the rest is not changed
        changed["populations"][index] = copy.deepcopy(config["populations"][index])
        entry = changed["populations"][index].setdefault("params", {})
        for key, value in params.items():
            if neurons is None:
                entry[key] = _plain(value)
                continue
            values = np.array(self.get_params(population, key), dtype=float)
            values[np.asarray(neurons, dtype=np.int64)] = value
            entry[key] = values.tolist() if np.any(values != values[0]) else float(values[0])
        if self._sim is not None:
            self._sim.set_population_params(index, *_dumps(changed))
        self._config = changed
        return self

    def set_state(self, population, neurons=None, **values):
        """Sets state variables (e.g. V_m=-60.0) of a population's neurons now, as NEST's
        SetStatus of a state variable between Simulate calls (PyNN's initialize() after a
        run): a number, or one value per neuron (or per listed neuron with `neurons`). From
        the next step on; the config's initial values are not changed (reset() goes back to
        them)."""
        index = self._population_index(population)
        sim = self.build()._sim
        n = self._require_config()["populations"][index]["n"]
        for name, value in values.items():
            if neurons is None:
                new = np.broadcast_to(np.asarray(value, dtype=float), (n,))
            else:
                new = np.array(self.state(population, name), dtype=float)
                new[np.asarray(neurons, dtype=np.int64)] = value
            sim.set_state(index, name, np.ascontiguousarray(new))
        return self

    def state(self, population, variable):
        """A state variable of every neuron of a population, now (a NumPy array; complete on
        every rank only without MPI: a rank holds its own neurons, zeros elsewhere)."""
        return self.build()._sim.population_state(self._population_index(population), variable)

    def set_weights(self, projection, weight):
        """New weights for an explicit projection (its index): a number, or one value per listed
        synapse (a list or NumPy array, in the order of its sources and targets), as NEST's
        SetStatus on connections. On a built network in effect from the next delivery on
        (plastic synapses go on from the new weights); the config records them, so reset()
        and checkpoints keep them. Checked as in a config. A projection whose synapses a rule
        drew is listed first (synapses(gather=True): the weights in that order) and stays
        explicit, the same synapses (under MPI every rank must call it)."""
        return self._set_synapses("weight", projection, weight, "set_projection_weights")

    def set_delays(self, projection, delay):
        """New delays (ms) for an explicit projection, as set_weights: for spikes sent from now
        on (those on their way arrive as sent). A built network takes delays between its
        smallest and largest at the build (min_delay and the ring buffers are sized by them);
        reset() builds again and takes any."""
        return self._set_synapses("delay", projection, delay, "set_projection_delays")

    def set_synapse_params(self, projection, **params):
        """New parameters of a projection's synapse model (its index; any rule), e.g. U of a
        tsodyks_synapse or lambda and Wmax of an stdp_synapse, as NEST's SetStatus on
        connections: from the next spike on, synapses keep their state and learnt weights; the
        config records them. A plastic rule's trace time constants cannot change once built
        (ValueError): give them in the config."""
        config = self._require_config()
        projections = list(config.get("projections", []))
        if not 0 <= projection < len(projections):
            raise ValueError(f"set_synapse_params: projection {projection}; the network has {len(projections)}")
        synapse = projections[projection].get("synapse")
        if synapse is None:
            raise ValueError(f"set_synapse_params: projection {projection} has static synapses (no synapse model)")
        synapse = {"model": synapse} if isinstance(synapse, str) else dict(synapse)
        synapse["params"] = dict(synapse.get("params", {}), **{k: _plain(v) for k, v in params.items()})
        projections[projection] = dict(projections[projection], synapse=synapse)
        changed = dict(config, projections=projections)
        if self._sim is not None:
            self._sim.set_synapse_params(projection, *_dumps(changed))
        self._config = changed
        return self

    def _set_synapses(self, key, projection, value, send):
        config = self._require_config()
        projections = list(config.get("projections", []))
        what = f"set_{key}s"
        if not 0 <= projection < len(projections):
            raise ValueError(f"{what}: projection {projection}; the network has {len(projections)}")
        entry = projections[projection]
        if entry.get("connection", {}).get("rule") != "explicit":
            # The synapses a rule drew, listed (every rank's): the projection is explicit from now on
            listed = self.synapses(projection, gather=True)
            entry = dict(entry, connection={"rule": "explicit", "sources": listed["source"], "targets": listed["target"]},
                         weight=np.array(listed["weight"]), delay=np.array(listed["delay"]))
        projections[projection] = dict(entry, **{key: np.asarray(value, dtype=float) if np.ndim(value) else float(value)})
        changed = dict(config, projections=projections)
        if self._sim is not None:
            getattr(self._sim, send)(projection, *_dumps(changed))
        self._config = changed
        return self

    def _require_config(self):
        if self._config is None:
            self._config = json.loads(self.build()._sim.config_text)
        return self._config

    def _population_index(self, population):
        names = [p["name"] for p in self._require_config().get("populations", [])]
        if population not in names:
            raise ValueError(f"no population '{population}'; the network has: {', '.join(names) or 'none'}")
        return names.index(population)

    # Results ------------------------------------------------------------------------------

    def spikes(self, population):
        """(times in ms, population-local ids) of the recorded spikes so far, in time order (ids
        ascending within a step): read-only NumPy arrays, no copy. Under MPI complete on rank 0,
        empty elsewhere."""
        return self.build()._sim.spikes(population)

    @property
    def recorded_populations(self):
        """The populations whose spikes are recorded, as spikes() names them."""
        return self.build()._sim.spike_populations()

    def trace(self, recorder):
        """A state recorder's samples so far: {"times": (samples,), "neurons": ids, "population",
        "units": {variable: unit}, variable: (samples, neurons) array for each variable}."""
        return self.build()._sim.trace(recorder)

    def weights(self, recorder):
        """A weight recorder's record so far: "source", "target" (per synapse, population-local),
        "times" and "weights" (snapshots x synapses), and the events' "event_times", "event_source",
        "event_target", "event_weights". A snapshot due at the very end of a run may wait for the next
        run, which delivers the last window's spikes first (the program's last snapshot takes the
        weights as they stand)."""
        return self.build()._sim.weights(recorder)

    def synapses(self, projection, gather=False):
        """The synapses of a projection (its index) that this rank holds: "source", "target"
        (population-local), "weight", "delay" (ms), sorted by (target, source). With `gather`
        every rank's, on every rank, in the same order for any partition (under MPI every rank
        must then call it)."""
        return self.build()._sim.synapses(projection, gather)

    def checkpoint(self, path, files="auto"):
        """Writes the network's state at t to `path` (an HDF5 file), for Network.resume() or
        `myelin resume`. Recordings are not in it. `files`: "one" (rank 0 writes one file),
        "per-rank" (every rank its own file in `path`.parts, `path` the index) or "auto"
        (per rank under MPI with several ranks); see docs/checkpoints.md."""
        if files not in ("auto", "one", "per-rank"):
            raise ValueError(f"files={files!r}; must be 'auto', 'one' or 'per-rank'")
        self.build()._sim.checkpoint(os.fspath(path), files)
        return self


def trains(times, ids, n):
    """Spike trains of neurons 0..n-1 (a list of arrays of times) from spikes() arrays."""
    ids = np.asarray(ids)
    times = np.asarray(times)
    order = np.argsort(ids, kind="stable")
    bounds = np.searchsorted(ids[order], np.arange(n + 1))
    sorted_times = times[order]
    return [np.sort(sorted_times[bounds[i]:bounds[i + 1]]) for i in range(n)]


def _dumps(config):
    """(JSON text, arrays): an explicit projection's long lists (sources, targets, weights,
    delays; NumPy arrays or lists of more than 64) go beside the text as float64 arrays,
    written {"$array": k} in it (Simulation.from_config reads them without JSON)."""
    arrays = []

    def outside(value):
        if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and len(value) > 64):
            arrays.append(np.ascontiguousarray(value, dtype=np.float64).ravel())
            return {"$array": len(arrays) - 1}
        return value

    projections = []
    for p in config.get("projections", []):
        connection = p.get("connection", {})
        if isinstance(connection, dict) and connection.get("rule") == "explicit":
            p = dict(p, connection=dict(connection, **{k: outside(connection[k]) for k in ("sources", "targets")
                                                       if k in connection}))
            p.update({k: outside(p[k]) for k in ("weight", "delay") if k in p})
        projections.append(p)
    shown = dict(config, projections=projections) if "projections" in config else config
    return json.dumps(shown, allow_nan=False, default=_plain_json), arrays


def _plain_json(value):
    """NumPy values left in a config (json.dumps calls this for what it cannot write)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not allowed in a config")


def _plain(value):
    """NumPy values as JSON's."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
