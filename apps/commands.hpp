#pragma once
#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace myelin::apps {

// Thrown on the ranks that should end quietly because another rank reports the error.
struct quiet_exit {
    int code;
};

// The flags run and resume share.
// What went wrong, in words: std::bad_alloc says only its name.
std::string describe(const std::exception& e);

struct simulation_flags {
    std::string output;
    std::optional<int> threads;
    std::optional<spike_exchange> exchange;
    std::optional<double> checkpoint_every_ms;
    bool force = false, quiet = false;
    bool dry_run = false;          // print the network's size and memory estimate, run nothing
    bool no_memory_check = false;  // build even where the estimate exceeds the memory available
    bool stop_on_checkpoint_failure = false;  // end the run (exit 2) rather than warn and go on
    bool pin = false;                         // thread t on the t-th CPU of the affinity mask
    std::string checkpoint_files;             // "one", "per-rank"; empty: per rank with several ranks
};

struct run_options {
    std::string config;
    std::optional<std::uint32_t> seed;
    std::optional<double> t_stop_ms;
    simulation_flags flags;
};

struct resume_options {
    std::string checkpoint;
    double t_stop_ms = 0.0;
    simulation_flags flags;
};

// Every rank calls it; rank 0 prints and writes the output.
int run_command(const run_options& options, communicator& comm);
int resume_command(const resume_options& options, communicator& comm);
int info_command(const std::string& spikes_file, std::optional<double> t_start_ms, std::optional<double> t_stop_ms);
int models_command(const std::string& name);

// myelin train / eval / export (learn.cpp).
struct train_cli {
    std::string config, output;
    std::optional<int> threads, epochs;
    std::optional<std::uint32_t> seed;
    bool force = false, quiet = false;
    bool resume = false;  // continue from OUTPUT/checkpoint.h5
};
struct eval_cli {
    std::string model, data;
    std::optional<std::pair<std::size_t, std::size_t>> rows;
    double duration_s = 1.0;
    int threads = 1;
};
struct export_cli {
    std::string model, data, output;
    std::size_t sample = 0;
    double duration_s = 1.0;
    bool force = false, nir = false;
};
struct import_cli {
    std::string nir, output;
    double dt_s = 0.0;  // 0: from the file
    int steps = 0;      // 0: from the file, else 50
    bool force = false;
};
// myelin compare / convert (compare.cpp).
struct compare_cli {
    std::string a, b, report;
    std::string command_line;      // as given, for the report's provenance
    std::string label_a, label_b;  // how figures and tables name A and B (default: folder/file)
    std::vector<std::string> select_a, select_b;  // SONATA populations or NWB COLUMN=VALUE
    std::optional<double> t_start_ms, t_stop_ms;
    double bin_ms = 5.0;
    std::vector<std::string> measures{"linear_cka", "debiased_cka", "rsa", "procrustes"};
    bool measures_given = false;  // --measure given (--layer all takes one, default linear CKA)
    std::string data, layer = "hidden", trials_column;
    std::optional<std::pair<std::size_t, std::size_t>> rows;
    std::vector<double> window_s{0.0, 0.5};
    std::vector<std::string> replicas_a, replicas_b;
    bool input_baseline = false, force = false;
    int permutations = 1000, bootstrap = 1000, threads = 1;
    double level = 0.95;
    std::uint32_t seed = 1;
};
int compare_command(const compare_cli& cli);
int convert_command(const std::string& spikes, const std::string& output, bool force);

int train_command(const train_cli& cli);
int eval_command(const eval_cli& cli);
int export_command(const export_cli& cli);
int import_command(const import_cli& cli);

}  // namespace myelin::apps
