#include <myelin/models/dc_generator.hpp>
#include <myelin/models/iaf_cond_exp.hpp>
#include <myelin/models/iaf_psc_alpha.hpp>
#include <myelin/models/iaf_psc_delta.hpp>
#include <myelin/models/iaf_psc_exp.hpp>
#include <myelin/models/poisson_generator.hpp>
#include <myelin/models/registry.hpp>
#include <myelin/models/spike_generator.hpp>

namespace myelin::models {

void register_builtin_models(model_registry& r) {
    r.add_neuron<iaf_psc_exp>();
    r.add_neuron<iaf_psc_delta>();
    r.add_neuron<iaf_psc_alpha>();
    r.add_neuron<iaf_cond_exp>();
    r.add_neuron<iaf_cond_alpha>();
    r.add_stimulus<poisson_generator>();
    r.add_stimulus<spike_generator>();
    r.add_stimulus<dc_generator>();
}

const model_registry& builtin_registry() {
    static const model_registry registry = [] {
        model_registry r;
        register_builtin_models(r);
        return r;
    }();
    return registry;
}

}  // namespace myelin::models
