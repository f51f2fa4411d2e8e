#pragma once
// Representation matrices (stimuli x units) from files, and what kind of file a path is.
#include <Eigen/Dense>

#include <filesystem>
#include <string>

namespace myelin::io {

enum class file_kind { sonata_spikes, nwb, model, matrix_hdf5, csv, json };

// By content for HDF5 files (nwb_version attribute, /spikes group, a Myelin model), by
// the .csv or .json extension otherwise; throws input_error for what is neither.
file_kind detect_file(const std::string& path);

// CSV: rows of numbers separated by commas; a first line that is not all numbers is a
// header and skipped. HDF5: "FILE:DATASET" names a two-dimensional dataset; a plain FILE
// must hold exactly one. Errors name the file, the line or dataset and what is wrong.
Eigen::MatrixXd read_representation(const std::string& spec);

}  // namespace myelin::io
