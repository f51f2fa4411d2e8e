#!/usr/bin/env python3
"""A small SONATA circuit for `myelin run` (io/sonata_circuit.hpp), written with h5py in
the layout of the SONATA specification (AllenInstitute/sonata, SONATA_DEVELOPER_GUIDE.md)
and BMTK's PointNet conventions, and, independently, the Myelin config of the same
network (expected_config.json) with the node-id mapping (expected.json).

- population "net": 12 point neurons of two node types in interleaved order, node ids
  given out of order (type 100: nest:iaf_psc_alpha excitatory, driven by I_e; type 101:
  nest:iaf_psc_alpha inhibitory with other parameters), per-type dynamics_params files;
- population "input": 4 virtual nodes (type 200) with spikes from input_spikes.h5;
- edges input -> net (per-edge syn_weight in edge group 0, delay from the edge type) and
  net -> net (type 300 excitatory, weight from the type and nsyns per edge; type 301
  inhibitory, delay per edge), weight = syn_weight * nsyns;
- simulation_config.json: tstop 300 ms, dt 0.1 ms, random seed 3, the spike input.
Writes tests/data/sonata_circuit/.

    /usr/bin/python3 tests/reference/sonata/make_circuit.py
"""
import json
import pathlib

import h5py
import numpy as np

root = pathlib.Path(__file__).resolve().parents[3]
out = root / "tests/data/sonata_circuit"
(out / "components/point_neuron").mkdir(parents=True, exist_ok=True)
(out / "components/synapses").mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)
dt = 0.1

exc = {"C_m": 250.0, "tau_m": 20.0, "E_L": -70.0, "V_th": -55.0, "V_reset": -70.0, "t_ref": 2.0,
       "tau_syn_ex": 0.5, "tau_syn_in": 0.5, "I_e": 390.0}
inh = {"C_m": 200.0, "tau_m": 10.0, "E_L": -65.0, "V_th": -50.0, "V_reset": -65.0, "t_ref": 1.0,
       "tau_syn_ex": 1.0, "tau_syn_in": 2.0, "I_e": 150.0}
(out / "components/point_neuron/exc.json").write_text(json.dumps(exc, indent=1))
(out / "components/point_neuron/inh.json").write_text(json.dumps(inh, indent=1))
(out / "components/synapses/static.json").write_text("{}\n")

types = np.array([100, 101, 100, 100, 101, 100, 100, 101, 100, 100, 100, 101])
node_ids = np.array([3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 11, 10])  # a permutation: ids need not follow the rows


def sonata_attrs(f):
    f.attrs["version"] = np.array([0, 1], dtype=np.uint32)
    f.attrs["magic"] = np.uint32(0x0A7A)


with h5py.File(out / "net_nodes.h5", "w") as f:
    sonata_attrs(f)
    g = f.create_group("nodes/net")
    g["node_type_id"] = types.astype(np.uint64)
    g["node_id"] = node_ids.astype(np.uint64)
    g["node_group_id"] = np.zeros(12, dtype=np.uint32)
    g["node_group_index"] = np.arange(12, dtype=np.uint64)
    g["0/x"] = rng.uniform(size=12)  # positions: carried, not simulated
    g["0/y"] = rng.uniform(size=12)
(out / "net_node_types.csv").write_text(
    "node_type_id model_type model_template dynamics_params pop_name\n"
    "100 point_neuron nest:iaf_psc_alpha exc.json \"exc cells\"\n"
    "101 point_neuron nest:iaf_psc_alpha inh.json inh\n")

with h5py.File(out / "input_nodes.h5", "w") as f:
    sonata_attrs(f)
    g = f.create_group("nodes/input")
    g["node_type_id"] = np.full(4, 200, dtype=np.uint64)
    g["node_group_id"] = np.zeros(4, dtype=np.uint32)
    g["node_group_index"] = np.arange(4, dtype=np.uint64)
    f.create_group("nodes/input/0")
(out / "input_node_types.csv").write_text("node_type_id model_type model_template\n200 virtual NULL\n")

# Input spikes: times on and off the grid (off-grid ones move to the end of their step).
input_spikes = {0: [5.0, 40.0, 80.25], 1: [12.3, 12.31, 150.0], 2: [], 3: [0.2, 99.99, 200.0]}
with h5py.File(out / "input_spikes.h5", "w") as f:
    g = f.create_group("spikes/input")
    ts = [t for n in input_spikes for t in input_spikes[n]]
    ids = [n for n in input_spikes for _ in input_spikes[n]]
    g["timestamps"] = np.array(ts)
    g["timestamps"].attrs["units"] = "ms"
    g["node_ids"] = np.array(ids, dtype=np.uint64)

# Edges.
in_src = rng.integers(0, 4, size=20)
in_tgt = rng.choice(node_ids, size=20)
in_w = np.round(rng.uniform(100.0, 400.0, size=20), 3)


def write_edges(file, name, source_pop, target_pop, src, tgt, edge_types, group):
    """An edge population with one edge group (0) holding the per-edge datasets."""
    with h5py.File(out / file, "w") as f:
        sonata_attrs(f)
        g = f.create_group(f"edges/{name}")
        g["source_node_id"] = src.astype(np.uint64)
        g["source_node_id"].attrs["node_population"] = source_pop
        g["target_node_id"] = tgt.astype(np.uint64)
        g["target_node_id"].attrs["node_population"] = target_pop
        g["edge_type_id"] = edge_types.astype(np.uint32)
        g["edge_group_id"] = np.zeros(len(src), dtype=np.uint32)
        g["edge_group_index"] = np.arange(len(src), dtype=np.uint64)
        for key, values in group.items():
            g[f"0/{key}"] = values


write_edges("input_net_edges.h5", "input_to_net", "input", "net", in_src, in_tgt, np.full(20, 400), {"syn_weight": in_w})
(out / "input_net_edge_types.csv").write_text(
    "edge_type_id model_template delay dynamics_params\n400 static_synapse 2.0 static.json\n")

row_of = {int(n): i for i, n in enumerate(node_ids)}
rec_src = rng.choice(node_ids, size=40)
rec_tgt = rng.choice(node_ids, size=40)
rec_type = np.array([300 if types[row_of[int(s)]] == 100 else 301 for s in rec_src])
nsyns = rng.integers(1, 4, size=40)
rec_delay = np.round(rng.uniform(0.5, 3.0, size=40), 1)
write_edges("net_net_edges.h5", "net_to_net", "net", "net", rec_src, rec_tgt, rec_type,
            {"nsyns": nsyns.astype(np.uint32), "delay": rec_delay})
(out / "net_net_edge_types.csv").write_text(
    "edge_type_id model_template syn_weight delay dynamics_params\n"
    "300 static_synapse 60.0 NULL static.json\n"
    "301 static_synapse -150.0 NULL static.json\n")

circuit = {
    "manifest": {"$BASE_DIR": ".", "$COMPONENTS": "$BASE_DIR/components"},
    "components": {"point_neuron_models_dir": "${COMPONENTS}/point_neuron", "synaptic_models_dir": "$COMPONENTS/synapses"},
    "networks": {
        "nodes": [{"nodes_file": "$BASE_DIR/net_nodes.h5", "node_types_file": "$BASE_DIR/net_node_types.csv"},
                  {"nodes_file": "$BASE_DIR/input_nodes.h5", "node_types_file": "$BASE_DIR/input_node_types.csv"}],
        "edges": [{"edges_file": "$BASE_DIR/input_net_edges.h5", "edge_types_file": "$BASE_DIR/input_net_edge_types.csv"},
                  {"edges_file": "$BASE_DIR/net_net_edges.h5", "edge_types_file": "$BASE_DIR/net_net_edge_types.csv"}],
    },
}
(out / "circuit_config.json").write_text(json.dumps(circuit, indent=1) + "\n")
simulation = {
    "manifest": {"$BASE_DIR": "."},
    "network": "$BASE_DIR/circuit_config.json",
    "run": {"tstop": 300.0, "dt": dt, "random_seed": 3},
    "inputs": {"lgn": {"input_type": "spikes", "module": "sonata", "input_file": "$BASE_DIR/input_spikes.h5",
                       "node_set": "input"}},
    "output": {"output_dir": "output"},
}
(out / "simulation_config.json").write_text(json.dumps(simulation, indent=1) + "\n")

# The same network as a Myelin config, mapped by hand: populations exc (type 100), inh
# (type 101) and input (parrots); a virtual node spiking at t fires at ceil(t/dt) dt,
# i.e. its generator one step earlier.
exc_ids = [int(n) for n, t in zip(node_ids, types) if t == 100]
inh_ids = [int(n) for n, t in zip(node_ids, types) if t == 101]
where = {n: ("exc", i) for i, n in enumerate(exc_ids)}
where.update({n: ("inh", i) for i, n in enumerate(inh_ids)})
projections = {}


def add(src_pop, s, tgt, w, d):
    tp, ti = where[tgt]
    key = (src_pop, tp)
    p = projections.setdefault(key, {"source": src_pop, "target": tp,
                                     "connection": {"rule": "explicit", "sources": [], "targets": []},
                                     "weight": [], "delay": []})
    p["connection"]["sources"].append(s)
    p["connection"]["targets"].append(ti)
    p["weight"].append(w)
    p["delay"].append(d)


for s, t, w in zip(in_src, in_tgt, in_w):
    add("input", int(s), int(t), float(w), 2.0)
for s, t, ty, n, d in zip(rec_src, rec_tgt, rec_type, nsyns, rec_delay):
    sp, si = where[int(s)]
    add(sp, si, int(t), (60.0 if ty == 300 else -150.0) * int(n), float(d))
stimuli = []
for n, times in input_spikes.items():
    if not times:
        continue
    steps = sorted({int(np.ceil(round(t / dt, 9))) for t in times})
    stimuli.append({"name": f"in{n}", "model": "spike_generator",
                    "params": {"spike_times": [(k - 1) * dt for k in steps]},
                    "targets": [{"population": "input", "neurons": [n]}], "weight": 1.0, "delay": dt})
config = {
    "simulation": {"resolution": dt, "t_stop": 300.0, "seed": 3},
    "populations": [{"name": "exc", "model": "iaf_psc_alpha", "n": len(exc_ids), "params": exc},
                    {"name": "inh", "model": "iaf_psc_alpha", "n": len(inh_ids), "params": inh},
                    {"name": "input", "model": "parrot_neuron", "n": 4}],
    "projections": list(projections.values()),
    "stimuli": stimuli,
    "recorders": {"spikes": {"populations": ["exc", "inh"]}},
}
(out / "expected_config.json").write_text(json.dumps(config, indent=1) + "\n")
(out / "expected.json").write_text(json.dumps({"exc_ids": exc_ids, "inh_ids": inh_ids}) + "\n")
print("wrote", out)
