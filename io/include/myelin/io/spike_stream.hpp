#pragma once
// Recorded spikes written into a SONATA spike file as a run goes (io/sonata.hpp has the
// layout), so that the memory they take does not grow with the run's length.
//
// The run hands over its spikes in batches, each in (step, gid) order and later than the
// one before (io::advance drains the engine every `interrupt_windows` windows). Appended
// in that order every population is sorted by time (ties by node id) and the file says
// `sorting = by_time`; the datasets are identical to those of a file written whole.
// A checkpoint records how far the file is written (spike_file_position): rows per
// population and a CRC-32 of their bytes. `myelin resume` finds the file, checks those
// rows against the checksums, cuts off what was written after the checkpoint and goes on
// appending.
#include <myelin/core/types.hpp>
#include <myelin/io/sonata.hpp>
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

// How far a streamed spike file is written. No path: the same run in another folder
// writes the same checkpoint bytes; the file is looked for beside the checkpoint.
struct spike_file_position {
    std::vector<std::uint64_t> rows;  // spikes written, per population in file order
    std::vector<std::uint32_t> crc;   // CRC-32 of each population's timestamps, then of its node_ids
};

class spike_stream {
public:
    // A new file at `path` with the layout's populations and no spikes yet.
    spike_stream(const spike_layout& layout, const std::filesystem::path& path);
    // Continues the file at `path` (a copy the caller made of the file the checkpoint
    // wrote): its first `at.rows` spikes per population must match `at.crc`, later ones are
    // cut off. Throws input_error naming `shown_as` if the file does not hold them.
    spike_stream(const spike_layout& layout, const std::filesystem::path& path, const spike_file_position& at,
                 const std::string& shown_as);
    ~spike_stream();
    spike_stream(const spike_stream&) = delete;
    spike_stream& operator=(const spike_stream&) = delete;

    // Appends a batch as spike_layout::convert gives it.
    void append(const spike_file& batch);
    // Everything appended so far, flushed to disk.
    spike_file_position position();
    // Calls `seen` with the spikes written so far, population by population, in batches
    // of bounded size (for statistics of a continued file).
    void read_back(const std::function<void(std::size_t population, const spike_population& part)>& seen) const;
    // Writes t_start = 0 and t_stop (and `incomplete`, if given) and closes the file.
    void close(double t_stop_ms, const std::optional<std::string>& incomplete);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The file a checkpoint's spike position describes, looked for where its run wrote it:
// `name` beside the checkpoint (committed there by a run that ended or was interrupted),
// then in staging folders of that folder left by runs that crashed (output_dir). The first
// that holds the recorded spikes is copied to `to` and continued. Throws input_error if
// none does, naming the places and why each was refused.
std::unique_ptr<spike_stream> continue_spike_file(const spike_layout& layout, const spike_file_position& at,
                                                  const std::filesystem::path& checkpoint, const std::string& name,
                                                  const std::filesystem::path& to);

}  // namespace myelin::io
