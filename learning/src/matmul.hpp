#pragma once
// Matrix products in float32 for network.matmul_precision = "float32" (docs/learning.md):
// C = op(A) op(B), or C += ..., on column-major float matrices. The kernel is Eigen's,
// compiled twice: for the x86-64 baseline (SSE2) and for AVX2 with FMA, chosen once at
// run time by the CPU. The two round differently (FMA), so float32 results are the same
// for any thread count on one machine but may differ between machines; float64 products
// (the default) are the baseline kernel everywhere.
#include <Eigen/Core>

namespace myelin::learning::matmul {

using fmatrix = Eigen::MatrixXf;

// C = op(A) op(B) (accumulate: C += op(A) op(B); C must then have the product's shape).
void product(const fmatrix& A, bool transpose_a, const fmatrix& B, bool transpose_b, fmatrix& C, bool accumulate = false);

// "avx2+fma" or "sse2": the kernel this CPU runs.
const char* kernel();

}  // namespace myelin::learning::matmul
