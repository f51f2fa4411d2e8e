#include <myelin/analysis/report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace myelin::analysis::report {

namespace {

constexpr int W = 460, H = 260, L = 50, R = 15, T = 30, B = 40;  // figure size and margins (px)
constexpr const char* colour_a = "#1f77b4";
constexpr const char* colour_b = "#ff7f0e";

std::string open_svg(const std::string& title, int w = W, int h = H) {
    return fmt::format(R"(<figure><svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img">)"
                       R"(<title>{2}</title><text x="{3}" y="18" font-size="13" text-anchor="middle">{2}</text>)",
                       w, h, escape(title), w / 2);
}

std::string axes(double x0, double x1, double y0, double y1, const std::string& x_label, const std::string& y_label) {
    std::string s = fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#333"/><line x1="{0}" y1="{3}" x2="{0}" y2="{1}" stroke="#333"/>)",
                                L, H - B, W - R, T);
    for (int k = 0; k <= 4; ++k) {
        const double fx = k / 4.0, px = L + fx * (W - L - R), py = H - B - fx * (H - T - B);
        s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle">{:.3g}</text>)", px, H - B + 14, x0 + fx * (x1 - x0));
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="10" text-anchor="end">{:.3g}</text>)", L - 4, py + 3, y0 + fx * (y1 - y0));
    }
    s += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>)", (L + W - R) / 2, H - 6, escape(x_label));
    s += fmt::format(R"svg(<text x="12" y="{}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {})">{}</text>)svg",
                     (T + H - B) / 2, (T + H - B) / 2, escape(y_label));
    return s;
}

std::vector<double> finite(const std::vector<double>& v) {
    std::vector<double> out;
    for (double x : v)
        if (std::isfinite(x)) out.push_back(x);
    return out;
}

}  // namespace

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string histograms(const std::string& title, const std::string& x_label, const std::vector<double>& a_in,
                       const std::vector<double>& b_in, const std::string& name_a, const std::string& name_b) {
    const auto a = finite(a_in), b = finite(b_in);
    std::string s = open_svg(title);
    if (a.empty() && b.empty()) return s + R"(<text x="230" y="130" text-anchor="middle">no values</text></svg></figure>)";
    double lo = INFINITY, hi = -INFINITY;
    for (const auto* v : {&a, &b})
        for (double x : *v) lo = std::min(lo, x), hi = std::max(hi, x);
    if (hi <= lo) hi = lo + 1.0;
    constexpr int bins = 30;
    auto density = [&](const std::vector<double>& v) {  // fraction of the sample per bin
        std::vector<double> h(bins, 0.0);
        for (double x : v) h[std::min(bins - 1, static_cast<int>((x - lo) / (hi - lo) * bins))] += 1.0 / static_cast<double>(v.size());
        return h;
    };
    const auto ha = density(a), hb = density(b);
    const double top = std::max(*std::max_element(ha.begin(), ha.end()), *std::max_element(hb.begin(), hb.end())) * 1.05;
    s += axes(lo, hi, 0.0, top, x_label, "fraction");
    const double bw = (W - L - R) / static_cast<double>(bins);
    for (const auto& [h, colour] : {std::pair{ha, colour_a}, std::pair{hb, colour_b}})
        for (int k = 0; k < bins; ++k) {
            if (h[k] <= 0.0) continue;
            const double ph = h[k] / top * (H - T - B);
            s += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" fill-opacity="0.5"/>)",
                             L + k * bw, H - B - ph, bw, ph, colour);
        }
    s += fmt::format(R"(<rect x="{}" y="28" width="10" height="10" fill="{}"/><text x="{}" y="37" font-size="11">{} (n = {})</text>)",
                     W - 170, colour_a, W - 155, escape(name_a), a.size());
    s += fmt::format(R"(<rect x="{}" y="42" width="10" height="10" fill="{}"/><text x="{}" y="51" font-size="11">{} (n = {})</text>)",
                     W - 170, colour_b, W - 155, escape(name_b), b.size());
    return s + "</svg></figure>";
}

std::string raster(const std::string& title, const std::vector<std::vector<double>>& trains, double t0, double t1) {
    std::string s = open_svg(title);
    const auto n = std::max<std::size_t>(trains.size(), 1);
    s += axes(t0, t1, 0.0, static_cast<double>(n), "time (ms)", "neuron");
    const double row = (H - T - B) / static_cast<double>(n);
    std::string path;
    for (std::size_t i = 0; i < trains.size(); ++i)
        for (double t : trains[i]) {
            if (t < t0 || t >= t1) continue;
            path += fmt::format("M{:.1f} {:.1f}v{:.1f}", L + (t - t0) / (t1 - t0) * (W - L - R), H - B - (i + 1) * row,
                                std::max(row, 1.0));
        }
    if (!path.empty()) s += fmt::format(R"(<path d="{}" stroke="#222" stroke-width="1"/>)", path);
    return s + "</svg></figure>";
}

std::string heatmap(const std::string& title, const Eigen::MatrixXd& m) {
    constexpr int size = 240;
    std::string s = open_svg(title, size + 20, size + 40);
    double lo = INFINITY, hi = -INFINITY;
    for (Eigen::Index i = 0; i < m.size(); ++i)
        if (std::isfinite(m.data()[i])) lo = std::min(lo, m.data()[i]), hi = std::max(hi, m.data()[i]);
    if (!(hi > lo)) hi = lo + 1.0;
    const double cell = size / static_cast<double>(std::max<Eigen::Index>(m.rows(), 1));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            const double v = m(i, j);
            const int shade = std::isfinite(v) ? static_cast<int>(std::lround(255.0 * (1.0 - (v - lo) / (hi - lo)))) : 255;
            s += fmt::format(R"svg(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="rgb({},{},255)"/>)svg",
                             10 + j * cell, 30 + i * cell, cell + 0.05, cell + 0.05, shade, shade);
        }
    s += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="middle">{:.3g} (white) to {:.3g} (blue)</text>)",
                     size / 2 + 10, size + 38, lo, hi);
    return s + "</svg></figure>";
}

std::string intervals(const std::string& title, const std::vector<bar>& bars, double lo, double hi) {
    const int h = T + 30 * static_cast<int>(bars.size()) + B;
    std::string s = open_svg(title, W + 140, h);
    const int left = 190, right = W + 140 - 20;
    auto x = [&](double v) { return left + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (right - left); };
    for (int k = 0; k <= 4; ++k) {
        const double v = lo + k * (hi - lo) / 4.0;
        s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#ddd"/><text x="{0:.1f}" y="{3}" font-size="10" text-anchor="middle">{4:.3g}</text>)",
                         x(v), T, h - B + 5, h - B + 18, v);
    }
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = T + 15 + 30.0 * static_cast<double>(i);
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="11" text-anchor="end">{}</text>)", left - 8, y + 4, escape(b.label));
        if (!std::isfinite(b.value)) continue;
        if (b.high > b.low)
            s += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#333" stroke-width="2"/>)",
                             x(b.low), y, x(b.high), y);
        s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}"/>)", x(b.value), y, colour_a);
    }
    return s + "</svg></figure>";
}

std::string dots(const std::string& title, const std::vector<std::string>& rows, const std::vector<series>& all) {
    static const char* colours[] = {colour_a, colour_b, "#2ca02c", "#d62728", "#9467bd"};
    const int h = T + 22 * static_cast<int>(rows.size()) + B + 16 * static_cast<int>(all.size());
    std::string s = open_svg(title, W, h);
    double hi = 0.0;
    for (const auto& x : all)
        for (double v : x.values)
            if (std::isfinite(v)) hi = std::max(hi, v);
    if (hi <= 0.0) hi = 1.0;
    hi *= 1.05;
    const int left = 70, right = W - R, bottom = T + 22 * static_cast<int>(rows.size());
    auto x = [&](double v) { return left + v / hi * (right - left); };
    for (int k = 0; k <= 4; ++k)
        s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#ddd"/><text x="{0:.1f}" y="{3}" font-size="10" text-anchor="middle">{4:.3g}</text>)",
                         x(k * hi / 4.0), T, bottom, bottom + 13, k * hi / 4.0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const double y = T + 11 + 22.0 * static_cast<double>(r);
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="11" text-anchor="end">{}</text>)", left - 6, y + 4, escape(rows[r]));
        for (std::size_t k = 0; k < all.size(); ++k)
            if (r < all[k].values.size() && std::isfinite(all[k].values[r]))
                s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}" fill-opacity="0.8"/>)", x(all[k].values[r]), y,
                                 colours[k % 5]);
    }
    for (std::size_t k = 0; k < all.size(); ++k)
        s += fmt::format(R"(<circle cx="{}" cy="{}" r="4" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>)", left,
                         bottom + 28 + 16 * k, colours[k % 5], left + 10, bottom + 32 + 16 * k, escape(all[k].name));
    return s + "</svg></figure>";
}

std::string page(const std::string& title, const std::string& summary_html, const std::vector<std::string>& figures) {
    std::string body;
    for (const auto& f : figures) body += f + "\n";
    // The script only counts the figures that rendered with a size, so that a headless
    // browser can confirm the page (tests/unit/compare_cli.cpp); it changes nothing.
    return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{0}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 1100px; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
figure {{ display: inline-block; margin: 0.5em; vertical-align: top; }}
</style></head>
<body data-figures="{2}">
<h1>{0}</h1>
{1}
<div id="figures">
{3}</div>
<script>
const drawn = Array.from(document.querySelectorAll("figure svg")).filter(s => s.getBoundingClientRect().width > 0).length;
document.body.dataset.rendered = String(drawn);
</script>
</body></html>
)",
                       escape(title), summary_html, figures.size(), body);
}

}  // namespace myelin::analysis::report
