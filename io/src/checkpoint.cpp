#include <myelin/core/error.hpp>
#include <myelin/io/checkpoint.hpp>
#include <myelin/io/sonata.hpp>

#include <myelin/formats/files.hpp>
#include <myelin/formats/h5.hpp>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

namespace myelin::io {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t one_file_version = 1;  // every array in the one file
constexpr std::uint64_t per_rank_version = 2;  // an index and a file per rank (pieces)

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

// Arrays into one HDF5 file. The first write that fails is kept and later ones are skipped:
// saving is collective, so a rank whose file failed still takes part to the end.
class h5_arrays {
public:
    h5_arrays() = default;  // no file (it could not be created): only `fail` and `error`
    explicit h5_arrays(hid_t file) : file_(file) {
        lcpl_ = h5::handle(h5::check(H5Pcreate(H5P_LINK_CREATE), "link property list"), H5Pclose);
        h5::check(H5Pset_create_intermediate_group(lcpl_.get(), 1), "intermediate groups");
    }
    template <class T>
    void put(const std::string& name, std::span<const T> v) {
        if (!error_.empty()) return;
        try {
            const hsize_t dims[1] = {v.size()};
            h5::handle space(h5::check(H5Screate_simple(1, dims, nullptr), "create dataspace"), H5Sclose);
            h5::handle d(h5::check(H5Dcreate2(file_, name.c_str(), h5_type<T>::file(), space.get(), lcpl_.get(),
                                              h5::dataset_creation(), H5P_DEFAULT),
                                   "create dataset " + name),
                         H5Dclose);
            if (!v.empty())
                h5::check(H5Dwrite(d.get(), h5_type<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write " + name);
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }
    const std::string& error() const { return error_; }
    void fail(const std::string& e) {
        if (error_.empty()) error_ = e;
    }

private:
    hid_t file_ = H5I_INVALID_HID;
    h5::handle lcpl_;
    std::string error_;
};

// The typed entry points of checkpoint_writer, handed to the derived writer's templates.
template <class D>
class typed_writer : public checkpoint_writer {
public:
    void write(const std::string& n, std::span<const double> v) override { self().whole(n, v); }
    void write(const std::string& n, std::span<const float> v) override { self().whole(n, v); }
    void write(const std::string& n, std::span<const std::int32_t> v) override { self().whole(n, v); }
    void write(const std::string& n, std::span<const std::int64_t> v) override { self().whole(n, v); }
    void write(const std::string& n, std::span<const std::uint16_t> v) override { self().whole(n, v); }
    void write(const std::string& n, std::span<const std::uint32_t> v) override { self().whole(n, v); }
    void write(const std::string& n, std::span<const std::uint64_t> v) override { self().whole(n, v); }
    void write_piece(const std::string& n, std::span<const double> v) override { self().piece(n, v); }
    void write_piece(const std::string& n, std::span<const float> v) override { self().piece(n, v); }
    void write_piece(const std::string& n, std::span<const std::int32_t> v) override { self().piece(n, v); }
    void write_piece(const std::string& n, std::span<const std::int64_t> v) override { self().piece(n, v); }
    void write_piece(const std::string& n, std::span<const std::uint16_t> v) override { self().piece(n, v); }
    void write_piece(const std::string& n, std::span<const std::uint32_t> v) override { self().piece(n, v); }
    void write_piece(const std::string& n, std::span<const std::uint64_t> v) override { self().piece(n, v); }

private:
    D& self() { return static_cast<D&>(*this); }
};

// One file, written by rank 0 (`file` is null elsewhere): the pieces are gathered there.
class one_file_writer final : public typed_writer<one_file_writer> {
public:
    one_file_writer(communicator& comm, h5_arrays* file) : comm_(comm), file_(file) {}
    template <class T>
    void whole(const std::string& name, std::span<const T> v) {
        if (file_) file_->put(name, v);
    }
    template <class T>
    void piece(const std::string& name, std::span<const T> v) {
        if (comm_.size() == 1) return whole(name, v);  // no copy
        const auto all = gather_concat(comm_, std::vector<T>(v.begin(), v.end()));
        if (file_) file_->put(name, std::span<const T>(all));
    }

private:
    communicator& comm_;
    h5_arrays* file_;
};

// Each rank writes its pieces into its own file; whole arrays go into the index (rank 0's
// `index`, null elsewhere), and the pieces' sizes are gathered there at the end.
class per_rank_writer final : public typed_writer<per_rank_writer> {
public:
    per_rank_writer(h5_arrays* index, h5_arrays& part) : index_(index), part_(part) {}
    template <class T>
    void whole(const std::string& name, std::span<const T> v) {
        if (index_) index_->put(name, v);
    }
    template <class T>
    void piece(const std::string& name, std::span<const T> v) {
        part_.put(name, v);
        names_.push_back(name);
        sizes_.push_back(v.size());
    }
    const std::vector<std::string>& names() const { return names_; }
    const std::vector<std::uint64_t>& sizes() const { return sizes_; }

private:
    h5_arrays* index_;
    h5_arrays& part_;
    std::vector<std::string> names_;
    std::vector<std::uint64_t> sizes_;
};

// The file that names the checkpoint: header attributes (io/checkpoint.hpp), then arrays.
h5::handle create_index(const fs::path& file, const checkpoint_header& header, std::uint64_t version) {
    h5::handle f = h5::create_file(file.string());
    h5::write_attribute(f.get(), "myelin_checkpoint", version);
    h5::write_attribute(f.get(), "config", header.config_text);
    h5::write_attribute(f.get(), "config_file", header.config_file);
    h5::write_attribute(f.get(), "seed", std::uint64_t{header.seed});
    h5::write_attribute(f.get(), "time_ms", header.time_ms);
    if (!header.outputs.empty()) {
        h5::handle outputs = h5::create_group(f.get(), "outputs");
        for (const auto& at : header.outputs) {
            h5::handle g = h5::create_group(outputs.get(), at.file);
            h5::write_dataset(g.get(), "rows", at.rows);
            h5::write_dataset(g.get(), "crc", at.crc);
        }
    }
    return f;
}

// The index being written (by rank 0), under a temporary name until committed. Members
// go in reverse order: the arrays, the file (closed), then the temporary (removed unless
// committed).
struct pending_index {
    std::optional<atomic_file> out;
    h5::handle file;
    std::optional<h5_arrays> arrays;  // without a file: why it could not be created
    pending_index(const fs::path& path, const checkpoint_header& header, std::uint64_t version) {
        try {
            out.emplace(path);
            file = create_index(out->temporary(), header, version);
            arrays.emplace(file.get());
        } catch (const std::exception& e) {
            arrays.emplace();
            arrays->fail(e.what());
        }
    }
};

void close_file(h5::handle& file, const std::string& shown) {
    h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush " + shown);
    file = h5::handle();
}

fs::path part_path(const fs::path& folder, const std::string& tag, int rank) {
    return folder / fmt::format("{}-{}.h5", tag, rank);
}

// Removes the part files in `folder` not of the checkpoint `keep` (none: all), and the
// folder if that empties it. Only names a per-rank save writes are touched.
void remove_parts(const fs::path& folder, const std::string& keep) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return;
    std::vector<fs::path> old;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("p") && name.ends_with(".h5") && (keep.empty() || !name.starts_with(keep + "-")))
            old.push_back(entry.path());
    }
    for (const auto& p : old) fs::remove(p, ec);
    if (fs::is_empty(folder, ec)) fs::remove(folder, ec);
}

std::string save_one_file(const fs::path& path, const checkpoint_header& header, const engine& sim, communicator& comm) {
    const bool root = comm.rank() == 0;
    std::optional<pending_index> index;
    if (root) index.emplace(path, header, one_file_version);
    one_file_writer writer(comm, index ? &*index->arrays : nullptr);
    sim.save(writer);  // every rank takes part, whatever rank 0 could write
    if (!root) return {};
    std::string failed = index->arrays->error();
    if (failed.empty()) {
        try {
            close_file(index->file, path.string());
            index->out->commit();
            remove_parts(fs::path(path.string() + ".parts"), "");  // of an earlier per-rank checkpoint
        } catch (const std::exception& e) {
            failed = e.what();
        }
    }
    return failed;  // on failure the temporary goes with `index`; the previous checkpoint stays
}

// Every rank writes PATH.parts/<tag>-<rank>.h5; when all are complete, rank 0 renames the
// index, which names them, over the previous one and removes the previous parts.
std::string save_per_rank(const fs::path& path, const checkpoint_header& header, const engine& sim, communicator& comm) {
    const bool root = comm.rank() == 0;
    const fs::path folder = path.string() + ".parts";
    // A name unique to this save (rank 0's clock), so that it never overwrites the parts of
    // the checkpoint it replaces.
    std::string tag;
    if (root) tag = fmt::format("p{:x}", std::chrono::system_clock::now().time_since_epoch().count());
    const std::vector<char> shared = comm.allgather(std::vector<char>(tag.begin(), tag.end()));
    tag.assign(shared.begin(), shared.end());

    const fs::path mine = part_path(folder, tag, comm.rank());
    h5::handle part_file;
    std::optional<h5_arrays> part;
    try {
        std::error_code ec;
        fs::create_directories(folder, ec);  // all ranks at once: it may exist by now
        if (!fs::is_directory(folder, ec))
            throw std::runtime_error(fmt::format("{}: cannot create the folder for the checkpoint's parts", folder.string()));
        part_file = h5::create_file(mine.string());
        h5::write_attribute(part_file.get(), "myelin_checkpoint_part", tag);
        h5::write_attribute(part_file.get(), "rank", std::uint64_t(comm.rank()));
        part.emplace(part_file.get());
    } catch (const std::exception& e) {
        part.emplace();
        part->fail(e.what());
    }
    std::optional<pending_index> index;
    if (root) index.emplace(path, header, per_rank_version);
    per_rank_writer writer(index ? &*index->arrays : nullptr, *part);
    sim.save(writer);  // every rank takes part, whatever it could write

    std::string failed = part->error();
    if (failed.empty()) {
        try {
            close_file(part_file, mine.string());
        } catch (const std::exception& e) {
            failed = e.what();
        }
    }
    part_file = h5::handle();  // closed before rank 0 may remove it
    const auto errors = gather_by_rank(comm, std::vector<char>(failed.begin(), failed.end()));
    const auto sizes = gather_by_rank(comm, writer.sizes());
    if (!root) return {};
    failed.clear();
    for (std::size_t r = 0; r < errors.size() && failed.empty(); ++r)
        if (!errors[r].empty()) failed = fmt::format("rank {}: {}", r, std::string(errors[r].begin(), errors[r].end()));
    h5_arrays& whole = *index->arrays;
    if (failed.empty()) failed = whole.error();
    if (failed.empty()) {
        try {
            const auto& names = writer.names();
            for (std::size_t k = 0; k < names.size(); ++k) {
                std::vector<std::uint64_t> by_rank;
                for (const auto& s : sizes) {
                    if (s.size() != names.size())
                        throw std::logic_error("the ranks saved different arrays (a bug: please report it)");
                    by_rank.push_back(s[k]);
                }
                whole.put("pieces/" + names[k], std::span<const std::uint64_t>(by_rank));
            }
            if (!whole.error().empty()) throw std::runtime_error(whole.error());
            h5::write_attribute(index->file.get(), "parts", std::uint64_t(comm.size()));
            h5::write_attribute(index->file.get(), "parts_folder", folder.filename().string());
            h5::write_attribute(index->file.get(), "parts_tag", tag);
            close_file(index->file, path.string());
            index->out->commit();
        } catch (const std::exception& e) {
            failed = e.what();
        }
    }
    std::error_code ec;
    if (failed.empty())
        remove_parts(folder, tag);  // the previous checkpoint's
    else {
        for (int r = 0; r < comm.size(); ++r) fs::remove(part_path(folder, tag, r), ec);
        if (fs::is_empty(folder, ec)) fs::remove(folder, ec);
    }
    return failed;
}

// The typed reads of checkpoint_reader, handed to the derived reader's `get` template.
template <class D>
class typed_reader : public checkpoint_reader {
public:
    void read(const std::string& n, std::uint64_t first, std::span<double> out) override { self().get(n, first, out); }
    void read(const std::string& n, std::uint64_t first, std::span<float> out) override { self().get(n, first, out); }
    void read(const std::string& n, std::uint64_t first, std::span<std::int32_t> out) override { self().get(n, first, out); }
    void read(const std::string& n, std::uint64_t first, std::span<std::int64_t> out) override { self().get(n, first, out); }
    void read(const std::string& n, std::uint64_t first, std::span<std::uint16_t> out) override { self().get(n, first, out); }
    void read(const std::string& n, std::uint64_t first, std::span<std::uint32_t> out) override { self().get(n, first, out); }
    void read(const std::string& n, std::uint64_t first, std::span<std::uint64_t> out) override { self().get(n, first, out); }

private:
    D& self() { return static_cast<D&>(*this); }
};

class h5_reader final : public typed_reader<h5_reader> {
    friend class typed_reader<h5_reader>;

public:
    h5_reader(hid_t file, std::string path) : file_(file), path_(std::move(path)) {}

    bool has(const std::string& name) override { return h5::exists(file_, name); }
    std::uint64_t size(const std::string& name) override {
        h5::handle d = open(name);
        return extent(d.get(), name);
    }

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

// The reader of an index and its parts: whole arrays from the index, the others from the
// parts that hold the range asked for (each part's piece sizes are in the index).
class parts_reader final : public typed_reader<parts_reader> {
    friend class typed_reader<parts_reader>;

public:
    parts_reader(hid_t index, std::string shown, fs::path folder, std::string tag, std::uint64_t ranks)
        : index_(index), whole_(index, shown), shown_(std::move(shown)), folder_(std::move(folder)), tag_(std::move(tag)),
          parts_(ranks) {}

    bool has(const std::string& name) override { return whole_.has(name) || h5::exists(index_, "pieces/" + name); }
    std::uint64_t size(const std::string& name) override {
        if (whole_.has(name)) return whole_.size(name);
        std::uint64_t n = 0;
        for (auto s : sizes(name)) n += s;
        return n;
    }

private:
    struct part {
        h5::handle file;
        std::optional<h5_reader> reader;
    };

    const std::vector<std::uint64_t>& sizes(const std::string& name) {
        auto it = sizes_.find(name);
        if (it != sizes_.end()) return it->second;
        const std::string key = "pieces/" + name;
        if (!h5::exists(index_, key))
            throw input_error(shown_, name, "missing: the file is not a complete checkpoint of this network");
        std::vector<std::uint64_t> s(parts_.size());
        if (whole_.size(key) != s.size())
            throw input_error(shown_, key, fmt::format("has {} sizes for {} parts", whole_.size(key), s.size()));
        whole_.read(key, 0, std::span<std::uint64_t>(s));
        return sizes_.emplace(name, std::move(s)).first->second;
    }

    h5_reader& part_reader(std::size_t r) {
        part& p = parts_[r];
        if (p.reader) return *p.reader;
        const fs::path path = part_path(folder_, tag_, static_cast<int>(r));
        const std::string shown = path.string();
        std::error_code ec;
        if (!fs::exists(path, ec))
            throw input_error(shown, "", fmt::format("missing: part {} of {} of the checkpoint {}, which was written a file "
                                                     "per rank; move or copy the checkpoint together with its folder {}",
                                                     r, parts_.size(), shown_, folder_.string()));
        try {
            p.file = h5::open_file_readonly(shown);
            if (!h5::has_attribute(p.file.get(), "myelin_checkpoint_part") ||
                h5::read_string_attribute(p.file.get(), "myelin_checkpoint_part") != tag_ ||
                !h5::has_attribute(p.file.get(), "rank") || h5::read_uint64_attribute(p.file.get(), "rank") != r)
                throw input_error(shown, "", fmt::format("not part {} of the checkpoint {}", r, shown_));
        } catch (const h5::error& e) {
            throw input_error(shown, "", fmt::format("not a readable HDF5 file (truncated?): {}", e.what()));
        }
        p.reader.emplace(p.file.get(), shown);
        return *p.reader;
    }

    template <class T>
    void get(const std::string& name, std::uint64_t first, std::span<T> out) {
        if (whole_.has(name)) return whole_.read(name, first, out);
        const auto& s = sizes(name);
        std::uint64_t n = 0;
        for (auto x : s) n += x;
        if (first + out.size() > n)
            throw input_error(shown_, name, fmt::format("has {} values; elements up to {} were asked for", n,
                                                        first + out.size()));
        std::uint64_t begin = 0;  // of part r's piece
        for (std::size_t r = 0; r < s.size() && !out.empty(); begin += s[r], ++r) {
            const std::uint64_t end = begin + s[r];
            if (end <= first) continue;
            const std::uint64_t take = std::min<std::uint64_t>(end - first, out.size());
            h5_reader& part = part_reader(r);
            if (part.size(name) != s[r])
                throw input_error(part_path(folder_, tag_, static_cast<int>(r)).string(), name,
                                  fmt::format("{} values; the index {} says {}", part.size(name), shown_, s[r]));
            part.read(name, first - begin, out.first(take));
            out = out.subspan(take);
            first += take;
        }
    }

    hid_t index_;
    h5_reader whole_;
    std::string shown_;
    fs::path folder_;
    std::string tag_;
    std::vector<part> parts_;
    std::map<std::string, std::vector<std::uint64_t>> sizes_;
};

}  // namespace

std::string save_checkpoint(const std::filesystem::path& path, const checkpoint_header& header, const engine& sim,
                            communicator& comm, checkpoint_files files) {
    const bool per_rank = files == checkpoint_files::per_rank || (files == checkpoint_files::automatic && comm.size() > 1);
    return per_rank ? save_per_rank(path, header, sim, comm) : save_one_file(path, header, sim, comm);
}

struct checkpoint_file::impl {
    h5::handle file;
    checkpoint_header header;
    std::unique_ptr<checkpoint_reader> reader;
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
        if (version != one_file_version && version != per_rank_version)
            throw input_error(shown, "", fmt::format("checkpoint format version {}; this Myelin reads versions {} and {}",
                                                     version, one_file_version, per_rank_version));
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
        if (version == per_rank_version) {
            const std::uint64_t parts = h5::read_uint64_attribute(f, "parts");
            const std::string folder = h5::read_string_attribute(f, "parts_folder");
            if (parts == 0 || folder.empty() || folder.find('/') != std::string::npos)
                throw input_error(shown, "parts", fmt::format("{} parts in '{}': not a checkpoint's index", parts, folder));
            impl_->reader = std::make_unique<parts_reader>(f, shown, path.parent_path() / folder,
                                                           h5::read_string_attribute(f, "parts_tag"), parts);
        }
    } catch (const h5::error& e) {
        throw input_error(shown, "", fmt::format("damaged checkpoint header: {}", e.what()));
    }
    if (!impl_->reader) impl_->reader = std::make_unique<h5_reader>(f, shown);
}

checkpoint_file::~checkpoint_file() = default;
const checkpoint_header& checkpoint_file::header() const { return impl_->header; }
checkpoint_reader& checkpoint_file::reader() { return *impl_->reader; }

}  // namespace myelin::io
