#pragma once
// The one exception type for bad user input. It carries where the input came from (file),
// where in it (a config path such as "populations[1].params.tau_m") and what is wrong
// (the value with its unit and what is allowed). Programs map it to exit code 2.
#include <stdexcept>
#include <string>

namespace myelin {

class input_error : public std::runtime_error {
public:
    input_error(std::string file, std::string path, std::string detail)
        : std::runtime_error(compose(file, path, detail)),
          file_(std::move(file)), path_(std::move(path)), detail_(std::move(detail)) {}

    const std::string& file() const noexcept { return file_; }
    const std::string& path() const noexcept { return path_; }
    const std::string& detail() const noexcept { return detail_; }

    // The same error, now knowing which file the input came from.
    input_error in_file(const std::string& file) const { return {file, path_, detail_}; }

private:
    static std::string compose(const std::string& file, const std::string& path,
                               const std::string& detail) {
        std::string s;
        if (!file.empty()) s += file + ": ";
        if (!path.empty()) s += path + ": ";
        return s + detail;
    }
    std::string file_, path_, detail_;
};

}  // namespace myelin
