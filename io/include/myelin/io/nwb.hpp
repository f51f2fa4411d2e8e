#pragma once
// NWB 2.x (Neurodata Without Borders, Rübel et al. 2022, eLife 11:e78362) spike data:
// the units table and the trial / epoch intervals, read from files written by PyNWB,
// MatNWB or any tool that follows the schema, and the simulator's spikes written as a
// units table.
//
// Layout (NWB core schema 2.x, hdmf-common DynamicTable):
//   /                 attributes nwb_version "2.x.y", neurodata_type "NWBFile"
//   /units            spike_times (seconds, all units concatenated), spike_times_index
//                     (one past the last spike of each unit), id; other columns of one
//                     value per unit (e.g. location, quality) are kept as text
//   /intervals/trials start_time, stop_time (s) and one-value-per-trial columns
//   /intervals/epochs the same
// Tolerated variations seen in real files: id missing (0, 1, ...), float32 times, any
// integer type of index, units without spikes, fixed-length strings, columns with an
// _index (ragged: obs_intervals, electrodes, tags) and multi-dimensional columns
// (waveforms), which are skipped. A file without nwb_version 2.x is refused.
#include <myelin/io/sonata.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace myelin::io {

struct nwb_table {
    std::vector<std::int64_t> ids;
    // Columns with one value per row: numbers (as double) or text.
    std::map<std::string, std::vector<double>> numbers;
    std::map<std::string, std::vector<std::string>> text;
    std::size_t rows() const { return ids.size(); }
    // A column as text (numbers printed shortest-exact); throws std::out_of_range if absent.
    std::vector<std::string> column_text(const std::string& name) const;
};

struct nwb_units {
    nwb_table table;
    std::vector<std::vector<double>> spike_times_s;  // per unit (row of the table), sorted
};

struct nwb_file {
    std::string nwb_version, identifier, session_description;
    nwb_units units;                             // empty if the file has no units table
    std::optional<nwb_table> trials, epochs;     // start_time and stop_time are in numbers
};

// Reads `path`; a file that is not NWB 2.x, or a units table that does not hold
// together (index beyond the data, decreasing index), gives input_error naming the file
// and the dataset.
nwb_file read_nwb(const std::filesystem::path& path);

// Writes the spikes of every population as one units table: a unit per neuron (ids
// 0, 1, ... in population order, then node id), spike times in seconds, the columns
// `population` (text) and `node_id`; t_start/t_stop of the run as the session's single
// epoch. Written under a temporary name, renamed when complete.
// The date NWB files carry (file_create_date, session_start_time): now, or the time the
// environment's SOURCE_DATE_EPOCH gives (seconds since 1970, the reproducible-builds
// convention), so that two conversions can give the same bytes. Throws input_error for a
// value that is not such a number.
std::chrono::sys_seconds creation_time();

void write_nwb(const std::filesystem::path& path, const spike_file& spikes, const std::string& identifier,
               const std::string& session_description);

}  // namespace myelin::io
