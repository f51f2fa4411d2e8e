#include <myelin/io/output_dir.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

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
    // Staged inside an existing folder (which may be a mount point: a rename from beside it
    // would cross file systems), else beside the new one, so that commit() only renames
    // within one file system. Both are tried here, before any work is done.
    const bool inside = fs::exists(final_, ec);
    fs::path parent = inside ? fs::absolute(final_, ec) : fs::absolute(final_, ec).parent_path();
    if (!inside) {
        fs::create_directories(parent, ec);
        if (ec)
            throw input_error("", "--output", fmt::format("cannot create folder '{}': {}", parent.string(), ec.message()));
    }
    staging_ = inside ? parent / fmt::format(".partial-{}", ::getpid())
                      : parent / fmt::format(".{}.partial-{}", fs::absolute(final_).filename().string(), ::getpid());
    fs::create_directory(staging_, ec);
    if (ec)
        throw input_error("", "--output",
                          fmt::format("cannot write into '{}': {}", parent.string(), ec.message()));
}

std::vector<fs::path> output_dir::leftover_staging(const fs::path& final_dir) {
    std::vector<fs::path> found;
    std::error_code ec;
    const fs::path folder = fs::absolute(final_dir, ec).lexically_normal();
    auto look = [&](const fs::path& in, const std::string& prefix) {
        for (const auto& entry : fs::directory_iterator(in, ec))
            if (entry.is_directory(ec) && entry.path().filename().string().starts_with(prefix)) found.push_back(entry.path());
    };
    look(folder, ".partial-");
    look(folder.parent_path(), fmt::format(".{}.partial-", folder.filename().string()));
    std::sort(found.begin(), found.end());
    return found;
}

output_dir::~output_dir() {
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

// The files the last commit put into the folder. A later run into it (--force) removes
// those it does not write again, so that no result of an earlier run sits beside the new
// ones; files that Myelin did not write there, and checkpoints, are left alone.
constexpr const char* manifest = ".myelin-files";

void output_dir::commit() {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(staging_)) names.insert(entry.path().filename().string());
    {
        std::ofstream list(staging_ / manifest);
        for (const auto& n : names) list << n << "\n";
        if (!list.flush()) throw std::runtime_error(fmt::format("cannot write {}", (staging_ / manifest).string()));
    }
    if (!fs::exists(final_)) {
        fs::rename(staging_, final_);
    } else {
        std::ifstream earlier(final_ / manifest);
        std::error_code ec;
        for (std::string n; std::getline(earlier, n);)
            if (!n.empty() && n.find('/') == std::string::npos && !names.contains(n) && fs::is_regular_file(final_ / n, ec))
                fs::remove(final_ / n, ec);
        for (const auto& entry : fs::directory_iterator(staging_))
            fs::rename(entry.path(), final_ / entry.path().filename());
        fs::remove_all(staging_);
    }
    committed_ = true;
}

}  // namespace myelin::io
