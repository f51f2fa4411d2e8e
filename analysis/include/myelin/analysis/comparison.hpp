#pragma once
// The comparisons of `myelin compare` as calls (docs/compare.md). Each returns its numbers
// as plain structs; `report_of` turns them into what the program prints and writes: the
// text table, report.json and the report's figures. A library user gets the same numbers
// from the same calls as the program.
#include <myelin/analysis/compare_inputs.hpp>
#include <myelin/analysis/spike_stats.hpp>
#include <myelin/analysis/statistics.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace myelin::io {
class output_dir;
}

namespace myelin::analysis {

// ---- spike trains against spike trains ----

// One quantity with a value per neuron (correlations: per pair of neurons) on each side.
struct sample_comparison {
    std::string key, label;      // "rate", "firing rate (Hz)"
    std::vector<double> a, b;    // undefined values (a CV of fewer than 3 spikes) left out
    std::optional<ks_result> ks;  // none where a side has no values
    double wasserstein_1 = NAN;
};

struct spike_comparison {
    spike_trains a, b;
    double bin_ms = 5.0;  // spike-count bins of the correlations and the synchrony
    // rate (Hz), CV of ISIs, local variation, spike-count correlation: in this order.
    std::vector<sample_comparison> quantities;
    // Golomb's chi of each side's correlated neurons: up to 200, evenly spread over the
    // selection (deterministic); silent pairs are left out of the correlations.
    double synchrony_a = NAN, synchrony_b = NAN;
    std::size_t correlated_a = 0, correlated_b = 0;
};

spike_comparison compare_spikes(spike_trains a, spike_trains b, double bin_ms);

// ---- representations (conditions x units) ----

struct representation_settings {
    std::vector<representation_measure> measures;
    int permutations = 1000, bootstrap = 1000;
    double level = 0.95;  // of the bootstrap intervals
    std::uint32_t seed = 1;
};

struct measure_comparison {
    representation_measure measure;
    permutation_result permutation;  // the value A vs B, its p and the shuffled null
    interval ci;                     // bias-corrected bootstrap; NaN where the resamples are biased
    std::optional<double> a_vs_input, b_vs_input;        // with a raw-input baseline
    std::vector<double> a_across_seeds, b_across_seeds;  // each pair of A and its replicas (B alike)
};

struct representation_comparison {
    representation a, b;
    representation_settings settings;
    // The condition (class) of each stimulus where known (the labels of --data): the
    // report's RDMs are drawn in condition order.
    std::vector<std::string> conditions;
    bool with_input = false, with_replicas_a = false, with_replicas_b = false;
    std::vector<measure_comparison> measures;
};

// Every side (A, B, the raw input, each replica) must have the same stimuli in the same
// order, at least 4; throws input_error naming the file that differs. Uses OpenMP's
// thread count (omp_set_num_threads); the numbers do not depend on it.
representation_comparison compare_representations(representation a, representation b, representation_settings settings,
                                                   const std::optional<representation>& input = std::nullopt,
                                                   const std::vector<representation>& replicas_a = {},
                                                   const std::vector<representation>& replicas_b = {});

// ---- two trained networks, layer by layer ----

// The measure for every layer of A against every layer of B (Kornblith et al. 2019,
// Fig. 4), and, with replicas (the same network trained with other seeds), each side's
// layers against its replicas' (averaged over the replicas): what "alike" means between
// two trainings of one network.
struct layer_comparison {
    layered_representation a, b;
    representation_measure measure;
    matrix values;                                 // layers of A x layers of B
    std::optional<matrix> a_across_seeds, b_across_seeds;  // A x A's replicas, B alike
    std::size_t replicas_a = 0, replicas_b = 0;
};
// Every side must have the same stimuli (rows), at least 4; throws input_error naming the
// file that differs. Uses OpenMP's thread count; the numbers do not depend on it.
layer_comparison compare_layers(layered_representation a, layered_representation b, const representation_measure& m,
                                const std::vector<layered_representation>& replicas_a = {},
                                const std::vector<layered_representation>& replicas_b = {});

// ---- spikes against published population statistics ----

// A JSON file of values published per population (docs/compare.md), e.g.
// examples/compare/microcircuit/pd14_published.json.
struct published_set {
    std::string label;
    // population -> value; none where the set does not publish the quantity
    std::optional<std::map<std::string, double>> rate_Hz, cv_isi;
};
struct published_statistics {
    std::string file, source;
    std::optional<std::pair<double, double>> window_ms;
    std::vector<published_set> sets;
};
published_statistics load_published(const std::string& file);

struct published_comparison {
    std::string file;  // the SONATA spike file
    double t0 = 0.0, t1 = 0.0;
    published_statistics published;
    std::vector<population_stats> populations;  // the file's, in its order
};

// The window: the given times, else the published one, else the file's run. Throws
// input_error where a set names a population the file lacks.
published_comparison compare_published(const std::string& spike_file, published_statistics published,
                                       std::optional<double> t_start_ms, std::optional<double> t_stop_ms);

// ---- the report ----

struct comparison_report {
    std::string title;                 // "Myelin comparison: spikes"
    std::string text;                  // what the program prints: the sides and the table
    std::string json;                  // report.json
    std::vector<std::string> figures;  // SVG, in the page's order (empty unless asked for)
    std::vector<std::string> notes;    // how to read the numbers, a sentence or two each
};

comparison_report report_of(const spike_comparison& c, bool figures = true);
comparison_report report_of(const representation_comparison& c, bool figures = true);
comparison_report report_of(const published_comparison& c, bool figures = true);
comparison_report report_of(const layer_comparison& c, bool figures = true);

// Where a report came from, for its footer and report.json: the command, the files read
// (each with its CRC-32) and the seed of the resampling; write_report adds Myelin's
// version and commit and the date (SOURCE_DATE_EPOCH where set, as io::creation_time).
struct provenance {
    std::string command;
    std::vector<std::string> inputs;
    std::optional<std::uint32_t> seed;
};

// report.json, report.html, and each figure as figure_NN.svg (and .png where
// rsvg-convert is on PATH) into the folder, then moved into place (out.commit()).
void write_report(const comparison_report& r, io::output_dir& out, const provenance& from = {});

}  // namespace myelin::analysis
