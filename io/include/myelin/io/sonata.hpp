#pragma once
// SONATA spike files (HDF5) and SONATA-style state reports.
//
// Spikes: /spikes/<population>/timestamps (float64, attribute units = "ms") and
// /spikes/<population>/node_ids (uint64, population-local ids), the population group's
// `sorting` attribute an HDF5 enum {none, by_id, by_time} as libsonata writes it. Myelin
// adds `n_nodes` (population size) to each population group and t_start / t_stop (ms)
// to /spikes, so that rates can be computed from the file alone.
//
// Reports: one file per recorded variable, /report/<population>/data [time x neuron]
// with attribute units, /report/<population>/mapping/{node_ids, index_pointers,
// element_ids, time = [t_start, t_stop, dt]} as the SONATA report format lays out.
#include <myelin/formats/files.hpp>  // atomic_file

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace myelin::io {

enum class spike_sorting { none = 0, by_id = 1, by_time = 2 };

struct spike_population {
    std::string name;
    std::vector<double> timestamps_ms;
    std::vector<std::uint64_t> node_ids;
    std::optional<std::uint64_t> n_nodes;  // population size, if the file says
    spike_sorting sorting = spike_sorting::none;
};

struct spike_file {
    std::vector<spike_population> populations;
    std::optional<double> t_start_ms, t_stop_ms;
    // Set where the run stopped before its end (attribute "incomplete" of /spikes): why
    // and where, e.g. "interrupted (SIGINT) at 350 ms of 1000 ms".
    std::optional<std::string> incomplete;
};

// Writes `path` whole: under a temporary name first, renamed when complete.
void write_spikes(const std::filesystem::path& path, const spike_file& spikes);

// Reads a SONATA spike file; a file that is not one gives input_error naming it.
spike_file read_spikes(const std::filesystem::path& path);

struct report {
    std::string population, variable, unit;
    std::vector<std::uint64_t> node_ids;
    double t_start_ms = 0.0, t_stop_ms = 0.0, dt_ms = 0.0;
    std::size_t n_samples = 0;
    std::vector<double> data;  // [sample * node_ids.size() + neuron]
};

void write_report(const std::filesystem::path& path, const report& r);

}  // namespace myelin::io
