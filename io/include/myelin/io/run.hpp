#pragma once
// A run as `myelin run` and `myelin resume` make it, for any caller (the program, a
// library user, the Python module): a network loaded with overrides from a config, a
// SONATA circuit or a checkpoint; an engine advanced to t_stop with checkpoints on the
// way, its spikes streamed into a SONATA file as it goes; its other results gathered and
// written as SONATA files into an output folder.
#include <myelin/io/checkpoint.hpp>
#include <myelin/io/config.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/io/streams.hpp>
#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/model_registry.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace myelin::io {

// A network ready to build and where it came from (checkpoints keep both).
struct network_source {
    network_spec spec;
    std::string config_text;  // the Myelin config (a SONATA circuit's as converted)
    std::string config_file;  // the file it was read from
};

// A Myelin config or a SONATA circuit or simulation config (io/sonata_circuit.hpp), with
// the overrides applied and validated. Throws input_error naming the file.
network_source load_network(const std::filesystem::path& file, const config_overrides& overrides,
                            const model_registry& models);

// The network of a checkpoint with the seed it ran with; the overrides must move t_stop
// past the checkpoint's time. Throws input_error naming the checkpoint.
network_source checkpoint_network(const checkpoint_file& checkpoint, const std::filesystem::path& path,
                                  config_overrides overrides, const model_registry& models);

// The memory this process may still use: the system's available memory, or less where a
// cgroup (a container, a batch job) limits it; none if neither can be read.
std::optional<double> available_memory_bytes();

// The ranks that share this machine's memory, as the launcher says (all, if it does not).
int ranks_on_this_node(const communicator& comm);

// Refuses (input_error) a network whose estimate (estimate_memory) for `ranks_on_node`
// ranks of `ranks` on this machine exceeds what it has available, before anything is
// allocated. The message gives the estimate, the limit and the way round it.
void check_memory(const network_spec& spec, int ranks, int ranks_on_node);

// Steps between checkpoints for an interval in ms (none: 0); throws input_error
// ("--checkpoint-every") if it is shorter than a step.
step_t checkpoint_interval(const std::optional<double>& every_ms, double resolution_ms);

// Collective: advances `sim` to `until`, saving a checkpoint of `source` to `checkpoint`
// (stored as `files` says, io/checkpoint.hpp) at every multiple of `every` steps (0: none). `progress` as
// engine::run. Every `interrupt_windows` windows the ranks agree whether an interrupt
// was requested on any of them (core/interrupt.hpp); if so the run stops there, at the
// end of a window, with sim.now() < until, and (with checkpoints) saves one there. The
// spikes do not depend on where it stops.
// A checkpoint that cannot be written (a full disk) is reported on stderr by rank 0 and
// the run goes on; the previous one stays. With `stop_on_failed_checkpoint` the run stops
// there instead (checkpoint_failed, sim.now() < until unless it was the last step).
// With `streams` (every rank passes one or none, with the same flags; rank 0's functions
// are called) the recorded spikes, state samples and weights are taken from the engine
// after every stretch of `interrupt_windows` windows and before every checkpoint and
// handed over, and the checkpoints record `positions()` instead of holding them. The
// caller takes the weights once more at the end (engine::take_weight_records(true)).
struct streamed_outputs {
    bool spikes = false, traces = false, weights = false;    // what to take
    std::function<void(std::vector<spike>&&)> append_spikes;  // in (step, gid) order, later than all before
    std::function<void(std::vector<state_trace>&&)> append_traces;
    std::function<void(std::vector<weight_record>&&)> append_weights;
    std::function<std::vector<output_position>()> positions;  // flushed
};
struct advance_result {
    int checkpoints = 0;         // written
    int failed_checkpoints = 0;  // not written (counted on rank 0)
    bool interrupted = false;    // stopped early at sim.now() by a signal
    bool checkpoint_failed = false;  // stopped at sim.now() because a checkpoint failed
    double checkpoint_seconds = 0.0;  // wall time spent saving them
};
constexpr step_t interrupt_windows = 100;
advance_result advance(engine& sim, step_t until, step_t every, const std::filesystem::path& checkpoint,
                       const network_source& source, communicator& comm,
                       const std::function<void(step_t)>& progress = {}, streamed_outputs* streams = nullptr,
                       bool stop_on_failed_checkpoint = false,
                       checkpoint_files files = checkpoint_files::automatic);

// What a run recorded and kept in memory (a run that does not stream), complete on rank 0
// (empty elsewhere).
struct run_results {
    std::vector<state_trace> traces;
    std::vector<weight_record> weights;
};
run_results gather_results(engine& sim);  // collective

// The SONATA spike file of recorded spikes held in memory (spike_layout).
spike_file spike_file_of(const network_spec& spec, const std::vector<spike>& spikes, double t_stop_ms);

// A state recorder's trace without samples: what its report files hold (neurons,
// variables and units, interval).
state_trace trace_shape(const network_spec& spec, std::size_t recorder);

// The file of each state recorder's variable: "<recorder>.<variable>.h5".
std::string report_file_name(const state_trace& trace, std::size_t variable);

// The class a classifying network (network_spec::classifier) chose, from its recorder's
// report file. Throws input_error if the run recorded no sample from first_sample on.
struct classification {
    std::size_t predicted = 0;
    std::vector<double> scores;  // per class, as the readout takes them
    std::size_t samples = 0;     // samples read
};
classification classify(const network_spec& spec, const std::filesystem::path& report_file);

// Writes a report per recorded state variable and a weights file per weight recorder into
// `out` (its staging folder until committed). Returns the file names, in the order written.
std::vector<std::string> write_results(const output_dir& out, const network_spec& spec, const run_results& results);

}  // namespace myelin::io
