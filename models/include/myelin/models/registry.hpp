#pragma once
#include <myelin/simulator/model_registry.hpp>

namespace myelin::models {

// Adds every built-in model to `r`: the one list of models (models/src/registry.cpp).
void register_builtin_models(model_registry& r);

// A registry holding the built-in models, filled on first use.
const model_registry& builtin_registry();

}  // namespace myelin::models
