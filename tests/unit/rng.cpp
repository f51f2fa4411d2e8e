#include <myelin/core/rng.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>

using namespace myelin;

TEST_CASE("rng: Philox4x32-10 matches the Random123 known-answer vectors", "[unit][rng]") {
    // From Random123's kat_vectors (philox4x32, 10 rounds): counter and key all zero, and
    // the pi-digit counter and key.
    struct vector {
        philox::ctr_type counter;
        philox::key_type key;
        std::array<std::uint32_t, 4> expected;
    };
    const vector vectors[] = {
        {{{0, 0, 0, 0}}, {{0, 0}}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
        {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}},
         {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
    };
    for (const auto& v : vectors) {
        const auto r = philox{}(v.counter, v.key);
        for (std::size_t i = 0; i < 4; ++i) CHECK(r[i] == v.expected[i]);
    }
}

TEST_CASE("rng: a stream depends only on seed and purpose and id", "[unit][rng]") {
    rng_stream a(1, rng_key_word(rng_purpose::connect, 0), 5), b(1, rng_key_word(rng_purpose::connect, 0), 5);
    rng_stream c(1, rng_key_word(rng_purpose::connect, 0), 6), d(2, rng_key_word(rng_purpose::connect, 0), 5);
    rng_stream e(1, rng_key_word(rng_purpose::weight, 0), 5);
    for (int i = 0; i < 10; ++i) {
        const auto x = a();
        REQUIRE(x == b());
        CHECK(x != c());
        CHECK(x != d());
        CHECK(x != e());
    }
}

TEST_CASE("rng: below(n) is uniform and in range", "[unit][rng]") {
    // 7e5 draws over 7 values: each count ~ Binomial(7e5, 1/7), sd 293; 5-sigma bound.
    rng_stream r(3, 0, 0);
    std::array<int, 7> counts{};
    for (int i = 0; i < 700000; ++i) {
        const auto x = r.below(7);
        REQUIRE(x < 7);
        ++counts[x];
    }
    for (int c : counts) CHECK(std::abs(c - 100000) < 5 * 293);
}

TEST_CASE("rng: uniform() lies in 0 to 1 with mean 1/2 and normal() has mean 0 and variance 1", "[unit][rng]") {
    rng_stream r(9, 0, 0);
    const int n = 400000;
    double su = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        su += u;
        const double z = r.normal();
        sn += z;
        sn2 += z * z;
    }
    // Standard errors: uniform mean sqrt(1/12/n) = 4.6e-4; normal mean 1.6e-3, variance
    // sqrt(2/n) = 2.2e-3. 5-sigma bounds.
    CHECK(std::abs(su / n - 0.5) < 5 * 4.6e-4);
    CHECK(std::abs(sn / n) < 5 * 1.6e-3);
    CHECK(std::abs(sn2 / n - 1.0) < 5 * 2.2e-3);
}

TEST_CASE("rng: normal() has the tails of a standard normal", "[unit][rng]") {
    // The ziggurat treats the tail beyond its last layer (x > 3.44) separately; count
    // draws beyond 2, 3 and 3.5 sigma against the exact probabilities.
    rng_stream r(11, 0, 0);
    const int n = 2000000;
    int beyond[3] = {0, 0, 0};
    const double x[3] = {2.0, 3.0, 3.5};
    const double p[3] = {0.0455002638963584, 0.0026997960632602, 0.000465258830158};  // P(|z| > x)
    for (int i = 0; i < n; ++i) {
        const double z = std::abs(r.normal());
        for (int k = 0; k < 3; ++k) beyond[k] += z > x[k];
    }
    for (int k = 0; k < 3; ++k) {
        const double expected = n * p[k], sd = std::sqrt(expected * (1.0 - p[k]));
        INFO("beyond " << x[k] << ": " << beyond[k] << ", expected " << expected);
        CHECK(std::abs(beyond[k] - expected) < 5 * sd);  // binomial count, 5-sigma bound
    }
}
