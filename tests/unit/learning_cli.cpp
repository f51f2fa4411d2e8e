// myelin train / eval / export as a user meets them, the training config's validation,
// and the Spiking Heidelberg Digits reader on a small file in that layout written here
// with the HDF5 C API (independently of Myelin's own HDF5 layer).
#include "support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/rng.hpp>
#include <myelin/learning/files.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

using namespace myelin;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const test::json& j) { std::ofstream(p) << j.dump(2); }

// 40 samples of 4 features, 2 classes that a small network separates.
void write_csv(const fs::path& p) {
    std::ofstream out(p);
    for (int i = 0; i < 40; ++i) {
        const int label = i % 2;
        out << (label ? 12 : 2) + i % 3 << ',' << (label ? 1 : 14) << ',' << i % 5 << ',' << (label ? 9 : 3) << ','
            << label << '\n';
    }
}

test::json config(const std::string& kind) {
    test::json network = {{"kind", kind}, {"hidden", 8}};
    if (kind != "rate") network["steps"] = 6;
    return {{"network", network},
            {"data", {{"classes", 2}, {"train", {{"file", "d.csv"}, {"rows", {0, 30}}}},
                      {"test", {{"file", "d.csv"}, {"rows", {30, 40}}}}}},
            {"optimizer", {{"kind", "adam"}, {"lr", 0.01}}},
            {"training", {{"epochs", 2}, {"batch", 10}, {"seed", 3}}}};
}

std::string error_of(const fs::path& file) {
    try {
        learning::load_train_config(file);
    } catch (const input_error& e) {
        return e.what();
    }
    return "(no error)";
}

// SHD layout: spikes/times (vlen float32, s), spikes/units (vlen uint16), labels (uint8).
void write_shd(const fs::path& p, const std::vector<std::vector<float>>& times,
               const std::vector<std::vector<std::uint16_t>>& units, const std::vector<std::uint8_t>& labels) {
    const hid_t f = H5Fcreate(p.string().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t g = H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    auto vlen = [&](const char* name, hid_t base, auto& lists) {
        const hsize_t n = lists.size();
        const hid_t space = H5Screate_simple(1, &n, nullptr), type = H5Tvlen_create(base);
        std::vector<hvl_t> raw;
        for (auto& l : lists) raw.push_back({l.size(), l.data()});
        const hid_t d = H5Dcreate2(g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
        H5Dclose(d);
        H5Tclose(type);
        H5Sclose(space);
    };
    auto t = times;
    auto u = units;
    vlen("times", H5T_NATIVE_FLOAT, t);
    vlen("units", H5T_NATIVE_UINT16, u);
    const hsize_t n = labels.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t d = H5Dcreate2(f, "labels", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data());
    H5Dclose(d);
    H5Sclose(space);
    H5Gclose(g);
    H5Fclose(f);
}

}  // namespace

TEST_CASE("cli: train writes the model and history, eval and export read it", "[unit][cli][learning]") {
    test::temp_dir tmp;
    write_csv(tmp / "d.csv");
    write(tmp / "snn.json", config("spiking"));
    const auto out = tmp / "out";
    const auto r = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "snn.json").string(), out.string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_THAT(r.out, Contains("epoch   1/2  loss "));
    REQUIRE_THAT(r.out, Contains("test "));
    REQUIRE_THAT(r.out, Contains("spikes/neuron"));
    REQUIRE(fs::exists(out / "model.h5"));
    std::ifstream history(out / "history.csv");
    std::string header;
    std::getline(history, header);
    CHECK(header == "epoch,loss,train_accuracy,test_accuracy,spikes_per_neuron,seconds,learning_rate");

    const auto model = learning::load_model(out / "model.h5");
    CHECK(model.history.loss.size() == 2);
    CHECK(model.net->options().hidden == 8);
    CHECK(model.config_text == test::json(config("spiking")).dump(2));

    const auto e = test::run_myelin(fmt::format("eval '{}' '{}' --rows 30 40", (out / "model.h5").string(),
                                                (tmp / "d.csv").string()));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    REQUIRE_THAT(e.out, Contains("accuracy"));
    REQUIRE_THAT(e.out, Contains("per class (rows: true class, columns: predicted)"));

    const auto x = test::run_myelin(fmt::format("export '{}' --data '{}' --sample 31 --output '{}'",
                                                (out / "model.h5").string(), (tmp / "d.csv").string(),
                                                (tmp / "net.json").string()));
    INFO(x.err);
    REQUIRE(x.exit_code == 0);
    REQUIRE(fs::exists(tmp / "net.json"));
    const auto again = test::run_myelin(fmt::format("export '{}' --data '{}' --output '{}'", (out / "model.h5").string(),
                                                    (tmp / "d.csv").string(), (tmp / "net.json").string()));
    CHECK(again.exit_code == 2);
    CHECK_THAT(again.err, Contains("net.json exists; add --force to replace it"));

    SECTION("the output folder is not overwritten without --force") {
        const auto r2 = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "snn.json").string(), out.string()));
        CHECK(r2.exit_code == 2);
        CHECK_THAT(r2.err, Contains("--output"));
    }
    SECTION("a dead class shows in eval") {
        // Only class-0 samples in the data: class 1 has none, and a model that never says 1 is flagged.
        std::ofstream(tmp / "zeros.csv") << "2,14,0,3,0\n3,14,1,3,0\n";
        const auto z = test::run_myelin(fmt::format("eval '{}' '{}'", (out / "model.h5").string(),
                                                    (tmp / "zeros.csv").string()));
        REQUIRE(z.exit_code == 0);
        CHECK_THAT(z.out, Contains("never predicted"));
    }
}

TEST_CASE("cli: eval and export refuse what is not a model of the right kind", "[unit][cli][learning]") {
    test::temp_dir tmp;
    write_csv(tmp / "d.csv");
    std::ofstream(tmp / "text.h5") << "not hdf5";
    auto r = test::run_myelin(fmt::format("eval '{}' '{}'", (tmp / "text.h5").string(), (tmp / "d.csv").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("text.h5: cannot be read as a Myelin model file"));
    // An HDF5 file of another kind (a SONATA spike file).
    const auto spikes = tmp / "spikes";
    REQUIRE(test::run_myelin(fmt::format("run '{}' --output '{}' --t-stop 20 --quiet",
                                         test::source_path("examples/brunel/brunel_small.json").string(), spikes.string()))
                .exit_code == 0);
    r = test::run_myelin(fmt::format("eval '{}' '{}'", (spikes / "spikes.h5").string(), (tmp / "d.csv").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("spikes.h5: is not a Myelin model file"));
    // A rate network has no simulator form.
    write(tmp / "ann.json", config("rate"));
    REQUIRE(test::run_myelin(fmt::format("train '{}' --output '{}' --quiet", (tmp / "ann.json").string(),
                                         (tmp / "ann").string()))
                .exit_code == 0);
    r = test::run_myelin(fmt::format("export '{}' --data '{}' --output '{}'", (tmp / "ann" / "model.h5").string(),
                                     (tmp / "d.csv").string(), (tmp / "net.json").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("only spiking networks export"));
    CHECK(!fs::exists(tmp / "net.json"));
    // A model of 4 inputs against data of 3 features.
    std::ofstream(tmp / "three.csv") << "1,2,3,0\n";
    r = test::run_myelin(fmt::format("eval '{}' '{}'", (tmp / "ann" / "model.h5").string(), (tmp / "three.csv").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("three.csv: 3 features per sample; the model has 4 inputs"));
}

TEST_CASE("training config errors name the file, the key and what is allowed", "[unit][learning]") {
    test::temp_dir tmp;
    write_csv(tmp / "d.csv");
    const auto f = tmp / "c.json";
    auto with = [&](const std::function<void(test::json&)>& change) {
        auto c = config("spiking");
        change(c);
        write(f, c);
        const auto e = error_of(f);
        return e == "(no error)" ? e : e.substr(f.string().size() + 2);
    };
    CHECK(with([](test::json&) {}) == "(no error)");
    CHECK(with([](test::json& c) { c["data"]["train"]["file"] = "missing.csv"; }) ==
          "data.train.file: no such file: " + (tmp / "missing.csv").string());
    CHECK(with([](test::json& c) { c["network"]["kind"] = "lstm"; }) ==
          "network.kind: 'lstm' is not one of spiking, rate, rate_rnn");
    CHECK(with([](test::json& c) { c["network"]["reset"] = "soft"; }) == "network.reset: 'soft' is not one of subtract, zero");
    CHECK(with([](test::json& c) { c["network"]["tau_mem"] = -2; }) == "network.tau_mem: -2; must be a finite number > 0");
    CHECK(with([](test::json& c) { c["network"]["hidden"] = 0; }) == "network.hidden: 0; must be an integer in [1, 1048576]");
    CHECK_THAT(with([](test::json& c) { c["network"]["kind"] = "rate"; c["network"]["recurrent"] = true; }),
               Contains("network.recurrent: unknown key 'recurrent'") && Contains("(for kind 'rate')"));
    CHECK(with([](test::json& c) { c["data"].erase("classes"); }) == "data.classes: is required but missing");
    CHECK(with([](test::json& c) { c["data"]["train"]["rows"] = {5, 2}; }) ==
          "data.train.rows: [5,2]; the end must be after the first row");
    CHECK(with([](test::json& c) { c["optimizer"]["kind"] = "rmsprop"; }) ==
          "optimizer.kind: 'rmsprop' is not one of sgd, adam, adamw");
    CHECK(with([](test::json& c) { c["optimizer"]["momentum"] = 0.9; }) ==
          "optimizer.momentum: unknown key 'momentum'; allowed here: beta1, beta2, epsilon, kind, lr, weight_decay");
    CHECK(with([](test::json& c) { c["training"]["epocs"] = 3; }) ==
          "training.epocs: unknown key 'epocs' (did you mean 'epochs'?); allowed here: augment, batch, chunk, clip_norm, "
          "epochs, loss, regulariser, seed, threads");
    CHECK(with([](test::json& c) { c["training"]["augment"] = {{"shape", {8}}, {"shift", 1}}; }) ==
          "training.augment.shape: expected [height, width] as two integers, got [8]");
    CHECK(with([](test::json& c) { c["training"]["augment"] = {{"shape", {2, 2}}, {"shift", 2}}; }) ==
          "training.augment.shift: 2; must be an integer in [0, 1]");
    CHECK(with([](test::json& c) { c["training"]["augment"] = {{"shape", {2, 2}}}; }) ==
          "training.augment.shift: is required but missing");
    CHECK(with([](test::json& c) { c["training"]["regulariser"] = {{"lower", 3}, {"upper", 1}}; }) ==
          "training.regulariser.upper: 1; must be >= lower (3)");
    CHECK(with([](test::json& c) { c["encoder"] = {{"kind", "rank"}}; }) ==
          "encoder.kind: 'rank' is not one of current, poisson, latency, rows");
    // Rows beyond the data are found when the data are read.
    auto c = config("spiking");
    c["data"]["train"]["rows"] = {0, 99};
    write(f, c);
    const auto r = test::run_myelin(fmt::format("train '{}' --output '{}'", f.string(), (tmp / "o").string()));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("data.train.rows: [0, 99) but"));
    CHECK_THAT(r.err, Contains("d.csv has 40 samples"));
    // Images of the wrong size are found when the data are read.
    c = config("spiking");
    c["training"]["augment"] = {{"shape", {3, 3}}, {"shift", 1}};
    write(f, c);
    const auto a = test::run_myelin(fmt::format("train '{}' --output '{}'", f.string(), (tmp / "o2").string()));
    CHECK(a.exit_code == 2);
    CHECK_THAT(a.err, Contains("c.json: training.augment.shape: [3, 3] has 9 pixels; the data have 4 features"));
    CHECK_FALSE(fs::exists(tmp / "o2"));
    CHECK(!fs::exists(tmp / "o"));
}

test::json stack_config(const test::json& layers) {
    auto c = config("spiking");
    c["network"] = {{"input_shape", {1, 2, 2}}, {"steps", 6}, {"layers", layers}};
    return c;
}

TEST_CASE("cli: a layer stack trains, its model file reads back, and bad stacks are named by layer", "[unit][cli][learning]") {
    test::temp_dir tmp;
    write_csv(tmp / "d.csv");
    const test::json good = test::json::array(
        {{{"conv2d", {{"channels", 3}, {"kernel", 2}}}}, {{"flatten", test::json::object()}},
         {{"alif", {{"recurrent", true}, {"learn_decays", "neuron"}}}}, {{"dropout", {{"p", 0.1}}}},
         {{"dense", {{"units", 2}, {"bias", false}}}}, {{"li_readout", {{"readout", "max"}}}}});
    write(tmp / "stack.json", stack_config(good));
    const auto out = tmp / "out";
    const auto r = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "stack.json").string(), out.string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("layer-stack network 1 x 2 x 2 -> conv2d 3 x 1 x 1 -> flatten 3 -> alif 3 -> dropout 3 -> "
                               "dense 2 -> li_readout 2"));
    CHECK_THAT(r.out, Contains("spikes/neuron"));
    const auto model = learning::load_model(out / "model.h5");
    REQUIRE(model.net->layers().size() == 6);
    CHECK(model.net->parameter_names() ==
          std::vector<std::string>{"0.W", "0.b", "2.alpha", "2.beta", "2.W_rec", "4.W"});
    CHECK(model.net->parameter_names(true).size() == 8);  // and the readout's fixed decays
    // The model read back gives the trained network's outputs: evaluate it twice, from the
    // file and from a network trained again with the same seed.
    const auto again = tmp / "again";
    REQUIRE(test::run_myelin(fmt::format("train '{}' --output '{}' --quiet", (tmp / "stack.json").string(), again.string()))
                .exit_code == 0);
    const auto twin = learning::load_model(again / "model.h5");
    const auto data = learning::read_csv(tmp / "d.csv", 2);
    CHECK(model.net->evaluate(data).logits == twin.net->evaluate(data).logits);
    const auto e = test::run_myelin(fmt::format("eval '{}' '{}'", (out / "model.h5").string(), (tmp / "d.csv").string()));
    INFO(e.err);
    CHECK(e.exit_code == 0);
    const auto x = test::run_myelin(fmt::format("export '{}' --data '{}' --output '{}'", (out / "model.h5").string(),
                                                (tmp / "d.csv").string(), (tmp / "net.json").string()));
    CHECK(x.exit_code == 2);
    CHECK_THAT(x.err, Contains("model.h5: kind: layer 2 (alif): time constants per neuron have no population form in the "
                               "simulator yet"));

    auto fails = [&](const test::json& c) {
        write(tmp / "bad.json", c);
        const auto b = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "bad.json").string(), (tmp / "b").string()));
        CHECK(b.exit_code == 2);
        CHECK_FALSE(fs::exists(tmp / "b"));
        return b.err;
    };
    auto layers = good;
    layers[0]["conv2d"]["kernel"] = 3;
    CHECK_THAT(fails(stack_config(layers)),
               Contains("bad.json: network.layers[0]: layer 0 (conv2d): kernel 3 x 3 is larger than its input 1 x 2 x 2"));
    layers = good;
    layers.erase(1);  // no flatten
    CHECK_THAT(fails(stack_config(layers)),
               Contains("network.layers[1]: layer 1 (alif): recurrent weights need a vector; its input is 3 x 1 x 1 "
                        "(flatten it first)"));
    layers = test::json::array({good[0], {{"lif", test::json::object()}}, good[4], good[5]});
    CHECK_THAT(fails(stack_config(layers)),
               Contains("network.layers[2]: layer 2 (dense): a dense layer needs a vector; its input is 3 x 1 x 1 (put a "
                        "flatten layer before it)"));
    layers = good;
    layers[4]["dense"]["units"] = 3;
    CHECK_THAT(fails(stack_config(layers)),
               Contains("network.layers[5]: the last layer (li_readout) gives 3 values per sample; the data have 2 classes"));
    layers = good;
    layers.erase(5);
    CHECK_THAT(fails(stack_config(layers)),
               Contains("network.layers[4]: the last layer (dense) gives a value per step; end the stack with li_readout "
                        "or reduce to get one per sample"));
    auto c = stack_config(good);
    c["network"]["input_shape"] = {1, 3, 2};
    CHECK_THAT(fails(c), Contains("network.input_shape: 1 x 3 x 2 (6 values); the data have 4 features"));

    // Errors in the config itself.
    const auto f = tmp / "c.json";
    auto with = [&](const test::json& layer) {
        auto l = good;
        l[1] = layer;
        write(f, stack_config(l));
        const auto err = error_of(f);
        return err == "(no error)" ? err : err.substr(f.string().size() + 2);
    };
    CHECK(with({{"conv2", {{"channels", 2}}}}) ==
          "network.layers[1]: unknown layer kind 'conv2' (did you mean 'conv2d'?); known: dense, conv2d, avg_pool, "
          "sum_pool, flatten, activation, dropout, reduce, lif, alif, li_readout, elman");
    CHECK_THAT(with({{"lif", test::json::object()}, {"flatten", test::json::object()}}),
               Contains("network.layers[1]: expected an object with one key, the layer's kind"));
    CHECK(with({{"dense", {{"bias", true}}}}) == "network.layers[1].dense.units: is required but missing");
    CHECK(with({{"dropout", {{"p", 1}}}}) == "network.layers[1].dropout.p: 1; must be in [0, 1)");
    CHECK(with({{"alif", {{"reset", "zero"}}}}) ==
          "network.layers[1].alif.reset: alif resets by subtraction (Bellec et al. 2018); 'zero' is for lif");
    CHECK_THAT(with({{"lif", {{"units", 4}}}}), Contains("network.layers[1].lif.units: unknown key 'units'"));
    CHECK(with({{"lif", {{"event_driven", true}}}}) ==
          "network.layers[1].lif.event_driven: applies to recurrent weights; this layer has none (set 'recurrent': true)");
    c = stack_config(good);
    c["network"]["kind"] = "spiking";
    write(f, c);
    CHECK_THAT(error_of(f), Contains("network.kind: 'spiking' with 'layers'; a network given layer by layer has kind "
                                     "'stack' (or none)"));
}

TEST_CASE("Spiking Heidelberg Digits files are binned into steps", "[unit][learning]") {
    test::temp_dir tmp;
    const auto f = tmp / "shd.h5";
    // Two samples, 0.1 s in 4 bins of 25 ms; a spike at or after 0.1 s is outside.
    write_shd(f, {{0.001f, 0.010f, 0.030f, 0.099f, 0.2f}, {0.05f}}, {{2, 2, 0, 5, 1}, {3}}, {1, 0});
    const auto d = learning::read_shd(f, 2, 4, 0.1, 0);
    REQUIRE(d.size() == 2);
    REQUIRE(d.features() == 6);  // units 0..5
    CHECK(d.labels == std::vector<int>{1, 0});
    CHECK(d.events[0][0](0, 2) == 2.0);  // two spikes of unit 2 in the first bin
    CHECK(d.events[0][1](0, 0) == 1.0);
    CHECK(d.events[0][3](0, 5) == 1.0);
    CHECK(d.events[0][0].sum() + d.events[0][1].sum() + d.events[0][2].sum() + d.events[0][3].sum() == 4.0);
    CHECK(d.events[1][2](0, 3) == 1.0);
    CHECK(learning::read_shd(f, 2, 4, 0.1, 700).features() == 700);

    auto error_of_shd = [&](const fs::path& p, int classes) {
        try {
            learning::read_shd(p, classes, 4, 0.1, 0);
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(error_of_shd(f, 1), Contains("shd.h5: sample 0: label 1; must be an integer in [0, 0]"));
    write_shd(tmp / "ragged.h5", {{0.01f, 0.02f}}, {{1}}, {0});
    CHECK_THAT(error_of_shd(tmp / "ragged.h5", 2), Contains("ragged.h5: sample 0: 2 spike times but 1 units"));
    const auto csv = tmp / "x.h5";
    std::ofstream(csv) << "1,2,0\n";
    CHECK_THAT(error_of_shd(csv, 2), Contains("x.h5: cannot be read as a Spiking Heidelberg Digits file"));

    // A spiking network trains on it (events go straight in as input per step).
    learning::network_options o;
    o.inputs = 6;
    o.classes = 2;
    o.hidden = 4;
    o.steps = 4;
    learning::network net(o);
    learning::adam opt(1e-2);
    CHECK(std::isfinite(net.train_epoch(d, opt, {}, 0).loss));
}

TEST_CASE("the rows encoder feeds a sample part by part over the steps", "[unit][cli][learning]") {
    // Each sample's F features cut into T parts of F / T, part t at step t, times scale.
    learning::encoder rows{learning::encoder_kind::rows, 0.5};
    learning::matrix x(2, 6);
    x << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
    const auto s = rows.encode(x, {0, 1}, 3, 1, 0);
    REQUIRE(s.size() == 3);
    for (int t = 0; t < 3; ++t)
        for (int b = 0; b < 2; ++b)
            for (int j = 0; j < 2; ++j) CHECK(s[t](b, j) == 0.5 * x(b, 2 * t + j));

    test::temp_dir tmp;
    write_csv(tmp / "d.csv");
    auto c = config("spiking");  // 4 features: 2 per step over 2 steps
    c["network"]["steps"] = 2;
    c["encoder"] = {{"kind", "rows"}, {"scale", 0.1}};
    write(tmp / "rows.json", c);
    const auto r = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "rows.json").string(),
                                                (tmp / "out").string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("spiking network 2 -> 8 -> 2"));
    const auto e = test::run_myelin(fmt::format("eval '{}' '{}'", (tmp / "out" / "model.h5").string(), (tmp / "d.csv").string()));
    CHECK(e.exit_code == 0);
    const auto x2 = test::run_myelin(fmt::format("export '{}' --data '{}' --output '{}'", (tmp / "out" / "model.h5").string(),
                                                 (tmp / "d.csv").string(), (tmp / "net.json").string()));
    CHECK(x2.exit_code == 2);
    CHECK_THAT(x2.err, Contains("kind: encoder 'rows': a current that changes every step has no simulator or NIR form yet"));
    c["network"]["steps"] = 3;
    write(tmp / "rows.json", c);
    auto bad = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "rows.json").string(), (tmp / "o2").string()));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("rows.json: encoder.kind: 'rows' cuts each sample's 4 features into the 3 steps "
                                 "(network.steps); 4 is not a multiple of 3"));
    c = config("rate");
    c["encoder"] = {{"kind", "rows"}};
    write(tmp / "rows.json", c);
    bad = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "rows.json").string(), (tmp / "o3").string()));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("encoder.kind: 'rows' feeds a sample over time; a 'rate' network has no time steps"));
}

TEST_CASE("cli: the recurrent ALIF example for SHD trains on a file in the SHD layout", "[unit][cli][learning]") {
    // examples/learning/shd_alif.json with its data files replaced by 40 generated samples:
    // class k fires units 35 k .. 35 k + 34, each 10 times at times drawn in [0, 1) s.
    test::temp_dir tmp;
    std::vector<std::vector<float>> times;
    std::vector<std::vector<std::uint16_t>> units;
    std::vector<std::uint8_t> labels;
    rng_stream rng(3, 0, 0);
    for (int i = 0; i < 40; ++i) {
        const int k = i % 20;
        times.emplace_back();
        units.emplace_back();
        for (int u = 0; u < 350; ++u) {
            times.back().push_back(static_cast<float>(rng.uniform()));
            units.back().push_back(static_cast<std::uint16_t>(35 * k + u % 35));
        }
        labels.push_back(static_cast<std::uint8_t>(k));
    }
    write_shd(tmp / "shd.h5", times, units, labels);
    std::ifstream in(test::source_path("examples/learning/shd_alif.json"));
    auto c = test::json::parse(in);
    for (const char* part : {"train", "test"}) c["data"][part]["file"] = (tmp / "shd.h5").string();
    c["training"]["epochs"] = 3;
    c["training"]["batch"] = 20;
    write(tmp / "shd.json", c);
    const auto r = test::run_myelin(fmt::format("train '{}' --output '{}'", (tmp / "shd.json").string(),
                                                (tmp / "out").string()));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("layer-stack network 700 -> dense 256 -> alif 256 -> dense 20 -> li_readout 20 on 40 samples"));
    const auto model = learning::load_model(tmp / "out" / "model.h5");
    REQUIRE(model.history.loss.size() == 3);
    CHECK(model.history.loss[2] < model.history.loss[0]);
    CHECK(model.history.spikes_per_neuron[2] > 0.0);
}

TEST_CASE("optimizers: a restored state steps as the original", "[unit][learning]") {
    auto steps = [](learning::optimizer& a, learning::optimizer& b, int n) {
        learning::matrix p = learning::matrix::Constant(2, 3, 0.5), q = p, g(2, 3);
        for (int k = 0; k < n; ++k) {
            g << 0.1 * k, -0.2, 0.3, 0.05 * k * k, 1.0, -1.0;
            a.step({&p}, {&g});
            b.step({&q}, {&g});
        }
        return std::pair(p, q);
    };
    for (int kind = 0; kind < 2; ++kind) {
        std::unique_ptr<learning::optimizer> a, b;
        if (kind == 0) {
            a = std::make_unique<learning::adam>(1e-2, 0.9, 0.999, 1e-8, 0.01);
            b = std::make_unique<learning::adam>(1e-2, 0.9, 0.999, 1e-8, 0.01);
        } else {
            a = std::make_unique<learning::sgd>(1e-2, 0.9, true);
            b = std::make_unique<learning::sgd>(1e-2, 0.9, true);
        }
        learning::matrix p = learning::matrix::Constant(2, 3, 0.5), g = learning::matrix::Constant(2, 3, 0.2);
        for (int k = 0; k < 3; ++k) a->step({&p}, {&g});
        b->restore(a->state());
        CHECK(b->state().steps == a->state().steps);
        const auto [x, y] = steps(*a, *b, 4);
        CHECK(x == y);  // bit for bit
    }
    learning::sgd plain(0.1);
    CHECK_THROWS(plain.restore({3, {}}));  // a step count: Adam's
    learning::adam adam(0.1);
    CHECK_THROWS(adam.restore({2, {learning::matrix::Zero(1, 1)}}));
}

TEST_CASE("image shifts: each sample moved by one drawn offset, zeros moved in, all offsets drawn", "[unit][learning]") {
    // A 5 x 7 image of distinct values, so that exactly one offset explains an output.
    const int H = 5, W = 7, S = 2;
    learning::matrix x(1, H * W);
    for (int p = 0; p < H * W; ++p) x(0, p) = 1.0 + p;
    const learning::image_shift shift{H, W, S};
    std::map<std::pair<int, int>, int> seen;
    for (std::size_t id = 0; id < 2500; ++id) {
        Eigen::RowVectorXd out(H * W);
        shift.apply(x, 0, id, 7, 3, out);
        int matches = 0;
        for (int dy = -S; dy <= S; ++dy)
            for (int dx = -S; dx <= S; ++dx) {
                bool same = true;
                for (int i = 0; i < H; ++i)
                    for (int j = 0; j < W; ++j) {
                        const int si = i + dy, sj = j + dx;
                        const double expect = si >= 0 && si < H && sj >= 0 && sj < W ? x(0, si * W + sj) : 0.0;
                        same = same && out(i * W + j) == expect;
                    }
                if (same) {
                    ++matches;
                    ++seen[{dy, dx}];
                }
            }
        REQUIRE(matches == 1);
        // The same (seed, epoch, sample) moves it the same way; another epoch draws anew.
        Eigen::RowVectorXd again(H * W);
        shift.apply(x, 0, id, 7, 3, again);
        REQUIRE(again == out);
    }
    // 25 offsets, 100 expected each: every one drawn, none more than 4.5 sigma off.
    REQUIRE(seen.size() == 25);
    for (const auto& [offset, n] : seen) CHECK(std::abs(n - 100) < 45);
}

TEST_CASE("training with image shifts is the same for any thread count and moves only training input",
          "[unit][learning]") {
    test::temp_dir tmp;
    write_csv(tmp / "d.csv");
    auto c = config("spiking");
    c["training"]["augment"] = {{"shape", {2, 2}}, {"shift", 1}};
    c["training"]["epochs"] = 3;
    write(tmp / "c.json", c);
    // history.csv's rows without the epoch's seconds (column 5): what training computed.
    auto train = [&](int threads, const std::string& out) {
        const auto r = test::run_myelin(fmt::format("train '{}' --threads {} --output '{}' --quiet", (tmp / "c.json").string(),
                                                    threads, (tmp / out).string()));
        REQUIRE(r.exit_code == 0);
        std::vector<std::vector<std::string>> rows;
        std::ifstream in(tmp / out / "history.csv");
        for (std::string line; std::getline(in, line);) {
            std::vector<std::string> cells;
            std::istringstream cols(line);
            for (std::string cell; std::getline(cols, cell, ',');) cells.push_back(cell);
            REQUIRE(cells.size() == 7);
            cells.erase(cells.begin() + 5);
            rows.push_back(cells);
        }
        return rows;
    };
    const auto one = train(1, "one"), two = train(2, "two");
    CHECK(one == two);
    // Without the shifts training differs; evaluation never shifts: the model file gives
    // the test accuracy of its last epoch.
    c["training"]["augment"]["shift"] = 0;
    write(tmp / "c.json", c);
    CHECK(train(1, "none") != one);
    const auto e = test::run_myelin(fmt::format("eval '{}' '{}' --rows 30 40", (tmp / "one/model.h5").string(),
                                                (tmp / "d.csv").string()));
    REQUIRE(e.exit_code == 0);
    CHECK_THAT(e.out, Contains(fmt::format("{:.2f} %", 100 * std::stod(one.back()[3]))));
}
