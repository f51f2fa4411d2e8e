// The `myelin` command-line program: parses arguments and hands over to the libraries.
// Exit codes: 0 success, 2 bad input (config, files, flags), 1 any other failure.
#include "commands.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/core/version.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

namespace {

// A finite number > 0. CLI11's PositiveNumber would answer "abc" with its range written
// out to 309 digits.
const CLI::Validator positive_number(
    [](std::string& text) -> std::string {
        double x = 0.0;
        const char* end = text.data() + text.size();
        const auto [stop, ec] = std::from_chars(text.data(), end, x);
        if (ec == std::errc::result_out_of_range) return text + " is out of range; must be a finite number > 0";
        if (ec != std::errc() || stop != end) return "'" + text + "' is not a number";
        if (!(x > 0.0) || !std::isfinite(x)) return text + " must be a finite number > 0";
        return {};
    },
    "NUMBER > 0");

}  // namespace

int main(int argc, char** argv) {
    // Under mpirun every rank runs this program; only rank 0 prints what all would print.
    std::unique_ptr<myelin::communicator> comm;
    try {
        comm = myelin::make_world_communicator(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "myelin: failed to start MPI: {}\n", e.what());
        return 1;
    }
    const bool root = comm->rank() == 0;
    std::ostringstream discard;

    CLI::App app{"Myelin: spiking neural network simulator"};
    app.set_version_flag("--version", std::string("myelin ") + myelin::version());
    app.require_subcommand(1);
    app.footer("Run 'myelin COMMAND --help' for the options of a command. Docs: docs/ in the source tree.");

    // The flags run and resume share.
    std::optional<std::string> run_exchange, resume_exchange;
    auto add_simulation_flags = [](CLI::App* cmd, myelin::apps::simulation_flags& f, std::optional<std::string>& exchange,
                                   const std::string& defaults) {
        cmd->add_option("--threads", f.threads, "OpenMP threads (" + defaults + "simulation.threads)")
            ->check(CLI::Range(1, 1024));
        cmd->add_option("--exchange", exchange, "Spike exchange between ranks (" + defaults + "simulation.exchange)")
            ->check(CLI::IsMember({"allgather", "targeted"}));
        cmd->add_option("--output", f.output, "Output folder (default: out/<config name>)");
        cmd->add_flag("--force", f.force, "Write into an existing output folder, replacing this run's files");
        cmd->add_flag("--quiet", f.quiet, "No progress line");
        cmd->add_flag("--dry-run", f.dry_run, "Print the network's size and memory estimate; build and run nothing");
        cmd->add_flag("--pin", f.pin,
                      "Pin thread t to the t-th CPU this process (rank) may run on, for the whole run "
                      "(docs/scaling.md)");
        cmd->add_flag("--no-memory-check", f.no_memory_check,
                      "Build even where the memory estimate exceeds what this machine has available");
        cmd->add_option("--checkpoint-every", f.checkpoint_every_ms,
                        "Write OUTPUT/checkpoint.h5 every this many ms of biological time (see docs/checkpoints.md)")
            ->check(positive_number);
        cmd->add_option("--checkpoint-files", f.checkpoint_files,
                        "How checkpoints are stored: one (one file, written by rank 0) or per-rank (an index and a "
                        "file per rank in OUTPUT/checkpoint.h5.parts, written by all ranks at once); default: "
                        "per-rank with several ranks")
            ->check(CLI::IsMember({"one", "per-rank"}));
        cmd->add_flag("--stop-on-checkpoint-failure", f.stop_on_checkpoint_failure,
                      "End the run (exit 2, results so far written) when a checkpoint cannot be written, instead "
                      "of warning and going on");
    };

    myelin::apps::run_options run;
    auto* run_cmd = app.add_subcommand("run", "Build and simulate the network described by a JSON config");
    run_cmd->add_option("config", run.config, "Network config (JSON), or a SONATA simulation or circuit config; see docs/config.md")->required();
    run_cmd->add_option("--seed", run.seed, "Random seed, 0 to 4294967295 (overrides simulation.seed)");
    run_cmd->add_option("--t-stop", run.t_stop_ms, "Biological time to simulate in ms (overrides simulation.t_stop)")
        ->check(positive_number);
    add_simulation_flags(run_cmd, run.flags, run_exchange, "overrides ");

    myelin::apps::resume_options resume;
    auto* resume_cmd = app.add_subcommand("resume", "Continue a run from a checkpoint, on any number of ranks and threads");
    resume_cmd->add_option("checkpoint", resume.checkpoint, "Checkpoint file (HDF5) written by run --checkpoint-every")
        ->required();
    resume_cmd->add_option("--t-stop", resume.t_stop_ms, "Biological time to simulate up to, in ms")
        ->required()
        ->check(positive_number);
    add_simulation_flags(resume_cmd, resume.flags, resume_exchange, "default: the checkpointed config's ");

    std::string spikes_file;
    std::optional<double> info_start, info_stop;
    auto* info_cmd = app.add_subcommand("info", "Spike statistics of a SONATA spike file");
    info_cmd->add_option("spikes", spikes_file, "SONATA spike file (HDF5)")->required();
    info_cmd->add_option("--t-start", info_start, "Count spikes from this time (ms)");
    info_cmd->add_option("--t-stop", info_stop, "Count spikes before this time (ms)");

    std::string model_name;
    auto* models_cmd = app.add_subcommand("models", "List the built-in models, or one model's parameters");
    models_cmd->add_option("name", model_name, "Model to describe");

    myelin::apps::train_cli train;
    auto* train_cmd = app.add_subcommand("train", "Train a spiking or rate network on a data set (docs/learning.md)");
    train_cmd->add_option("config", train.config, "Training config (JSON), see docs/learning.md")->required();
    train_cmd->add_option("--output", train.output, "Output folder (default: out/<config name>)");
    train_cmd->add_option("--threads", train.threads, "OpenMP threads (overrides training.threads)")->check(CLI::Range(1, 1024));
    train_cmd->add_option("--seed", train.seed, "Random seed (overrides training.seed)");
    train_cmd->add_option("--epochs", train.epochs, "Epochs (overrides training.epochs)")->check(CLI::Range(1, 1 << 20));
    train_cmd->add_flag("--force", train.force, "Write into an existing output folder, replacing this run's files");
    train_cmd->add_flag("--quiet", train.quiet, "No progress lines");
    train_cmd->add_flag("--resume", train.resume,
                        "Continue the training in --output from its checkpoint.h5 (written after every epoch)");

    myelin::apps::eval_cli eval;
    std::vector<std::size_t> eval_rows;
    auto* eval_cmd = app.add_subcommand("eval", "Accuracy, per-class accuracy and confusion matrix of a trained model");
    eval_cmd->add_option("model", eval.model, "Model file written by 'myelin train'")->required();
    eval_cmd->add_option("data", eval.data, "Data: CSV (features, label) or Spiking Heidelberg Digits HDF5 (.h5)")->required();
    eval_cmd->add_option("--rows", eval_rows, "Only rows FIRST END (end excluded)")->expected(2);
    eval_cmd->add_option("--duration", eval.duration_s, "Event data: seconds binned into the model's steps (default 1)")
        ->check(positive_number);
    eval_cmd->add_option("--threads", eval.threads, "OpenMP threads")->check(CLI::Range(1, 1024));

    myelin::apps::export_cli exp;
    auto* export_cmd = app.add_subcommand(
        "export", "Write the simulator config of a trained spiking network for one sample, or the network as NIR");
    export_cmd->add_option("model", exp.model, "Model file written by 'myelin train'")->required();
    export_cmd->add_flag("--nir", exp.nir, "Write the network as a NIR graph (HDF5) instead of a simulator config");
    export_cmd->add_option("--data", exp.data, "Data the sample comes from (CSV or SHD .h5; required without --nir)");
    export_cmd->add_option("--sample", exp.sample, "Row of the sample in the data (default 0)");
    export_cmd->add_option("--duration", exp.duration_s, "Event data: seconds binned into the model's steps (default 1)")
        ->check(positive_number);
    export_cmd->add_option("--output", exp.output, "Config file to write (JSON)")->required();
    export_cmd->add_flag("--force", exp.force, "Replace an existing file");

    myelin::apps::import_cli imp;
    auto* import_cmd = app.add_subcommand("import", "Read a NIR graph into a Myelin model file (docs/learning.md#nir)");
    import_cmd->add_option("nir", imp.nir, "NIR file (HDF5)")->required();
    import_cmd->add_option("--output", imp.output, "Model file to write")->required();
    import_cmd->add_option("--dt", imp.dt_s, "Time step in s the graph is discretised with (default: its metadata)")
        ->check(positive_number);
    import_cmd->add_option("--steps", imp.steps, "Time steps per sample (default: the metadata's, else 50)")
        ->check(CLI::Range(1, 1 << 20));
    import_cmd->add_flag("--force", imp.force, "Replace an existing file");

    myelin::apps::compare_cli cmp;
    std::vector<std::size_t> cmp_rows;
    auto* compare_cmd = app.add_subcommand(
        "compare", "Compare two spike files (SONATA, NWB) or two representations (stimuli x units), docs/compare.md");
    compare_cmd->add_option("a", cmp.a, "Spike file, or representation: CSV, HDF5[:DATASET], model file (with --data), "
                                        "NWB (with --trials)")->required();
    compare_cmd->add_option("b", cmp.b, "The same kind as A")->required();
    compare_cmd->add_option("--report", cmp.report, "Folder for report.json and report.html");
    compare_cmd->add_flag("--force", cmp.force, "Write into an existing report folder");
    compare_cmd->add_option("--select-a", cmp.select_a, "Spikes of A: SONATA populations, or NWB units COLUMN=VALUE");
    compare_cmd->add_option("--select-b", cmp.select_b, "Spikes of B: as --select-a");
    compare_cmd->add_option("--label-a", cmp.label_a, "How figures and tables name A (default: its folder and file name)");
    compare_cmd->add_option("--label-b", cmp.label_b, "How figures and tables name B");
    compare_cmd->add_option("--t-start", cmp.t_start_ms, "Spikes from this time (ms)");
    compare_cmd->add_option("--t-stop", cmp.t_stop_ms, "Spikes before this time (ms)");
    compare_cmd->add_option("--bin", cmp.bin_ms, "Bin for spike-count correlations (ms, default 5)")->check(positive_number);
    compare_cmd->add_option("--measure", cmp.measures,
                            "Representation measures (default linear_cka debiased_cka rsa procrustes; also rbf_cka[:F], "
                            "rsa:euclidean, rsa:correlation:kendall)");
    compare_cmd->add_option("--permutations", cmp.permutations, "Permutations for p-values (default 1000)")->check(CLI::Range(1, 1000000));
    compare_cmd->add_option("--bootstrap", cmp.bootstrap, "Bootstrap resamples for intervals (default 1000)")->check(CLI::Range(1, 1000000));
    compare_cmd->add_option("--level", cmp.level, "Confidence level of the intervals (default 0.95)")->check(CLI::Range(0.5, 0.999));
    compare_cmd->add_option("--seed", cmp.seed, "Seed of permutations and resamples (default 1)");
    compare_cmd->add_option("--threads", cmp.threads, "OpenMP threads (results do not depend on it)")->check(CLI::Range(1, 1024));
    compare_cmd->add_option("--data", cmp.data, "Stimuli for model files, and raw input for --input-baseline (CSV or SHD)");
    compare_cmd->add_option("--rows", cmp_rows, "Only rows FIRST END of --data (end excluded)")->expected(2);
    compare_cmd->add_option("--layer", cmp.layer,
                            "Layer of model files: hidden (default), output, or all (every layer of A against every layer of B)")
        ->check(CLI::IsMember({"hidden", "output", "all"}));
    compare_cmd->add_flag("--input-baseline", cmp.input_baseline, "Also compare A and B with the raw input (--data)");
    compare_cmd->add_option("--replicas-a", cmp.replicas_a, "A's model trained from other seeds: the across-seed baseline");
    compare_cmd->add_option("--replicas-b", cmp.replicas_b, "B's replicas, as --replicas-a");
    compare_cmd->add_option("--trials", cmp.trials_column, "NWB as representation: the trials column naming the condition");
    compare_cmd->add_option("--window", cmp.window_s, "NWB as representation: START STOP (s) after trial start (default 0 0.5)")
        ->expected(2);

    std::string convert_in, convert_out;
    bool convert_force = false;
    auto* convert_cmd = app.add_subcommand("convert", "Write a SONATA spike file as an NWB 2.x units table");
    convert_cmd->add_option("spikes", convert_in, "SONATA spike file (HDF5)")->required();
    convert_cmd->add_option("output", convert_out, "NWB file to write (.nwb)")->required();
    convert_cmd->add_flag("--force", convert_force, "Replace an existing file");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Prints help, version or the error (on rank 0).
        const int code = root ? app.exit(e) : app.exit(e, discard, discard);
        return code == 0 ? 0 : 2;
    }

    try {
        auto exchange_of = [](const std::optional<std::string>& e) -> std::optional<myelin::spike_exchange> {
            if (!e) return std::nullopt;
            return *e == "targeted" ? myelin::spike_exchange::targeted : myelin::spike_exchange::allgather;
        };
        // Ctrl-C and SIGTERM end a run at the next window with its results so far.
        if (*run_cmd || *resume_cmd) myelin::install_interrupt_handlers();
        if (*run_cmd) {
            run.flags.exchange = exchange_of(run_exchange);
            return myelin::apps::run_command(run, *comm);
        }
        if (*resume_cmd) {
            resume.flags.exchange = exchange_of(resume_exchange);
            return myelin::apps::resume_command(resume, *comm);
        }
        if (!root) return 0;  // the other commands are not parallel
        if (*info_cmd) return myelin::apps::info_command(spikes_file, info_start, info_stop);
        if (*models_cmd) return myelin::apps::models_command(model_name);
        if (*train_cmd) return myelin::apps::train_command(train);
        // --rows FIRST END of eval and compare.
        auto row_range = [](const std::vector<std::size_t>& r) -> std::optional<std::pair<std::size_t, std::size_t>> {
            if (r.empty()) return std::nullopt;
            if (r[1] <= r[0])
                throw myelin::input_error("", "--rows", fmt::format("{} {}: the end must be after the first row", r[0], r[1]));
            return std::pair{r[0], r[1]};
        };
        if (*eval_cmd) {
            eval.rows = row_range(eval_rows);
            return myelin::apps::eval_command(eval);
        }
        if (*export_cmd) return myelin::apps::export_command(exp);
        if (*compare_cmd) {
            cmp.rows = row_range(cmp_rows);
            cmp.measures_given = compare_cmd->count("--measure") > 0;
            if (!(cmp.window_s[1] > cmp.window_s[0]))
                throw myelin::input_error("", "--window", fmt::format("{} {}: STOP must be after START", cmp.window_s[0],
                                                                     cmp.window_s[1]));
            // The command as a shell would take it back (quoted where needed).
            for (int k = 0; k < argc; ++k) {
                std::string word = k == 0 ? "myelin" : argv[k];
                if (word.find_first_of(" '\"\\$") != std::string::npos || word.empty()) {
                    std::string quoted = "'";
                    for (char ch : word) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
                    word = quoted + "'";
                }
                cmp.command_line += (k ? " " : "") + word;
            }
            return myelin::apps::compare_command(cmp);
        }
        if (*convert_cmd) return myelin::apps::convert_command(convert_in, convert_out, convert_force);
        if (*import_cmd) return myelin::apps::import_command(imp);
    } catch (const myelin::apps::quiet_exit& e) {
        return e.code;
    } catch (const myelin::input_error& e) {
        fmt::print(stderr, "myelin: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "myelin: failed: {}\n", myelin::apps::describe(e));
        return 1;
    }
    return 0;
}
