#pragma once
// A thin RAII layer over the HDF5 C API: handles close themselves, failures throw with the
// file name and what was being done. HDF5's own error printing is switched off; its
// message stack is folded into the exception text instead.
#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace myelin::h5 {

class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class handle {
public:
    handle() = default;
    handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    handle(handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    handle& operator=(handle&& o) noexcept {
        reset();
        id_ = o.id_;
        close_ = o.close_;
        o.id_ = -1;
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { reset(); }
    hid_t get() const { return id_; }
    explicit operator bool() const { return id_ >= 0; }

private:
    void reset() {
        if (id_ >= 0 && close_) close_(id_);
        id_ = -1;
    }
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

void silence_errors();
hid_t check(hid_t id, const std::string& what);

// Creation property lists for datasets and groups (the file's: its root group) that do not
// record modification times, so that the same data gives the same bytes. They live for the
// whole process.
hid_t dataset_creation();
hid_t group_creation();
hid_t file_creation();
// For files whose datasets grow (streamed recordings): HDF5's 1.10 format, whose chunk
// index for one growing dimension (an extensible array) keeps a file that grows for hours
// in constant memory; the 1.8 format's B-tree index took ~4 kB more per second of a
// recorded brunel_small. Readers need HDF5 1.10 (2016) or later.
hid_t growing_file_access();

handle create_file(const std::string& path, bool growing = false);
handle open_file_readonly(const std::string& path);  // throws h5::error if not HDF5
handle open_file_readwrite(const std::string& path);  // a growing file; throws h5::error if not HDF5
handle create_group(hid_t parent, const std::string& name);
handle open_group(hid_t parent, const std::string& name);
bool exists(hid_t parent, const std::string& path);
std::vector<std::string> children(hid_t group);

void write_dataset(hid_t parent, const std::string& name, const std::vector<double>& v);
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::uint64_t>& v);
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::uint32_t>& v);
void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& v, std::size_t rows,
                  std::size_t cols);
// A dataset of any rank, row-major.
void write_array(hid_t parent, const std::string& name, const std::vector<double>& v, const std::vector<std::size_t>& shape);
std::vector<double> read_doubles(hid_t parent, const std::string& name);  // converts integer datasets
// A two-dimensional dataset, row-major; throws if it has another rank.
std::vector<double> read_matrix(hid_t parent, const std::string& name, std::size_t& rows, std::size_t& cols);
// A one-dimensional dataset of variable-length arrays of numbers (as h5py's vlen_dtype).
std::vector<std::vector<double>> read_vlen_doubles(hid_t parent, const std::string& name);
// String datasets as h5py writes them (variable-length UTF-8): a scalar, and a rows x
// cols array. Reading also accepts fixed-length strings.
void write_string(hid_t parent, const std::string& name, const std::string& value);
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& v, std::size_t rows,
                   std::size_t cols);
std::string read_string(hid_t parent, const std::string& name);
std::vector<std::string> read_strings(hid_t parent, const std::string& name, std::size_t& rows, std::size_t& cols);
// Every number of a dataset of any rank (row-major), converted to double.
std::vector<double> read_numbers(hid_t parent, const std::string& name);
// The shape of a dataset (empty for a scalar).
std::vector<std::size_t> shape(hid_t parent, const std::string& name);
void write_vlen_doubles(hid_t parent, const std::string& name, const std::vector<std::vector<double>>& v);
std::vector<std::uint64_t> read_uint64s(hid_t parent, const std::string& name);
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int64_t>& v);
// A one-dimensional dataset of variable-length UTF-8 strings; reading flattens any rank.
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& v);
std::vector<std::string> read_strings(hid_t parent, const std::string& name);
bool holds_strings(hid_t parent, const std::string& name);
bool is_group(hid_t parent, const std::string& name);

// Datasets that grow by rows: chunked with no maximum number of rows, one-dimensional
// (width 0) or of rows of `width` values; written by appends (recorders that stream),
// read and cut back by rows (a run that continues one). Rows are counted in the first
// dimension; `data` and `out` hold whole rows.
handle create_growing(hid_t parent, const std::string& name, hid_t file_type, std::size_t chunk_rows,
                      std::size_t width = 0);
handle open_dataset(hid_t parent, const std::string& name);
std::uint64_t length(hid_t dataset);  // rows
void append(hid_t dataset, hid_t mem_type, const void* data, std::size_t rows);
void read_range(hid_t dataset, hid_t mem_type, std::uint64_t first, std::size_t rows, void* out);
void resize(hid_t dataset, std::uint64_t rows);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::uint32_t>& value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& value);
// An object reference to `target` (a path in the same file), as NWB's VectorIndex.target.
void write_reference_attribute(hid_t object, const std::string& name, const std::string& target);
bool has_attribute(hid_t object, const std::string& name);
void remove_attribute(hid_t object, const std::string& name);  // if it is there
// SONATA's `sorting` attribute of a spike population: libsonata's enum (none 0, by_id 1, by_time 2).
void write_sorting(hid_t group, int sorting);
double read_double_attribute(hid_t object, const std::string& name);
std::uint64_t read_uint64_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);  // variable or fixed length
long read_enum_attribute(hid_t object, const std::string& name);  // its integer value

}  // namespace myelin::h5
