#pragma once
// A trained spiking network of the learning library as a simulator config.
#include <myelin/learning/training.hpp>

#include <string>

namespace myelin::io {

// The simulator config (JSON text) of a trained spiking network fed with one sample:
// lif_cuba_discrete populations `hidden` and `output` (a threshold it never reaches, so V
// is the readout's potential), explicit projections with the trained weights (delay one
// step), and the input: constant current as one dc_generator per hidden neuron (x W1),
// spikes through spike_generators into a parrot population `input` (weights W1). Hidden
// spikes of training step t carry the time stamp (t + 2) dt. The simulator stores weights
// as float: the config holds the network's weights rounded to float (the same spikes as
// training with network::round_to_float()).
std::string export_simulator_config(const learning::network& net, const learning::dataset& data, std::size_t sample);
// Why `net` cannot be exported to the simulator ("" if it can): rate layers, time
// constants per neuron, the rows encoder, no readout at the end.
std::string export_problem(const learning::network& net);

}  // namespace myelin::io
