#pragma once
// Matrix products in float32 for network.matmul_precision = "float32" (docs/learning.md):
// C = op(A) op(B), or C += ..., on column-major float matrices. The kernel is Eigen's,
// compiled three times: for the x86-64 baseline (SSE2), for AVX2 with FMA and for AVX-512
// (F, DQ, VL, BW; Eigen's wider blocks, about a tenth faster than AVX2 on the conv SNN's
// products on an AMD EPYC), chosen once at run time by the CPU. They round differently
// (FMA, block sizes), so float32 results are the same for any thread count on one machine
// but may differ between machines; float64 products (the default) are the baseline
// kernel everywhere.
#include <Eigen/Core>

namespace myelin::learning::matmul {

using fmatrix = Eigen::MatrixXf;

// C = op(A) op(B) (accumulate: C += op(A) op(B); C must then have the product's shape).
void product(const fmatrix& A, bool transpose_a, const fmatrix& B, bool transpose_b, fmatrix& C, bool accumulate = false);

// "avx512+fma", "avx2+fma" or "sse2": the kernel this CPU runs.
const char* kernel();

}  // namespace myelin::learning::matmul
