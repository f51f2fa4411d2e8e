#include "matmul.hpp"

#include "matmul_kernel.hpp"

#include <myelin/core/assert.hpp>

namespace myelin::learning::matmul {

namespace detail {

void product_sse2(long m, long n, long k, const float* A, bool transpose_a, const float* B, bool transpose_b, float* C,
                  bool accumulate)
#include "matmul_body.hpp"

}  // namespace detail

namespace {

detail::kernel_fn choose() {
#if defined(MYELIN_MATMUL_AVX2)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma"))
        return detail::product_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return detail::product_avx2;
#endif
    return detail::product_sse2;
}

const detail::kernel_fn chosen = choose();

}  // namespace

void product(const fmatrix& A, bool transpose_a, const fmatrix& B, bool transpose_b, fmatrix& C, bool accumulate) {
    const Eigen::Index m = transpose_a ? A.cols() : A.rows(), k = transpose_a ? A.rows() : A.cols();
    const Eigen::Index n = transpose_b ? B.rows() : B.cols();
    MYELIN_ASSERT((transpose_b ? B.cols() : B.rows()) == k);
    if (accumulate) {
        MYELIN_ASSERT(C.rows() == m && C.cols() == n);
    } else {
        C.resize(m, n);
    }
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate) C.setZero();
        return;
    }
    chosen(m, n, k, A.data(), transpose_a, B.data(), transpose_b, C.data(), accumulate);
}

const char* kernel() {
    if (chosen == detail::product_sse2) return "sse2";
    return chosen == detail::product_avx2 ? "avx2+fma" : "avx512+fma";
}

}  // namespace myelin::learning::matmul
