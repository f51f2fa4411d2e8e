// The float32 product kernel compiled for AVX2 with FMA (learning/CMakeLists.txt); called
// only where the CPU has both (matmul.cpp). Eigen's namespace is renamed here so that its
// templates, compiled with these instructions, never merge with the baseline's.
#define Eigen EigenAVX2
#include <Eigen/Core>

#include "matmul_kernel.hpp"

namespace myelin::learning::matmul::detail {

void product_avx2(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b, float* C,
                  bool accumulate)
#include "matmul_body.hpp"

}  // namespace myelin::learning::matmul::detail
