#include <myelin/analysis/spike_measures.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace myelin::analysis {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}

double local_variation(std::span<const double> t) {
    if (t.size() < 3) return nan;
    double sum = 0.0;
    for (std::size_t i = 0; i + 2 < t.size(); ++i) {
        const double a = t[i + 1] - t[i], b = t[i + 2] - t[i + 1];
        sum += (a - b) * (a - b) / ((a + b) * (a + b));
    }
    return 3.0 * sum / static_cast<double>(t.size() - 2);
}

double fano_factor(std::span<const double> times, double t_start, double t_stop, double window) {
    if (!(window > 0.0) || !(t_stop > t_start)) throw std::invalid_argument("fano_factor: needs window > 0 and t_stop > t_start");
    const auto n = static_cast<std::size_t>(std::floor((t_stop - t_start) / window + 1e-9));
    if (n == 0) return nan;
    std::vector<double> counts(n, 0.0);
    for (double t : times) {
        if (t < t_start) continue;
        const auto k = static_cast<std::size_t>((t - t_start) / window);
        if (k < n) counts[k] += 1.0;
    }
    double mean = 0.0;
    for (double c : counts) mean += c;
    mean /= static_cast<double>(n);
    if (mean == 0.0) return nan;
    double var = 0.0;
    for (double c : counts) var += (c - mean) * (c - mean);
    return var / static_cast<double>(n) / mean;
}

double victor_purpura(std::span<const double> a, std::span<const double> b, double q) {
    std::vector<double> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<double>(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<double>(i);
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + q * std::abs(a[i - 1] - b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

double van_rossum(std::span<const double> a, std::span<const double> b, double tau) {
    auto k = [tau](std::span<const double> x, std::span<const double> y) {
        double s = 0.0;
        for (double u : x)
            for (double v : y) s += std::exp(-std::abs(u - v) / tau);
        return s;
    };
    return std::sqrt(std::max(0.0, 0.5 * (k(a, a) + k(b, b) - 2.0 * k(a, b))));
}

double wasserstein_1(std::span<const double> a, std::span<const double> b) {
    if (a.empty() || b.empty()) return nan;
    std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end()), all;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    all.insert(all.end(), x.begin(), x.end());
    all.insert(all.end(), y.begin(), y.end());
    std::sort(all.begin(), all.end());
    // The integral of |F_a - F_b| between consecutive sample values.
    double sum = 0.0;
    std::size_t i = 0, j = 0;
    for (std::size_t k = 0; k + 1 < all.size(); ++k) {
        while (i < x.size() && x[i] <= all[k]) ++i;
        while (j < y.size() && y[j] <= all[k]) ++j;
        sum += std::abs(static_cast<double>(i) / static_cast<double>(x.size()) -
                        static_cast<double>(j) / static_cast<double>(y.size())) *
               (all[k + 1] - all[k]);
    }
    return sum;
}

std::vector<std::vector<double>> binned_counts(const std::vector<std::vector<double>>& trains, double t_start,
                                               double t_stop, double bin) {
    if (!(bin > 0.0) || !(t_stop > t_start)) throw std::invalid_argument("binned_counts: needs bin > 0 and t_stop > t_start");
    const auto n = static_cast<std::size_t>(std::floor((t_stop - t_start) / bin + 1e-9));
    std::vector<std::vector<double>> out(trains.size(), std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < trains.size(); ++i)
        for (double t : trains[i]) {
            if (t < t_start) continue;
            const auto k = static_cast<std::size_t>((t - t_start) / bin);
            if (k < n) out[i][k] += 1.0;
        }
    return out;
}

namespace {

double mean_of(const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}
double variance_of(const std::vector<double>& v) {  // population variance
    const double m = mean_of(v);
    double s = 0.0;
    for (double x : v) s += (x - m) * (x - m);
    return s / static_cast<double>(v.size());
}

}  // namespace

std::vector<double> pairwise_correlations(const std::vector<std::vector<double>>& counts) {
    std::vector<double> out;
    for (std::size_t i = 0; i < counts.size(); ++i)
        for (std::size_t j = i + 1; j < counts.size(); ++j) {
            const double mi = mean_of(counts[i]), mj = mean_of(counts[j]);
            double sij = 0.0, sii = 0.0, sjj = 0.0;
            for (std::size_t k = 0; k < counts[i].size(); ++k) {
                sij += (counts[i][k] - mi) * (counts[j][k] - mj);
                sii += (counts[i][k] - mi) * (counts[i][k] - mi);
                sjj += (counts[j][k] - mj) * (counts[j][k] - mj);
            }
            out.push_back(sii > 0.0 && sjj > 0.0 ? sij / std::sqrt(sii * sjj) : nan);
        }
    return out;
}

double synchrony(const std::vector<std::vector<double>>& counts) {
    if (counts.empty() || counts[0].empty()) return nan;
    std::vector<double> population(counts[0].size(), 0.0);
    double mean_var = 0.0;
    for (const auto& c : counts) {
        for (std::size_t k = 0; k < c.size(); ++k) population[k] += c[k] / static_cast<double>(counts.size());
        mean_var += variance_of(c) / static_cast<double>(counts.size());
    }
    return mean_var > 0.0 ? std::sqrt(variance_of(population) / mean_var) : nan;
}

}  // namespace myelin::analysis
