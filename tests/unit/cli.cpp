// The myelin program as a user meets it: exit codes, messages, and what is (not) left on
// disk after bad input.
#include "support.hpp"

#include <myelin/io/sonata.hpp>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

using namespace myelin;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::string small = test::source_path("examples/brunel/brunel_small.json").string();

void write(const fs::path& p, const test::json& j) { std::ofstream(p) << j.dump(2); }

test::json tiny() {
    return {{"simulation", {{"t_stop", 50.0}}},
            {"populations", {{{"name", "P"}, {"model", "iaf_psc_exp"}, {"n", 3}, {"params", {{"I_e", 400.0}}}}}},
            {"recorders", {{"state", {{{"name", "vm"}, {"population", "P"}, {"neurons", {2, 0}},
                                       {"variables", {"V_m", "I_syn_ex"}}, {"interval", 1.0}}}}}}};
}

// A tmpfs of `size` mounted on `dir` (made here); false, with a warning, where mounting is
// not allowed (not root, a container): the caller then has nothing to test.
bool mount_tmpfs(const fs::path& dir, const char* size) {
    fs::create_directory(dir);
    if (std::system(fmt::format("mount -t tmpfs -o size={} none '{}' 2>/dev/null", size, dir.string()).c_str()) == 0)
        return true;
    WARN("cannot mount a tmpfs here: not tested");
    return false;
}

std::size_t entries(const fs::path& dir) { return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {})); }

}  // namespace

TEST_CASE("cli: --version and --help and bad flags", "[unit][cli]") {
    auto v = test::run_myelin("--version");
    REQUIRE(v.exit_code == 0);
    REQUIRE_THAT(v.out, Contains("myelin 0."));
    REQUIRE(test::run_myelin("--help").exit_code == 0);
    REQUIRE_THAT(test::run_myelin("run --help").out, Contains("--t-stop"));
    REQUIRE(test::run_myelin("").exit_code == 2);
    REQUIRE(test::run_myelin("frobnicate").exit_code == 2);
    auto t = test::run_myelin(fmt::format("run '{}' --threads 0", small));
    REQUIRE(t.exit_code == 2);
    REQUIRE_THAT(t.err, Contains("--threads"));
    REQUIRE(test::run_myelin(fmt::format("run '{}' --t-stop -5", small)).exit_code == 2);
}

TEST_CASE("cli: run writes spikes and reports and prints a summary", "[unit][cli]") {
    test::temp_dir tmp;
    write(tmp / "tiny.json", tiny());
    const auto r = test::run_myelin(fmt::format("run '{}' --output '{}'", (tmp / "tiny.json").string(), (tmp / "out").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_THAT(r.out, Contains("3 neurons"));
    REQUIRE_THAT(r.out, Contains("real-time factor"));
    REQUIRE_THAT(r.out, Contains("peak memory"));
    REQUIRE_THAT(r.out, Contains("rate (Hz)"));
    REQUIRE(fs::exists(tmp / "out" / "spikes.h5"));
    REQUIRE(fs::exists(tmp / "out" / "vm.V_m.h5"));
    REQUIRE(fs::exists(tmp / "out" / "vm.I_syn_ex.h5"));
    REQUIRE(entries(tmp.path()) == 2);  // tiny.json and out/: no staging folder left
    const auto spikes = io::read_spikes(tmp / "out" / "spikes.h5");
    // 400 pA charges towards -54 mV and crosses V_th = -55 mV once, at 27.8 ms, in 50 ms.
    REQUIRE(spikes.populations[0].timestamps_ms == std::vector<double>{27.8, 27.8, 27.8});

    const auto info = test::run_myelin(fmt::format("info '{}'", (tmp / "out" / "spikes.h5").string()));
    REQUIRE(info.exit_code == 0);
    REQUIRE_THAT(info.out, Contains("P                         3            3"));

    // d_min = 6 steps of 0.1 ms is shown as 0.6 ms, not 0.6000000000000001.
    auto delayed = tiny();
    delayed["projections"] = {{{"source", "P"}, {"target", "P"}, {"connection", {{"rule", "all_to_all"}}}, {"weight", 1.0},
                               {"delay", 0.6}}};
    write(tmp / "delayed.json", delayed);
    const auto d = test::run_myelin(fmt::format("run '{}' --output '{}'", (tmp / "delayed.json").string(), (tmp / "d").string()));
    REQUIRE(d.exit_code == 0);
    CHECK_THAT(d.out, Contains("d_min 0.6 ms,"));

    // A spike of the last step is stamped t_stop: the summary and info count it, as the file has it.
    const auto end = test::run_myelin(fmt::format("run '{}' --t-stop 27.8 --output '{}'", (tmp / "tiny.json").string(),
                                                  (tmp / "end").string()));
    REQUIRE(end.exit_code == 0);
    CHECK_THAT(end.out, Contains("P                         3            3"));
    CHECK_THAT(test::run_myelin(fmt::format("info '{}'", (tmp / "end" / "spikes.h5").string())).out,
               Contains("P                         3            3"));
}

TEST_CASE("cli: bad input exits with 2 and names the problem and leaves no output", "[unit][cli]") {
    test::temp_dir tmp;
    auto bad = tiny();
    bad["populations"][0]["params"]["tau_m"] = -1;
    write(tmp / "bad.json", bad);
    const auto out = tmp / "out";
    SECTION("invalid parameter") {
        const auto r = test::run_myelin(fmt::format("run '{}' --output '{}'", (tmp / "bad.json").string(), out.string()));
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("bad.json: populations[0].params.tau_m: tau_m = -1 ms; must be > 0"));
        REQUIRE(!fs::exists(out));
        REQUIRE(entries(tmp.path()) == 1);
    }
    SECTION("missing config") {
        const auto r = test::run_myelin(fmt::format("run '{}' --output '{}'", (tmp / "none.json").string(), out.string()));
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("none.json: no such file"));
        REQUIRE(!fs::exists(out));
    }
    SECTION("not a spike file") {
        const auto r = test::run_myelin(fmt::format("info '{}'", (tmp / "bad.json").string()));
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("bad.json: cannot read as a SONATA spike file"));
    }
}

TEST_CASE("cli: an output folder given with a trailing slash", "[unit][cli]") {
    test::temp_dir tmp;
    write(tmp / "tiny.json", tiny());
    const auto r = test::run_myelin(fmt::format("run '{}' --output '{}/'", (tmp / "tiny.json").string(), (tmp / "out").string()));
    REQUIRE(r.exit_code == 0);
    REQUIRE(fs::exists(tmp / "out" / "spikes.h5"));
    REQUIRE(entries(tmp.path()) == 2);
}

TEST_CASE("cli: an existing output folder is kept unless --force", "[unit][cli]") {
    test::temp_dir tmp;
    write(tmp / "tiny.json", tiny());
    const auto out = tmp / "out";
    fs::create_directory(out);
    std::ofstream(out / "spikes.h5") << "precious";
    std::ofstream(out / "notes.txt") << "mine";
    const std::string cmd = fmt::format("run '{}' --output '{}'", (tmp / "tiny.json").string(), out.string());

    const auto r = test::run_myelin(cmd);
    REQUIRE(r.exit_code == 2);
    REQUIRE_THAT(r.err, Contains("already exists; use --force"));
    std::ifstream kept(out / "spikes.h5");
    std::string content;
    kept >> content;
    REQUIRE(content == "precious");

    REQUIRE(test::run_myelin(cmd + " --force").exit_code == 0);
    REQUIRE(io::read_spikes(out / "spikes.h5").populations.size() == 1);
    REQUIRE(fs::exists(out / "notes.txt"));  // --force replaces only this run's files
    REQUIRE(fs::exists(out / "vm.V_m.h5"));

    // A run that records less removes what the run before it wrote and it does not.
    auto fewer = tiny();
    fewer.erase("recorders");
    write(tmp / "tiny.json", fewer);
    REQUIRE(test::run_myelin(cmd + " --force").exit_code == 0);
    CHECK(fs::exists(out / "spikes.h5"));
    CHECK_FALSE(fs::exists(out / "vm.V_m.h5"));
    CHECK(fs::exists(out / "notes.txt"));
    for (const auto& e : fs::directory_iterator(out))  // no staging folder left inside
        CHECK_FALSE(e.path().filename().string().starts_with(".partial"));
}

TEST_CASE("cli: an output folder that cannot be created is reported", "[unit][cli]") {
    test::temp_dir tmp;
    write(tmp / "tiny.json", tiny());
    std::ofstream(tmp / "file") << "x";
    const auto r = test::run_myelin(fmt::format("run '{}' --output '{}'", (tmp / "tiny.json").string(),
                                                (tmp / "file" / "sub" / "out").string()));
    REQUIRE(r.exit_code == 2);
    REQUIRE_THAT(r.err, Contains("--output: cannot create folder"));
    REQUIRE(entries(tmp.path()) == 2);
}

TEST_CASE("cli: info on a spike file without Myelin's additions says what it assumed", "[unit][cli]") {
    test::temp_dir tmp;
    io::spike_file f;  // no t_start, t_stop or n_nodes, as other simulators may write
    f.populations.push_back({"V1", {10.0, 20.0, 30.0, 40.0}, {0, 4, 0, 4}, std::nullopt, io::spike_sorting::by_time});
    io::write_spikes(tmp / "foreign.h5", f);
    const auto r = test::run_myelin(fmt::format("info '{}'", (tmp / "foreign.h5").string()));
    REQUIRE(r.exit_code == 0);
    REQUIRE_THAT(r.out, Contains("size not in the file"));
    REQUIRE_THAT(r.out, Contains("counted up to the last spike"));
    REQUIRE_THAT(r.out, Contains("V1                        5            4"));
    const auto bad = test::run_myelin(fmt::format("info '{}' --t-start 50 --t-stop 10", (tmp / "foreign.h5").string()));
    REQUIRE(bad.exit_code == 2);
    REQUIRE_THAT(bad.err, Contains("--t-stop: t_stop = 10 ms; must be > t_start = 50 ms"));
}

TEST_CASE("cli: --t-stop below one step is refused", "[unit][cli]") {
    const auto r = test::run_myelin(fmt::format("run '{}' --t-stop 0.01 --output /tmp/never", small));
    REQUIRE(r.exit_code == 2);
    REQUIRE_THAT(r.err, Contains("simulation.t_stop: t_stop = 0.01 ms; must be at least one step (0.1 ms)"));
    REQUIRE(!fs::exists("/tmp/never"));
}

TEST_CASE("cli: a duration flag that is not a finite number > 0 is named in one short line", "[unit][cli]") {
    for (const auto& [value, message] : {std::pair{"abc", "--t-stop: 'abc' is not a number"},
                                         std::pair{"inf", "--t-stop: inf must be a finite number > 0"},
                                         std::pair{"-5", "--t-stop: -5 must be a finite number > 0"},
                                         std::pair{"1e400", "--t-stop: 1e400 is out of range"}}) {
        INFO(value);
        const auto r = test::run_myelin(fmt::format("run '{}' --t-stop {} --output /tmp/never", small, value));
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains(message));
        CHECK(r.err.size() < 200);  // not CLI11's range written out to 309 digits
    }
    const auto huge = test::run_myelin(fmt::format("run '{}' --t-stop 1e300 --output /tmp/never", small));
    CHECK(huge.exit_code == 2);
    CHECK_THAT(huge.err, Contains("t_stop = 1e+300 ms is 1e+301 steps of 0.1 ms; at most 2^53"));
    REQUIRE(!fs::exists("/tmp/never"));
}

TEST_CASE("cli: resume rejects what is not a checkpoint of this kind with exit code 2", "[unit][cli][checkpoint]") {
    test::temp_dir tmp;
    write(tmp / "tiny.json", tiny());
    const auto run = test::run_myelin(fmt::format("run '{}' --output '{}' --checkpoint-every 20 --quiet",
                                                  (tmp / "tiny.json").string(), (tmp / "out").string()));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE_THAT(run.out, Contains("2 checkpoints (written in "));
    const fs::path good = tmp / "out" / "checkpoint.h5";
    REQUIRE(fs::exists(good));
    auto resume = [&](const fs::path& checkpoint, const std::string& more = "--t-stop 60") {
        return test::run_myelin(fmt::format("resume '{}' {} --output '{}' --quiet", checkpoint.string(), more,
                                            (tmp / "resumed").string()));
    };

    SECTION("a good one resumes") {
        const auto r = resume(good);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE_THAT(r.out, Contains("resumed at 40 ms"));
    }
    SECTION("truncated") {
        const auto size = fs::file_size(good);
        fs::copy_file(good, tmp / "cut.h5");
        fs::resize_file(tmp / "cut.h5", size / 2);
        const auto r = resume(tmp / "cut.h5");
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("cut.h5: ") && Contains("truncated"));
    }
    SECTION("an HDF5 file of another kind") {
        const auto r = resume(tmp / "out" / "spikes.h5");
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("spikes.h5: not a Myelin checkpoint"));
    }
    SECTION("not HDF5 at all") {
        const auto r = resume(tmp / "tiny.json");
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("tiny.json: not a readable HDF5 file"));
    }
    SECTION("missing") {
        const auto r = resume(tmp / "nothing.h5");
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("nothing.h5: no such file"));
    }
    SECTION("t_stop not after the checkpoint") {
        const auto r = resume(good, "--t-stop 40");
        REQUIRE(r.exit_code == 2);
        REQUIRE_THAT(r.err, Contains("--t-stop: 40 ms; must be later than the checkpoint's time, 40 ms"));
    }
    SECTION("no --t-stop") {
        REQUIRE(resume(good, "").exit_code == 2);
    }
    // A failed resume leaves no output folder behind.
    if (!fs::exists(tmp / "resumed" / "spikes.h5")) REQUIRE_FALSE(fs::exists(tmp / "resumed"));
}

TEST_CASE("cli: overrides are validated with the config: snapshots after --t-stop", "[unit][cli]") {
    // tests/data/plastic.json takes weight snapshots at 0, 100.3 and 150 ms. The config's
    // t_stop (200 ms) covers them; --t-stop 120 does not, and the run would end before the
    // last one, unless it writes checkpoints and may be resumed past it.
    test::temp_dir tmp;
    const std::string plastic = test::source_path("tests/data/plastic.json").string();
    const auto r = test::run_myelin(fmt::format("run '{}' --t-stop 120 --output '{}'", plastic, (tmp / "a").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("plastic.json: recorders.weights[2].times[2]: 150 ms; must be <= t_stop = 120 ms"));
    CHECK_FALSE(fs::exists(tmp / "a"));
    const auto resumable = test::run_myelin(fmt::format("run '{}' --t-stop 120 --checkpoint-every 60 --output '{}' --quiet",
                                                        plastic, (tmp / "b").string()));
    INFO(resumable.err);
    CHECK(resumable.exit_code == 0);
}

TEST_CASE("cli: two runs of one config and seed write the same bytes", "[unit][cli]") {
    // HDF5 stamps objects with their creation time (1 s resolution) unless told not to:
    // the second run starts at least a second later, so a stamp would differ.
    test::temp_dir tmp;
    const std::string config = test::source_path("tests/data/checkpoint.json").string();
    auto run = [&](const std::string& out) {
        const auto r = test::run_myelin(fmt::format("run '{}' --t-stop 60 --checkpoint-every 30 --output '{}' --quiet",
                                                    config, (tmp / out).string()));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    };
    run("a");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    run("b");
    auto bytes = [](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    std::size_t files = 0;
    for (const auto& f : fs::directory_iterator(tmp / "a")) {
        INFO(f.path().filename());
        CHECK(bytes(f.path()) == bytes(tmp / "b" / f.path().filename()));
        ++files;
    }
    CHECK(files == 6);  // spikes, three state reports, the checkpoint, the list of results
}

TEST_CASE("cli: --force into a mount point of another file system", "[unit][cli]") {
    // Staging beside the folder and renaming into it crossed file systems and failed after
    // the run. Needs root and tmpfs; where mounting is not allowed there is nothing to test.
    test::temp_dir tmp;
    const auto mnt = tmp / "mnt";
    if (!mount_tmpfs(mnt, "16m")) return;
    write(tmp / "tiny.json", tiny());
    const auto r = test::run_myelin(fmt::format("run '{}' --output '{}' --force", (tmp / "tiny.json").string(), mnt.string()));
    const bool written = fs::exists(mnt / "vm.V_m.h5");
    REQUIRE(std::system(fmt::format("umount '{}'", mnt.string()).c_str()) == 0);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(written);
}

TEST_CASE("cli: a full disk: checkpoints are skipped with a warning, other writes end with one line", "[unit][cli]") {
    test::temp_dir tmp;
    const auto full = tmp / "full";
    if (!mount_tmpfs(full, "1m")) return;
    // A file whose close failed stays in HDF5's tables; its exit handler, which would free
    // them, crashes on such a file and is not installed (io/src/h5.cpp). LeakSanitizer (dev
    // preset) would report those tables, so it is off for these runs of a full disk.
    ::setenv("LSAN_OPTIONS", "detect_leaks=0", 1);
    // brunel_small's checkpoint (1.6 MB) does not fit in 1 MB; the spikes of two runs do.
    const auto r = test::run_myelin(fmt::format("run '{}' --t-stop 200 --checkpoint-every 100 --output '{}' --quiet", small,
                                                (full / "o").string()));
    // Told to stop on a failed checkpoint, it ends there with its results so far and exit 2.
    const auto stop = test::run_myelin(fmt::format(
        "run '{}' --t-stop 200 --checkpoint-every 100 --stop-on-checkpoint-failure --output '{}' --quiet", small,
        (full / "s").string()));
    const auto stopped = io::read_spikes(full / "s" / "spikes.h5");
    // Written a file per rank (on a disk of its own): the part that did not fit is removed
    // with the index's temporary.
    const auto full2 = tmp / "full2";
    if (!mount_tmpfs(full2, "1m")) return;
    const auto parts = test::run_myelin(fmt::format("run '{}' --t-stop 200 --checkpoint-every 100 --checkpoint-files per-rank "
                                                    "--output '{}' --quiet", small, (full2 / "p").string()));
    std::vector<std::string> in_p;
    for (const auto& e : fs::directory_iterator(full2 / "p")) in_p.push_back(e.path().filename().string());
    REQUIRE(std::system(fmt::format("umount '{}'", full2.string()).c_str()) == 0);
    std::system(fmt::format("dd if=/dev/zero of='{}' bs=64k 2>/dev/null", (full / "fill").string()).c_str());  // the rest
    const auto c = test::run_myelin(fmt::format("convert '{}' '{}'", (full / "o" / "spikes.h5").string(),
                                                (full / "big.nwb").string()));
    ::unsetenv("LSAN_OPTIONS");
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(full)) left.push_back(e.path().filename().string());
    REQUIRE(std::system(fmt::format("umount '{}'", full.string()).c_str()) == 0);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("the checkpoint at 100 ms was not written") && Contains("No space left on device") &&
                          Contains("the run goes on"));
    INFO(stop.err);
    CHECK(stop.exit_code == 2);
    CHECK_THAT(stop.err, Contains("error: the checkpoint at 100 ms was not written") && Contains("the run stops here") &&
                             Contains("stopped at 100 ms of 200 ms") && Contains("no checkpoint to resume from"));
    CHECK(stopped.t_stop_ms == 100.0);
    CHECK(stopped.incomplete == "stopped at 100 ms of 200 ms: the checkpoint there could not be written");
    INFO(parts.err);
    CHECK(parts.exit_code == 0);
    CHECK_THAT(parts.err, Contains("the checkpoint at 100 ms was not written") && Contains("rank 0: ") &&
                              Contains("No space left on device"));
    CHECK(std::find(in_p.begin(), in_p.end(), "checkpoint.h5") == in_p.end());
    CHECK(std::find(in_p.begin(), in_p.end(), "checkpoint.h5.parts") == in_p.end());  // nothing of it left
    CHECK(c.exit_code == 2);  // not HDF5's crash at exit (139)
    CHECK_THAT(c.err, Contains("big.nwb: ") && Contains("failed: No space left on device"));
    CHECK(std::count(c.err.begin(), c.err.end(), '\n') == 1);
    std::sort(left.begin(), left.end());
    CHECK(left == std::vector<std::string>{"fill", "o", "s"});  // no temporary left
}

TEST_CASE("cli: a file that cannot be created is named with the system's reason", "[unit][cli]") {
    test::temp_dir tmp;
    std::ofstream(tmp / "file") << "x";
    const auto r = test::run_myelin(fmt::format("convert '{}' '{}'", test::source_path("tests/data/sonata_circuit/input_spikes.h5").string(),
                                                (tmp / "file" / "a.nwb").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("a.nwb: cannot write the file: Not a directory"));
}

TEST_CASE("cli: more threads than the CPUs the process may use is warned about with the fix", "[unit][cli]") {
    test::temp_dir tmp;
    if (std::system("command -v taskset >/dev/null 2>&1") != 0) {
        WARN("no taskset here: not tested");
        return;
    }
    const auto one_cpu = test::run_myelin(fmt::format("run '{}' --t-stop 10 --threads 2 --output '{}' --quiet", small,
                                                      (tmp / "a").string()),
                                          "taskset -c 0");
    INFO(one_cpu.err);
    CHECK(one_cpu.exit_code == 0);
    CHECK_THAT(one_cpu.err, Contains("warning: 2 threads per rank, but this process may run on only 1 CPU") &&
                                Contains("--threads 1"));
    const auto fits = test::run_myelin(fmt::format("run '{}' --t-stop 10 --threads 1 --output '{}' --quiet", small,
                                                   (tmp / "b").string()),
                                       "taskset -c 0");
    CHECK(fits.exit_code == 0);
    CHECK(fits.err.empty());
    // --pin: thread t on the t-th CPU of the mask, here both on CPU 0.
    const auto pinned = test::run_myelin(fmt::format("run '{}' --t-stop 10 --threads 2 --pin --output '{}' --quiet", small,
                                                     (tmp / "c").string()),
                                         "taskset -c 0");
    CHECK(pinned.exit_code == 0);
    CHECK_THAT(pinned.out, Contains("threads pinned to CPUs 0 0\n"));
}

TEST_CASE("cli: --dry-run estimates; a network too big for the machine is refused before it is built", "[unit][cli]") {
    test::temp_dir tmp;
    const auto dry = test::run_myelin(fmt::format("run '{}' --dry-run --output '{}'",
                                                  test::source_path("examples/brunel/brunel.json").string(), (tmp / "o").string()));
    REQUIRE(dry.exit_code == 0);
    CHECK_THAT(dry.out, Contains("network: 12500 neurons, 15625000 synapses") && Contains("MB per rank"));
    CHECK_FALSE(fs::exists(tmp / "o"));

    auto huge = tiny();
    huge["populations"][0]["n"] = 4000000000ull;
    huge.erase("recorders");
    write(tmp / "huge.json", huge);
    const auto r = test::run_myelin(fmt::format("run '{}' --output '{}'", (tmp / "huge.json").string(), (tmp / "h").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("the network (4e+09 neurons, 0 synapses) needs about") && Contains("GB available"));
    CHECK_FALSE(fs::exists(tmp / "h"));
}

TEST_CASE("cli: run reports where the threads' time went per window", "[unit][cli]") {
    test::temp_dir tmp;
    const auto r = test::run_myelin(fmt::format("run '{}/examples/brunel/brunel_small.json' --t-stop 500 --output '{}'",
                                                MYELIN_SOURCE_DIR, (tmp / "out").string()));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    double sim = 0.0, update = 0.0, waiting = 0.0, exchange = 0.0, delivery = 0.0;
    long windows = 0;
    const auto timing = r.out.find("simulation of 500 ms ");
    REQUIRE(timing != std::string::npos);
    REQUIRE(std::sscanf(r.out.c_str() + timing, "simulation of 500 ms %lf s", &sim) == 1);
    const auto line = r.out.find("per window (");
    REQUIRE(line != std::string::npos);
    REQUIRE(std::sscanf(r.out.c_str() + line,
                        "per window (%ld windows, mean over 2 threads): update %lf us, waiting for the slowest thread %lf "
                        "us, spike exchange %lf us, delivery %lf us",
                        &windows, &update, &waiting, &exchange, &delivery) == 5);
    REQUIRE(windows == 333);  // 500 ms in windows of d_min = 1.5 ms
    // The four phases fill the windows: together they are the simulation's time, less
    // what lies outside the windows (writing the spikes every 100 windows).
    const double phases = (update + waiting + exchange + delivery) * 1e-6 * static_cast<double>(windows);
    CHECK(update > 0.0);
    CHECK(delivery > 0.0);
    CHECK(phases <= sim * 1.02 + 0.01);
    CHECK(phases >= sim * 0.5);
}
