#include <myelin/analysis/recording.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <stdexcept>

namespace myelin::analysis {

namespace {

std::optional<double> as_number(const std::string& s) {
    double v = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::vector<std::string> ordered_conditions(const std::vector<std::string>& labels) {
    std::vector<std::string> distinct(labels.begin(), labels.end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const bool numeric = std::all_of(distinct.begin(), distinct.end(), [](const auto& s) { return as_number(s).has_value(); });
    if (numeric)
        std::stable_sort(distinct.begin(), distinct.end(),
                         [](const auto& a, const auto& b) { return *as_number(a) < *as_number(b); });
    return distinct;
}

condition_matrix condition_by_unit(const std::vector<std::vector<double>>& spike_times, std::span<const double> onsets,
                                   const std::vector<std::string>& labels, double window_start, double window_stop,
                                   bool as_rate) {
    if (onsets.size() != labels.size())
        throw std::invalid_argument("condition_by_unit: " + std::to_string(onsets.size()) + " onsets but " +
                                    std::to_string(labels.size()) + " labels");
    if (!(window_stop > window_start)) throw std::invalid_argument("condition_by_unit: empty window");
    condition_matrix out;
    out.conditions = ordered_conditions(labels);
    std::map<std::string, Eigen::Index> row;
    for (std::size_t i = 0; i < out.conditions.size(); ++i) row[out.conditions[i]] = static_cast<Eigen::Index>(i);
    out.trials.assign(out.conditions.size(), 0);
    out.values = matrix::Zero(static_cast<Eigen::Index>(out.conditions.size()), static_cast<Eigen::Index>(spike_times.size()));
    for (std::size_t t = 0; t < onsets.size(); ++t) {
        const Eigen::Index r = row[labels[t]];
        ++out.trials[static_cast<std::size_t>(r)];
        const double a = onsets[t] + window_start, b = onsets[t] + window_stop;
        for (std::size_t u = 0; u < spike_times.size(); ++u) {
            const auto& s = spike_times[u];
            const auto count = std::lower_bound(s.begin(), s.end(), b) - std::lower_bound(s.begin(), s.end(), a);
            out.values(r, static_cast<Eigen::Index>(u)) += static_cast<double>(count);
        }
    }
    for (Eigen::Index r = 0; r < out.values.rows(); ++r)
        out.values.row(r) /= static_cast<double>(out.trials[static_cast<std::size_t>(r)]) * (as_rate ? window_stop - window_start : 1.0);
    return out;
}

}  // namespace myelin::analysis
