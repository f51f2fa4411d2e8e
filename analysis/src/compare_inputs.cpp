// The inputs of a comparison (analysis/compare_inputs.hpp).
#include <myelin/analysis/compare_inputs.hpp>

#include <myelin/analysis/recording.hpp>
#include <myelin/core/error.hpp>
#include <myelin/learning/files.hpp>
#include <myelin/io/nwb.hpp>
#include <myelin/io/sonata.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>

namespace myelin::analysis {


namespace {

double last_spike(const std::vector<std::vector<double>>& trains) {
    double last = 0.0;
    for (const auto& t : trains)
        if (!t.empty()) last = std::max(last, t.back());
    return last;
}

}  // namespace

std::string default_label(const std::string& path) {
    const std::filesystem::path p(path);
    const std::string folder = p.parent_path().filename().string();
    return folder.empty() || folder == "." ? p.filename().string() : folder + "/" + p.filename().string();
}

spike_trains load_spike_trains(const std::string& path, io::file_kind kind, const std::vector<std::string>& select,
                               const std::string& flag, std::optional<double> t_start_ms, std::optional<double> t_stop_ms) {
    spike_trains s;
    s.file = path;
    s.label = default_label(path);
    std::optional<double> file_t0, file_t1;
    if (kind == io::file_kind::sonata_spikes) {
        const auto f = io::read_spikes(path);
        file_t0 = f.t_start_ms;
        file_t1 = f.t_stop_ms;
        std::vector<std::string> names;
        for (const auto& p : f.populations) names.push_back(p.name);
        for (const auto& want : select)
            if (std::find(names.begin(), names.end(), want) == names.end())
                throw input_error(path, flag, fmt::format("no population '{}' (the file has: {})", want, fmt::join(names, ", ")));
        for (const auto& p : f.populations) {
            if (!select.empty() && std::find(select.begin(), select.end(), p.name) == select.end()) continue;
            std::uint64_t n = p.n_nodes.value_or(0);
            for (auto id : p.node_ids) n = std::max(n, id + 1);
            std::vector<std::vector<double>> per(n);
            for (std::size_t k = 0; k < p.node_ids.size(); ++k) per[p.node_ids[k]].push_back(p.timestamps_ms[k]);
            for (auto& t : per) std::sort(t.begin(), t.end());
            s.trains.insert(s.trains.end(), per.begin(), per.end());
        }
        s.selection = select.empty() ? "all populations" : "populations " + fmt::format("{}", fmt::join(select, ", "));
    } else {
        const auto f = io::read_nwb(path);
        if (f.units.table.rows() == 0) throw input_error(path, "", "the NWB file has no units table");
        std::vector<bool> keep(f.units.table.rows(), true);
        for (const auto& sel : select) {
            const auto eq = sel.find('=');
            if (eq == std::string::npos)
                throw input_error(path, flag, fmt::format("'{}': select NWB units as COLUMN=VALUE (e.g. location=V1)", sel));
            const auto column = sel.substr(0, eq), value = sel.substr(eq + 1);
            std::vector<std::string> text;
            if (column == "id") {
                for (auto id : f.units.table.ids) text.push_back(std::to_string(id));
            } else {
                try {
                    text = f.units.table.column_text(column);
                } catch (const std::out_of_range&) {
                    std::vector<std::string> names{"id"};
                    for (const auto& [k, v] : f.units.table.text) names.push_back(k);
                    for (const auto& [k, v] : f.units.table.numbers) names.push_back(k);
                    throw input_error(path, flag, fmt::format("the units table has no column '{}' (it has: {})", column,
                                                              fmt::join(names, ", ")));
                }
            }
            for (std::size_t u = 0; u < keep.size(); ++u) keep[u] = keep[u] && text[u] == value;
        }
        for (std::size_t u = 0; u < keep.size(); ++u) {
            if (!keep[u]) continue;
            std::vector<double> t;
            for (double x : f.units.spike_times_s[u]) {
                if (!std::isfinite(x))
                    throw input_error(path, "", fmt::format("unit {} has a spike at {} s; spike times must be finite",
                                                            f.units.table.ids[u], x));
                t.push_back(x * 1000.0);
            }
            s.trains.push_back(std::move(t));
        }
        if (f.epochs && !f.epochs->numbers.at("start_time").empty()) {
            const auto& a = f.epochs->numbers.at("start_time");
            const auto& b = f.epochs->numbers.at("stop_time");
            file_t0 = *std::min_element(a.begin(), a.end()) * 1000.0;
            file_t1 = *std::max_element(b.begin(), b.end()) * 1000.0;
        }
        s.selection = select.empty() ? "all units" : fmt::format("units with {}", fmt::join(select, " and "));
    }
    if (s.trains.empty()) throw input_error(path, flag, "the selection holds no neurons");
    s.t0 = t_start_ms.value_or(file_t0.value_or(0.0));
    s.t1 = t_stop_ms.value_or(file_t1.value_or(std::nextafter(last_spike(s.trains), INFINITY)));
    if (!(s.t1 > s.t0))
        throw input_error(path, "--t-stop", fmt::format("window {} to {} ms is empty", s.t0, s.t1));
    // Outside the recording the trains are silent for want of data, not for want of
    // spikes: the window is clipped to the recording, and the caller told.
    // (NWB epochs need not span the recording, so only a SONATA file's run counts.)
    if (kind == io::file_kind::sonata_spikes && ((file_t0 && s.t0 < *file_t0) || (file_t1 && s.t1 > *file_t1))) {
        const double t0 = std::max(s.t0, file_t0.value_or(s.t0)), t1 = std::min(s.t1, file_t1.value_or(s.t1));
        if (!(t1 > t0))
            throw input_error(path, "--t-start", fmt::format("window {} to {} ms lies outside the recording ({} to {} ms)",
                                                             s.t0, s.t1, file_t0.value_or(t0), file_t1.value_or(t1)));
        s.warning = fmt::format("{}: window {:g} to {:g} ms clipped to the recording, {:g} to {:g} ms", path, s.t0, s.t1, t0, t1);
        s.t0 = t0;
        s.t1 = t1;
    }
    for (auto& t : s.trains)
        t.erase(std::remove_if(t.begin(), t.end(), [&](double x) { return x < s.t0 || x >= s.t1; }), t.end());
    return s;
}

namespace {

// A model file and the stimuli of --data (--rows) it is shown.
std::pair<learning::loaded_model, learning::dataset> model_and_stimuli(const std::string& path, const representation_options& cli) {
    if (cli.data.empty()) throw input_error(path, "--data", "a model file needs --data: the stimuli to present");
    auto model = learning::load_model(path);
    const auto& o = model.net->options();
    learning::data_spec spec;
    spec.file = cli.data;
    spec.path = "--data";
    spec.type = cli.data.ends_with(".h5") ? learning::data_spec::format::shd : learning::data_spec::format::csv;
    if (cli.rows) {
        spec.begin = cli.rows->first;
        spec.end = cli.rows->second;
    }
    spec.units = static_cast<std::size_t>(o.inputs);
    auto data = learning::load_data(spec, o.classes, o.steps);
    if (static_cast<int>(data.features()) != o.features())
        throw input_error(cli.data, "--data", fmt::format("{} features per sample; {} has {} inputs", data.features(), path, o.features()));
    return {std::move(model), std::move(data)};
}

}  // namespace

representation load_representation(const std::string& path, io::file_kind kind, const std::string& flag,
                                   const representation_options& cli) {
    representation r;
    r.file = path;
    r.label = default_label(path);
    if (kind == io::file_kind::model) {
        const auto [model, data] = model_and_stimuli(path, cli);
        const auto& o = model.net->options();
        std::vector<std::size_t> rows(data.size());
        std::iota(rows.begin(), rows.end(), 0);
        if (cli.layer == "output") {
            r.m = model.net->evaluate(data, cli.threads).logits;
            r.what = "output layer (logits)";
        } else {
            const auto h = model.net->hidden_activity(data, rows);
            r.m = matrix::Zero(static_cast<Eigen::Index>(rows.size()), h.at(0).cols());
            for (const auto& step : h) r.m += step;
            r.m /= static_cast<double>(h.size());
            r.what = o.kind == learning::network_kind::spiking ? "hidden layer (spikes per step)" : "hidden layer (activation)";
        }
    } else if (kind == io::file_kind::nwb) {
        if (cli.trials_column.empty())
            throw input_error(path, "--trials", "an NWB file as a representation needs --trials COLUMN and --window");
        const auto f = io::read_nwb(path);
        if (!f.trials) throw input_error(path, "--trials", "the NWB file has no /intervals/trials table");
        std::vector<std::string> labels;
        try {
            labels = f.trials->column_text(cli.trials_column);
        } catch (const std::out_of_range&) {
            throw input_error(path, "--trials", fmt::format("the trials table has no column '{}'", cli.trials_column));
        }
        const auto cm = analysis::condition_by_unit(f.units.spike_times_s, f.trials->numbers.at("start_time"), labels,
                                                    cli.window_s[0], cli.window_s[1], true);
        r.m = cm.values;
        r.what = fmt::format("rates (Hz) in [{:g}, {:g}) s after trial start, per {} ({} conditions)", cli.window_s[0],
                             cli.window_s[1], cli.trials_column, cm.conditions.size());
    } else if (kind == io::file_kind::matrix_hdf5 || kind == io::file_kind::csv) {
        r.m = io::read_representation(path);
        r.what = "matrix";
    } else {
        throw input_error(path, flag, "a SONATA spike file cannot be compared with a representation");
    }
    if (!r.m.allFinite()) throw input_error(path, flag, "the representation holds NaN or infinite values");
    return r;
}

layered_representation load_layers(const std::string& path, io::file_kind kind, const std::string& flag,
                                   const representation_options& cli) {
    if (kind != io::file_kind::model)
        throw input_error(path, flag, "--layer all compares the layers of two trained models (model files)");
    const auto [model, data] = model_and_stimuli(path, cli);
    layered_representation r;
    r.file = path;
    r.label = default_label(path);
    r.m = model.net->layer_means(data, cli.threads);
    for (std::size_t i = 0; i < model.net->layers().size(); ++i) {
        const auto& l = model.net->layers()[i];
        r.layers.push_back(fmt::format("{} {} {}", i, learning::name_of(l.spec.kind), l.out.text()));
        if (!r.m[i].allFinite()) throw input_error(path, flag, fmt::format("layer {} gives NaN or infinite values", i));
    }
    return r;
}

representation load_raw_input(const std::string& data, const std::optional<std::pair<std::size_t, std::size_t>>& rows,
                              const std::string& flag) {
    learning::data_spec spec;
    spec.file = data;
    spec.path = "--data";
    if (rows) {
        spec.begin = rows->first;
        spec.end = rows->second;
    }
    // Only the features are used: any non-negative integer label is accepted.
    const auto d = learning::load_data(spec, std::numeric_limits<int>::max(), 1);
    if (d.is_events()) throw input_error(data, flag, "raw-input baseline needs static (CSV) data");
    std::vector<std::string> conditions;
    for (int label : d.labels) conditions.push_back(std::to_string(label));
    return {data, "raw input", default_label(data), d.x, std::move(conditions)};
}

}  // namespace myelin::analysis
