#include <myelin/core/error.hpp>
#include <myelin/io/checkpoint.hpp>
#include <myelin/io/sonata.hpp>

#include <myelin/formats/h5.hpp>

#include <fmt/format.h>

#include <optional>

namespace myelin::io {

namespace {

constexpr std::uint64_t format_version = 1;

// File and memory types of each element type.
template <class T>
struct h5_type;
template <> struct h5_type<double> { static hid_t file() { return H5T_IEEE_F64LE; } static hid_t mem() { return H5T_NATIVE_DOUBLE; } };
template <> struct h5_type<float> { static hid_t file() { return H5T_IEEE_F32LE; } static hid_t mem() { return H5T_NATIVE_FLOAT; } };
template <> struct h5_type<std::int32_t> { static hid_t file() { return H5T_STD_I32LE; } static hid_t mem() { return H5T_NATIVE_INT32; } };
template <> struct h5_type<std::int64_t> { static hid_t file() { return H5T_STD_I64LE; } static hid_t mem() { return H5T_NATIVE_INT64; } };
template <> struct h5_type<std::uint16_t> { static hid_t file() { return H5T_STD_U16LE; } static hid_t mem() { return H5T_NATIVE_UINT16; } };
template <> struct h5_type<std::uint32_t> { static hid_t file() { return H5T_STD_U32LE; } static hid_t mem() { return H5T_NATIVE_UINT32; } };
template <> struct h5_type<std::uint64_t> { static hid_t file() { return H5T_STD_U64LE; } static hid_t mem() { return H5T_NATIVE_UINT64; } };

class h5_writer final : public checkpoint_writer {
public:
    explicit h5_writer(hid_t file) : file_(file) {
        lcpl_ = h5::handle(h5::check(H5Pcreate(H5P_LINK_CREATE), "link property list"), H5Pclose);
        h5::check(H5Pset_create_intermediate_group(lcpl_.get(), 1), "intermediate groups");
    }
    void write(const std::string& name, std::span<const double> v) override { put(name, v); }
    void write(const std::string& name, std::span<const float> v) override { put(name, v); }
    void write(const std::string& name, std::span<const std::int32_t> v) override { put(name, v); }
    void write(const std::string& name, std::span<const std::int64_t> v) override { put(name, v); }
    void write(const std::string& name, std::span<const std::uint16_t> v) override { put(name, v); }
    void write(const std::string& name, std::span<const std::uint32_t> v) override { put(name, v); }
    void write(const std::string& name, std::span<const std::uint64_t> v) override { put(name, v); }

    // The first write that failed; later ones are skipped (the save goes on: it is collective).
    const std::string& error() const { return error_; }
    void fail(const std::string& e) {
        if (error_.empty()) error_ = e;
    }

private:
    template <class T>
    void put(const std::string& name, std::span<const T> v) {
        if (!error_.empty()) return;
        try {
            put_now(name, v);
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }
    template <class T>
    void put_now(const std::string& name, std::span<const T> v) {
        const hsize_t dims[1] = {v.size()};
        h5::handle space(h5::check(H5Screate_simple(1, dims, nullptr), "create dataspace"), H5Sclose);
        h5::handle d(h5::check(H5Dcreate2(file_, name.c_str(), h5_type<T>::file(), space.get(), lcpl_.get(),
                                          h5::dataset_creation(), H5P_DEFAULT),
                               "create dataset " + name),
                     H5Dclose);
        if (!v.empty())
            h5::check(H5Dwrite(d.get(), h5_type<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write " + name);
    }
    hid_t file_;
    h5::handle lcpl_;
    std::string error_;
};

class h5_reader final : public checkpoint_reader {
public:
    h5_reader(hid_t file, std::string path) : file_(file), path_(std::move(path)) {}

    bool has(const std::string& name) override { return h5::exists(file_, name); }
    std::uint64_t size(const std::string& name) override {
        h5::handle d = open(name);
        return extent(d.get(), name);
    }
    void read(const std::string& name, std::uint64_t first, std::span<double> out) override { get(name, first, out); }
    void read(const std::string& name, std::uint64_t first, std::span<float> out) override { get(name, first, out); }
    void read(const std::string& name, std::uint64_t first, std::span<std::int32_t> out) override { get(name, first, out); }
    void read(const std::string& name, std::uint64_t first, std::span<std::int64_t> out) override { get(name, first, out); }
    void read(const std::string& name, std::uint64_t first, std::span<std::uint16_t> out) override { get(name, first, out); }
    void read(const std::string& name, std::uint64_t first, std::span<std::uint32_t> out) override { get(name, first, out); }
    void read(const std::string& name, std::uint64_t first, std::span<std::uint64_t> out) override { get(name, first, out); }

private:
    [[noreturn]] void fail(const std::string& name, const std::string& detail) const {
        throw input_error(path_, name, detail);
    }
    h5::handle open(const std::string& name) {
        if (!h5::exists(file_, name)) fail(name, "missing: the file is not a complete checkpoint of this network");
        try {
            return {h5::check(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), "open dataset"), H5Dclose};
        } catch (const h5::error& e) {
            fail(name, fmt::format("cannot be read: {}", e.what()));
        }
    }
    std::uint64_t extent(hid_t d, const std::string& name) const {
        h5::handle space(h5::check(H5Dget_space(d), "dataspace"), H5Sclose);
        if (H5Sget_simple_extent_ndims(space.get()) != 1) fail(name, "not a one-dimensional dataset");
        hsize_t n = 0;
        H5Sget_simple_extent_dims(space.get(), &n, nullptr);
        return n;
    }
    template <class T>
    void get(const std::string& name, std::uint64_t first, std::span<T> out) {
        h5::handle d = open(name);
        h5::handle type(h5::check(H5Dget_type(d.get()), "type"), H5Tclose);
        if (H5Tequal(type.get(), h5_type<T>::file()) <= 0)
            fail(name, "has another element type than a checkpoint's: the file is not a Myelin checkpoint");
        const std::uint64_t n = extent(d.get(), name);
        if (first + out.size() > n)
            fail(name, fmt::format("has {} values; elements up to {} were asked for", n, first + out.size()));
        if (out.empty()) return;
        try {
            h5::handle space(h5::check(H5Dget_space(d.get()), "dataspace"), H5Sclose);
            const hsize_t start[1] = {first}, count[1] = {out.size()};
            h5::check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select");
            h5::handle mem(h5::check(H5Screate_simple(1, count, nullptr), "memory dataspace"), H5Sclose);
            h5::check(H5Dread(d.get(), h5_type<T>::mem(), mem.get(), space.get(), H5P_DEFAULT, out.data()), "read");
        } catch (const h5::error& e) {
            fail(name, fmt::format("cannot be read (truncated file?): {}", e.what()));
        }
    }
    hid_t file_;
    std::string path_;
};

}  // namespace

std::string save_checkpoint(const std::filesystem::path& path, const checkpoint_header& header, const engine& sim,
                            communicator& comm) {
    std::optional<atomic_file> out;
    h5::handle file;
    std::optional<h5_writer> writer;
    std::string failed;
    if (comm.rank() == 0) {
        try {
            out.emplace(path);
            file = h5::create_file(out->temporary().string());
            h5::write_attribute(file.get(), "myelin_checkpoint", format_version);
            h5::write_attribute(file.get(), "config", header.config_text);
            h5::write_attribute(file.get(), "config_file", header.config_file);
            h5::write_attribute(file.get(), "seed", std::uint64_t{header.seed});
            h5::write_attribute(file.get(), "time_ms", header.time_ms);
            if (!header.outputs.empty()) {
                h5::handle outputs = h5::create_group(file.get(), "outputs");
                for (const auto& at : header.outputs) {
                    h5::handle g = h5::create_group(outputs.get(), at.file);
                    h5::write_dataset(g.get(), "rows", at.rows);
                    h5::write_dataset(g.get(), "crc", at.crc);
                }
            }
            writer.emplace(file.get());
        } catch (const std::exception& e) {
            failed = e.what();
            writer.emplace(H5I_INVALID_HID);
            writer->fail(failed);
        }
    }
    sim.save(writer ? &*writer : nullptr);  // every rank takes part, whatever rank 0 could write
    if (comm.rank() != 0) return {};
    failed = writer->error();
    writer.reset();
    if (failed.empty()) {
        try {
            h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush " + path.string());
            file = h5::handle();
            out->commit();
        } catch (const std::exception& e) {
            failed = e.what();
        }
    }
    return failed;  // on failure the temporary goes with `out`; the previous checkpoint stays
}

struct checkpoint_file::impl {
    h5::handle file;
    checkpoint_header header;
    std::optional<h5_reader> reader;
};

checkpoint_file::checkpoint_file(const std::filesystem::path& path) : impl_(std::make_unique<impl>()) {
    const std::string shown = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw input_error(shown, "", "no such file");
    if (std::filesystem::is_directory(path, ec)) throw input_error(shown, "", "is a folder, not a checkpoint file");
    try {
        impl_->file = h5::open_file_readonly(shown);
    } catch (const h5::error& e) {
        throw input_error(shown, "", fmt::format("not a readable HDF5 file (truncated, or not a checkpoint): {}", e.what()));
    }
    const hid_t f = impl_->file.get();
    if (!h5::has_attribute(f, "myelin_checkpoint"))
        throw input_error(shown, "", "not a Myelin checkpoint (an HDF5 file without the myelin_checkpoint attribute; "
                                     "checkpoints are written by `myelin run --checkpoint-every`)");
    try {
        const std::uint64_t version = h5::read_uint64_attribute(f, "myelin_checkpoint");
        if (version != format_version)
            throw input_error(shown, "", fmt::format("checkpoint format version {}; this Myelin reads version {}",
                                                     version, format_version));
        impl_->header.config_text = h5::read_string_attribute(f, "config");
        impl_->header.config_file = h5::read_string_attribute(f, "config_file");
        const std::uint64_t seed = h5::read_uint64_attribute(f, "seed");
        if (seed > 0xffffffffu) throw input_error(shown, "seed", fmt::format("seed = {}; must be < 2^32", seed));
        impl_->header.seed = static_cast<std::uint32_t>(seed);
        impl_->header.time_ms = h5::read_double_attribute(f, "time_ms");
        if (h5::exists(f, "outputs")) {
            h5::handle outputs = h5::open_group(f, "outputs");
            for (const auto& name : h5::children(outputs.get())) {
                h5::handle g = h5::open_group(outputs.get(), name);
                output_position at{name, h5::read_uint64s(g.get(), "rows"), {}};
                for (double c : h5::read_numbers(g.get(), "crc")) at.crc.push_back(static_cast<std::uint32_t>(c));
                impl_->header.outputs.push_back(std::move(at));
            }
        }
    } catch (const h5::error& e) {
        throw input_error(shown, "", fmt::format("damaged checkpoint header: {}", e.what()));
    }
    impl_->reader.emplace(f, shown);
}

checkpoint_file::~checkpoint_file() = default;
const checkpoint_header& checkpoint_file::header() const { return impl_->header; }
checkpoint_reader& checkpoint_file::reader() { return *impl_->reader; }

}  // namespace myelin::io
