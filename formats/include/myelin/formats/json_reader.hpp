#pragma once
// Reading JSON inputs (configs) with every key, type and value checked: errors are
// input_errors naming the file, the config path, the value and what is allowed.
#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace myelin::json_input {

using json = nlohmann::json;

// Parses a JSON document. Unlike json::parse it refuses a key given twice in one object
// (JSON leaves that open; nlohmann keeps the last silently): input_error naming the
// config path of the second. Syntax errors become "not valid JSON: ..." with line and column.
json parse_json(const std::string& text, const std::string& file);

inline std::string type_name(const json& j) {
    if (j.is_number_integer() || j.is_number_unsigned()) return "integer";
    if (j.is_number_float()) return "number";
    return j.type_name();
}

inline std::string show(const json& j) {
    std::string s = j.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// The candidate closest to a misspelt name (optimal string alignment distance: edits,
// insertions, deletions, swaps of neighbours), if it is close enough to be the one meant:
// at most 2 edits, and fewer than half the name's length.
template <class Range>
std::string nearest(const std::string& name, const Range& candidates) {
    std::string best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (const std::string& c : candidates) {
        const std::size_t n = name.size(), m = c.size();
        std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
        for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= n; ++i)
            for (std::size_t j = 1; j <= m; ++j) {
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (name[i - 1] != c[j - 1])});
                if (i > 1 && j > 1 && name[i - 1] == c[j - 2] && name[i - 2] == c[j - 1])
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        if (d[n][m] < best_d) best_d = d[n][m], best = c;
    }
    return best_d <= 2 && 2 * best_d < name.size() ? best : std::string();
}

// " (did you mean 'x'?)" for the nearest candidate, or nothing.
template <class Range>
std::string suggestion(const std::string& name, const Range& candidates) {
    const std::string n = nearest(name, candidates);
    return n.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", n);
}

// Reads one JSON object, remembering which keys were used so that unknown ones (typos)
// are reported with the list of allowed keys.
class object_reader {
public:
    object_reader(const json& j, std::string path, const std::string& file) : j_(j), path_(std::move(path)), file_(file) {
        if (!j_.is_object()) fail(path_, fmt::format("expected an object, got {} {}", type_name(j_), show(j_)));
    }

    [[noreturn]] void fail(const std::string& path, const std::string& detail) const {
        throw input_error(file_, path, detail);
    }
    std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }

    bool has(const std::string& key) {
        allowed_.insert(key);
        return j_.contains(key);
    }
    const json& get(const std::string& key) {
        if (!has(key)) fail(at(key), "is required but missing");
        return j_.at(key);
    }

    double number(const std::string& key) { return as_number(get(key), at(key)); }
    double number(const std::string& key, double fallback) { return has(key) ? number(key) : fallback; }
    std::uint64_t count(const std::string& key) { return as_count(get(key), at(key)); }
    bool flag(const std::string& key, bool fallback) {
        if (!has(key)) return fallback;
        const json& v = j_.at(key);
        if (!v.is_boolean()) fail(at(key), fmt::format("expected true or false, got {} {}", type_name(v), show(v)));
        return v.get<bool>();
    }
    std::string text(const std::string& key) {
        const json& v = get(key);
        if (!v.is_string()) fail(at(key), fmt::format("expected a string, got {} {}", type_name(v), show(v)));
        return v.get<std::string>();
    }

    double as_number(const json& v, const std::string& path) const {
        if (v.is_number()) return v.get<double>();
        if (v.is_string()) {  // JSON has no infinity
            const auto s = v.get<std::string>();
            if (s == "inf" || s == "+inf") return std::numeric_limits<double>::infinity();
            if (s == "-inf") return -std::numeric_limits<double>::infinity();
        }
        fail(path, fmt::format("expected a number, got {} {}", type_name(v), show(v)));
    }
    std::uint64_t as_count(const json& v, const std::string& path) const {
        if (v.is_number_unsigned()) return v.get<std::uint64_t>();
        if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
        if (v.is_number_float()) {
            const double d = v.get<double>();
            if (d >= 0 && d == std::floor(d) && d < 1.8e19) return static_cast<std::uint64_t>(d);
        }
        fail(path, fmt::format("expected a non-negative integer, got {} {}", type_name(v), show(v)));
    }

    // Unknown keys are errors: a typo must not silently fall back to a default.
    void finish() const {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!allowed_.count(it.key()))
                fail(at(it.key()), fmt::format("unknown key '{}'{}; allowed here: {}", it.key(),
                                               suggestion(it.key(), allowed_), fmt::join(allowed_, ", ")));
    }

private:
    const json& j_;
    std::string path_;
    const std::string& file_;
    std::set<std::string> allowed_;
};

}  // namespace myelin::json_input
