#pragma once
// Checkpoint files: the complete state of a run in one HDF5 file, from which `myelin
// resume` continues bit-identically on any number of ranks and threads.
//
// Layout: the root group's attributes myelin_checkpoint (format version), config (the
// config file's text), config_file (its path when the run started), seed, time_ms; one
// dataset per array that the engine saves (simulator/checkpoint.hpp), by its name; for a
// run that streams its recordings, the group outputs/<file> (datasets rows and crc) says
// how far each file was written (io/streams.hpp).
#include <myelin/io/streams.hpp>
#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/engine.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace myelin::io {

struct checkpoint_header {
    std::string config_text;  // the config as it was read
    std::string config_file;  // where it was read from (for messages and the output name)
    std::uint32_t seed = 0;   // the seed the run used (after --seed)
    double time_ms = 0.0;     // biological time of the state
    // How far the run's streamed files were written (what they hold is not in the checkpoint).
    std::vector<output_position> outputs;
};

// Collective: every rank calls it. Rank 0 writes `path` under a temporary name and renames
// it when complete, so an existing checkpoint there stays whole until the new one is.
// A write that fails (a full disk) does not throw: the ranks finish the save together,
// the temporary is removed, the previous checkpoint stays, and rank 0 returns why (empty:
// written; always empty on the other ranks).
std::string save_checkpoint(const std::filesystem::path& path, const checkpoint_header& header, const engine& sim,
                            communicator& comm);

// A checkpoint opened for reading. Throws input_error naming the file if it is not one:
// not HDF5, truncated, another HDF5 file, or another format version.
class checkpoint_file {
public:
    explicit checkpoint_file(const std::filesystem::path& path);
    ~checkpoint_file();
    checkpoint_file(const checkpoint_file&) = delete;
    checkpoint_file& operator=(const checkpoint_file&) = delete;

    const checkpoint_header& header() const;
    checkpoint_reader& reader();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace myelin::io
