#pragma once
// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011, via Random123).
// key = (seed, purpose), counter = (id, index): any partition of the network draws the
// same numbers for the same neuron, because nothing depends on how many draws another
// neuron or thread made before.
#include <Random123/philox.h>

#include <cstdint>
#include <limits>

namespace myelin {

// What a random stream is used for; combined with an index (projection, stimulus, ...)
// into the second key word so that different uses never share numbers.
enum class rng_purpose : std::uint32_t {
    connect = 1,      // index: projection
    weight = 2,       // index: projection
    delay = 3,        // index: projection
    stimulus = 4,     // index: stimulus
    initial_state = 5,  // index: population * 256 + state variable
    total_number = 6,   // index: projection (global split of fixed_total_number)
    learning_init = 7,     // learning/: initial weights (id: layer)
    learning_shuffle = 8,  // learning/: order of the samples (id: epoch)
    learning_encode = 9,   // learning/: Poisson input (index: epoch, id: sample)
    analysis_permute = 10,   // analysis/: permutation tests (id: permutation)
    analysis_bootstrap = 11, // analysis/: bootstrap resamples (id: resample)
    learning_augment = 12,   // learning/: image shifts (index: epoch, id: sample)
    learning_dropout = 13,   // learning/: dropout masks (index: epoch, id: sample, blocks from layer << 40)
    neuron_params = 14,      // index: population * 256 + parameter (values drawn per neuron)
    spike_source = 15,       // models/spike_sources.hpp (id: neuron, counter: step)
    synapse_transmit = 16,   // index: projection (bernoulli_synapse; id: source x target pair, counter: step)
};

inline std::uint32_t rng_key_word(rng_purpose p, std::uint32_t index) {
    return (static_cast<std::uint32_t>(p) << 24) ^ (index & 0x00ffffffu);
}

using philox = r123::Philox4x32;

// Four 32-bit words for (seed, purpose, id, index).
inline philox::ctr_type philox_block(std::uint32_t seed, std::uint32_t key_word, std::uint64_t id,
                                     std::uint64_t index) {
    const philox::key_type key = {{seed, key_word}};
    const philox::ctr_type ctr = {{static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32),
                                   static_cast<std::uint32_t>(index),
                                   static_cast<std::uint32_t>(index >> 32)}};
    return philox{}(ctr, key);
}

// Uniform in [0, 1) with 53 random bits from two 32-bit words.
inline double u01_from_words(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
    return static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) * 0x1.0p-53;
}

// A sequential stream for one id (a neuron, a source): draws index 0, 1, 2, ... of the
// counter space (seed, purpose, id, *). Also a UniformRandomBitGenerator for Boost.Random.
class rng_stream {
public:
    using result_type = std::uint32_t;
    rng_stream(std::uint32_t seed, std::uint32_t key_word, std::uint64_t id, std::uint64_t first_block = 0)
        : seed_(seed), key_word_(key_word), id_(id), next_block_(first_block) {}

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

    result_type operator()() {
        if (used_ == 4) {
            block_ = philox_block(seed_, key_word_, id_, next_block_++);
            used_ = 0;
        }
        return block_[used_++];
    }
    double uniform() {  // [0, 1)
        const std::uint32_t hi = (*this)();
        return u01_from_words(hi, (*this)());
    }
    double uniform_open() {  // (0, 1), safe for log()
        double u;
        do u = uniform();
        while (u == 0.0);
        return u;
    }
    // Exact uniform integer in [0, n), n >= 1 (Lemire 2019, multiply and reject).
    std::uint32_t below(std::uint32_t n) {
        std::uint64_t m = static_cast<std::uint64_t>((*this)()) * n;
        auto low = static_cast<std::uint32_t>(m);
        if (low < n) {
            const std::uint32_t threshold = static_cast<std::uint32_t>(-n) % n;
            while (low < threshold) {
                m = static_cast<std::uint64_t>((*this)()) * n;
                low = static_cast<std::uint32_t>(m);
            }
        }
        return static_cast<std::uint32_t>(m >> 32);
    }
    // Standard normal: Boost.Random's ziggurat (Marsaglia & Tsang 2000), about 2.5x
    // faster than Box-Muller; out of line to keep Boost.Random out of this header.
    double normal();

private:
    std::uint32_t seed_, key_word_;
    std::uint64_t id_;
    std::uint64_t next_block_;
    philox::ctr_type block_{};
    int used_ = 4;
};

}  // namespace myelin
