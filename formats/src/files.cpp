#include <myelin/formats/files.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <system_error>

namespace myelin {

std::string read_config_text(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw input_error(file.string(), "", "no such file");
    if (std::filesystem::is_directory(file, ec)) throw input_error(file.string(), "", "is a folder, not a config file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw input_error(file.string(), "", "cannot be read (permission denied?)");
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw input_error(file.string(), "", "cannot be read");
    return buffer.str();
}

atomic_file::atomic_file(std::filesystem::path path)
    : path_(std::move(path)), tmp_(path_.string() + fmt::format(".tmp-{}", ::getpid())) {}

atomic_file::~atomic_file() {
    if (!committed_) {
        std::error_code ec;
        std::filesystem::remove(tmp_, ec);
    }
}

void atomic_file::commit() {
    std::filesystem::rename(tmp_, path_);
    committed_ = true;
}

}  // namespace myelin
