// myelin compare and myelin convert as a user meets them: the numbers in report.json are
// the library's, the HTML report loads in a headless browser (Chromium) with no console
// message and every figure drawn, and bad input ends with exit code 2, a message naming
// what is wrong, and nothing written.
#include "support.hpp"

#include <myelin/analysis/spike_measures.hpp>
#include <myelin/analysis/spike_stats.hpp>
#include <myelin/analysis/representation.hpp>
#include <myelin/analysis/statistics.hpp>
#include <myelin/core/version.hpp>
#include <myelin/learning/files.hpp>
#include <myelin/io/nwb.hpp>
#include <myelin/io/sonata.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

using namespace myelin;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

// Two populations of Poisson-like trains at the given rate, 1 s.
io::spike_file poisson_file(double rate_hz, unsigned seed) {
    std::mt19937_64 gen(seed);
    io::spike_file f;
    f.t_start_ms = 0.0;
    f.t_stop_ms = 1000.0;
    for (const char* name : {"E", "I"}) {
        io::spike_population p;
        p.name = name;
        p.n_nodes = 40;
        for (std::uint64_t n = 0; n < 40; ++n) {
            std::exponential_distribution<double> isi(rate_hz / 1000.0);
            for (double t = isi(gen); t < 1000.0; t += isi(gen)) {
                p.timestamps_ms.push_back(t);
                p.node_ids.push_back(n);
            }
        }
        f.populations.push_back(p);
    }
    return f;
}

void write_csv(const fs::path& p, const Eigen::MatrixXd& m) {
    std::ofstream out(p);
    out << "u0";
    for (Eigen::Index j = 1; j < m.cols(); ++j) out << ",u" << j;
    out << "\n";
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) out << (j ? "," : "") << fmt::format("{}", m(i, j));
        out << "\n";
    }
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Loads the page in headless Chromium; returns the DOM after the scripts ran and what
// the browser logged from the page (console messages, uncaught errors).
std::pair<std::string, std::string> browse(const fs::path& html) {
    std::string browser;
    for (const char* b : {"chromium-headless-shell", "chromium"})
        if (std::system(fmt::format("command -v {} >/dev/null 2>&1", b).c_str()) == 0) {
            browser = b;
            break;
        }
    INFO("no headless Chromium: scripts/install-deps.sh installs chromium-headless-shell");
    REQUIRE_FALSE(browser.empty());
    test::temp_dir tmp;
    const auto dom = tmp / "dom.html", log = tmp / "log.txt";
    const int rc = std::system(fmt::format("timeout 120 {} --no-sandbox --disable-gpu --enable-logging=stderr --v=0 "
                                           "--user-data-dir='{}' --dump-dom 'file://{}' >'{}' 2>'{}'",
                                           browser, (tmp / "profile").string(), fs::absolute(html).string(),
                                           dom.string(), log.string())
                                   .c_str());
    REQUIRE(rc == 0);
    std::string page_log;
    std::istringstream lines(slurp(log));
    for (std::string line; std::getline(lines, line);)
        if (line.find("CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) page_log += line + "\n";
    return {slurp(dom), page_log};
}

// Each standalone figure (figure_NN.svg) as headless Chromium draws it: not empty. A
// drawn figure has coloured marks (bars, dots, heat maps) or dense black ones (rasters);
// an empty one only its title and axes (under 2 % of the pixels).
void check_figures(const fs::path& folder, int figures) {
    test::temp_dir tmp;
    std::string pngs;
    for (int k = 1; k <= figures; ++k) {
        const auto svg = folder / fmt::format("figure_{:02}.svg", k);
        REQUIRE(fs::exists(svg));
        const std::string text = slurp(svg);
        REQUIRE_THAT(text, StartsWith("<?xml"));
        auto attribute = [&](const char* name) {
            const auto at = text.find(fmt::format("{}=\"", name));
            return std::stoi(text.substr(at + std::strlen(name) + 2));
        };
        const auto png = tmp / fmt::format("f{}.png", k);
        const int rc = std::system(fmt::format("timeout 120 chromium-headless-shell --no-sandbox --disable-gpu "
                                               "--user-data-dir='{}' --screenshot='{}' --window-size={},{} 'file://{}' "
                                               ">/dev/null 2>&1",
                                               (tmp / "profile").string(), png.string(), attribute("width"),
                                               attribute("height"), fs::absolute(svg).string())
                                       .c_str());
        REQUIRE(rc == 0);
        pngs += " '" + png.string() + "'";
    }
    const auto ink = tmp / "ink.txt";
    REQUIRE(std::system(fmt::format("/usr/bin/python3 '{}' {} >'{}'",
                                    test::source_path("tests/reference/report/png_ink.py").string(), pngs, ink.string())
                            .c_str()) == 0);
    std::istringstream lines(slurp(ink));
    int seen = 0;
    for (std::string file; lines >> file;) {
        double any = 0.0, coloured = 0.0;
        lines >> any >> coloured;
        INFO(file << ": " << any << " of the pixels drawn, " << coloured << " coloured");
        CHECK((coloured > 0.0003 || any > 0.05));
        CHECK(any > 0.02);
        ++seen;
    }
    CHECK(seen == figures);
}

void check_page(const fs::path& html, int figures) {
    const auto [dom, log] = browse(html);
    INFO(log);
    CHECK(log.empty());
    CHECK_THAT(dom, Contains(fmt::format("data-figures=\"{}\"", figures)));
    CHECK_THAT(dom, Contains(fmt::format("data-rendered=\"{}\"", figures)));
    check_figures(html.parent_path(), figures);
}

}  // namespace

TEST_CASE("compare: two spike files, table, report.json and a page that renders", "[unit][cli][compare]") {
    test::temp_dir tmp;
    const auto a = tmp / "a.h5", b = tmp / "b.h5";
    io::write_spikes(a, poisson_file(10.0, 1));
    io::write_spikes(b, poisson_file(20.0, 2));
    const auto r = test::run_myelin(fmt::format("compare '{}' '{}' --select-a E --report '{}'", a.string(), b.string(),
                                                (tmp / "rep").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("firing rate (Hz)"));
    CHECK_THAT(r.out, Contains("40 neurons"));
    CHECK_THAT(r.out, Contains("80 neurons"));
    std::ifstream in(tmp / "rep" / "report.json");
    const auto j = test::json::parse(in);
    CHECK(j["kind"] == "spikes");
    CHECK(j["a"]["neurons"] == 40);
    // Provenance: the command, Myelin's version and commit, the inputs with their CRC-32.
    CHECK_THAT(j["provenance"]["command"].get<std::string>(), Contains("myelin compare") && Contains("--select-a E"));
    CHECK(j["provenance"]["myelin_version"] == version());
    CHECK(j["provenance"]["inputs"][0]["file"] == a.string());
    CHECK(j["provenance"]["inputs"][0]["crc32"].get<std::string>().size() == 8);
    CHECK_THAT(slurp(tmp / "rep" / "report.html"),
               Contains("Made by Myelin") && Contains("CRC-32") && Contains("How to read it") && Contains("W1"));
    // The rates of A's E population from the file, against the report.
    const auto fa = io::read_spikes(a);
    const double mean_a = static_cast<double>(fa.populations[0].timestamps_ms.size()) / 40.0;
    CHECK(j["measures"]["rate"]["a"]["mean"].get<double>() == Approx(mean_a).epsilon(1e-12));
    CHECK(j["measures"]["rate"]["ks"]["p_value"].get<double>() < 1e-6);  // 10 Hz against 20 Hz
    std::vector<std::vector<double>> trains(40);
    for (std::size_t k = 0; k < fa.populations[0].node_ids.size(); ++k)
        trains[fa.populations[0].node_ids[k]].push_back(fa.populations[0].timestamps_ms[k]);
    double cv_sum = 0.0;
    int cv_n = 0;
    for (auto& t : trains) {
        std::sort(t.begin(), t.end());
        if (const double cv = analysis::cv_isi(t); std::isfinite(cv)) cv_sum += cv, ++cv_n;
    }
    CHECK(j["measures"]["cv_isi"]["a"]["n"] == cv_n);
    CHECK(j["measures"]["cv_isi"]["a"]["mean"].get<double>() == Approx(cv_sum / cv_n).epsilon(1e-12));
    check_page(tmp / "rep" / "report.html", 6);

    // The same report folder again: refused without --force, untouched.
    const auto again = test::run_myelin(fmt::format("compare '{}' '{}' --report '{}'", a.string(), b.string(),
                                                    (tmp / "rep").string()));
    CHECK(again.exit_code == 2);
    CHECK_THAT(again.err, Contains("--force"));
    CHECK(test::json::parse(std::ifstream(tmp / "rep" / "report.json"))["a"]["neurons"] == 40);
    CHECK(test::run_myelin(fmt::format("compare '{}' '{}' --report '{}' --force", a.string(), b.string(),
                                       (tmp / "rep").string()))
              .exit_code == 0);
}

TEST_CASE("compare: two runs' spikes.h5 are told apart by folder, or by the labels given", "[unit][cli][compare]") {
    test::temp_dir tmp;
    fs::create_directories(tmp / "ai");
    fs::create_directories(tmp / "si");
    io::write_spikes(tmp / "ai" / "spikes.h5", poisson_file(10.0, 1));
    io::write_spikes(tmp / "si" / "spikes.h5", poisson_file(5.0, 2));
    const std::string a = (tmp / "ai" / "spikes.h5").string(), b = (tmp / "si" / "spikes.h5").string();
    const auto r = test::run_myelin(fmt::format("compare '{}' '{}' --report '{}'", a, b, (tmp / "r1").string()));
    REQUIRE(r.exit_code == 0);
    const std::string page = slurp(tmp / "r1" / "report.html");
    CHECK_THAT(page, Contains("A: ai/spikes.h5") && Contains("B: si/spikes.h5"));
    CHECK(test::json::parse(slurp(tmp / "r1" / "report.json"))["a"]["label"] == "ai/spikes.h5");

    const auto l = test::run_myelin(fmt::format("compare '{}' '{}' --label-a 'AI state' --label-b 'SI state' --report '{}'", a,
                                                b, (tmp / "r2").string()));
    REQUIRE(l.exit_code == 0);
    CHECK_THAT(l.out, Contains("A: AI state = " + a) && Contains("B: SI state = " + b));
    CHECK_THAT(slurp(tmp / "r2" / "report.html"), Contains("A: AI state raster") && Contains("B: SI state"));
}

TEST_CASE("compare: NWB units against SONATA, unit selections, convert", "[unit][cli][compare][nwb]") {
    test::temp_dir tmp;
    const auto nwb = test::source_path("tests/data/nwb/recording.nwb").string();
    const auto sonata = tmp / "a.h5";
    io::write_spikes(sonata, poisson_file(10.0, 3));
    const auto r = test::run_myelin(fmt::format("compare '{}' '{}' --select-b location=V1 --t-start 0 --t-stop 10000",
                                                sonata.string(), nwb));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("units with location=V1, 3 neurons"));
    // The SONATA file ran 1 s: its side's window is clipped to it, with a warning.
    CHECK_THAT(r.err, Contains("window 0 to 10000 ms clipped to the recording, 0 to 1000 ms"));
    CHECK_THAT(r.out, Contains("(all populations, 80 neurons, 0 to 1000 ms)"));
    const auto bad = test::run_myelin(fmt::format("compare '{}' '{}' --select-b area=V1", sonata.string(), nwb));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("no column 'area'") && Contains("location"));
    const auto pop = test::run_myelin(fmt::format("compare '{}' '{}' --select-a X", sonata.string(), nwb));
    CHECK(pop.exit_code == 2);
    CHECK_THAT(pop.err, Contains("no population 'X'") && Contains("E, I"));

    // SONATA -> NWB, read back by the NWB reader.
    const auto out = tmp / "a.nwb";
    const auto c = test::run_myelin(fmt::format("convert '{}' '{}'", sonata.string(), out.string()));
    INFO(c.err);
    REQUIRE(c.exit_code == 0);
    const auto back = io::read_nwb(out);
    CHECK(back.units.table.rows() == 80);
    CHECK(test::run_myelin(fmt::format("convert '{}' '{}'", sonata.string(), out.string())).exit_code == 2);
    CHECK(test::run_myelin(fmt::format("convert '{}' '{}'", sonata.string(), (tmp / "x.h5").string())).exit_code == 2);
    CHECK_FALSE(fs::exists(tmp / "x.h5"));

    // NWB files must carry a creation date; SOURCE_DATE_EPOCH fixes it, so that two
    // conversions a second apart give the same bytes.
    auto convert = [&](const std::string& name) {
        return test::run_myelin(fmt::format("convert '{}' '{}'", sonata.string(), (tmp / name).string()));
    };
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    REQUIRE(convert("one.nwb").exit_code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    REQUIRE(convert("two.nwb").exit_code == 0);
    CHECK(slurp(tmp / "one.nwb") == slurp(tmp / "two.nwb"));
    CHECK_THAT(slurp(tmp / "one.nwb"), Contains("2023-11-14T22:13:20+00:00"));
    ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    const auto bad_date = convert("three.nwb");
    ::unsetenv("SOURCE_DATE_EPOCH");
    CHECK(bad_date.exit_code == 2);
    CHECK_THAT(bad_date.err, Contains("SOURCE_DATE_EPOCH") && Contains("'yesterday'"));
}

TEST_CASE("compare: representations with permutation p-values, intervals and baselines", "[unit][cli][compare]") {
    test::temp_dir tmp;
    std::mt19937_64 gen(5);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd x(30, 8), noise(30, 5);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = normal(gen);
    for (Eigen::Index i = 0; i < noise.size(); ++i) noise.data()[i] = normal(gen);
    const Eigen::MatrixXd y = x.leftCols(5) + 0.5 * noise, replica = x + 0.1 * Eigen::MatrixXd::Ones(30, 8);
    write_csv(tmp / "x.csv", x);
    write_csv(tmp / "y.csv", y);
    write_csv(tmp / "x2.csv", replica);
    const auto r = test::run_myelin(fmt::format(
        "compare '{}' '{}' --replicas-a '{}' --permutations 99 --bootstrap 200 --threads 2 --measure linear_cka rsa "
        "--report '{}'",
        (tmp / "x.csv").string(), (tmp / "y.csv").string(), (tmp / "x2.csv").string(), (tmp / "rep").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = test::json::parse(std::ifstream(tmp / "rep" / "report.json"));
    REQUIRE(j["measures"].size() == 2);
    const auto& cka = j["measures"][0];
    CHECK(cka["measure"] == "linear CKA");
    CHECK(cka["value"].get<double>() == Approx(analysis::linear_cka(x, y)).epsilon(1e-12));
    CHECK(cka["permutation"]["p_value"].get<double>() == Approx(0.01));
    const auto ci = analysis::bootstrap_ci(x, y, analysis::parse_measure("linear_cka"), 200, 0.95, 1);
    CHECK(cka["interval"][0].get<double>() == Approx(ci.low).epsilon(1e-12));
    CHECK(cka["interval"][1].get<double>() == Approx(ci.high).epsilon(1e-12));
    CHECK(cka["baselines"]["a_across_seeds"]["mean"].get<double>() == Approx(analysis::linear_cka(x, replica)).epsilon(1e-12));
    check_page(tmp / "rep" / "report.html", 4);  // two RDMs, two measures

    // Threads do not change the numbers.
    const auto one = test::run_myelin(fmt::format("compare '{}' '{}' --permutations 99 --bootstrap 200 --measure linear_cka rsa",
                                                  (tmp / "x.csv").string(), (tmp / "y.csv").string()));
    const auto two = test::run_myelin(fmt::format("compare '{}' '{}' --permutations 99 --bootstrap 200 --measure linear_cka rsa --threads 3",
                                                  (tmp / "x.csv").string(), (tmp / "y.csv").string()));
    CHECK(one.out == two.out);
}

TEST_CASE("compare: two trained networks layer by layer, with the across-seed baseline", "[unit][cli][compare][learning]") {
    test::temp_dir tmp;
    const auto digits = test::source_path("examples/learning/data/digits.csv").string();
    test::json c = {
        {"network", {{"input_shape", {1, 8, 8}}, {"steps", 6},
                     {"layers", {{{"conv2d", {{"channels", 3}, {"kernel", 3}}}}, {{"lif", test::json::object()}},
                                 {{"flatten", test::json::object()}}, {{"dense", {{"units", 10}, {"bias", false}}}},
                                 {{"li_readout", test::json::object()}}}}}},
        {"data", {{"classes", 10}, {"train", {{"file", digits}, {"rows", {0, 300}}}}}},
        {"training", {{"epochs", 1}, {"threads", 2}}}};
    std::ofstream(tmp / "c.json") << c.dump();
    for (int seed : {1, 2, 3})
        REQUIRE(test::run_myelin(fmt::format("train '{}' --seed {} --output '{}' --quiet", (tmp / "c.json").string(), seed,
                                             (tmp / fmt::format("m{}", seed)).string()))
                    .exit_code == 0);
    const auto model = [&](int seed) { return (tmp / fmt::format("m{}", seed) / "model.h5").string(); };
    const auto r = test::run_myelin(fmt::format("compare '{}' '{}' --layer all --data '{}' --rows 1437 1537 "
                                                "--replicas-a '{}' --report '{}'",
                                                model(1), model(2), digits, model(3), (tmp / "rep").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("100 stimuli, linear CKA; rows: layers of A, columns: layers of B"));
    CHECK_THAT(r.out, Contains("B1: 1 lif 3 x 6 x 6"));
    const auto j = test::json::parse(std::ifstream(tmp / "rep" / "report.json"));
    REQUIRE(j["values"].size() == 5);
    REQUIRE(j["values"][0].size() == 5);
    REQUIRE(j["baselines"]["a_across_seeds"]["values"].size() == 5);
    // The numbers are linear CKA of each layer's mean output per stimulus.
    auto means = [&](int seed) {
        auto data = learning::read_csv(digits, 10).rows(1437, 1537);
        return learning::load_model(model(seed)).net->layer_means(data);
    };
    const auto a = means(1), b = means(2);
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t k = 0; k < 5; ++k)
            CHECK(j["values"][i][k].get<double>() == Approx(analysis::linear_cka(a[i], b[k])).epsilon(1e-12));
    // flatten moves no data: its row equals the lif row's.
    for (std::size_t k = 0; k < 5; ++k) CHECK(j["values"][2][k].get<double>() == j["values"][1][k].get<double>());
    check_page(tmp / "rep" / "report.html", 2);

    // A network against itself: 1 on the diagonal.
    const auto self = test::run_myelin(fmt::format("compare '{}' '{}' --layer all --data '{}' --rows 1437 1537 --report '{}'",
                                                   model(1), model(1), digits, (tmp / "self").string()));
    REQUIRE(self.exit_code == 0);
    const auto js = test::json::parse(std::ifstream(tmp / "self" / "report.json"));
    for (std::size_t i = 0; i < 5; ++i) CHECK(js["values"][i][i].get<double>() == Approx(1.0).epsilon(1e-12));

    // What --layer all cannot take.
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(10, 3);
    write_csv(tmp / "x.csv", x);
    auto bad = test::run_myelin(fmt::format("compare '{}' '{}' --layer all", (tmp / "x.csv").string(), (tmp / "x.csv").string()));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("x.csv: A: --layer all compares the layers of two trained models (model files)"));
    bad = test::run_myelin(fmt::format("compare '{}' '{}' --layer all --data '{}' --input-baseline", model(1), model(2), digits));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("--input-baseline: is for one layer; --layer all compares every layer"));
    bad = test::run_myelin(fmt::format("compare '{}' '{}' --layer all --data '{}' --measure rsa linear_cka", model(1), model(2), digits));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("--measure: --layer all takes one measure"));
}

TEST_CASE("compare: an NWB recording as a condition x unit representation", "[unit][cli][compare][nwb]") {
    test::temp_dir tmp;
    const auto nwb = test::source_path("tests/data/nwb/recording.nwb").string();
    // A model representation of the 4 stimuli (dots, face, grating, noise: text order).
    Eigen::MatrixXd m(4, 3);
    m << 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1;
    write_csv(tmp / "model.csv", m);
    const auto r = test::run_myelin(fmt::format("compare '{}' '{}' --trials stimulus --window 0.05 0.25 --permutations 23 "
                                                "--bootstrap 50 --measure linear_cka",
                                                nwb, (tmp / "model.csv").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("per stimulus (4 conditions)"));
    const auto missing = test::run_myelin(fmt::format("compare '{}' '{}' --trials orientation", nwb, (tmp / "model.csv").string()));
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Contains("no column 'orientation'"));
}

TEST_CASE("compare: spikes against published population statistics", "[unit][cli][compare]") {
    test::temp_dir tmp;
    const auto spikes = tmp / "s.h5";
    io::write_spikes(spikes, poisson_file(8.0, 6));
    const auto f = io::read_spikes(spikes);
    test::json pub = {{"kind", "published population statistics"},
                      {"source", "a test"},
                      {"window_ms", {0.0, 1000.0}},
                      {"sets", {{{"label", "paper"}, {"rate_Hz", {{"E", 8.0}}}, {"cv_isi", {{"E", 1.0}, {"I", 1.0}}}}}}};
    std::ofstream(tmp / "pub.json") << pub.dump();
    const auto r = test::run_myelin(fmt::format("compare '{}' '{}' --report '{}'", spikes.string(),
                                                (tmp / "pub.json").string(), (tmp / "rep").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = test::json::parse(std::ifstream(tmp / "rep" / "report.json"));
    const double rate_e = static_cast<double>(f.populations[0].timestamps_ms.size()) / 40.0;  // 40 neurons, 1 s
    CHECK(j["rate_Hz"][0]["population"] == "E");
    CHECK(j["rate_Hz"][0]["myelin"].get<double>() == Approx(rate_e).epsilon(1e-12));
    CHECK(j["rate_Hz"][0]["published"][0]["ratio"].get<double>() == Approx(rate_e / 8.0).epsilon(1e-12));
    CHECK_FALSE(j["rate_Hz"][1].contains("published"));  // I has no published rate
    CHECK(j["cv_isi"][1]["published"][0]["value"] == 1.0);
    check_page(tmp / "rep" / "report.html", 2);

    pub["sets"][0]["rate_Hz"]["L23E"] = 1.0;
    std::ofstream(tmp / "typo.json") << pub.dump();
    const auto typo = test::run_myelin(fmt::format("compare '{}' '{}'", spikes.string(), (tmp / "typo.json").string()));
    CHECK(typo.exit_code == 2);
    CHECK_THAT(typo.err, Contains("sets[0].rate_Hz.L23E") && Contains("no population 'L23E'") && Contains("E, I"));
    const auto late = test::run_myelin(fmt::format("compare '{}' '{}' --t-stop 1500", spikes.string(), (tmp / "pub.json").string()));
    CHECK(late.exit_code == 2);
    CHECK_THAT(late.err, Contains("--t-stop: 1500 ms is after the recording ends (1000 ms)"));
    std::ofstream(tmp / "other.json") << R"({"kind": "something else"})";
    CHECK_THAT(test::run_myelin(fmt::format("compare '{}' '{}'", spikes.string(), (tmp / "other.json").string())).err,
               Contains("published population statistics"));
}

TEST_CASE("compare: bad input is refused by name", "[unit][cli][compare]") {
    test::temp_dir tmp;
    const auto spikes = tmp / "s.h5";
    io::write_spikes(spikes, poisson_file(5.0, 4));
    write_csv(tmp / "a.csv", Eigen::MatrixXd::Random(6, 3));
    write_csv(tmp / "b.csv", Eigen::MatrixXd::Random(7, 3));
    std::ofstream(tmp / "ragged.csv") << "1,2\n3\n";
    std::ofstream(tmp / "notes.txt") << "hello\n";
    struct bad_case {
        std::string args, message;
    };
    const auto s = spikes.string(), a = (tmp / "a.csv").string(), b = (tmp / "b.csv").string();
    for (const auto& c : {
             bad_case{fmt::format("'{}' '{}'", s, a), "compare spikes with spikes"},
             bad_case{fmt::format("'{}' '{}'", a, b), "7 stimuli (rows); " + a + " has 6"},
             bad_case{fmt::format("'{}' '{}' --measure cka", a, a), "unknown measure 'cka'"},
             bad_case{fmt::format("'{}' '{}'", a, (tmp / "ragged.csv").string()), "line 2: 1 values; the first row has 2"},
             bad_case{fmt::format("'{}' '{}'", a, (tmp / "notes.txt").string()), "neither HDF5"},
             bad_case{fmt::format("'{}' '{}'", a, (tmp / "none.csv").string()), "no such file"},
             bad_case{fmt::format("'{}' '{}' --t-start 500 --t-stop 100", s, s), "is empty"},
             bad_case{fmt::format("'{}' '{}' --input-baseline", a, a), "needs --data"},
         }) {
        INFO(c.args);
        const auto r = test::run_myelin("compare " + c.args + " --report '" + (tmp / "rep").string() + "'");
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains(c.message));
        CHECK_FALSE(fs::exists(tmp / "rep"));
    }
}
