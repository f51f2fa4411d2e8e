#pragma once
// Reading JSON inputs (configs) with every key, type and value checked: errors are
// input_errors naming the file, the config path, the value and what is allowed.
#include <myelin/simulator/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

namespace myelin::io::detail {

using json = nlohmann::json;

inline std::string type_name(const json& j) {
    if (j.is_number_integer() || j.is_number_unsigned()) return "integer";
    if (j.is_number_float()) return "number";
    return j.type_name();
}

inline std::string show(const json& j) {
    std::string s = j.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
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
                fail(at(it.key()), fmt::format("unknown key '{}'; allowed here: {}", it.key(),
                                               fmt::join(allowed_, ", ")));
    }

private:
    const json& j_;
    std::string path_;
    const std::string& file_;
    std::set<std::string> allowed_;
};

}  // namespace myelin::io::detail
