#include <myelin/io/output_dir.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <unistd.h>

namespace myelin::io {

namespace fs = std::filesystem;

output_dir::output_dir(fs::path final_dir, bool force) : final_(final_dir.lexically_normal()) {
    if (final_.has_parent_path() && !final_.has_filename()) final_ = final_.parent_path();  // "out/run/"
    std::error_code ec;
    const std::string shown = final_.string();
    if (fs::exists(final_, ec)) {
        if (!fs::is_directory(final_, ec))
            throw input_error("", "--output", fmt::format("'{}' exists and is not a folder", shown));
        if (!force)
            throw input_error("", "--output",
                              fmt::format("folder '{}' already exists; use --force to replace the files of this "
                                          "run in it, or choose another --output",
                                          shown));
    }
    fs::path parent = fs::absolute(final_, ec).parent_path();
    fs::create_directories(parent, ec);
    if (ec)
        throw input_error("", "--output", fmt::format("cannot create folder '{}': {}", parent.string(), ec.message()));
    staging_ = parent / fmt::format(".{}.partial-{}", fs::absolute(final_).filename().string(), ::getpid());
    fs::create_directory(staging_, ec);
    if (ec)
        throw input_error("", "--output",
                          fmt::format("cannot write into '{}': {}", parent.string(), ec.message()));
}

output_dir::~output_dir() {
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

void output_dir::commit() {
    if (!fs::exists(final_)) {
        fs::rename(staging_, final_);
    } else {
        for (const auto& entry : fs::directory_iterator(staging_))
            fs::rename(entry.path(), final_ / entry.path().filename());
        fs::remove_all(staging_);
    }
    committed_ = true;
}

}  // namespace myelin::io
