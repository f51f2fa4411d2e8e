#include <myelin/core/rng.hpp>

#include <boost/random/normal_distribution.hpp>

namespace myelin {

double rng_stream::normal() {
    return boost::random::normal_distribution<double>(0.0, 1.0)(*this);
}

}  // namespace myelin
