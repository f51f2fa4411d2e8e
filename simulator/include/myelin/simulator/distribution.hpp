#pragma once
// A value that is either constant or drawn per synapse (or per neuron) from a
// distribution, as NEST's parameter objects: uniform, normal (optionally redrawn until
// inside [min, max], NEST's "normal_clipped"), lognormal (of mu, sigma of the log).
#include <myelin/simulator/rng.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace myelin {

struct distribution {
    enum class kind { constant, uniform, normal, lognormal };
    kind type = kind::constant;
    double value = 0.0;            // constant
    double low = 0.0, high = 0.0;  // uniform [low, high)
    double mean = 0.0, std = 0.0;  // normal
    double mu = 0.0, sigma = 0.0;  // lognormal: exp(mu + sigma * N(0, 1))
    double min = -std::numeric_limits<double>::infinity();  // normal, lognormal: redraw outside
    double max = std::numeric_limits<double>::infinity();

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
        }
        return value;
    }
    double highest() const {
        switch (type) {
        case kind::constant: return value;
        case kind::uniform: return high;
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
