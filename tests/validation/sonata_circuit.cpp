// SONATA circuits in `myelin run` (io/sonata_circuit.hpp). The fixture
// (tests/reference/sonata/make_circuit.py, h5py) is a circuit in the SONATA layout and,
// written independently by the same script, the Myelin config of the same network: two
// node types in one population with node ids out of order, virtual input nodes with
// spikes on and off the grid, per-type and per-edge weights and delays, nsyns. Running
// the SONATA simulation config must give exactly the spikes of the hand-mapped config
// (the same network and the same numbers: bit-identical), written under the SONATA
// population name and node ids. Unsupported content is refused by name.
#include "support.hpp"

#include <myelin/io/sonata.hpp>
#include <myelin/io/sonata_circuit.hpp>
#include <myelin/models/registry.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace myelin;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path fixture = test::source_path("tests/data/sonata_circuit");

std::vector<std::pair<double, std::uint64_t>> spikes_of(const fs::path& file, const std::string& population) {
    std::vector<std::pair<double, std::uint64_t>> out;
    for (const auto& p : io::read_spikes(file).populations)
        if (p.name == population)
            for (std::size_t k = 0; k < p.node_ids.size(); ++k) out.push_back({p.timestamps_ms[k], p.node_ids[k]});
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void replace_in(const fs::path& p, const std::string& from, const std::string& to) {
    auto text = slurp(p);
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(p) << text;
}

}  // namespace

TEST_CASE("SONATA circuit: the same spikes as the hand-mapped Myelin config", "[validation][sonata]") {
    test::temp_dir tmp;
    const auto a = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet", (fixture / "simulation_config.json").string(),
                                                (tmp / "sonata").string()));
    INFO(a.err);
    REQUIRE(a.exit_code == 0);
    const auto b = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet", (fixture / "expected_config.json").string(),
                                                (tmp / "mapped").string()));
    INFO(b.err);
    REQUIRE(b.exit_code == 0);
    std::ifstream in(fixture / "expected.json");
    const auto ids = test::json::parse(in);
    std::vector<std::pair<double, std::uint64_t>> want;
    for (const char* pop : {"exc", "inh"}) {
        const auto map = ids[std::string(pop) + "_ids"].get<std::vector<std::uint64_t>>();
        const auto s = spikes_of(tmp / "mapped" / "spikes.h5", pop);
        CHECK(!s.empty());  // both node types fire
        for (const auto& [t, local] : s) want.push_back({t, map[local]});
    }
    std::sort(want.begin(), want.end());
    const auto got = spikes_of(tmp / "sonata" / "spikes.h5", "net");
    CHECK(got == want);
    const auto file = io::read_spikes(tmp / "sonata" / "spikes.h5");
    REQUIRE(file.populations.size() == 1);  // virtual nodes are not recorded
    CHECK(file.populations[0].n_nodes == 12u);

    // Two threads: the same spikes.
    const auto two = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet --threads 2",
                                                  (fixture / "simulation_config.json").string(), (tmp / "two").string()));
    REQUIRE(two.exit_code == 0);
    CHECK(spikes_of(tmp / "two" / "spikes.h5", "net") == got);

    // The circuit config alone (no inputs, run settings from the flags).
    const auto circuit = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet --t-stop 50",
                                                      (fixture / "circuit_config.json").string(), (tmp / "circuit").string()));
    INFO(circuit.err);
    CHECK(circuit.exit_code == 0);
}

TEST_CASE("SONATA circuit: what is not supported is refused by name", "[validation][sonata]") {
    struct bad_case {
        std::string file, from, to, message;
    };
    for (const auto& c : {
             bad_case{"net_node_types.csv", "101 point_neuron", "101 biophysical", "'biophysical' is not supported"},
             bad_case{"net_node_types.csv", "nest:iaf_psc_alpha inh.json", "nest:no_such_model inh.json", "no_such_model"},
             bad_case{"net_node_types.csv", "nest:iaf_psc_alpha inh.json", "nrn:IntFire1 inh.json", "only NEST model names"},
             bad_case{"components/point_neuron/inh.json", "\"C_m\"", "\"capacitance\"", "capacitance"},
             bad_case{"net_net_edge_types.csv", "300 static_synapse", "999 static_synapse", "edge type 300 is not in"},
             bad_case{"circuit_config.json", "net_nodes.h5", "missing_nodes.h5", "missing_nodes.h5"},
             bad_case{"simulation_config.json", "\"spikes\"", "\"current_clamp\"", "'current_clamp' is not supported"},
         }) {
        INFO(c.file << ": " << c.to);
        test::temp_dir tmp;
        fs::copy(fixture, tmp.path() / "c", fs::copy_options::recursive);
        replace_in(tmp / "c" / c.file, c.from, c.to);
        const auto r = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet", (tmp / "c" / "simulation_config.json").string(),
                                                    (tmp / "out").string()));
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Contains(c.message));
        CHECK_FALSE(fs::exists(tmp / "out"));
    }
}

TEST_CASE("SONATA circuit: edge types name their receptor port", "[validation][sonata]") {
    // The excitatory edge type (300) names its port in a receptor_type column, the
    // inhibitory one (301) in its dynamics_params (as BMTK's PointNet passes it to NEST).
    // Both are the ports the weights' signs pick, so the spikes are those of the plain run.
    test::temp_dir tmp;
    fs::copy(fixture, tmp.path() / "c", fs::copy_options::recursive);
    const auto types = tmp / "c" / "net_net_edge_types.csv";
    replace_in(types, "edge_type_id model_template syn_weight delay dynamics_params",
               "edge_type_id model_template syn_weight delay dynamics_params receptor_type");
    replace_in(types, "300 static_synapse 60.0 NULL static.json", "300 static_synapse 60.0 NULL NULL excitatory");
    replace_in(types, "301 static_synapse -150.0 NULL static.json", "301 static_synapse -150.0 NULL inh_port.json NULL");
    std::ofstream(tmp / "c" / "components" / "synapses" / "inh_port.json") << R"({"receptor_type": "inhibitory"})";
    const std::string config = io::sonata_to_config(tmp / "c" / "simulation_config.json", models::builtin_registry());
    CHECK_THAT(config, Contains("\"receptor\": \"excitatory\""));
    CHECK_THAT(config, Contains("\"receptor\": \"inhibitory\""));
    const auto named = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet",
                                                    (tmp / "c" / "simulation_config.json").string(), (tmp / "named").string()));
    INFO(named.err);
    REQUIRE(named.exit_code == 0);
    const auto plain = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet",
                                                    (fixture / "simulation_config.json").string(), (tmp / "plain").string()));
    REQUIRE(plain.exit_code == 0);
    CHECK(spikes_of(tmp / "named" / "spikes.h5", "net") == spikes_of(tmp / "plain" / "spikes.h5", "net"));
    // A port the target model does not have is refused with the edge type's projection path.
    replace_in(types, "NULL NULL excitatory", "NULL NULL AMPA");
    const auto bad = test::run_myelin(fmt::format("run '{}' --output '{}' --quiet",
                                                  (tmp / "c" / "simulation_config.json").string(), (tmp / "bad").string()));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("unknown port \"AMPA\""));
}
