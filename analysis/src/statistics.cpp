#include <myelin/analysis/statistics.hpp>
#include <myelin/core/rng.hpp>

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>

namespace myelin::analysis {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// P(D >= h / (n m)) for two samples of sizes n and m: the probability that a path of n
// steps right and m steps up, all orders equally likely, touches |i m - j n| >= h. The
// walk carries the probability of each point reached without touching (a step right from
// (i, j) has probability (n - i) / (n - i + m - j)); what touches is added to p.
double ks_exact_p(std::int64_t n, std::int64_t m, std::int64_t h) {
    if (h <= 0) return 1.0;
    std::vector<double> row(static_cast<std::size_t>(m + 1), 0.0);
    double p = 0.0;
    for (std::int64_t i = 0; i <= n; ++i) {
        for (std::int64_t j = 0; j <= m; ++j) {
            double u;
            if (i == 0 && j == 0) {
                u = 1.0;
            } else {
                const auto left = static_cast<double>(n - i + 1 + m - j), below = static_cast<double>(n - i + m - j + 1);
                u = (i > 0 ? row[static_cast<std::size_t>(j)] * static_cast<double>(n - i + 1) / left : 0.0) +
                    (j > 0 ? row[static_cast<std::size_t>(j - 1)] * static_cast<double>(m - j + 1) / below : 0.0);
            }
            if (std::abs(i * m - j * n) >= h) {
                p += u;
                u = 0.0;
            }
            row[static_cast<std::size_t>(j)] = u;
        }
    }
    return std::min(1.0, p);
}

}  // namespace

double kolmogorov_sf(double x) {
    if (x <= 0.0) return 1.0;
    constexpr double pi = std::numbers::pi;
    double s = 0.0;
    if (x < 1.0) {  // the theta-function form converges fast for small x
        for (int k = 1; k <= 20; ++k) s += std::exp(-(2.0 * k - 1) * (2.0 * k - 1) * pi * pi / (8.0 * x * x));
        return 1.0 - std::sqrt(2.0 * pi) / x * s;
    }
    for (int k = 1; k <= 100; ++k) {
        const double term = std::exp(-2.0 * k * k * x * x);
        s += (k % 2 == 1 ? term : -term);
        if (term < 1e-300) break;
    }
    return std::clamp(2.0 * s, 0.0, 1.0);
}

ks_result ks_2samp(std::span<const double> a, std::span<const double> b) {
    if (a.empty() || b.empty()) throw std::invalid_argument("Kolmogorov-Smirnov test of an empty sample");
    std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
    if (std::any_of(x.begin(), x.end(), [](double v) { return std::isnan(v); }) ||
        std::any_of(y.begin(), y.end(), [](double v) { return std::isnan(v); }))
        throw std::invalid_argument("Kolmogorov-Smirnov test of a sample with NaN");
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    const auto n = static_cast<std::int64_t>(x.size()), m = static_cast<std::int64_t>(y.size());
    // sup over the data of |F_a - F_b| = |i/n - j/m| = |i m - j n| / (n m), exactly in integers.
    std::int64_t h = 0, i = 0, j = 0;
    while (i < n || j < m) {
        const double v = std::min(i < n ? x[static_cast<std::size_t>(i)] : y[static_cast<std::size_t>(j)],
                                  j < m ? y[static_cast<std::size_t>(j)] : x[static_cast<std::size_t>(i)]);
        while (i < n && x[static_cast<std::size_t>(i)] <= v) ++i;
        while (j < m && y[static_cast<std::size_t>(j)] <= v) ++j;
        h = std::max(h, std::abs(i * m - j * n));
    }
    ks_result r;
    r.statistic = static_cast<double>(h) / (static_cast<double>(n) * static_cast<double>(m));
    if (static_cast<double>(n) * static_cast<double>(m) <= 1e8) {
        r.p_value = ks_exact_p(n, m, h);
    } else {
        r.exact = false;
        const double en = static_cast<double>(n) * static_cast<double>(m) / static_cast<double>(n + m);
        r.p_value = kolmogorov_sf(std::sqrt(en) * r.statistic);
    }
    return r;
}

std::string representation_measure::name() const {
    switch (which) {
        case kind::linear_cka: return "linear CKA";
        case kind::debiased_cka: return "debiased linear CKA";
        case kind::rbf_cka: {
            std::string f = std::to_string(rbf_fraction);
            f.erase(f.find_last_not_of('0') + 1);
            if (f.back() == '.') f.pop_back();
            return "RBF CKA (" + f + " x median)";
        }
        case kind::rsa:
            return std::string("RSA (") + (metric == rdm_metric::correlation ? "1 - r" : "Euclidean") + ", " +
                   (comparison == rdm_comparison::spearman ? "Spearman" : "Kendall tau-a") + ")";
        case kind::procrustes: return "Procrustes distance";
    }
    return "?";
}

double representation_measure::operator()(const matrix& x, const matrix& y) const {
    switch (which) {
        case kind::linear_cka: return linear_cka(x, y, false);
        case kind::debiased_cka: return linear_cka(x, y, true);
        case kind::rbf_cka: return rbf_cka(x, y, rbf_fraction);
        case kind::rsa: return rsa(x, y, metric, comparison);
        case kind::procrustes: return procrustes_distance(x, y);
    }
    return nan;
}

representation_measure parse_measure(const std::string& text) {
    const std::string allowed =
        "allowed: linear_cka, debiased_cka, rbf_cka[:FRACTION], rsa[:correlation|euclidean[:spearman|kendall]], "
        "procrustes";
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const auto colon = text.find(':', start);
        parts.push_back(text.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    representation_measure m;
    const auto& head = parts[0];
    auto bad = [&] { return std::invalid_argument("unknown measure '" + text + "' (" + allowed + ")"); };
    if (head == "linear_cka" || head == "debiased_cka" || head == "procrustes") {
        if (parts.size() != 1) throw bad();
        m.which = head == "linear_cka" ? representation_measure::kind::linear_cka
                  : head == "debiased_cka" ? representation_measure::kind::debiased_cka
                                           : representation_measure::kind::procrustes;
    } else if (head == "rbf_cka") {
        m.which = representation_measure::kind::rbf_cka;
        if (parts.size() > 2) throw bad();
        if (parts.size() == 2) {
            std::size_t used = 0;
            try {
                m.rbf_fraction = std::stod(parts[1], &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != parts[1].size() || !(m.rbf_fraction > 0.0) || !std::isfinite(m.rbf_fraction))
                throw std::invalid_argument("measure '" + text + "': the RBF bandwidth fraction must be a number > 0");
        }
    } else if (head == "rsa") {
        m.which = representation_measure::kind::rsa;
        if (parts.size() > 3) throw bad();
        if (parts.size() >= 2) {
            if (parts[1] == "correlation") m.metric = rdm_metric::correlation;
            else if (parts[1] == "euclidean") m.metric = rdm_metric::euclidean;
            else throw bad();
        }
        if (parts.size() == 3) {
            if (parts[2] == "spearman") m.comparison = rdm_comparison::spearman;
            else if (parts[2] == "kendall") m.comparison = rdm_comparison::kendall_tau_a;
            else throw bad();
        }
    } else {
        throw bad();
    }
    return m;
}

std::vector<std::size_t> permutation_indices(std::size_t n, std::uint64_t k, std::uint32_t seed) {
    rng_stream rng(seed, rng_key_word(rng_purpose::analysis_permute, 0), k);
    std::vector<std::size_t> p(n);
    std::iota(p.begin(), p.end(), 0);
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.below(static_cast<std::uint32_t>(i))]);
    return p;
}

std::vector<std::size_t> bootstrap_indices(std::size_t n, std::uint64_t k, std::uint32_t seed) {
    rng_stream rng(seed, rng_key_word(rng_purpose::analysis_bootstrap, 0), k);
    std::vector<std::size_t> p(n);
    for (auto& i : p) i = rng.below(static_cast<std::uint32_t>(n));
    return p;
}

namespace {

// An RDM as a full symmetric matrix, for reading permuted or resampled entries.
matrix full_rdm(const matrix& x, rdm_metric metric) {
    const auto n = x.rows();
    const auto upper = rdm(x, metric);
    matrix d = matrix::Zero(n, n);
    std::size_t k = 0;
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = i + 1; j < n; ++j) d(i, j) = d(j, i) = upper[k++];
    return d;
}

double compare_rdms(std::span<const double> a, std::span<const double> b, rdm_comparison c) {
    return c == rdm_comparison::spearman ? spearman(a, b) : kendall_tau_a(a, b);
}

matrix take_rows(const matrix& x, std::span<const std::size_t> rows) {
    matrix out(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(rows[i]));
    return out;
}

// RSA over resampled stimuli: the entries of the full RDMs for the pairs of rows that
// are distinct stimuli (copies of one stimulus are 0 apart by construction).
double rsa_on_rows(const matrix& dx, const matrix& dy, std::span<const std::size_t> rows, rdm_comparison c) {
    std::vector<double> a, b;
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = i + 1; j < rows.size(); ++j)
            if (rows[i] != rows[j]) {
                a.push_back(dx(static_cast<Eigen::Index>(rows[i]), static_cast<Eigen::Index>(rows[j])));
                b.push_back(dy(static_cast<Eigen::Index>(rows[i]), static_cast<Eigen::Index>(rows[j])));
            }
    return compare_rdms(a, b, c);
}

}  // namespace

permutation_result permutation_test(const matrix& x, const matrix& y, const representation_measure& m,
                                    int n_permutations, std::uint32_t seed) {
    if (n_permutations < 1) throw std::invalid_argument("permutation test with fewer than 1 permutation");
    using kind = representation_measure::kind;
    permutation_result r;
    r.observed = m(x, y);
    r.n_permutations = n_permutations;
    const auto n = static_cast<std::size_t>(x.rows());
    // What does not depend on the order of the stimuli is computed once: centred Gram
    // matrices (CKA), the RDMs (RSA).
    struct {
        matrix cx, cy;
        std::vector<double> rdm_x;
        double norm_x = 0.0, norm_y = 0.0;
    } c;
    const bool cka_kind = m.which == kind::linear_cka || m.which == kind::debiased_cka || m.which == kind::rbf_cka;
    if (cka_kind) {
        const bool debiased = m.which == kind::debiased_cka;
        const bool rbf = m.which == kind::rbf_cka;
        c.cx = center_gram(rbf ? gram_rbf(x, m.rbf_fraction) : gram_linear(x), debiased);
        c.cy = center_gram(rbf ? gram_rbf(y, m.rbf_fraction) : gram_linear(y), debiased);
        c.norm_x = c.cx.norm();
        c.norm_y = c.cy.norm();
    } else if (m.which == kind::rsa) {
        c.rdm_x = rdm(x, m.metric);
        c.cy = full_rdm(y, m.metric);
    }
    std::vector<double> null(static_cast<std::size_t>(n_permutations));
#pragma omp parallel for schedule(dynamic, 8)
    for (int k = 0; k < n_permutations; ++k) {
        const auto p = permutation_indices(n, static_cast<std::uint64_t>(k), seed);
        double v;
        if (cka_kind) {
            // <Cx, P Cy P'> / (|Cx| |Cy|): centring commutes with reordering the stimuli.
            double s = 0.0;
            for (std::size_t j = 0; j < n; ++j)
                for (std::size_t i = 0; i < n; ++i)
                    s += c.cx(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) *
                         c.cy(static_cast<Eigen::Index>(p[i]), static_cast<Eigen::Index>(p[j]));
            v = s / (c.norm_x * c.norm_y);
        } else if (m.which == kind::rsa) {
            std::vector<double> b;
            b.reserve(c.rdm_x.size());
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = i + 1; j < n; ++j)
                    b.push_back(c.cy(static_cast<Eigen::Index>(p[i]), static_cast<Eigen::Index>(p[j])));
            v = compare_rdms(c.rdm_x, b, m.comparison);
        } else {
            v = m(x, take_rows(y, p));
        }
        null[static_cast<std::size_t>(k)] = v;
    }
    int extreme = 0;
    double sum = 0.0;
    for (double v : null) {
        extreme += m.is_distance() ? (v <= r.observed) : (v >= r.observed);
        sum += v;
    }
    r.null_mean = sum / n_permutations;
    double ss = 0.0;
    for (double v : null) ss += (v - r.null_mean) * (v - r.null_mean);
    r.null_sd = n_permutations > 1 ? std::sqrt(ss / (n_permutations - 1)) : 0.0;
    r.p_value = (1.0 + extreme) / (1.0 + n_permutations);
    if (std::isnan(r.observed)) r.p_value = nan;
    return r;
}

double measure_on_rows(const matrix& x, const matrix& y, const representation_measure& m,
                       std::span<const std::size_t> rows) {
    if (m.which != representation_measure::kind::rsa) return m(take_rows(x, rows), take_rows(y, rows));
    return rsa_on_rows(full_rdm(x, m.metric), full_rdm(y, m.metric), rows, m.comparison);
}

double quantile_sorted(std::span<const double> sorted, double q) {
    if (sorted.empty()) return nan;
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

interval bootstrap_ci(const matrix& x, const matrix& y, const representation_measure& m, int n_resamples,
                      double level, std::uint32_t seed) {
    if (n_resamples < 1) throw std::invalid_argument("bootstrap with fewer than 1 resample");
    if (!(level > 0.0 && level < 1.0)) throw std::invalid_argument("confidence level outside (0, 1)");
    const auto n = static_cast<std::size_t>(x.rows());
    if (static_cast<std::size_t>(y.rows()) != n) throw std::invalid_argument("representations of different numbers of stimuli");
    std::vector<double> values(static_cast<std::size_t>(n_resamples));
    matrix dx, dy;
    if (m.which == representation_measure::kind::rsa) {
        dx = full_rdm(x, m.metric);
        dy = full_rdm(y, m.metric);
    }
#pragma omp parallel for schedule(dynamic, 8)
    for (int k = 0; k < n_resamples; ++k) {
        const auto rows = bootstrap_indices(n, static_cast<std::uint64_t>(k), seed);
        double v;
        if (m.which == representation_measure::kind::rsa) {
            v = rsa_on_rows(dx, dy, rows, m.comparison);
        } else {
            v = m(take_rows(x, rows), take_rows(y, rows));
        }
        values[static_cast<std::size_t>(k)] = v;
    }
    std::erase_if(values, [](double v) { return std::isnan(v); });
    std::sort(values.begin(), values.end());
    interval r;
    r.n_valid = static_cast<int>(values.size());
    double lo_q = (1.0 - level) / 2.0, hi_q = 1.0 - lo_q;
    const double observed = m(x, y);
    if (!values.empty() && std::isfinite(observed)) {
        // Efron's bias correction: z0 from the share of resamples below the observed value
        // (ties count half), the quantiles moved to Phi(2 z0 + z_q).
        const auto below = std::lower_bound(values.begin(), values.end(), observed) - values.begin();
        const auto upto = std::upper_bound(values.begin(), values.end(), observed) - values.begin();
        const double share = (static_cast<double>(below) + 0.5 * static_cast<double>(upto - below)) /
                             static_cast<double>(values.size());
        if (share < lo_q || share > hi_q) {  // the resamples are not centred on the value: no interval to trust
            r.low = r.high = nan;
            return r;
        }
        r.z0 = normal_quantile(share);
        lo_q = normal_cdf(2.0 * r.z0 + normal_quantile(lo_q));
        hi_q = normal_cdf(2.0 * r.z0 + normal_quantile(hi_q));
    }
    r.low = quantile_sorted(values, lo_q);
    r.high = quantile_sorted(values, hi_q);
    return r;
}

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }
double normal_cdf(double z) { return boost::math::cdf(boost::math::normal_distribution<double>(), z); }

}  // namespace myelin::analysis
