#pragma once
// Checkpoint files: the complete state of a run in one HDF5 file, from which `myelin
// resume` continues bit-identically on any number of ranks and threads.
//
// Layout: the root group's attributes myelin_checkpoint (format version), config (the
// config file's text), config_file (its path when the run started), seed, time_ms; one
// dataset per array that the engine saves (simulator/checkpoint.hpp), by its name; for a
// run that streams its recordings, the group outputs/<file> (datasets rows and crc) says
// how far each file was written (io/streams.hpp).
// Written a file per rank (version 2), that file is the index: it holds the header and
// the whole arrays; every rank's pieces of the other arrays are in
// <parts_folder>/<parts_tag>-<rank>.h5 beside it, under the same names, and the index's
// pieces/<name> (uint64[parts]) gives each rank's piece size.
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

// How a checkpoint is stored: one file written by rank 0 (the ranks' state gathered
// there), or an index and a file per rank written by every rank at once, in the folder
// PATH.parts (no rank holds more than its own state). automatic: per rank when there are
// several ranks. Either resumes on any partition.
enum class checkpoint_files { automatic, one, per_rank };

// Collective: every rank calls it. `path` is written under a temporary name and renamed
// when complete (after all the parts), so an existing checkpoint there stays whole until
// the new one is; the previous one's parts are removed after that. A write that fails (a
// full disk) does not throw: the ranks finish the save together, what was written is
// removed, the previous checkpoint stays, and rank 0 returns why (empty: written; always
// empty on the other ranks).
std::string save_checkpoint(const std::filesystem::path& path, const checkpoint_header& header, const engine& sim,
                            communicator& comm, checkpoint_files files = checkpoint_files::automatic);

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
