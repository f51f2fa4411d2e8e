#pragma once
// A value that is either constant or drawn per synapse (or per neuron) from a
// distribution, as NEST's parameter objects: uniform, normal (optionally redrawn until
// inside [min, max], NEST's "normal_clipped"), lognormal (of mu, sigma of the log); or,
// for explicit connections, one given value per synapse (`list`, never drawn).
#include <myelin/core/rng.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace myelin {

struct distribution {
    enum class kind { constant, uniform, normal, lognormal, list };
    kind type = kind::constant;
    double value = 0.0;            // constant
    double low = 0.0, high = 0.0;  // uniform [low, high)
    double mean = 0.0, std = 0.0;  // normal
    double mu = 0.0, sigma = 0.0;  // lognormal: exp(mu + sigma * N(0, 1))
    double min = -std::numeric_limits<double>::infinity();  // normal, lognormal: redraw outside
    double max = std::numeric_limits<double>::infinity();
    std::vector<double> values;    // list

    static distribution constant(double v) {
        distribution d;
        d.value = v;
        return d;
    }
    bool is_constant() const { return type == kind::constant; }

    double draw(rng_stream& rng) const {
        switch (type) {
        case kind::constant: return value;
        case kind::uniform: return low + (high - low) * rng.uniform();
        case kind::normal: return redraw([&] { return mean + std * rng.normal(); });
        case kind::lognormal: return redraw([&] { return std::exp(mu + sigma * rng.normal()); });
        case kind::list: break;  // read by index, never drawn
        }
        return value;
    }
    // Smallest and largest value a draw can take.
    double lowest() const {
        switch (type) {
        case kind::constant: return value;
        case kind::uniform: return low;
        case kind::normal: return min;
        case kind::lognormal: return std::max(min, 0.0);
        case kind::list: return values.empty() ? 0.0 : *std::min_element(values.begin(), values.end());
        }
        return value;
    }
    double highest() const {
        switch (type) {
        case kind::constant: return value;
        case kind::uniform: return high;
        case kind::list: return values.empty() ? 0.0 : *std::max_element(values.begin(), values.end());
        default: return max;
        }
    }
    std::string describe() const;

private:
    template <class F>
    double redraw(F f) const {
        double x;
        do x = f();
        while (!(x >= min && x <= max));
        return x;
    }
};

}  // namespace myelin
