#pragma once
// The output folder of a run. Files are written into a staging folder (inside an existing
// folder, else beside the new one: always on the folder's file system) and moved in only
// when the whole run succeeded, so a failed or interrupted run leaves nothing that looks
// like output. An existing folder is only written into with `force`; then the files of
// this run replace their namesakes, and the results of the run before (listed in the
// folder's `.myelin-files`) that this run did not write again are removed. Nothing else in
// the folder is touched.
#include <filesystem>
#include <string>
#include <vector>

namespace myelin::io {

class output_dir {
public:
    // Throws input_error (path "--output") if the folder exists without `force`, or if
    // the staging folder cannot be created.
    output_dir(std::filesystem::path final_dir, bool force);
    ~output_dir();  // removes the staging folder unless committed
    output_dir(const output_dir&) = delete;
    output_dir& operator=(const output_dir&) = delete;

    std::filesystem::path file(const std::string& name) const { return staging_ / name; }
    const std::filesystem::path& final_dir() const { return final_; }
    void commit();

    // Staging folders of runs into `final_dir` that never committed (killed, crashed):
    // inside it and beside it, by their names, oldest name first.
    static std::vector<std::filesystem::path> leftover_staging(const std::filesystem::path& final_dir);

private:
    std::filesystem::path final_, staging_;
    bool committed_ = false;
};

}  // namespace myelin::io
