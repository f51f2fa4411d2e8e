"""Myelin: spiking networks simulated, trained and compared, from Python.

    import myelin
    net = myelin.Network("examples/brunel/brunel.json", threads=2)
    net.run(1000.0)
    times, ids = net.spikes("E")

The module binds the library the `myelin` program uses (same spikes, bit for bit, same
messages): Network simulates; the measures of `myelin compare` (linear_cka, rsa,
procrustes, spike_stats, ks_2samp, permutation_test, bootstrap_ci, ...) take NumPy
arrays; read_spikes / write_spikes and read_nwb / write_nwb move spikes between files and
arrays; Model trains spiking and rate classifiers on arrays. docs/python.md is the guide.
"""

import atexit as _atexit

from . import _myelin
from ._myelin import (
    binned_counts,
    bootstrap_ci,
    commit,
    compare,
    compare_representations,
    compare_spike_trains,
    cv_isi,
    fano_factor,
    ks_2samp,
    linear_cka,
    load_data,
    local_variation,
    model_names,
    pairwise_correlations,
    permutation_test,
    procrustes,
    rank,
    rbf_cka,
    rdm,
    read_nwb,
    read_spikes,
    rsa,
    size,
    spike_stats,
    synchrony,
    van_rossum,
    victor_purpura,
    wasserstein,
    write_nwb,
    write_spikes,
)
from .learning import Model
from .network import Network, trains

__version__ = _myelin.version()
__all__ = [
    "Model",
    "Network",
    "trains",
    "binned_counts",
    "bootstrap_ci",
    "commit",
    "compare",
    "compare_representations",
    "compare_spike_trains",
    "cv_isi",
    "fano_factor",
    "ks_2samp",
    "linear_cka",
    "load_data",
    "local_variation",
    "model_names",
    "pairwise_correlations",
    "permutation_test",
    "procrustes",
    "rank",
    "rbf_cka",
    "rdm",
    "read_nwb",
    "read_spikes",
    "rsa",
    "size",
    "spike_stats",
    "synchrony",
    "van_rossum",
    "victor_purpura",
    "wasserstein",
    "write_nwb",
    "write_spikes",
]

# Under mpirun, MPI ends with the interpreter (as MPI_Finalize must come before exit).
_atexit.register(_myelin.finalize)
