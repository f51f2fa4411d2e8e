#pragma once
// Four doubles at once, for the plastic rules' tuned synapse loop (detail/plastic_lanes.hpp).
// Internal: rules see only lanes.hpp; plastic_adapter instantiates them with f64x4.
//
// f64x4 is built on GCC's vector extensions, so that rule code compiles for any target;
// the loops that use it are compiled for AVX2 and chosen at run time (release builds
// target baseline x86-64). GCC only: elsewhere (clang) the rules run one synapse at a
// time, with the same results.
#include <myelin/simulator/lanes.hpp>

#include <cstdint>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define MYELIN_LANES 1
#include <immintrin.h>
#endif

namespace myelin {

// Whether plastic rules may run four synapses at once: the CPU has AVX2 and the
// environment does not set MYELIN_SIMD=off (which overrides simulation.simd).
bool lanes_available();

#ifdef MYELIN_LANES
using v4d = double __attribute__((vector_size(32)));
using v4i = decltype(v4d{} < v4d{});  // a comparison's lanes: all ones or all zeros

// A mask of four lanes, as comparisons of f64x4 give.
struct mask4 {
    v4i v;
    MYELIN_INLINE friend mask4 operator&(mask4 a, mask4 b) { return {a.v & b.v}; }
    MYELIN_INLINE friend mask4 operator|(mask4 a, mask4 b) { return {a.v | b.v}; }
    MYELIN_INLINE friend mask4 operator!(mask4 a) { return {~a.v}; }
};

// ~a & b in one instruction (GCC 12 builds ~a from two). For code compiled for AVX2.
[[gnu::target("avx2")]] MYELIN_INLINE v4i andnot(v4i a, v4i b) {
    return (v4i)_mm256_andnot_si256((__m256i)a, (__m256i)b);
}

// Four doubles. Converts from a double (every lane), so rules can write 1.0 - x.
struct f64x4 {
    v4d v;
    f64x4() = default;
    // One broadcast instruction: GCC 12 builds {x, x, x, x} from three, again at every
    // use in a loop. Only ever runs in code compiled for AVX2 (see above).
    MYELIN_INLINE f64x4(double x) { asm("vbroadcastsd %1, %0" : "=x"(v) : "x"(x)); }
    MYELIN_INLINE explicit f64x4(v4d x) : v(x) {}
    double operator[](int i) const { return v[i]; }

    MYELIN_INLINE friend f64x4 operator+(f64x4 a, f64x4 b) { return f64x4(a.v + b.v); }
    MYELIN_INLINE friend f64x4 operator-(f64x4 a, f64x4 b) { return f64x4(a.v - b.v); }
    MYELIN_INLINE friend f64x4 operator*(f64x4 a, f64x4 b) { return f64x4(a.v * b.v); }
    MYELIN_INLINE friend f64x4 operator/(f64x4 a, f64x4 b) { return f64x4(a.v / b.v); }
    MYELIN_INLINE friend f64x4 operator-(f64x4 a) { return f64x4(-a.v); }
    MYELIN_INLINE friend mask4 operator<(f64x4 a, f64x4 b) { return {a.v < b.v}; }
    MYELIN_INLINE friend mask4 operator>(f64x4 a, f64x4 b) { return {a.v > b.v}; }
    MYELIN_INLINE friend mask4 operator<=(f64x4 a, f64x4 b) { return {a.v <= b.v}; }
    MYELIN_INLINE friend mask4 operator>=(f64x4 a, f64x4 b) { return {a.v >= b.v}; }
    MYELIN_INLINE friend mask4 operator==(f64x4 a, f64x4 b) { return {a.v == b.v}; }
    MYELIN_INLINE friend mask4 operator!=(f64x4 a, f64x4 b) { return {a.v != b.v}; }
    f64x4& operator+=(f64x4 b) { return *this = *this + b; }
    f64x4& operator-=(f64x4 b) { return *this = *this - b; }
    f64x4& operator*=(f64x4 b) { return *this = *this * b; }
};

// On the lanes' sign bits, which is what vblendvpd tests: GCC 12 compiles `c ? a : b`
// of a mask from memory to a comparison with 0 and a blend.
MYELIN_INLINE f64x4 select(mask4 c, f64x4 a, f64x4 b) { return f64x4(c.v < 0 ? a.v : b.v); }
MYELIN_INLINE f64x4 min(f64x4 a, f64x4 b) { return select(b < a, b, a); }
MYELIN_INLINE f64x4 max(f64x4 a, f64x4 b) { return select(a < b, b, a); }
MYELIN_INLINE f64x4 clamp(f64x4 x, f64x4 lo, f64x4 hi) { return select(x < lo, lo, select(hi < x, hi, x)); }
inline f64x4 pow(f64x4 x, f64x4 y) {
    return f64x4(v4d{std::pow(x.v[0], y.v[0]), std::pow(x.v[1], y.v[1]), std::pow(x.v[2], y.v[2]), std::pow(x.v[3], y.v[3])});
}
inline f64x4 exp(f64x4 x) { return f64x4(v4d{std::exp(x.v[0]), std::exp(x.v[1]), std::exp(x.v[2]), std::exp(x.v[3])}); }
#endif

}  // namespace myelin
