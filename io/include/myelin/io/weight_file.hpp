#pragma once
// Weight recorder files (HDF5), one per recorder, <name>.weights.h5:
//   /weights                 attributes: projection (index), source, target (population
//                            names), synapse (model, "static" if none), units (the target
//                            model's weight unit)
//   /weights/source, target  uint64[n]: the recorded synapses, by (target, source)
//   /weights/snapshots/time  float64[T], ms;  /weights/snapshots/data float64[T x n]
//   /weights/events/time, source, target, weight   one row per passing presynaptic spike
// Weights are stored by the simulator in single precision; the file holds them exactly.
// `myelin run` writes this layout as the run goes (io::weight_stream); write_weights writes
// a record held in memory whole.
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <filesystem>

namespace myelin::io {

// Writes `path` whole (temporary name, renamed when complete).
void write_weights(const std::filesystem::path& path, const weight_record& w, const network_spec& spec);

}  // namespace myelin::io
