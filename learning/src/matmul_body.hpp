// The body of a float32 product kernel, included by matmul.cpp and matmul_avx2.cpp with
// MYELIN_MATMUL_NAME set to the function to define.
{
    using Map = Eigen::Map<const Eigen::MatrixXf>;
    Eigen::Map<Eigen::MatrixXf> c(C, m, n);
    const Map a(A, transpose_a ? k : m, transpose_a ? m : k), b(B, transpose_b ? n : k, transpose_b ? k : n);
    const auto go = [&](const auto& lhs, const auto& rhs) {
        if (accumulate)
            c.noalias() += lhs * rhs;
        else
            c.noalias() = lhs * rhs;
    };
    if (transpose_a && transpose_b)
        go(a.transpose(), b.transpose());
    else if (transpose_a)
        go(a.transpose(), b);
    else if (transpose_b)
        go(a, b.transpose());
    else
        go(a, b);
}
