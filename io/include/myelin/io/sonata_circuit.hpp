#pragma once
// SONATA circuits (Dai et al. 2020, PLoS Comput Biol 16:e1007696) as Myelin networks.
//
// `myelin run` accepts a SONATA simulation config (keys "network", "run", "inputs") or a
// circuit config (key "networks") beside Myelin's own configs. The circuit becomes a
// Myelin config (the same JSON that docs/config.md describes), so that everything
// downstream (validation, checkpoints, resume) is the same:
// - each node population is split by node type into Myelin populations (named
//   POP when it has one type, POP.TYPE_ID otherwise); their spikes are written back
//   under the SONATA population name and node ids (population key "output_as");
// - point_neuron node types: model_template "nest:NAME" (or NAME) must be a Myelin
//   model; the dynamics_params JSON file (components.point_neuron_models_dir) gives its
//   parameters in NEST's names and units;
// - virtual node types become parrot_neuron populations fed by the "spikes" inputs of
//   the simulation config (SONATA spike files): a node spiking at t fires at t (rounded
//   up to the grid), as NEST's spike_generator would; the earliest such time is 2 dt;
// - edges become explicit projections per (source type, target type, edge type):
//   weight = syn_weight x nsyns (BMTK's PointNet convention), delay in ms; the edge
//   type's model_template names the synapse model (static_synapse or a Myelin
//   plastic synapse) and its dynamics_params file (components.synaptic_models_dir) its
//   parameters;
// - "run": tstop, dt (default 0.1 ms) and random_seed.
// Refused by name: biophysical and single_compartment nodes, per-node dynamics_params
// (an H5 dynamics_params group), non-spike inputs, models Myelin does not have, and any
// parameter the model does not know.
#include <myelin/simulator/model_registry.hpp>

#include <filesystem>
#include <string>

namespace myelin::io {

// True for a JSON file that has "network" or "networks" at the top level.
bool is_sonata_config(const std::filesystem::path& file);

// The Myelin config (JSON text) of the circuit; throws input_error naming the file, the
// table or dataset and what is not supported. Models and their parameter names are
// checked against `models` here, so that errors name the node or edge type.
std::string sonata_to_config(const std::filesystem::path& file, const model_registry& models);

}  // namespace myelin::io
