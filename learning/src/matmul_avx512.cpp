// The float32 product kernel compiled for AVX-512 (F, DQ, VL, BW) with FMA
// (learning/CMakeLists.txt); called only where the CPU has all of them (matmul.cpp). Eigen's
// namespace is renamed here, as in matmul_avx2.cpp, so that its templates compiled with
// these instructions never merge with another kernel's.
#define Eigen EigenAVX512
#include <Eigen/Core>

#include "matmul_kernel.hpp"

namespace myelin::learning::matmul::detail {

void product_avx512(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b, float* C,
                    bool accumulate)
#include "matmul_body.hpp"

}  // namespace myelin::learning::matmul::detail
