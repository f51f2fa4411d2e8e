"""The state of a PyNN session on Myelin: the objects the script created, translated into
one Myelin config, and the `myelin.Network` built from it.

PyNN scripts create and change their network object by object; Myelin builds a whole
network at once. The state therefore keeps every population, projection, current source
and recorder here and builds the Network at the first run after a change of structure
(or after reset(), which starts again from t = 0 with the state as now described).
Parameter changes of a built network go to the engine at once (Network.set_params,
set_stimulus), so they act from the next step with every neuron keeping its state.
"""

from pyNN import common

from myelin.network import Network
from myelin import _myelin

name = "Myelin"


class ID(int, common.IDMixin):
    # Every rank has every cell of PyNN's (the engine distributes the neurons, not PyNN), so
    # every ID is local: no per-cell look-up (PyNN's record() asks each cell)
    local = True


class State(common.control.BaseState):
    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = _myelin.rank()
        self.num_processes = _myelin.size()
        self.dt = 0.1
        self.seed = None
        self.spike_precision = "on_grid"
        self.threads = None
        self._min_delay = "auto"
        self.max_delay = None
        self.network = None
        self.clear()

    # The objects of the session ------------------------------------------------------------

    def clear(self):
        # The last session is freed here by reference counting, without a collection of the
        # whole interpreter (tens of ms, as long as building a small network): a population's
        # IDs point back to it from inside a NumPy object array, which the cycle collector
        # does not even look into, and it and its recorder point at each other. Nothing else
        # of PyNN's objects forms a cycle (tests/pynn/test_backend.py checks it).
        _unlink(getattr(self, "populations", []))
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.recorders = set()
        self.id_counter = 0
        self.segment_counter = -1
        self.write_on_end = []
        self.network = None
        self.reset()

    def reset(self):
        """t = 0: the next run builds the network anew from its description (states at their
        initial values, plastic weights as created, random streams from the start)."""
        self.network = None
        self.running = False
        self.t_start = 0.0
        self.segment_counter += 1

    def changed_structure(self, what):
        """Something the built network cannot take: fine before the first run and after reset()."""
        if self.network is not None:
            if self.network.t > 0:
                raise NotImplementedError(
                    f"pyNN.myelin: {what} after the network has run; Myelin builds the network at the first "
                    "run, so add populations, connections, current sources and recorders before it (or call "
                    "reset() first, which starts again from t = 0)")
            self.network = None

    def changed_initial_values(self):
        """Initial values act at t = 0: a network that has not run yet is built again."""
        if self.network is not None and self.network.t == 0:
            self.network = None

    # Running -------------------------------------------------------------------------------

    @property
    def t(self):
        return self.network.t if self.network is not None else 0.0

    def build(self):
        """The network as now described (built if it is not)."""
        if self.network is None:
            self.network = Network._adopt(self.config(), seed=self.seed, threads=self.threads)
            for recorder in self.recorders:
                recorder._built()
        return self.network.build()

    def run(self, simtime):
        self.build()
        self.running = True
        steps = int(round(simtime / self.dt))
        if steps > 0:
            self.network.run(steps * self.dt)

    def run_until(self, tstop):
        self.run(tstop - self.t)

    @property
    def min_delay(self):
        if self._min_delay != "auto":
            return self._min_delay
        delays = [p._smallest_delay() for p in self.projections if len(p)]
        return min(delays) if delays else self.dt

    @min_delay.setter
    def min_delay(self, value):
        self._min_delay = value

    # The config ----------------------------------------------------------------------------

    def config(self):
        """The Myelin config of everything created so far."""
        config = {"simulation": {"resolution": self.dt},
                  "populations": [p._config() for p in self.populations]}
        if self.seed is not None:
            config["simulation"]["seed"] = self.seed
        projections = []
        for projection in self.projections:
            projection._myelin_indices = []
            for entry in projection._configs():
                projection._myelin_indices.append(len(projections))
                projections.append(entry)
        if projections:
            config["projections"] = projections
        stimuli = []
        for source in self.current_sources:
            source._entries[:] = []
            for entry, population in source._configs():
                entry["name"] = f"current_{len(stimuli)}"
                source._entries.append((len(stimuli), population))
                stimuli.append(entry)
        if stimuli:
            config["stimuli"] = stimuli
        spiking = [p._myelin_name for p in self.populations if p.recorder.recorded.get("spikes")]
        recorders = {"spikes": {"populations": spiking} if spiking else False}
        state = [entry for p in self.populations for entry in p.recorder._configs()]
        if state:
            recorders["state"] = state
        config["recorders"] = recorders
        return config


def _unlink(populations):
    for population in populations:
        for cell in population.all_cells:
            cell.__dict__["parent"] = None
        population.recorder.population = None


state = State()
