"""Populations: the neurons of one Myelin population, their parameters kept here in
Myelin's units (one array per parameter, exact as set) and given to the engine when they
change after the build."""

import numpy as np
from lazyarray import larray
from pyNN import common
from pyNN.parameters import ArrayParameter, ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .recording import Recorder


class _Complete:
    """Every rank holds every neuron's parameters: PyNN's gathering (mpi4py) is not needed."""

    def get(self, parameter_names, gather=False, simplify=True):
        return super().get(parameter_names, False, simplify)

    def id_to_local_index(self, id):
        return self.id_to_index(id)


class Assembly(_Complete, common.Assembly):
    _simulator = simulator


class PopulationView(_Complete, common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        return ParameterSpace({name: simplify(self.parent._parameters[name][self.mask]) for name in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        self.parent._set_values(parameter_space, self.mask, self.size)

    def initialize(self, **initial_values):
        for variable, value in initial_values.items():
            self.parent._set_initial_values(variable, value, self.mask, self.size)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(_Complete, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values={}, label=None):
        simulator.state.changed_structure("creating a population")  # before PyNN registers its recorder
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)

    def _create_cells(self):
        if not isinstance(self.celltype, StandardCellType) or not hasattr(self.celltype, "myelin_model"):
            raise NotImplementedError(f"pyNN.myelin: cell type {type(self.celltype).__name__} has no Myelin model; "
                                      "use one of pyNN.myelin.list_standard_models()")
        state = simulator.state
        cells = [simulator.ID(i) for i in range(state.id_counter, state.id_counter + self.size)]
        for cell in cells:
            cell.__dict__["parent"] = self  # what IDMixin.__setattr__ does for "parent", without its Python call
        self.all_cells = np.empty(self.size, dtype=object)
        self.all_cells[:] = cells
        self._mask_local = np.ones(self.size, bool)
        state.id_counter += self.size
        self._myelin_name = f"p{len(state.populations)}"
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        self._parameters = {name: np.asarray(value) for name, value in parameter_space.items()}
        for name, values in self._parameters.items():
            _check(self.celltype, name, values)
        state.populations.append(self)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def initialize(self, **initial_values):
        """As PyNN's, but random distributions are drawn here, once: every build (reset()
        rebuilds) starts from the same values, as Myelin's seed promises. (And without PyNN's
        debug message, which prints the values even when nothing is logged.)"""
        for variable, value in initial_values.items():
            values = larray(larray(value, shape=(self.size,), dtype=float).evaluate(simplify=True),
                            shape=(self.size,), dtype=float)
            self._set_initial_value_array(variable, values)
            self.initial_values[variable] = values

    def _get_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameters[name]) for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        self._set_values(parameter_space, slice(None), self.size)

    def _set_values(self, parameter_space, mask, size):
        parameter_space.shape = (size,)
        parameter_space.evaluate(simplify=False)
        changed = {}
        for name, value in parameter_space.items():
            if name not in self._parameters:
                continue
            _check(self.celltype, name, value)
            values = self._parameters[name]
            if values.dtype == object or isinstance(value[0] if np.ndim(value) else value, ArrayParameter):
                values = values.astype(object)
            values[mask] = value
            self._parameters[name] = values
            changed[name] = values
        if changed and simulator.state.network is not None:
            simulator.state.network.set_params(self._myelin_name, **{k: _json_values(v) for k, v in changed.items()})

    def _set_initial_value_array(self, variable, initial_values):
        # Population.initialize stores the values in initial_values, which the config reads;
        # a network that has run takes them as its state now (as NEST's and Brian2's backends)
        self._set_state_now(variable, initial_values, None)
        simulator.state.changed_initial_values()

    def _set_state_now(self, variable, values, mask):
        network = simulator.state.network
        if network is None or network.t == 0:
            return
        native, factor = self.celltype.myelin_state[variable]
        values = np.asarray(larray(values, shape=(self.size if mask is None else np.arange(self.size)[mask].size,))
                            .evaluate(simplify=False), dtype=float) * factor
        network.set_state(self._myelin_name, None if mask is None else np.arange(self.size)[mask], **{native: values})

    def _set_initial_values(self, variable, value, mask, size):
        full = self.initial_values[variable].evaluate(simplify=False)
        full = np.array(full, dtype=float) if np.ndim(full) else np.full(self.size, float(full))
        full[mask] = larray(value, shape=(size,)).evaluate(simplify=False)
        self.initial_values[variable] = larray(full, shape=(self.size,))
        self._set_state_now(variable, full[mask], mask)
        simulator.state.changed_initial_values()

    def _config(self):
        """The population's entry in the config."""
        params = {name: _json_values(values) for name, values in self._parameters.items()}
        initial = {}
        for variable, (native, factor) in self.celltype.myelin_state.items():
            if variable in self.initial_values:
                values = np.asarray(self.initial_values[variable].evaluate(simplify=False), dtype=float)
                initial[native] = _json_values(np.broadcast_to(values * factor, (self.size,)))
        entry = {"name": self._myelin_name, "model": self.celltype.myelin_model, "n": int(self.size),
                 "params": params}
        if initial:
            entry["initial"] = initial
        return entry


def _check(celltype, name, values):
    """Checks a cell type makes before Myelin's (which come at the build)."""
    if hasattr(celltype, "_check"):
        celltype._check(name, values)


def _json_values(values):
    """One value for all neurons where they are equal, else a list per neuron."""
    values = np.asarray(values)
    if values.dtype == object:
        lists = [np.asarray(v.value if isinstance(v, ArrayParameter) else v, dtype=float).tolist() for v in values]
        return lists[0] if all(v == lists[0] for v in lists) else lists
    if values.dtype == bool:
        return bool(values.flat[0]) if np.all(values == values.flat[0]) else values.tolist()
    values = values.astype(float)
    if values.size and np.all(values == values.flat[0]):
        return _number(values.flat[0])
    if np.all(np.isfinite(values)):
        return values.tolist()
    return [_number(v) for v in values]


def _number(value):
    value = float(value)
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value
