#pragma once
// Reading and writing the named arrays of a checkpoint, for every part of the engine.
// Arrays are in gid order (or by target, for synapses), so that any partition finds its
// part: whole arrays (only rank 0's count) and pieces of every rank (write_ranks).
#include <myelin/core/error.hpp>
#include <myelin/core/types.hpp>
#include <myelin/simulator/checkpoint.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace myelin::detail {

template <class T>
void write(checkpoint_writer& out, const std::string& name, const std::vector<T>& values) {
    out.write(name, std::span<const T>(values.data(), values.size()));
}

// Collective: this rank's piece of an array that is all ranks' pieces in rank order.
template <class T>
void write_ranks(checkpoint_writer& out, const std::string& name, const std::vector<T>& piece) {
    out.write_piece(name, std::span<const T>(piece.data(), piece.size()));
}

inline void expect_size(checkpoint_reader& in, const std::string& name, std::uint64_t n) {
    const std::uint64_t size = in.size(name);
    if (size != n)
        throw input_error("", name, fmt::format("{} values; the network of this checkpoint's config needs {}", size, n));
}

// The whole array, which must have `n` elements.
template <class T>
std::vector<T> read_all(checkpoint_reader& in, const std::string& name, std::uint64_t n) {
    expect_size(in, name, n);
    std::vector<T> out(n);
    in.read(name, 0, std::span<T>(out));
    return out;
}

inline void write_spikes(checkpoint_writer& out, const std::string& base, const std::vector<spike>& spikes) {
    std::vector<std::int64_t> step;
    std::vector<std::uint64_t> gid;
    for (const spike& s : spikes) {
        step.push_back(s.step);
        gid.push_back(s.gid);
    }
    write(out, base + "step", step);
    write(out, base + "gid", gid);
}

inline std::vector<spike> read_spikes(checkpoint_reader& in, const std::string& base) {
    const std::uint64_t n = in.size(base + "step");
    const auto step = read_all<std::int64_t>(in, base + "step", n);
    const auto gid = read_all<std::uint64_t>(in, base + "gid", n);
    std::vector<spike> out;
    for (std::uint64_t k = 0; k < n; ++k) out.push_back({step[k], gid[k]});
    return out;
}

}  // namespace myelin::detail
