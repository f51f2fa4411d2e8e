// A simulator with one more plastic rule: the built-in models plus stdp_power_law_synapse,
// registered by name (5. registration). Runs CONFIG and prints, per weight recorder
// snapshot, the mean and standard deviation of the recorded weights.
//
//   custom_rule CONFIG
#include "stdp_power_law_synapse.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/config.hpp>
#include <myelin/models/registry.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/model_registration.hpp>

#include <fmt/format.h>

#include <cmath>

int main(int argc, char** argv) {
    if (argc != 2) {
        fmt::print(stderr, "usage: custom_rule CONFIG\n");
        return 2;
    }
    try {
        myelin::model_registry models;
        myelin::models::register_builtin_models(models);
        models.add_plastic<stdp_power_law_synapse>();
        const myelin::network_spec spec = myelin::io::load_config(argv[1], models);
        myelin::engine sim(spec);
        sim.run(myelin::ms_to_steps(spec.simulation.t_stop_ms, spec.simulation.resolution_ms));
        for (const auto& rec : sim.weight_records()) {
            const std::size_t n = rec.source.size();
            for (std::size_t s = 0; s < rec.times_ms.size(); ++s) {
                double sum = 0.0, sum2 = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    const double w = rec.weights[s * n + i];
                    sum += w;
                    sum2 += w * w;
                }
                const double mean = sum / static_cast<double>(n);
                fmt::print("{} {:.10g} {:.10g} {:.10g}\n", rec.recorder, rec.times_ms[s], mean,
                           std::sqrt(std::max(0.0, sum2 / static_cast<double>(n) - mean * mean)));
            }
        }
    } catch (const myelin::input_error& e) {
        fmt::print(stderr, "custom_rule: {}\n", e.what());
        return 2;
    }
    return 0;
}
