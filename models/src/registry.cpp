#include <myelin/models/bernoulli_synapse.hpp>
#include <myelin/models/aeif_cond_exp.hpp>
#include <myelin/models/alif_cuba_discrete.hpp>
#include <myelin/models/cond_beta.hpp>
#include <myelin/models/ac_generator.hpp>
#include <myelin/models/dc_generator.hpp>
#include <myelin/models/hh_cond_exp_traub.hpp>
#include <myelin/models/hh_psc_alpha.hpp>
#include <myelin/models/iaf_cond_exp.hpp>
#include <myelin/models/iaf_psc_alpha.hpp>
#include <myelin/models/iaf_psc_delta.hpp>
#include <myelin/models/inhomogeneous_poisson_generator.hpp>
#include <myelin/models/izhikevich.hpp>
#include <myelin/models/lif_cuba_discrete.hpp>
#include <myelin/models/multisynapse.hpp>
#include <myelin/models/noise_generator.hpp>
#include <myelin/models/parrot_neuron.hpp>
#include <myelin/models/iaf_psc_exp.hpp>
#include <myelin/models/poisson_generator.hpp>
#include <myelin/models/registry.hpp>
#include <myelin/simulator/model_registration.hpp>
#include <myelin/models/spike_generator.hpp>
#include <myelin/models/spike_sources.hpp>
#include <myelin/models/stdp_dopamine_synapse.hpp>
#include <myelin/models/stdp_synapse.hpp>
#include <myelin/models/stdp_triplet_synapse.hpp>
#include <myelin/models/step_current_generator.hpp>
#include <myelin/models/tsodyks_synapse.hpp>
#include <myelin/models/vogels_sprekeler_synapse.hpp>

namespace myelin::models {

void register_builtin_models(model_registry& r) {
    r.add_neuron<iaf_psc_exp>();
    r.add_neuron<iaf_psc_delta>();
    r.add_neuron<iaf_psc_alpha>();
    r.add_neuron<iaf_cond_exp>();
    r.add_neuron<iaf_cond_alpha>();
    r.add_neuron<parrot_neuron>();
    r.add_neuron<izhikevich>();
    r.add_neuron<hh_psc_alpha>();
    r.add_neuron<hh_cond_exp_traub>();
    r.add_neuron<aeif_cond_exp>();
    r.add_neuron<aeif_cond_alpha>();
    r.add_neuron<lif_cuba_discrete>();
    r.add_neuron<alif_cuba_discrete>();
    r.add_neuron<iaf_psc_exp_multisynapse>();
    r.add_neuron<iaf_psc_alpha_multisynapse>();
    r.add_neuron<iaf_cond_beta>();
    r.add_neuron<aeif_cond_beta_multisynapse>();
    r.add_neuron<spike_source_poisson>();
    r.add_neuron<spike_source_gamma>();
    r.add_neuron<spike_source_poisson_refractory>();
    r.add_neuron<spike_source_array>();
    r.add_stimulus<poisson_generator>();
    r.add_stimulus<spike_generator>();
    r.add_stimulus<dc_generator>();
    r.add_stimulus<ac_generator>();
    r.add_stimulus<step_current_generator>();
    r.add_stimulus<noise_generator>();
    r.add_stimulus<inhomogeneous_poisson_generator>();
    r.add_synapse<tsodyks_synapse>();
    r.add_synapse<bernoulli_synapse>();
    r.add_plastic<stdp_synapse>();
    r.add_plastic<stdp_triplet_synapse>();
    r.add_plastic<vogels_sprekeler_synapse>();
    r.add_plastic_shard<stdp_dopamine_synapse>();
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
