"""Recording: spikes of a population and its state variables, from Myelin's recorders.

Each population's recorder becomes, at the build, the population in the config's spike
recorder and one state recorder per variable (the recorded neurons, at the population's
sampling interval). Myelin samples at t = 0 and every interval up to the time reached,
as PyNN wants. `clear` moves a mark: what came before it is no longer returned.
"""

import numpy as np
from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def __init__(self, population, file=None):
        super().__init__(population, file)
        self._cleared = {}  # variable -> samples (or spikes) already cleared

    # Under MPI the engine gathers spikes and traces to rank 0 itself: PyNN's gathering
    # (mpi4py) has nothing to add.
    def get(self, variables, gather=False, filter_ids=None, clear=False, annotations=None):
        return super().get(variables, False, filter_ids, clear, annotations)

    def count(self, variable, gather=True, filter_ids=None):
        return super().count(variable, False, filter_ids)

    def _record(self, variable, new_ids, sampling_interval=None):
        if sampling_interval is not None:
            self.sampling_interval = sampling_interval
        if new_ids:
            simulator.state.changed_structure("recording")

    def _reset(self):
        simulator.state.changed_structure("recording")

    def _built(self):
        self._cleared = {}

    def _trace_name(self, variable):
        return f"{self.population._myelin_name}_{variable}"

    def _configs(self):
        entries = []
        for variable, ids in sorted(self.recorded.items()):
            if variable == "spikes" or not ids:
                continue
            native = self.population.celltype.myelin_state[variable][0]
            neurons = sorted(int(self.population.id_to_index(i)) for i in ids)
            entries.append({"name": self._trace_name(variable), "population": self.population._myelin_name,
                            "neurons": neurons, "variables": [native], "interval": self.sampling_interval})
        return entries

    def _spikes(self):
        network = simulator.state.network
        if network is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        times, index = network.spikes(self.population._myelin_name)
        start = self._cleared.get("spikes", 0)
        return np.asarray(index[start:], dtype=np.int64), np.asarray(times[start:])

    def _get_spiketimes(self, ids, clear=False):
        index, times = self._spikes()
        first = int(self.population.first_id)
        wanted = np.zeros(self.population.size, bool)
        wanted[np.asarray(ids, dtype=np.int64) - first] = True
        keep = wanted[index]
        index, times = index[keep], times[keep].copy()
        if simulator.state.spike_precision == "off_grid" and self.population.celltype.myelin_model == "spike_source_array":
            self._listed_times(index, times)
        return index + first, times

    def _listed_times(self, index, times):
        """spike_precision = "off_grid": a spike source's spike at the time listed, not at the
        end of the step it falls in, where the engine fires it (targets take it there, as
        NEST's grid-based models take a precise spike). Changes times in place."""
        dt = simulator.state.dt
        listed = self.population._parameters["spike_times"]
        for i in np.unique(index):
            value = listed[i] if listed.ndim else listed[()]
            own = np.asarray(getattr(value, "value", value), dtype=float)
            at = np.flatnonzero(index == i)
            # the first listed time after the step before the spike (the engine fires once per step)
            k = np.searchsorted(own, times[at] - dt * (1.0 - 1e-9), side="right")
            found = k < own.size
            found[found] &= own[k[found]] <= times[at][found] + dt * 1e-9
            times[at[found]] = own[k[found]]

    def _get_all_signals(self, variable, ids, clear=False):
        network = simulator.state.network
        if network is None or not ids:
            return np.zeros((0, len(ids))), None
        native, factor = self.population.celltype.myelin_state[variable]
        trace = network.trace(self._trace_name(variable))
        recorded = list(trace["neurons"])
        columns = [recorded.index(int(self.population.id_to_index(i))) for i in ids]
        start = self._cleared.get(variable, 0)
        return np.asarray(trace[native])[start:, columns] / factor, None

    def _local_count(self, variable, filter_ids=None):
        index, _ = self._spikes()
        counts = np.bincount(index, minlength=self.population.size)
        first = int(self.population.first_id)
        return {int(i): int(counts[int(i) - first]) for i in self.filter_recorded(variable, filter_ids)}

    def _clear_simulator(self):
        network = simulator.state.network
        if network is None:
            return
        for variable in self.recorded:
            if variable == "spikes":
                self._cleared["spikes"] = len(network.spikes(self.population._myelin_name)[0])
            elif self.recorded[variable]:
                # the sample at the time of clearing starts the next segment
                self._cleared[variable] = len(network.trace(self._trace_name(variable))["times"]) - 1
