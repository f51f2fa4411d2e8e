"""PyNN's API on Myelin: `import pyNN.myelin as sim` (docs/pynn.md).

The PyNN-facing classes and functions; the network is described here object by object and
built into a `myelin.Network` at the first run (simulator.py says how and when).
"""

import logging

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_TIMESTEP, DEFAULT_MIN_DELAY
from pyNN.connectors import *  # noqa: F401,F403 (PyNN's backends export the connectors)
from pyNN.recording import *  # noqa: F401,F403
from pyNN.standardmodels import StandardCellType
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN import space  # noqa: F401
from pyNN.space import Space  # noqa: F401

from . import simulator
from .native import NativeRNG  # noqa: F401
from .standardmodels import *  # noqa: F401,F403
from .standardmodels import StaticSynapse  # noqa: F401
from .populations import Population, PopulationView, Assembly
from .projections import Projection

logger = logging.getLogger("PyNN")


def list_standard_models():
    """The standard cell types this backend has."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType) and hasattr(obj, "myelin_model")]


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Starts a new session: no populations, t = 0. `timestep` (ms) is Myelin's resolution;
    `min_delay` "auto" (default) or ms; extra: `threads`, `rng_seed` (Myelin's seed),
    `spike_precision` "on_grid" (default) or "off_grid" (SpikeSourceArray's spikes recorded
    at the times listed; every model stays on the grid, docs/pynn.md)."""
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.clear()
    state.dt = timestep
    state.min_delay = min_delay
    state.max_delay = max_delay
    state.threads = extra_params.get("threads")
    state.seed = extra_params.get("rng_seed", extra_params.get("seed"))
    state.spike_precision = extra_params.get("spike_precision", "on_grid")
    if state.spike_precision not in ("on_grid", "off_grid"):
        raise ValueError(f"spike_precision must be 'on_grid' or 'off_grid', not {state.spike_precision!r}")
    return rank()


def end(compatible_output=True):
    """Writes what was recorded `to_file`. Recorded data stay readable until the next setup()."""
    for population, variables, filename in simulator.state.write_on_end:
        io = get_io(filename)  # pyNN.recording's: makes the folder
        population.write_data(io, variables)
    simulator.state.write_on_end = []


run, run_until = common.build_run(simulator)
run_for = run

reset = common.build_reset(simulator)

initialize = common.initialize

get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)

create = common.build_create(Population)

connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)  # noqa: F405

record = common.build_record(simulator)


def record_v(source, filename):
    return record(["v"], source, filename)


def record_gsyn(source, filename):
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
