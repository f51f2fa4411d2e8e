#pragma once
// Recorded spikes and state samples written into their SONATA files as a run goes
// (io/sonata.hpp has the layouts), so that the memory they take does not grow with the
// run's length.
//
// The run hands over what was recorded in batches, each later than the one before
// (io::advance takes them from the engine every `interrupt_windows` windows). Spikes come
// in (step, gid) order: appended so, every population is sorted by time (ties by node id)
// and the file says `sorting = by_time`. Reports grow by rows (samples). The datasets are
// identical to those of a file written whole; they are chunked so that they can grow.
//
// A checkpoint records how far each file is written (output_position): rows per dataset
// and a CRC-32 of their bytes. `myelin resume` finds the file beside the checkpoint (or in
// the staging folder of a run that crashed), checks those rows against the checksums, cuts
// off what was written after the checkpoint and goes on appending.
#include <myelin/core/types.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace myelin::io {

// Where each recorded population's spikes go in the file: its output name (populations
// with output_as, SONATA imports, share the file population they name) and node ids.
class spike_layout {
public:
    explicit spike_layout(const network_spec& spec);
    // The file's populations, without spikes: names, n_nodes, sorting by_time.
    spike_file empty_file() const;
    // `spikes`, sorted by (step, gid), as the file's populations (each in time order).
    spike_file convert(const std::vector<spike>& spikes) const;

private:
    const network_spec* spec_;
    double h_;
    std::vector<global_id> first_gid_;
    std::vector<std::size_t> slot_;  // per spec population: its file population (SIZE_MAX: not recorded)
    spike_file empty_;
};

// How far a streamed file is written. No path: the same run in another folder writes the
// same checkpoint bytes; the file is looked for beside the checkpoint.
struct output_position {
    std::string file;                 // its name in the output folder
    std::vector<std::uint64_t> rows;  // per dataset written (spike files: each population's timestamps, node_ids)
    std::vector<std::uint32_t> crc;   // CRC-32 of each dataset's rows
};

// What spike and report streams share: the open file, its growing datasets and their
// checksums.
class output_stream {
public:
    virtual ~output_stream();
    output_stream(const output_stream&) = delete;
    output_stream& operator=(const output_stream&) = delete;
    // Everything appended so far, flushed to disk.
    output_position position();

protected:
    struct impl;
    explicit output_stream(std::string name);
    std::unique_ptr<impl> impl_;
};

class spike_stream final : public output_stream {
public:
    // A new file at `path` with the layout's populations and no spikes yet.
    spike_stream(const spike_layout& layout, const std::filesystem::path& path);
    // Continues the file at `path` (a copy of the one the checkpoint's run wrote): the rows
    // `at` records must match its checksums, later ones are cut off. Throws input_error
    // naming `shown_as` if the file does not hold them.
    spike_stream(const spike_layout& layout, const std::filesystem::path& path, const output_position& at,
                 const std::string& shown_as);
    // Appends a batch as spike_layout::convert gives it.
    void append(const spike_file& batch);
    // Calls `seen` with the spikes written so far, population by population, in parts of
    // bounded size (for statistics of a continued file).
    void read_back(const std::function<void(std::size_t population, const spike_population& part)>& seen) const;
    // Writes t_start = 0 and t_stop (and `incomplete`, if given) and closes the file.
    void close(double t_stop_ms, const std::optional<std::string>& incomplete);
};

// The report of one variable of a state recorder: /report/<population>/data grows by a row
// per sample; the mapping (and its time = [0, samples * dt, dt]) is written at close.
class report_stream final : public output_stream {
public:
    // `shape`: the recorder's trace (neurons, variables, units, dt), with or without samples.
    report_stream(const state_trace& shape, std::size_t variable, const std::string& population,
                  const std::filesystem::path& path);
    report_stream(const state_trace& shape, std::size_t variable, const std::string& population,
                  const std::filesystem::path& path, const output_position& at, const std::string& shown_as);
    // The batch's samples of this stream's variable.
    void append(const state_trace& batch);
    void close();

private:
    std::size_t variable_;
    std::vector<std::uint64_t> node_ids_;
    double dt_ms_;
};

// A weight recorder's file (io/weight_file.hpp has the layout): snapshots grow by a row,
// events by their rows; the file is made with the first batch (which says how many
// synapses there are) and the synapse list is written at close.
class weight_stream final : public output_stream {
public:
    weight_stream(const network_spec& spec, std::size_t recorder, const std::filesystem::path& path);
    weight_stream(const network_spec& spec, std::size_t recorder, const std::filesystem::path& path,
                  const output_position& at, const std::string& shown_as);
    void append(const weight_record& batch);
    void close();

private:
    void create(std::size_t synapses);
    const network_spec* spec_;
    std::size_t recorder_;
    std::filesystem::path path_;
    std::vector<std::uint64_t> source_, target_;
    std::optional<std::size_t> synapses_;  // known from the first batch (or the continued file)
};

// The file of a checkpoint's output position, looked for where its run wrote it: beside
// the checkpoint (committed there by a run that ended or was interrupted), then in staging
// folders of that folder left by runs that crashed (output_dir). Each candidate is copied
// to `to` and `open(shown_as)` is called to continue it there (it throws input_error if
// the file does not hold the recorded rows); the first that opens wins. Throws
// input_error naming the checkpoint and every place with why it was refused.
void continue_output(const output_position& at, const std::filesystem::path& checkpoint,
                     const std::filesystem::path& to, const std::function<void(const std::string& shown_as)>& open);

}  // namespace myelin::io
