#pragma once
// From recorded spikes to a representation: the condition x unit matrix of responses.
//
// For each trial, the spikes of each unit in [onset + window_start, onset + window_stop)
// are counted (or divided by the window's length: a rate in Hz); the trials of one
// condition are averaged. The rows are the distinct condition labels, in numeric order if
// every label is a number, else in text order; the columns are the units in the order
// given. This is the matrix to hold against a trained network's hidden activity for the
// same stimuli (analysis/representation.hpp).
#include <myelin/analysis/representation.hpp>

#include <span>
#include <string>
#include <vector>

namespace myelin::analysis {

struct condition_matrix {
    std::vector<std::string> conditions;  // row labels
    std::vector<int> trials;              // trials averaged in each row
    matrix values;                        // conditions x units
};

// spike_times: per unit, sorted (any unit of time; onsets and window in the same unit).
condition_matrix condition_by_unit(const std::vector<std::vector<double>>& spike_times, std::span<const double> onsets,
                                   const std::vector<std::string>& labels, double window_start, double window_stop,
                                   bool as_rate);

// The order the rows take: numeric if every label parses whole as a number, else text.
std::vector<std::string> ordered_conditions(const std::vector<std::string>& labels);

}  // namespace myelin::analysis
