#pragma once
// One float32 product kernel on raw column-major arrays, defined once per instruction set
// (matmul.cpp, matmul_avx2.cpp, matmul_avx512.cpp). Only pointers cross between them: the AVX2 file renames
// Eigen's namespace, so that no template compiled for AVX2 can stand in for the baseline's.
namespace myelin::learning::matmul::detail {

// C (m x n, column-major, leading dimension m) = op(A) op(B) (+ C if accumulate); A is
// m x k (or k x m if transpose_a), B is k x n (or n x k if transpose_b), both column-major.
using kernel_fn = void (*)(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b,
                           float* C, bool accumulate);

void product_sse2(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b, float* C,
                  bool accumulate);
void product_avx2(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b, float* C,
                  bool accumulate);
void product_avx512(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b, float* C,
                    bool accumulate);

}  // namespace myelin::learning::matmul::detail
