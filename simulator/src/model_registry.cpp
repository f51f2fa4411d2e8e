#include <myelin/simulator/model_registry.hpp>

#include <stdexcept>

namespace myelin {

std::optional<std::size_t> model_info::param_index(std::string_view key) const {
    for (std::size_t i = 0; i < params.size(); ++i)
        if (params[i].key == key) return i;
    return std::nullopt;
}

std::optional<std::size_t> model_info::state_index(std::string_view key) const {
    for (std::size_t i = 0; i < state.size(); ++i)
        if (state[i].key == key) return i;
    return std::nullopt;
}

std::vector<state_info> model_info::state_for(const std::vector<port_info>& ports) const {
    std::vector<state_info> out = state;
    for (const auto& v : port_state)
        for (const auto& port : ports) out.push_back({v.key + "_" + port.name, v.unit, v.doc + " at port " + port.name});
    return out;
}

param_values model_info::default_values() const {
    param_values v;
    for (const auto& p : params) v.push_back(p.default_value);
    return v;
}

void model_registry::insert(model_info m) {
    const std::string name = m.name;
    if (!models_.emplace(name, std::move(m)).second)
        throw std::logic_error("model registered twice: " + name);
}

const model_info* model_registry::find(std::string_view name) const {
    auto it = models_.find(name);
    return it == models_.end() ? nullptr : &it->second;
}

std::vector<std::string> model_registry::names(model_kind kind) const {
    std::vector<std::string> out;
    for (const auto& [name, m] : models_)
        if (m.kind == kind) out.push_back(name);
    return out;
}

}  // namespace myelin
