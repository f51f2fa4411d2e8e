#include <myelin/formats/h5.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

namespace myelin::h5 {

namespace {

// HDF5 closes what is still open at exit; a file whose close failed (a full disk) crashes
// it there (H5F__close_cb, HDF5 1.10). Every handle here closes itself, so the exit
// handler has nothing to do: it is not installed. Must precede HDF5's initialisation.
[[maybe_unused]] const bool no_exit_handler = (H5dont_atexit(), true);

}  // namespace

void silence_errors() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {

hid_t untimed(hid_t property_class, const char* what) {
    const hid_t p = H5Pcreate(property_class);
    if (p < 0 || H5Pset_obj_track_times(p, false) < 0) throw error(std::string("cannot create the ") + what + " property list");
    return p;
}

}  // namespace

hid_t dataset_creation() {
    static const hid_t p = untimed(H5P_DATASET_CREATE, "dataset creation");
    return p;
}
hid_t group_creation() {
    static const hid_t p = untimed(H5P_GROUP_CREATE, "group creation");
    return p;
}
hid_t growing_file_access() {
    static const hid_t p = [] {
        const hid_t fapl = check(H5Pcreate(H5P_FILE_ACCESS), "file access properties");
        check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_LATEST), "file format bounds");
        return fapl;
    }();
    return p;
}
hid_t file_creation() {
    static const hid_t p = untimed(H5P_FILE_CREATE, "file creation");
    return p;
}

namespace {

herr_t collect_message(unsigned, const H5E_error2_t* e, void* data) {
    auto* out = static_cast<std::string*>(data);
    if (e->desc && *e->desc) {
        if (!out->empty()) *out += "; ";
        *out += e->desc;
    }
    return 0;
}

std::string hdf5_message() {
    std::string msg;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_message, &msg);
    H5Eclear2(H5E_DEFAULT);
    return msg;
}

handle dataset_1d(hid_t parent, const std::string& name, hid_t type, std::size_t n) {
    const hsize_t dims[1] = {n};
    handle space(check(H5Screate_simple(1, dims, nullptr), "create dataspace"), H5Sclose);
    return {check(H5Dcreate2(parent, name.c_str(), type, space.get(), H5P_DEFAULT, dataset_creation(), H5P_DEFAULT),
                  "create dataset " + name),
            H5Dclose};
}

template <class T>
void write_1d(hid_t parent, const std::string& name, const std::vector<T>& v, hid_t file_type, hid_t mem_type) {
    handle d = dataset_1d(parent, name, file_type, v.size());
    if (!v.empty()) check(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write " + name);
}

template <class T>
std::vector<T> read_1d(hid_t parent, const std::string& name, hid_t mem_type) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle space(check(H5Dget_space(d.get()), "dataspace of " + name), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != 1) throw error("dataset " + name + " is not one-dimensional");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    std::vector<T> out(n);
    if (n) check(H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
    return out;
}

handle open_attribute(hid_t object, const std::string& name) {
    return {check(H5Aopen(object, name.c_str(), H5P_DEFAULT), "open attribute " + name), H5Aclose};
}

void scalar_attribute(hid_t object, const std::string& name, hid_t type, const void* value) {
    handle space(check(H5Screate(H5S_SCALAR), "create dataspace"), H5Sclose);
    handle a(check(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check(H5Awrite(a.get(), type, value), "write attribute " + name);
}

}  // namespace

namespace {

// "key = 'value'" from HDF5's message stack, if there.
std::string quoted_after(const std::string& stack, const std::string& key) {
    const auto at = stack.find(key + " = '");
    if (at == std::string::npos) return {};
    const auto start = at + key.size() + 4;
    return stack.substr(start, stack.find('\'', start) - start);
}

}  // namespace

hid_t check(hid_t id, const std::string& what) {
    if (id < 0) {
        const std::string detail = hdf5_message();
        // The system's reason (a full disk, a missing permission) is the user's to fix: one
        // line naming the file (as the user named it, not atomic_file's temporary).
        if (const std::string reason = quoted_after(detail, "error message"); !reason.empty()) {
            std::string file = quoted_after(detail, "filename");
            if (file.empty()) file = quoted_after(detail, "name");
            if (const auto tmp = file.rfind(".tmp-"); tmp != std::string::npos) file.resize(tmp);
            throw input_error(file, "", fmt::format("{} failed: {}", what, reason));
        }
        throw error(what + " failed" + (detail.empty() ? "" : " (" + detail + ")"));
    }
    return id;
}

handle create_file(const std::string& path, bool growing) {
    silence_errors();
    // Asked first of the system: HDF5 reports a missing permission or a full disk as a
    // stack of its own messages. Named as the user named it (not atomic_file's temporary).
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fclose(f);
    } else {
        const int e = errno;
        const auto tmp = path.rfind(".tmp-");
        throw input_error(tmp == std::string::npos ? path : path.substr(0, tmp), "",
                          fmt::format("cannot write the file: {}", std::strerror(e)));
    }
    return {check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, file_creation(), growing ? growing_file_access() : H5P_DEFAULT),
                  "create the file"),
            H5Fclose};
}

handle open_file_readonly(const std::string& path) {
    silence_errors();
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw error("not an HDF5 file");
    }
    return {check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path), H5Fclose};
}

handle open_file_readwrite(const std::string& path) {
    silence_errors();
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw error("not an HDF5 file");
    }
    return {check(H5Fopen(path.c_str(), H5F_ACC_RDWR, growing_file_access()), "open " + path), H5Fclose};
}

handle create_growing(hid_t parent, const std::string& name, hid_t file_type, std::size_t chunk_rows, std::size_t width) {
    const int rank = width == 0 ? 1 : 2;
    const hsize_t dims[2] = {0, width}, max[2] = {H5S_UNLIMITED, width}, chunk[2] = {chunk_rows, std::max<hsize_t>(1, width)};
    handle space(check(H5Screate_simple(rank, dims, max), "create dataspace"), H5Sclose);
    handle props(check(H5Pcopy(dataset_creation()), "dataset properties"), H5Pclose);
    check(H5Pset_chunk(props.get(), rank, chunk), "chunked layout of " + name);
    return {check(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
                  "create dataset " + name),
            H5Dclose};
}

handle open_dataset(hid_t parent, const std::string& name) {
    return {check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose};
}

namespace {

// Rows and row width (1 for one dimension) of a dataset of rank 1 or 2.
std::pair<hsize_t, hsize_t> rows_and_width(hid_t dataset, int& rank) {
    handle space(check(H5Dget_space(dataset), "dataspace"), H5Sclose);
    rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != 1 && rank != 2) throw error("not a one- or two-dimensional dataset");
    hsize_t dims[2] = {0, 1};
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    return {dims[0], rank == 2 ? dims[1] : 1};
}

// Rows [first, first + n) of `dataset` as a selection, and a memory space that fits them.
std::pair<handle, handle> row_selection(hid_t dataset, hsize_t first, hsize_t n) {
    int rank = 0;
    const hsize_t width = rows_and_width(dataset, rank).second;
    handle space(check(H5Dget_space(dataset), "dataspace"), H5Sclose);
    const hsize_t start[2] = {first, 0}, count[2] = {n, width};
    check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select");
    handle mem(check(H5Screate_simple(rank, count, nullptr), "memory dataspace"), H5Sclose);
    return {std::move(space), std::move(mem)};
}

}  // namespace

std::uint64_t length(hid_t dataset) {
    int rank = 0;
    return rows_and_width(dataset, rank).first;
}

void append(hid_t dataset, hid_t mem_type, const void* data, std::size_t n) {
    if (n == 0) return;
    const hsize_t first = length(dataset);
    resize(dataset, first + n);
    const auto [space, mem] = row_selection(dataset, first, n);
    check(H5Dwrite(dataset, mem_type, mem.get(), space.get(), H5P_DEFAULT, data), "append");
}

void read_range(hid_t dataset, hid_t mem_type, std::uint64_t first, std::size_t n, void* out) {
    if (n == 0) return;
    const auto [space, mem] = row_selection(dataset, first, n);
    check(H5Dread(dataset, mem_type, mem.get(), space.get(), H5P_DEFAULT, out), "read");
}

void resize(hid_t dataset, std::uint64_t n) {
    int rank = 0;
    const hsize_t dims[2] = {n, rows_and_width(dataset, rank).second};
    check(H5Dset_extent(dataset, dims), "resize");
}

handle create_group(hid_t parent, const std::string& name) {
    return {check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, group_creation(), H5P_DEFAULT), "create group " + name),
            H5Gclose};
}

handle open_group(hid_t parent, const std::string& name) {
    return {check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "open group " + name), H5Gclose};
}

bool exists(hid_t parent, const std::string& path) {
    // H5Lexists needs every intermediate link to exist: walk the path.
    std::string prefix;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = path.find('/', start);
        if (!prefix.empty()) prefix += '/';
        prefix.append(path, start, end == std::string::npos ? std::string::npos : end - start);
        if (H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return true;
}

std::vector<std::string> children(hid_t group) {
    H5G_info_t info;
    check(H5Gget_info(group, &info), "list group");
    std::vector<std::string> out;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        std::string name(static_cast<std::size_t>(check(static_cast<hid_t>(len), "read link name")), '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
        out.push_back(name);
    }
    return out;
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<double>& v) {
    write_1d(parent, name, v, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::uint64_t>& v) {
    write_1d(parent, name, v, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}
void write_dataset(hid_t parent, const std::string& name, const std::vector<std::uint32_t>& v) {
    write_1d(parent, name, v, H5T_STD_U32LE, H5T_NATIVE_UINT32);
}

void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& v, std::size_t rows,
                  std::size_t cols) {
    write_array(parent, name, v, {rows, cols});
}

void write_array(hid_t parent, const std::string& name, const std::vector<double>& v, const std::vector<std::size_t>& shape) {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    handle space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create dataspace"), H5Sclose);
    handle d(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dataset_creation(),
                              H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
    if (!v.empty()) check(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write " + name);
}

std::vector<double> read_doubles(hid_t parent, const std::string& name) {
    return read_1d<double>(parent, name, H5T_NATIVE_DOUBLE);
}
std::vector<double> read_matrix(hid_t parent, const std::string& name, std::size_t& rows, std::size_t& cols) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle space(check(H5Dget_space(d.get()), "dataspace of " + name), H5Sclose);
    if (H5Sget_simple_extent_ndims(space.get()) != 2) throw error("dataset " + name + " is not two-dimensional");
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    rows = dims[0];
    cols = dims[1];
    std::vector<double> out(rows * cols);
    if (!out.empty())
        check(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
    return out;
}

std::vector<std::vector<double>> read_vlen_doubles(hid_t parent, const std::string& name) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle space(check(H5Dget_space(d.get()), "dataspace of " + name), H5Sclose);
    if (H5Sget_simple_extent_ndims(space.get()) != 1) throw error("dataset " + name + " is not one-dimensional");
    handle file_type(check(H5Dget_type(d.get()), "type of " + name), H5Tclose);
    if (H5Tget_class(file_type.get()) != H5T_VLEN)
        throw error("dataset " + name + " does not hold variable-length arrays (one array per sample)");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    handle mem_type(check(H5Tvlen_create(H5T_NATIVE_DOUBLE), "vlen type"), H5Tclose);
    std::vector<hvl_t> raw(n);
    std::vector<std::vector<double>> out(n);
    if (n == 0) return out;
    check(H5Dread(d.get(), mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read " + name);
    for (hsize_t i = 0; i < n; ++i) {
        const auto* p = static_cast<const double*>(raw[i].p);
        out[i].assign(p, p + raw[i].len);
    }
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, raw.data());
    return out;
}

void write_vlen_doubles(hid_t parent, const std::string& name, const std::vector<std::vector<double>>& v) {
    const hsize_t n = v.size();
    handle space(check(H5Screate_simple(1, &n, nullptr), "create dataspace"), H5Sclose);
    handle type(check(H5Tvlen_create(H5T_NATIVE_DOUBLE), "vlen type"), H5Tclose);
    handle d(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, dataset_creation(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
    std::vector<hvl_t> raw(n);
    for (hsize_t i = 0; i < n; ++i) raw[i] = {v[i].size(), const_cast<double*>(v[i].data())};
    if (n) check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "write " + name);
}

namespace {

handle utf8_string_type() {
    handle type(check(H5Tcopy(H5T_C_S1), "string type"), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    return type;
}

// All strings of a dataset, whatever its rank, as variable- or fixed-length strings.
std::vector<std::string> read_all_strings(hid_t d, const std::string& name) {
    handle space(check(H5Dget_space(d), "dataspace of " + name), H5Sclose);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    handle file_type(check(H5Dget_type(d), "type of " + name), H5Tclose);
    if (H5Tget_class(file_type.get()) != H5T_STRING) throw error("dataset " + name + " does not hold strings");
    std::vector<std::string> out;
    if (H5Tis_variable_str(file_type.get())) {
        handle type = utf8_string_type();
        std::vector<char*> raw(n, nullptr);
        check(H5Dread(d, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read " + name);
        for (char* c : raw) out.emplace_back(c ? c : "");
        H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, raw.data());
    } else {
        const std::size_t size = H5Tget_size(file_type.get());
        std::vector<char> raw(n * size);
        check(H5Dread(d, file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read " + name);
        for (std::size_t i = 0; i < n; ++i) {
            std::string v(raw.data() + i * size, size);
            v.erase(std::find(v.begin(), v.end(), '\0'), v.end());
            out.push_back(v);
        }
    }
    return out;
}

}  // namespace

void write_string(hid_t parent, const std::string& name, const std::string& value) {
    handle type = utf8_string_type();
    handle space(check(H5Screate(H5S_SCALAR), "create dataspace"), H5Sclose);
    handle d(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, dataset_creation(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
    const char* text = value.c_str();
    check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), "write " + name);
}

namespace {

void write_string_array(hid_t parent, const std::string& name, const std::vector<std::string>& v,
                        const std::vector<hsize_t>& dims) {
    handle type = utf8_string_type();
    handle space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create dataspace"), H5Sclose);
    handle d(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, dataset_creation(), H5P_DEFAULT),
                   "create dataset " + name),
             H5Dclose);
    std::vector<const char*> raw;
    for (const auto& s : v) raw.push_back(s.c_str());
    if (!raw.empty()) check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "write " + name);
}

}  // namespace

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& v, std::size_t rows,
                   std::size_t cols) {
    write_string_array(parent, name, v, {rows, cols});
}

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& v) {
    write_string_array(parent, name, v, {v.size()});
}

std::string read_string(hid_t parent, const std::string& name) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    const auto all = read_all_strings(d.get(), name);
    if (all.size() != 1) throw error("dataset " + name + " is not a single string");
    return all[0];
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name, std::size_t& rows, std::size_t& cols) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle space(check(H5Dget_space(d.get()), "dataspace of " + name), H5Sclose);
    hsize_t dims[2] = {0, 0};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != 2) throw error("dataset " + name + " is not two-dimensional");
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    rows = dims[0];
    cols = dims[1];
    return read_all_strings(d.get(), name);
}

std::vector<double> read_numbers(hid_t parent, const std::string& name) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle space(check(H5Dget_space(d.get()), "dataspace of " + name), H5Sclose);
    handle type(check(H5Dget_type(d.get()), "type of " + name), H5Tclose);
    const H5T_class_t c = H5Tget_class(type.get());
    if (c != H5T_FLOAT && c != H5T_INTEGER) throw error("dataset " + name + " does not hold numbers");
    std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    if (!out.empty()) check(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
    return out;
}

std::vector<std::size_t> shape(hid_t parent, const std::string& name) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle space(check(H5Dget_space(d.get()), "dataspace of " + name), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return {dims.begin(), dims.end()};
}

std::vector<std::uint64_t> read_uint64s(hid_t parent, const std::string& name) {
    return read_1d<std::uint64_t>(parent, name, H5T_NATIVE_UINT64);
}

// Variable-length UTF-8, as h5py writes str attributes: read back as str, not bytes.
void write_attribute(hid_t object, const std::string& name, const std::string& value) {
    handle type(check(H5Tcopy(H5T_C_S1), "string type"), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    const char* text = value.c_str();
    scalar_attribute(object, name, type.get(), &text);
}
void write_attribute(hid_t object, const std::string& name, double value) {
    scalar_attribute(object, name, H5T_NATIVE_DOUBLE, &value);
}
void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
    scalar_attribute(object, name, H5T_NATIVE_UINT64, &value);
}
void write_attribute(hid_t object, const std::string& name, const std::vector<std::uint32_t>& value) {
    const hsize_t dims[1] = {value.size()};
    handle space(check(H5Screate_simple(1, dims, nullptr), "create dataspace"), H5Sclose);
    handle a(check(H5Acreate2(object, name.c_str(), H5T_STD_U32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check(H5Awrite(a.get(), H5T_NATIVE_UINT32, value.data()), "write attribute " + name);
}

bool has_attribute(hid_t object, const std::string& name) {
    const htri_t r = H5Aexists(object, name.c_str());
    if (r < 0) H5Eclear2(H5E_DEFAULT);
    return r > 0;
}

// libsonata's Sorting enum (char-based): none = 0, by_id = 1, by_time = 2.
void write_sorting(hid_t group, int sorting) {
    handle type(check(H5Tenum_create(H5T_NATIVE_SCHAR), "enum type"), H5Tclose);
    for (auto [name, value] : {std::pair{"none", 0}, {"by_id", 1}, {"by_time", 2}}) {
        const signed char v = static_cast<signed char>(value);
        check(H5Tenum_insert(type.get(), name, &v), "enum member");
    }
    handle space(check(H5Screate(H5S_SCALAR), "dataspace"), H5Sclose);
    handle a(check(H5Acreate2(group, "sorting", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute sorting"),
             H5Aclose);
    const signed char v = static_cast<signed char>(sorting);
    check(H5Awrite(a.get(), type.get(), &v), "write attribute sorting");
}

void remove_attribute(hid_t object, const std::string& name) {
    if (has_attribute(object, name)) check(H5Adelete(object, name.c_str()), "remove attribute " + name);
}

double read_double_attribute(hid_t object, const std::string& name) {
    handle a = open_attribute(object, name);
    double v = 0.0;
    check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), "read attribute " + name);
    return v;
}

std::uint64_t read_uint64_attribute(hid_t object, const std::string& name) {
    handle a = open_attribute(object, name);
    std::uint64_t v = 0;
    check(H5Aread(a.get(), H5T_NATIVE_UINT64, &v), "read attribute " + name);
    return v;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
    handle a = open_attribute(object, name);
    handle type(check(H5Aget_type(a.get()), "type of " + name), H5Tclose);
    handle space(check(H5Aget_space(a.get()), "dataspace of " + name), H5Sclose);
    if (H5Tget_class(type.get()) != H5T_STRING || H5Sget_simple_extent_npoints(space.get()) != 1)
        throw error("attribute " + name + " is not a string");
    if (!H5Tis_variable_str(type.get())) {
        std::string out(H5Tget_size(type.get()), '\0');
        check(H5Aread(a.get(), type.get(), out.data()), "read attribute " + name);
        out.erase(std::find(out.begin(), out.end(), '\0'), out.end());
        return out;
    }
    char* text = nullptr;
    check(H5Aread(a.get(), type.get(), &text), "read attribute " + name);
    std::string out = text ? text : "";
    H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, &text);
    return out;
}

void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& value) {
    handle type = utf8_string_type();
    const hsize_t dims[1] = {value.size()};
    handle space(check(H5Screate_simple(1, dims, nullptr), "create dataspace"), H5Sclose);
    handle a(check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    std::vector<const char*> raw;
    for (const auto& v : value) raw.push_back(v.c_str());
    if (!raw.empty()) check(H5Awrite(a.get(), type.get(), raw.data()), "write attribute " + name);
}

void write_reference_attribute(hid_t object, const std::string& name, const std::string& target) {
    hobj_ref_t ref;
    check(H5Rcreate(&ref, object, target.c_str(), H5R_OBJECT, -1), "reference to " + target);
    handle space(check(H5Screate(H5S_SCALAR), "create dataspace"), H5Sclose);
    handle a(check(H5Acreate2(object, name.c_str(), H5T_STD_REF_OBJ, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check(H5Awrite(a.get(), H5T_STD_REF_OBJ, &ref), "write attribute " + name);
}

void write_dataset(hid_t parent, const std::string& name, const std::vector<std::int64_t>& v) {
    write_1d(parent, name, v, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    return read_all_strings(d.get(), name);
}

bool holds_strings(hid_t parent, const std::string& name) {
    handle d(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
    handle type(check(H5Dget_type(d.get()), "type of " + name), H5Tclose);
    return H5Tget_class(type.get()) == H5T_STRING;
}

bool is_group(hid_t parent, const std::string& name) {
    const hid_t o = H5Oopen(parent, name.c_str(), H5P_DEFAULT);
    if (o < 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    handle object(o, H5Oclose);
    return H5Iget_type(o) == H5I_GROUP;
}

long read_enum_attribute(hid_t object, const std::string& name) {
    handle a = open_attribute(object, name);
    handle type(check(H5Aget_type(a.get()), "type of " + name), H5Tclose);
    // An enum is stored as its base integer: read it raw, then convert the base to long.
    handle base(check(H5Tget_class(type.get()) == H5T_ENUM ? H5Tget_super(type.get()) : H5Tcopy(type.get()),
                      "base type of " + name),
                H5Tclose);
    if (H5Tget_class(base.get()) != H5T_INTEGER) throw error("attribute " + name + " is not an integer or enum");
    long buffer[2] = {0, 0};  // large enough for any integer and its conversion
    check(H5Aread(a.get(), type.get(), buffer), "read attribute " + name);
    check(H5Tconvert(base.get(), H5T_NATIVE_LONG, 1, buffer, nullptr, H5P_DEFAULT), "convert attribute " + name);
    return buffer[0];
}

}  // namespace myelin::h5
