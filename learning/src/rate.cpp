#include <myelin/learning/rate.hpp>

#include <cmath>

namespace myelin::learning {

bool activation_from_name(std::string_view name, activation& out) {
    for (activation f : {activation::relu, activation::tanh, activation::sigmoid, activation::identity})
        if (name == name_of(f)) {
            out = f;
            return true;
        }
    return false;
}

std::string_view name_of(activation f) {
    switch (f) {
    case activation::relu: return "relu";
    case activation::tanh: return "tanh";
    case activation::sigmoid: return "sigmoid";
    case activation::identity: return "identity";
    }
    return "";
}

}  // namespace myelin::learning
