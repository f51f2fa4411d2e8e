#pragma once
// The two sides of a comparison, loaded as `myelin compare` loads them (docs/compare.md):
// spike trains from a SONATA spike file or an NWB file's units, with a selection and a
// window; or a condition x unit matrix from a trained model's layer on data, an NWB
// file's trials, or a matrix file (HDF5, CSV). Errors are input_error naming the file
// and the flag (`flag`) that chose what is wrong.
#include <myelin/analysis/representation.hpp>
#include <myelin/io/matrix.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace myelin::analysis {

// How figures and tables name a side: its file with the folder it is in ("ai/spikes.h5"),
// so that two runs' "spikes.h5" stay apart; a caller may set its own (--label-a).
std::string default_label(const std::string& path);

struct spike_trains {
    std::string file, selection;              // selection: in words, for tables
    std::string label;                        // default_label(file) unless set
    std::vector<std::vector<double>> trains;  // ms, sorted, one per neuron or unit, within [t0, t1)
    double t0 = 0.0, t1 = 0.0;
    std::string warning;  // set where the window asked for was clipped to the recording
};

// `select`: SONATA population names, or NWB COLUMN=VALUE conditions on the units table
// (none: all). The window: the given times, else the file's run or epochs, else up to
// just after the last spike. A window reaching beyond a SONATA file's run is clipped to
// it, and `warning` says so.
spike_trains load_spike_trains(const std::string& path, io::file_kind kind, const std::vector<std::string>& select,
                               const std::string& flag, std::optional<double> t_start_ms, std::optional<double> t_stop_ms);

struct representation_options {
    std::string data;                 // model files: the stimuli (CSV or SHD file)
    std::string layer = "hidden";     // model files: "hidden" or "output"
    std::string trials_column;        // NWB files: the trials column that names conditions
    std::optional<std::pair<std::size_t, std::size_t>> rows;  // model files: rows of the data
    std::vector<double> window_s{0.0, 0.5};                   // NWB files: after trial start
    int threads = 1;
};

struct representation {
    std::string file, what;  // what: in words, for tables
    std::string label;       // default_label(file) unless set
    matrix m;                // conditions x units
    std::vector<std::string> conditions;  // each row's class where the file says (a data file's labels)
};

representation load_representation(const std::string& path, io::file_kind kind, const std::string& flag,
                                   const representation_options& options);

// Every layer of a trained model (a model file) on the stimuli of options.data: per layer,
// stimuli x units, each layer's output averaged over the steps.
struct layered_representation {
    std::string file, label;
    std::vector<std::string> layers;  // "0 conv2d 16 x 24 x 24"
    std::vector<matrix> m;
};
layered_representation load_layers(const std::string& path, io::file_kind kind, const std::string& flag,
                                   const representation_options& options);

// The stimuli's raw features (a CSV data file, rows [first, second) if given) as a
// representation: the baseline "how alike is each side to its input".
representation load_raw_input(const std::string& data, const std::optional<std::pair<std::size_t, std::size_t>>& rows,
                              const std::string& flag);

}  // namespace myelin::analysis
