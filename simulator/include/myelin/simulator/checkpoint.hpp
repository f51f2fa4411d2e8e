#pragma once
// How the engine's complete state leaves and re-enters it, as named one-dimensional
// arrays, independent of how the network is split into ranks and threads. The io library
// implements both ends in HDF5 (io/checkpoint.hpp); the simulator knows no file format.
//
// Arrays (n_p: size of population p, S: ring buffer rows, all in gid order):
//   engine/now                          int64[1]   the step the state belongs to
//   populations/<p>/state/<variable>    double[n_p]
//   populations/<p>/counters/<name>     int32[n_p]
//   ring/<channel>/<p>                  double[n_p * S]  input arriving at now+1+r, r < S
//   pending/step, pending/gid           int64[], uint64[]  spikes of the current window
//                                                           not yet delivered
//   projections/<j>/count               uint32[n_target]  synapses per target
//   projections/<j>/source              uint32[]   by target, then as stored
//   projections/<j>/weight, /delay      float[], uint16[] (steps), if they vary (weights
//                                                  always for plastic rules and scaling)
//   projections/<j>/state/<variable>    double[]   synapse model state, if any
//   projections/<j>/pre/last            int64[n_source]  plastic rules: each source's last
//                                                  spike stamp (-1: none yet)
//   projections/<j>/pre/<trace>         double[n_source] its presynaptic traces just after it
//   projections/<j>/scaling/activity, /updated  double[n_target], int64[n_target]
//   populations/<p>/history/count       uint32[n_p]  postsynaptic spikes kept per neuron
//   populations/<p>/history/step, /reads  int64[], uint32[]  their stamps and read counts
//   populations/<p>/history/before/<s>  double[]   trace s just before each
//   recorder/weights/<r>/n_snapshots    uint64[1]
//   recorder/weights/<r>/weights        float[n_snapshots * synapses]
//   recorder/weights/<r>/events/{time, source, target, weight}
//   recorder/spikes/step, /gid          int64[], uint64[]
//   recorder/state/<r>/n_samples        uint64[1]
//   recorder/state/<r>/<variable>       double[n_samples * neurons]
#include <cstdint>
#include <span>
#include <string>

namespace myelin {

// Two kinds of arrays: a whole array (`write`), of which only rank 0's call is kept (the
// other ranks' calls are ignored), and an array that is the concatenation of every rank's
// piece in rank order (`write_piece`: collective, every rank calls it for the same arrays
// in the same order). Ranks own contiguous, ascending ranges of every population, so the
// concatenation is in gid order; how the pieces are stored (gathered into one file, or a
// file per rank) is the writer's choice.
class checkpoint_writer {
public:
    virtual ~checkpoint_writer() = default;
    virtual void write(const std::string& name, std::span<const double> values) = 0;
    virtual void write(const std::string& name, std::span<const float> values) = 0;
    virtual void write(const std::string& name, std::span<const std::int32_t> values) = 0;
    virtual void write(const std::string& name, std::span<const std::int64_t> values) = 0;
    virtual void write(const std::string& name, std::span<const std::uint16_t> values) = 0;
    virtual void write(const std::string& name, std::span<const std::uint32_t> values) = 0;
    virtual void write(const std::string& name, std::span<const std::uint64_t> values) = 0;
    virtual void write_piece(const std::string& name, std::span<const double> piece) = 0;
    virtual void write_piece(const std::string& name, std::span<const float> piece) = 0;
    virtual void write_piece(const std::string& name, std::span<const std::int32_t> piece) = 0;
    virtual void write_piece(const std::string& name, std::span<const std::int64_t> piece) = 0;
    virtual void write_piece(const std::string& name, std::span<const std::uint16_t> piece) = 0;
    virtual void write_piece(const std::string& name, std::span<const std::uint32_t> piece) = 0;
    virtual void write_piece(const std::string& name, std::span<const std::uint64_t> piece) = 0;
};

// Reads fail with input_error naming the file and the array (missing, of another type,
// or shorter than asked): a checkpoint is user input.
class checkpoint_reader {
public:
    virtual ~checkpoint_reader() = default;
    virtual bool has(const std::string& name) = 0;
    virtual std::uint64_t size(const std::string& name) = 0;
    // Elements [first, first + out.size()) of the array.
    virtual void read(const std::string& name, std::uint64_t first, std::span<double> out) = 0;
    virtual void read(const std::string& name, std::uint64_t first, std::span<float> out) = 0;
    virtual void read(const std::string& name, std::uint64_t first, std::span<std::int32_t> out) = 0;
    virtual void read(const std::string& name, std::uint64_t first, std::span<std::int64_t> out) = 0;
    virtual void read(const std::string& name, std::uint64_t first, std::span<std::uint16_t> out) = 0;
    virtual void read(const std::string& name, std::uint64_t first, std::span<std::uint32_t> out) = 0;
    virtual void read(const std::string& name, std::uint64_t first, std::span<std::uint64_t> out) = 0;
};

}  // namespace myelin
