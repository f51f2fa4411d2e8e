#pragma once
// The arithmetic a plastic rule written over its number type V uses (docs/plasticity.md):
// min, max, clamp, select, pow and exp instead of std::'s. Here for V = double; the
// simulator also instantiates rules with four doubles at once (detail/f64x4.hpp, where
// the CPU has AVX2), whose overloads do the same IEEE operations lane by lane, so the
// results are identical to the bit. Rule code names no intrinsics and compiles anywhere.
#include <algorithm>
#include <cmath>

#define MYELIN_INLINE [[gnu::always_inline]] inline

namespace myelin {

// With one double: std::min, std::max, std::clamp, a ternary; with four, the same
// comparisons lane by lane (std::min(a, b) is b < a ? b : a).
MYELIN_INLINE double min(double a, double b) { return std::min(a, b); }
MYELIN_INLINE double max(double a, double b) { return std::max(a, b); }
MYELIN_INLINE double clamp(double x, double lo, double hi) { return std::clamp(x, lo, hi); }
MYELIN_INLINE double select(bool c, double a, double b) { return c ? a : b; }
MYELIN_INLINE double pow(double x, double y) { return std::pow(x, y); }
MYELIN_INLINE double exp(double x) { return std::exp(x); }

// Four doubles at once: defined in detail/f64x4.hpp (where the compiler and target have
// them); declared here so that a rule's qualified calls (myelin::max) find them too.
struct f64x4;
struct mask4;
inline f64x4 min(f64x4 a, f64x4 b);
inline f64x4 max(f64x4 a, f64x4 b);
inline f64x4 clamp(f64x4 x, f64x4 lo, f64x4 hi);
inline f64x4 select(mask4 c, f64x4 a, f64x4 b);
inline f64x4 pow(f64x4 x, f64x4 y);
inline f64x4 exp(f64x4 x);

}  // namespace myelin
