// learning::trainer, the epoch loop `myelin train` and the Python module share: a training
// continued from its checkpoint equals one straight through, and data that do not suit the
// config are refused before anything trains, by the config's file and key.
#include "learning_support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/learning/trainer.hpp>

#include <catch2/catch.hpp>

using namespace myelin;
namespace L = myelin::learning;

namespace {

L::train_config digits_config(const std::string& augment = "") {
    return L::parse_train_config(R"({"network": {"kind": "spiking", "hidden": 32, "steps": 10},
                                     "data": {"classes": 10},
                                     "optimizer": {"kind": "adam", "lr": 0.002},
                                     "schedule": {"kind": "cosine", "min_lr": 0.0002},
                                     "training": {"epochs": 3, "batch": 64, "seed": 5)" +
                                     augment + "}}",
                                 "digits.json", false);
}

const L::dataset& few_digits() {
    static const auto d = test::digits().rows(0, 300);
    return d;
}

}  // namespace

TEST_CASE("trainer: a training continued from its checkpoint equals one straight through", "[learning]") {
    const test::temp_dir tmp;
    L::trainer whole(digits_config());
    REQUIRE(whole.fit(few_digits(), nullptr, 3));
    CHECK(whole.epochs_done() == 3);

    L::trainer first(digits_config());
    std::vector<double> rates;
    first.fit(few_digits(), nullptr, 1, [&](const L::epoch_result& r) { rates.push_back(r.learning_rate); });
    first.save_checkpoint(tmp.path() / "checkpoint.h5");
    L::trainer rest(digits_config(), L::load_model(tmp.path() / "checkpoint.h5"));
    CHECK(rest.epochs_done() == 1);
    rest.fit(few_digits(), nullptr, 3, [&](const L::epoch_result& r) { rates.push_back(r.learning_rate); });

    // The schedule spans the 3 epochs in both (cosine from 0.002 towards 0.0002, as
    // PyTorch's CosineAnnealingLR with T_max 3), not the 1 epoch the first was asked for.
    REQUIRE(rates.size() == 3);
    CHECK(rates[0] == 0.002);
    CHECK(rates[1] == Approx(0.0002 + 0.0018 * 0.75));
    CHECK(rates[2] == Approx(0.0002 + 0.0018 * 0.25));
    CHECK(rest.history().loss == whole.history().loss);
    for (const auto& name : whole.net().parameter_names())
        CHECK(rest.net().parameter(name) == whole.net().parameter(name));
}

TEST_CASE("trainer: data that do not suit the config are refused by its file and key", "[learning]") {
    // Shifting 8 x 8 images needs 64 features: 63 are not such images.
    L::trainer shifted(digits_config(R"(, "augment": {"shape": [8, 8], "shift": 1})"));
    L::dataset narrow = few_digits();
    narrow.x = narrow.x.leftCols(63).eval();
    CHECK_THROWS_WITH(shifted.prepare(narrow, nullptr), Catch::Matchers::Contains("digits.json: training.augment.shape"));
    CHECK_FALSE(shifted.built());

    // Test data with other features than the training data.
    L::trainer plain(digits_config());
    CHECK_THROWS_WITH(plain.prepare(few_digits(), &narrow),
                      "digits.json: data.test: 63 features per sample; the network has 64 inputs");
    plain.prepare(few_digits(), nullptr);
    REQUIRE(plain.built());
    CHECK(plain.net().options().inputs == 64);
}

TEST_CASE("trainer: float32 products and state are config choices the model file keeps", "[learning]") {
    CHECK_THROWS_WITH(L::parse_train_config(R"({"network": {"kind": "spiking", "matmul_precision": "float16"},
                                                "data": {"classes": 10}})",
                                            "digits.json", false),
                      "digits.json: network.matmul_precision: 'float16' is not one of float64, float32");
    CHECK_THROWS_WITH(L::parse_train_config(R"({"network": {"kind": "spiking", "state_precision": "half"},
                                                "data": {"classes": 10}})",
                                            "digits.json", false),
                      "digits.json: network.state_precision: 'half' is not one of float64, float32");
    CHECK(L::parse_train_config(R"({"network": {"layers": [{"dense": {"units": 4}}, {"lif": {}}],
                                    "state_precision": "float32"}, "data": {"classes": 4}, "training": {"epochs": 1}})",
                                "stack.json", false)
              .network.float32_state);
    auto c = digits_config();
    c.network.float32_products = c.network.float32_state = true;
    const test::temp_dir tmp;
    L::trainer t(c);
    t.fit(few_digits(), nullptr, 1);
    t.save_model(tmp.path() / "model.h5");
    const auto back = L::load_model(tmp.path() / "model.h5");
    CHECK(back.net->options().float32_products);
    CHECK(back.net->options().float32_state);
    CHECK(back.net->evaluate(few_digits(), 1).logits == t.net().evaluate(few_digits(), 1).logits);
    // Each choice did run: the same training in float64, or with only one of them, ends elsewhere.
    L::trainer exact(digits_config());
    exact.fit(few_digits(), nullptr, 1);
    CHECK(t.net().parameter("W1") != exact.net().parameter("W1"));
    for (const bool products : {true, false}) {
        auto one = digits_config();
        (products ? one.network.float32_products : one.network.float32_state) = true;
        L::trainer single(one);
        single.fit(few_digits(), nullptr, 1);
        INFO((products ? "products" : "state"));
        CHECK(single.net().parameter("W1") != exact.net().parameter("W1"));
        CHECK(single.net().parameter("W1") != t.net().parameter("W1"));
    }
}
