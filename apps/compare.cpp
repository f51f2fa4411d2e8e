// myelin compare A B: spike statistics of two spike files, or representation measures of
// two stimulus x unit matrices, as a table, report.json and a self-contained report.html.
// The comparisons are analysis calls (analysis/comparison.hpp); this file reads the flags.
#include "commands.hpp"

#include <myelin/analysis/compare_inputs.hpp>
#include <myelin/analysis/comparison.hpp>
#include <myelin/core/error.hpp>
#include <myelin/io/matrix.hpp>
#include <myelin/io/nwb.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/sonata.hpp>

#include <fmt/format.h>
#include <omp.h>

#include <filesystem>
#include <optional>

namespace myelin::apps {

namespace {

// Prints the table; with --report, writes report.json, report.html and the figures and
// moves them into place. `resampled`: the comparison drew with --seed.
int finish(const analysis::comparison_report& r, std::optional<io::output_dir>& out, const compare_cli& cli,
           bool resampled = false) {
    fmt::print("{}", r.text);
    if (!out) return 0;
    analysis::provenance from{cli.command_line, {cli.a, cli.b}, std::nullopt};
    for (const auto* files : {&cli.replicas_a, &cli.replicas_b}) from.inputs.insert(from.inputs.end(), files->begin(), files->end());
    if (!cli.data.empty()) from.inputs.push_back(cli.data);
    if (resampled) from.seed = cli.seed;
    analysis::write_report(r, *out, from);
    fmt::print("\nreport: {}/report.html, report.json, figure_NN.svg\n", out->final_dir().string());
    return 0;
}

// The --report folder (staged: nothing appears there unless the comparison succeeds).
void open_report(const compare_cli& cli, std::optional<io::output_dir>& out) {
    if (!cli.report.empty()) out.emplace(cli.report, cli.force);
}

int compare_spikes(const compare_cli& cli, io::file_kind kind_a, io::file_kind kind_b) {
    auto a = analysis::load_spike_trains(cli.a, kind_a, cli.select_a, "--select-a", cli.t_start_ms, cli.t_stop_ms);
    auto b = analysis::load_spike_trains(cli.b, kind_b, cli.select_b, "--select-b", cli.t_start_ms, cli.t_stop_ms);
    for (const auto* s : {&a, &b})
        if (!s->warning.empty()) fmt::print(stderr, "myelin: warning: {}\n", s->warning);
    if (!cli.label_a.empty()) a.label = cli.label_a;
    if (!cli.label_b.empty()) b.label = cli.label_b;
    std::optional<io::output_dir> out;
    open_report(cli, out);
    const auto c = analysis::compare_spikes(std::move(a), std::move(b), cli.bin_ms);
    return finish(analysis::report_of(c, out.has_value()), out, cli);
}

int compare_representations(const compare_cli& cli, io::file_kind kind_a, io::file_kind kind_b) {
    const analysis::representation_options options{cli.data, cli.layer, cli.trials_column, cli.rows, cli.window_s, cli.threads};
    auto a = analysis::load_representation(cli.a, kind_a, "A", options);
    auto b = analysis::load_representation(cli.b, kind_b, "B", options);
    if (!cli.label_a.empty()) a.label = cli.label_a;
    if (!cli.label_b.empty()) b.label = cli.label_b;
    analysis::representation_settings settings{{}, cli.permutations, cli.bootstrap, cli.level, cli.seed};
    for (const auto& text : cli.measures) {
        try {
            settings.measures.push_back(analysis::parse_measure(text));
        } catch (const std::invalid_argument& e) {
            throw input_error("", "--measure", e.what());
        }
    }
    auto replicas = [&](const std::vector<std::string>& files, const char* flag) {
        std::vector<analysis::representation> out;
        for (const auto& f : files) out.push_back(analysis::load_representation(f, io::detect_file(f), flag, options));
        return out;
    };
    const auto rep_a = replicas(cli.replicas_a, "--replicas-a"), rep_b = replicas(cli.replicas_b, "--replicas-b");
    std::optional<analysis::representation> input;
    if (cli.input_baseline) {
        if (cli.data.empty()) throw input_error("", "--input-baseline", "needs --data: the stimuli's raw features");
        input = analysis::load_raw_input(cli.data, cli.rows, "--input-baseline");
    }
    // The stimuli's classes (a CSV data file's labels) order the report's RDMs.
    std::vector<std::string> conditions;
    if (input) conditions = input->conditions;
    else if (cli.data.ends_with(".csv")) conditions = analysis::load_raw_input(cli.data, cli.rows, "--data").conditions;
    std::optional<io::output_dir> out;
    open_report(cli, out);
    omp_set_num_threads(cli.threads);
    auto c = analysis::compare_representations(std::move(a), std::move(b), std::move(settings), input, rep_a, rep_b);
    c.conditions = std::move(conditions);
    return finish(analysis::report_of(c, out.has_value()), out, cli, true);
}

// --layer all: every layer of model A against every layer of model B.
int compare_layers(const compare_cli& cli, io::file_kind kind_a, io::file_kind kind_b) {
    if (cli.input_baseline) throw input_error("", "--input-baseline", "is for one layer; --layer all compares every layer");
    const analysis::representation_options options{cli.data, cli.layer, cli.trials_column, cli.rows, cli.window_s, cli.threads};
    auto a = analysis::load_layers(cli.a, kind_a, "A", options);
    auto b = analysis::load_layers(cli.b, kind_b, "B", options);
    if (!cli.label_a.empty()) a.label = cli.label_a;
    if (!cli.label_b.empty()) b.label = cli.label_b;
    analysis::representation_measure measure;
    if (cli.measures_given && cli.measures.size() > 1) throw input_error("", "--measure", "--layer all takes one measure");
    if (cli.measures_given) {
        try {
            measure = analysis::parse_measure(cli.measures.front());
        } catch (const std::invalid_argument& e) {
            throw input_error("", "--measure", e.what());
        }
    }
    auto replicas = [&](const std::vector<std::string>& files, const char* flag) {
        std::vector<analysis::layered_representation> out;
        for (const auto& f : files) out.push_back(analysis::load_layers(f, io::detect_file(f), flag, options));
        return out;
    };
    const auto rep_a = replicas(cli.replicas_a, "--replicas-a"), rep_b = replicas(cli.replicas_b, "--replicas-b");
    std::optional<io::output_dir> out;
    open_report(cli, out);
    omp_set_num_threads(cli.threads);
    const auto c = analysis::compare_layers(std::move(a), std::move(b), measure, rep_a, rep_b);
    return finish(analysis::report_of(c, out.has_value()), out, cli);
}

int compare_published(const compare_cli& cli) {
    auto published = analysis::load_published(cli.b);
    std::optional<io::output_dir> out;
    open_report(cli, out);
    const auto c = analysis::compare_published(cli.a, std::move(published), cli.t_start_ms, cli.t_stop_ms);
    return finish(analysis::report_of(c, out.has_value()), out, cli);
}

}  // namespace

int compare_command(const compare_cli& cli) {
    const auto kind_a = io::detect_file(cli.a), kind_b = io::detect_file(cli.b);
    if (kind_b == io::file_kind::json) {
        if (kind_a != io::file_kind::sonata_spikes)
            throw input_error(cli.a, "", "published population statistics are compared with a SONATA spike file");
        return compare_published(cli);
    }
    if (kind_a == io::file_kind::json) throw input_error(cli.a, "", "give the published statistics (.json) as B");
    auto is_spikes = [&](io::file_kind k) {
        return k == io::file_kind::sonata_spikes || (k == io::file_kind::nwb && cli.trials_column.empty());
    };
    if (is_spikes(kind_a) != is_spikes(kind_b))
        throw input_error(cli.b, "", fmt::format("{} holds {} but {} holds {}: compare spikes with spikes, representations "
                                                 "with representations (an NWB file is a representation with --trials)",
                                                 cli.a, is_spikes(kind_a) ? "spikes" : "a representation", cli.b,
                                                 is_spikes(kind_b) ? "spikes" : "a representation"));
    if (cli.layer == "all") return compare_layers(cli, kind_a, kind_b);
    return is_spikes(kind_a) ? compare_spikes(cli, kind_a, kind_b) : compare_representations(cli, kind_a, kind_b);
}

int convert_command(const std::string& spikes, const std::string& output, bool force) {
    if (std::filesystem::exists(output) && !force)
        throw input_error(output, "", "exists; pass --force to replace it");
    if (!output.ends_with(".nwb")) throw input_error(output, "", "the output name must end in .nwb");
    const auto file = io::read_spikes(spikes);
    io::write_nwb(output, file, std::filesystem::path(spikes).stem().string(),
                  "Spikes simulated with Myelin, converted from " + std::filesystem::path(spikes).filename().string());
    std::size_t n = 0;
    for (const auto& p : file.populations) n += p.timestamps_ms.size();
    fmt::print("{}: {} spikes of {} population{} as an NWB units table\n", output, n, file.populations.size(),
               file.populations.size() == 1 ? "" : "s");
    return 0;
}

}  // namespace myelin::apps
