"""Projections: PyNN's connectors fill arrays here (source, target, weight, delay and the
synapse's parameters per connection, in PyNN's units, exact as given); the build makes
them explicit Myelin projections, one per pair of populations and distinct set of synapse
parameters. Weights of plastic synapses are read back from the engine after a run."""

import numpy as np
from pyNN import common
from pyNN.space import Space
from pyNN.standardmodels import StandardSynapseType

from . import native, simulator
from .standardmodels import StaticSynapse


class Connection(common.Connection):
    """One connection of a projection, its attributes read from the projection's arrays."""

    def __init__(self, projection, index):
        self._projection = projection
        self._index = index

    @property
    def presynaptic_index(self):
        return int(self._projection._pre[self._index])

    @property
    def postsynaptic_index(self):
        return int(self._projection._post[self._index])

    def _native_name(self, name):
        translations = self._projection.synapse_type.translations
        return translations[name]["translated_name"] if name in translations else name

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        values = self._projection._native_values(self._native_name(name))
        return float(values[self._index])

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        projection = self._projection
        native = self._native_name(name)
        projection._native_values(native)  # it exists
        projection._change({native}, lambda: projection._values[native].__setitem__(self._index, float(value)))

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type=None,
                 source=None, receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space, label)
        if not isinstance(self.synapse_type, StandardSynapseType) or not hasattr(self.synapse_type, "myelin_model"):
            raise NotImplementedError(f"pyNN.myelin: synapse type {type(self.synapse_type).__name__} has no Myelin "
                                      "model")
        if self.receptor_type not in ("excitatory", "inhibitory"):
            raise NotImplementedError(f"pyNN.myelin: receptor type '{self.receptor_type}'")
        simulator.state.changed_structure("creating a projection")
        self._parts = []
        self._pre = np.zeros(0, dtype=np.int64)
        self._post = np.zeros(0, dtype=np.int64)
        self._values = {}
        self._myelin_indices = []
        self._listed_from = None  # the network whose synapses a rule's listing was read from
        self._rule = native.rule(connector, self.pre, self.post) if native.uses_native(connector, self.synapse_type) \
            else None
        if getattr(self.synapse_type, "plastic", False) and self.receptor_type == "inhibitory":
            self._rule = None  # refused at the build, with its reason
        if self._rule is not None:
            self._rule_values = self._native_values_of_synapse_type()
            if self._rule_values is None:
                self._rule = None
        simulator.state.projections.append(self)
        if self._rule is None:
            connector.connect(self)
            self._gather_parts()

    # Every rank holds the listed connections (a rule's are read from the engine, where each
    # rank has those onto its neurons: get() and len() of those are this rank's, as in PyNN).
    def size(self, gather=True):
        return len(self) if self._rule is None else super().size(gather)

    def get(self, attribute_names, format, gather=True, with_address=True, multiple_synapses="sum"):
        # Every rank holds every connection (those of Myelin's rules read gathered from the
        # engine): PyNN's gathering (mpi4py) has nothing to add
        return super().get(attribute_names, format, False, with_address, multiple_synapses)

    def __len__(self):
        self._gather_parts()
        self._list_rule()
        return int(self._pre.size)

    # Connections drawn by Myelin's rules (native.py) -------------------------------------

    def _weight_factor(self, celltype):
        """From PyNN's weight to Myelin's: units, and the sign of inhibitory conductances."""
        factor = 1000.0 * getattr(celltype, "receptor_scale", 1.0)
        return -factor if self.receptor_type == "inhibitory" and celltype.conductance_based else factor

    def _native_values_of_synapse_type(self):
        """Weight, delay and synapse parameters as the config takes them, or None where one
        cannot be said there (PyNN then connects as usual)."""
        parameters = self.synapse_type.native_parameters
        out = {}
        for name in parameters.keys():
            base = parameters[name].base_value
            if name == "delay" and base is None:
                base = simulator.state.min_delay
            scale = self._weight_factor(self.post.celltype) if name == "weight" else 1.0
            converted = native.value(base, scale)
            if converted is None or (name not in ("weight", "delay") and isinstance(converted, dict)):
                return None
            out[name] = converted
        if getattr(self.synapse_type, "needs_tau_psc", False):
            key = "tau_syn_in" if self.receptor_type == "inhibitory" else "tau_syn_ex"
            tau = np.unique(self.post._parameters[key])
            if tau.size != 1:
                return None
            out["tau_psc"] = float(tau[0])
        return out

    def _list_rule(self):
        """The synapses a rule drew, read from the built network (built now if it is not), in
        the engine's order (by target, then source), in PyNN's units; every rank's (a
        collective, which a PyNN script makes on every rank)."""
        if self._rule is None:
            return
        network = simulator.state.build()
        if self._listed_from is network:
            return
        listed = network.synapses(self._myelin_indices[0], gather=True)
        factor = self._weight_factor(self.post.celltype)
        self._pre = np.asarray(listed["source"], dtype=np.int64)
        self._post = np.asarray(listed["target"], dtype=np.int64)
        n = self._pre.size
        self._values = {name: np.full(n, value, dtype=float) for name, value in self._rule_values.items()
                        if name not in ("weight", "delay", "tau_psc")}
        self._values["weight"] = np.asarray(listed["weight"], dtype=float) / factor
        self._values["delay"] = np.asarray(listed["delay"], dtype=float)
        self._listed_from = network

    @property
    def connections(self):
        return (Connection(self, i) for i in range(len(self)))

    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(i)
        return Connection(self, i)

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, **connection_parameters):
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        values = {name: np.broadcast_to(np.asarray(value, dtype=float), pre.shape).copy()
                  for name, value in connection_parameters.items()}
        self._parts.append((pre, np.full(pre.size, int(postsynaptic_index), dtype=np.int64), values))

    def _gather_parts(self):
        if not self._parts:
            return
        pre = [self._pre] + [p[0] for p in self._parts]
        post = [self._post] + [p[1] for p in self._parts]
        names = set(self._values) | {name for p in self._parts for name in p[2]}
        values = {}
        for name in names:
            pieces = [self._values.get(name, np.full(self._pre.size, np.nan))]
            pieces += [p[2].get(name, np.full(p[0].size, np.nan)) for p in self._parts]
            values[name] = np.concatenate(pieces)
        self._pre, self._post, self._values = np.concatenate(pre), np.concatenate(post), values
        self._parts = []

    def _native_values(self, name):
        """Values of a native attribute per connection (weights of plastic synapses as the engine
        has them now)."""
        self._gather_parts()
        self._list_rule()
        if name == "weight" and getattr(self.synapse_type, "plastic", False):
            network = simulator.state.network
            if network is not None and network.t > 0:
                return self._engine_weights()
        if name not in self._values:
            raise AttributeError(f"the connections of {self.label} have no attribute '{name}'")
        return self._values[name]

    def _smallest_delay(self):
        if self._rule is not None:
            delay = self._rule_values["delay"]
            return delay if not isinstance(delay, dict) else float(delay.get("min", delay.get("low", 0.1)))
        self._gather_parts()
        return float(self._values["delay"].min())

    # Get and set --------------------------------------------------------------------------

    def _get_attributes_as_list(self, names):
        self._list_rule()
        columns = []
        for name in names:
            if name == "presynaptic_index":
                columns.append(self._pre.tolist())
            elif name == "postsynaptic_index":
                columns.append(self._post.tolist())
            else:
                columns.append(self._native_values(name).tolist())
        return list(zip(*columns))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        self._list_rule()
        operation = common.Projection.MULTI_SYNAPSE_OPERATIONS[multiple_synapses]
        arrays = []
        for name in names:
            if name.endswith("s") and name[:-1] in self._values:
                name = name[:-1]
            values = self._native_values(name)
            array = np.full((self.pre.size, self.post.size), np.nan)
            pairs = self._pre * self.post.size + self._post
            if np.unique(pairs).size == pairs.size:
                array[self._pre, self._post] = values
            else:
                for i, j, v in zip(self._pre, self._post, values):
                    array[i, j] = v if np.isnan(array[i, j]) else operation(array[i, j], v)
            arrays.append(array)
        return arrays

    def _set_attributes(self, parameter_space):
        self._gather_parts()
        self._list_rule()
        parameter_space.evaluate(simplify=False)
        changed = {}
        for name, value in parameter_space.items():
            value = np.asarray(value, dtype=float)
            if value.ndim == 2:
                value = value[self._pre, self._post]
            changed[name] = np.broadcast_to(value, self._pre.shape).astype(float)
        self._change(set(changed), lambda: self._values.update(changed))

    def _change(self, names, update):
        """Makes update() to the values (PyNN's units) and sends the change on. A change that
        cannot be made leaves everything as it was, here and in the engine."""
        self._before_change(names)
        before = {name: np.array(self._values[name], dtype=float) for name in names if name in self._values}
        update()
        try:
            self._after_change(names)
        except (ValueError, NotImplementedError):
            self._values.update(before)
            self._after_change(names)  # the values it had, which it took before
            raise

    def _before_change(self, names):
        """Connections are in the engine once it is built. While t = 0 a change rebuilds it;
        later weights, delays and synapse parameters go to the engine (Network.set_weights,
        set_delays, set_synapse_params)."""
        network = simulator.state.network
        if self._rule is not None:
            if network is not None and network.t > 0:
                if not names & {"weight", "delay"}:
                    return  # synapse parameters: one value for all synapses of the rule (_after_change)
                # The synapses the rule drew, as listed (_list_rule), become the projection's
                # list, here and in the engine (Network.set_weights lists them the same way)
                if getattr(self.synapse_type, "plastic", False):
                    self._values["weight"] = self._engine_weights()
                self._rule = None
                self._groups = [np.arange(self._pre.size)]
                return
            self._list_rule()  # from now on the projection lists its synapses (the same ones)
            self._rule = None
            simulator.state.network = None
            return
        if network is None or network.t == 0:
            return
        if getattr(self.synapse_type, "plastic", False):
            self._values["weight"] = self._engine_weights()  # the others keep what plasticity made of them

    def _after_change(self, names):
        network = simulator.state.network
        if network is None:
            return
        if network.t == 0:
            simulator.state.network = None
            return
        synapse_names = names - {"weight", "delay"}
        if self._rule is not None:  # only synapse parameters come here after a run
            for name in synapse_names:
                values = self._values[name]
                if np.any(values != values[0]):
                    raise NotImplementedError(f"pyNN.myelin: after a run, {name} of connections drawn by Myelin's "
                                              "rule (NativeRNG) can change only to one value for all; call reset() "
                                              "first")
                self._rule_values[name] = float(values[0])
            values = {n: v for n, v in self._rule_values.items() if n not in ("weight", "delay")}
            network.set_synapse_params(self._myelin_indices[0], **self.synapse_type._myelin_params(
                values, abs(self._weight_factor(self.post.celltype))))
            return
        for members in self._groups if synapse_names else []:
            if any(np.any(self._values[n][members] != self._values[n][members[0]]) for n in synapse_names):
                raise NotImplementedError(
                    f"pyNN.myelin: after a run, {', '.join(sorted(synapse_names))} can change only to one value for "
                    "all connections that shared one at the first run (they are one Myelin projection); call reset() "
                    "first")
        for myelin_index, members in zip(self._myelin_indices, self._groups):
            if "weight" in names:
                network.set_weights(myelin_index, self._myelin_weights(members))
            if "delay" in names:
                network.set_delays(myelin_index, self._values["delay"][members])
            if synapse_names:
                network.set_synapse_params(myelin_index, **self._myelin_synapse_params(myelin_index, members))

    def _myelin_synapse_params(self, myelin_index, members):
        """The synapse model's parameters of one Myelin projection, from the values now."""
        values = {n: float(v[members[0]]) for n, v in self._values.items() if n not in ("weight", "delay")}
        params = simulator.state.network.config["projections"][myelin_index]["synapse"]["params"]
        if "tau_psc" in params:
            values["tau_psc"] = params["tau_psc"]
        return self.synapse_type._myelin_params(values, abs(self._weight_factor(self._target_celltype(members))))

    # The config ---------------------------------------------------------------------------

    def _configs(self):
        """Myelin projections: one per (source population, target population, synapse
        parameters); the order of synapses within each as in the arrays."""
        self._gather_parts()
        self._groups = []
        if self._rule is not None:
            values = dict(self._rule_values)
            entry = {"source": self.pre._myelin_name, "target": self.post._myelin_name, "connection": dict(self._rule),
                     "weight": values.pop("weight"), "delay": values.pop("delay")}
            if self.synapse_type.myelin_model is not None:
                entry["synapse"] = {"model": self.synapse_type.myelin_model,
                                    "params": self.synapse_type._myelin_params(values, abs(self._weight_factor(
                                        self.post.celltype)))}
            return [entry]
        if self._pre.size == 0:
            return []
        pre_pop, pre_index = _locate(self.pre, self._pre)
        post_pop, post_index = _locate(self.post, self._post)
        synapse = self.synapse_type
        names = [n for n in sorted(self._values) if n not in ("weight", "delay")]
        params = [self._values[n] for n in names]
        if getattr(synapse, "needs_tau_psc", False):
            names.append("tau_psc")
            key = "tau_syn_in" if self.receptor_type == "inhibitory" else "tau_syn_ex"
            tau = np.empty(self._post.size)
            for k in np.unique(post_pop):
                population = simulator.state.populations[k]
                chosen = post_pop == k
                tau[chosen] = np.broadcast_to(population._parameters[key], (population.size,))[post_index[chosen]]
            params.append(tau)
        keys = np.stack([pre_pop, post_pop] + params, axis=1).astype(float)
        varying = [c for c in range(keys.shape[1]) if np.any(keys[:, c] != keys[0, c])]
        if varying:  # (sorting rows is slow: only the columns that vary)
            _, group = np.unique(keys[:, varying], axis=0, return_inverse=True)
            group = group.ravel()
            unique = np.array([keys[np.argmax(group == g)] for g in range(group.max() + 1)])
        else:
            group = np.zeros(self._pre.size, dtype=np.int64)
            unique = keys[:1]
        entries = []
        for g, row in enumerate(unique):
            members = np.flatnonzero(group == g)
            source = simulator.state.populations[int(row[0])]
            target = simulator.state.populations[int(row[1])]
            weight = self._myelin_weights(members)
            # NumPy arrays: they reach the engine beside the config's text, not through JSON; a
            # value shared by all synapses is one number (the engine then stores none per synapse)
            entry = {"source": source._myelin_name, "target": target._myelin_name,
                     "connection": {"rule": "explicit", "sources": pre_index[members],
                                    "targets": post_index[members]},
                     "weight": _shared(weight), "delay": _shared(self._values["delay"][members])}
            if synapse.myelin_model is not None:
                if getattr(synapse, "plastic", False) and self.receptor_type == "inhibitory":
                    raise NotImplementedError("pyNN.myelin: plastic synapses onto the inhibitory receptor (Myelin's "
                                              "plastic weights are >= 0 and inhibitory weights <= 0)")
                values = {n: float(v) for n, v in zip(names, row[2:])}
                entry["synapse"] = {"model": synapse.myelin_model,
                                    "params": synapse._myelin_params(values, abs(self._weight_factor(target.celltype)))}
            entries.append(entry)
            self._groups.append(members)
        return entries

    def _target_celltype(self, members):
        """The cell type of the population some connections (all onto one) end on."""
        return simulator.state.populations[_locate(self.post, self._post[members[:1]])[0][0]].celltype

    def _myelin_weights(self, members):
        """Weights of some connections (all onto one population) in Myelin's units and signs."""
        return self._values["weight"][members] * self._weight_factor(self._target_celltype(members))

    def _engine_weights(self):
        """The weights the engine holds, in the projection's order and PyNN's units."""
        network = simulator.state.network
        if self._rule is not None:
            listed = network.synapses(self._myelin_indices[0], gather=True)
            return np.asarray(listed["weight"], dtype=float) / self._weight_factor(self.post.celltype)
        weights = np.array(self._values["weight"], dtype=float)
        for myelin_index, members in zip(self._myelin_indices, self._groups):
            synapses = network.synapses(myelin_index, gather=True)
            # the engine lists synapses by (target, source); ours keep the order of creation
            _, pre_index = _locate(self.pre, self._pre[members])
            _, post_index = _locate(self.post, self._post[members])
            order = np.lexsort((pre_index, post_index))
            weights[members[order]] = (np.asarray(synapses["weight"], dtype=float)
                                       / self._weight_factor(self._target_celltype(members)))
        return weights


def _shared(values):
    """One number where every synapse has the same value, else the array."""
    return float(values[0]) if values.size and np.all(values == values[0]) else values


def _locate(neurons, indices):
    """(population number in the state, index in that population) of cells given by their
    index in a Population, PopulationView or Assembly."""
    if isinstance(neurons, common.Population):
        return np.full(indices.size, simulator.state.populations.index(neurons)), indices
    ids = np.asarray(neurons.all_cells, dtype=np.int64)[indices]
    populations = simulator.state.populations
    firsts = np.array([int(p.first_id) for p in populations])
    which = np.searchsorted(firsts, ids, side="right") - 1
    return which, ids - firsts[which]
