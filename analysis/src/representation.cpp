#include <myelin/analysis/representation.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace myelin::analysis {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

void check_pair(const matrix& x, const matrix& y) {
    if (x.rows() != y.rows())
        throw std::invalid_argument("representations of different numbers of stimuli (" + std::to_string(x.rows()) +
                                    " and " + std::to_string(y.rows()) + ")");
    if (x.rows() < 4) throw std::invalid_argument("fewer than 4 stimuli");
}

matrix squared_distances(const matrix& x) {
    const matrix dot = x * x.transpose();
    const Eigen::VectorXd sq = dot.diagonal();
    matrix d2 = -2.0 * dot;
    d2.colwise() += sq;
    d2.rowwise() += sq.transpose();
    return d2;
}

}  // namespace

matrix gram_linear(const matrix& x) { return x * x.transpose(); }

matrix gram_rbf(const matrix& x, double fraction) {
    const matrix d2 = squared_distances(x);
    std::vector<double> all(d2.data(), d2.data() + d2.size());
    const std::size_t n = all.size(), mid = n / 2;
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(mid), all.end());
    double median = all[mid];
    if (n % 2 == 0) median = (median + *std::max_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(mid))) / 2.0;
    return (-d2.array() / (2.0 * fraction * fraction * median)).exp().matrix();
}

matrix center_gram(const matrix& gram, bool unbiased) {
    const auto n = gram.rows();
    matrix g = gram;
    if (unbiased) {
        g.diagonal().setZero();
        Eigen::VectorXd means = g.colwise().sum().transpose() / static_cast<double>(n - 2);
        means.array() -= means.sum() / (2.0 * static_cast<double>(n - 1));
        g.colwise() -= means;
        g.rowwise() -= means.transpose();
        g.diagonal().setZero();
    } else {
        const Eigen::VectorXd col = g.colwise().mean().transpose(), row = g.rowwise().mean();
        const double all = g.mean();
        g.colwise() -= row;
        g.rowwise() -= col.transpose();
        g.array() += all;
    }
    return g;
}

double cka(const matrix& gram_x, const matrix& gram_y, bool debiased) {
    if (gram_x.rows() != gram_y.rows()) throw std::invalid_argument("Gram matrices of different sizes");
    const matrix cx = center_gram(gram_x, debiased), cy = center_gram(gram_y, debiased);
    const double nx = cx.norm(), ny = cy.norm();
    // A constant representation leaves only rounding (~1e-16 of the Gram matrix) after centring.
    if (nx <= 1e-12 * gram_x.norm() || ny <= 1e-12 * gram_y.norm()) return nan;
    return cx.cwiseProduct(cy).sum() / (nx * ny);
}

double linear_cka(const matrix& x, const matrix& y, bool debiased) {
    check_pair(x, y);
    return cka(gram_linear(x), gram_linear(y), debiased);
}

double rbf_cka(const matrix& x, const matrix& y, double fraction, bool debiased) {
    check_pair(x, y);
    return cka(gram_rbf(x, fraction), gram_rbf(y, fraction), debiased);
}

std::vector<double> rdm(const matrix& x, rdm_metric metric) {
    const auto n = x.rows();
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(n * (n - 1) / 2));
    matrix z = x;
    if (metric == rdm_metric::correlation) {
        // Rows centred and scaled to unit norm: 1 - Pearson = 1 - z_i . z_j (NaN for a constant row).
        z.colwise() -= x.rowwise().mean();
        for (Eigen::Index i = 0; i < n; ++i) z.row(i) /= z.row(i).norm();
    }
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = i + 1; j < n; ++j)
            out.push_back(metric == rdm_metric::correlation ? 1.0 - z.row(i).dot(z.row(j)) : (x.row(i) - x.row(j)).norm());
    return out;
}

namespace {

// RDM entries that are equal in exact arithmetic (integer data, repeated stimuli) differ
// in their last bits with the order of operations (0 may come out as 1e-16): values
// within 1e-12 of the largest magnitude in the list tie.
double tie_scale(std::span<const double> v) {
    double m = 0.0;
    for (double x : v) m = std::max(m, std::abs(x));
    return 1e-12 * m;
}

}  // namespace

std::vector<double> average_ranks(std::span<const double> v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(v.size());
    const double tol = tie_scale(v);
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] - v[order[i]] <= tol) ++j;
        const double r = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k) rank[order[k]] = r;
        i = j + 1;
    }
    return rank;
}

double pearson(std::span<const double> a, std::span<const double> b) {
    const auto n = static_cast<double>(a.size());
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

double spearman(std::span<const double> a, std::span<const double> b) {
    const auto ra = average_ranks(a), rb = average_ranks(b);
    return pearson(ra, rb);
}

namespace {

// Tie groups as integers: values within the tie tolerance share one code (their rank order).
std::vector<long long> tie_codes(std::span<const double> v) {
    const auto r = average_ranks(v);
    std::vector<long long> code(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) code[i] = static_cast<long long>(2.0 * r[i]);  // average ranks are halves
    return code;
}

long long tied_pairs(std::vector<long long> v) {
    std::sort(v.begin(), v.end());
    long long t = 0;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j < v.size() && v[j] == v[i]) ++j;
        const auto k = static_cast<long long>(j - i);
        t += k * (k - 1) / 2;
        i = j;
    }
    return t;
}

// Strict inversions of v, counted while merge-sorting it.
long long inversions(std::vector<long long>& v, std::vector<long long>& buffer, std::size_t lo, std::size_t hi) {
    if (hi - lo < 2) return 0;
    const std::size_t mid = (lo + hi) / 2;
    long long count = inversions(v, buffer, lo, mid) + inversions(v, buffer, mid, hi);
    std::size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (v[j] < v[i]) {
            count += static_cast<long long>(mid - i);
            buffer[k++] = v[j++];
        } else {
            buffer[k++] = v[i++];
        }
    }
    while (i < mid) buffer[k++] = v[i++];
    while (j < hi) buffer[k++] = v[j++];
    std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(lo), buffer.begin() + static_cast<std::ptrdiff_t>(hi),
              v.begin() + static_cast<std::ptrdiff_t>(lo));
    return count;
}

}  // namespace

double kendall_tau_a(std::span<const double> a, std::span<const double> b) {
    // Knight's (1966) O(n log n) count: with the pairs sorted by (a, b), the discordant
    // pairs are the strict inversions of b; concordant = all - tied in a - tied in b +
    // tied in both - discordant.
    const std::size_t n = a.size();
    const auto ca = tie_codes(a), cb = tie_codes(b);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t i, std::size_t j) { return ca[i] != ca[j] ? ca[i] < ca[j] : cb[i] < cb[j]; });
    std::vector<long long> sb(n), joint(n), buffer(n);
    for (std::size_t k = 0; k < n; ++k) {
        sb[k] = cb[order[k]];
        joint[k] = ca[order[k]] * static_cast<long long>(2 * n + 2) + cb[order[k]];
    }
    const auto all = static_cast<long long>(n) * static_cast<long long>(n - 1) / 2;
    const long long ta = tied_pairs(ca), tb = tied_pairs(cb), tab = tied_pairs(joint);
    const long long discordant = inversions(sb, buffer, 0, n);
    const long long concordant = all - ta - tb + tab - discordant;
    return static_cast<double>(concordant - discordant) / static_cast<double>(all);
}

double rsa(const matrix& x, const matrix& y, rdm_metric metric, rdm_comparison comparison) {
    check_pair(x, y);
    const auto a = rdm(x, metric), b = rdm(y, metric);
    return comparison == rdm_comparison::spearman ? spearman(a, b) : kendall_tau_a(a, b);
}

double procrustes_distance(const matrix& x, const matrix& y) {
    check_pair(x, y);
    auto normalise = [](const matrix& m) {
        matrix c = m.rowwise() - m.colwise().mean();
        return matrix(c / c.norm());
    };
    const matrix a = normalise(x), b = normalise(y);
    const Eigen::BDCSVD<matrix> svd(a.transpose() * b);  // singular values only
    const double nuclear = svd.singularValues().sum();
    return std::sqrt(std::max(0.0, 2.0 - 2.0 * nuclear));
}

}  // namespace myelin::analysis
