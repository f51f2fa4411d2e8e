#pragma once
// Whole files: a config's text, and a file that appears under its name only once written.
#include <filesystem>
#include <string>

namespace myelin {

// The text of a config file; throws input_error if it is missing or unreadable.
std::string read_config_text(const std::filesystem::path& file);

// Renames `tmp` to `path` only when the writer finished; removes `tmp` otherwise.
class atomic_file {
public:
    explicit atomic_file(std::filesystem::path path);
    ~atomic_file();
    const std::filesystem::path& temporary() const { return tmp_; }
    void commit();

private:
    std::filesystem::path path_, tmp_;
    bool committed_ = false;
};

}  // namespace myelin
