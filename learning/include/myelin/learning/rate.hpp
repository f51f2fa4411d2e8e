#pragma once
// The activations of rate (non-spiking) layers (layers.hpp): ReLU (its derivative taken
// as 0 at 0, as PyTorch), tanh, the logistic sigmoid or the identity.
#include <myelin/learning/spiking.hpp>

#include <string_view>

namespace myelin::learning {

enum class activation { relu, tanh, sigmoid, identity };
// "relu", "tanh", "sigmoid", "identity"; false if the name is none of these.
bool activation_from_name(std::string_view name, activation& out);
std::string_view name_of(activation f);

}  // namespace myelin::learning
