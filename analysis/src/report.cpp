#include <myelin/analysis/report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace myelin::analysis::report {

namespace {

constexpr int W = 520, H = 270, L = 50, R = 15, T = 30, B = 40;  // figure size and margins (px)
constexpr const char* colour_a = "#1f77b4";
constexpr const char* colour_b = "#ff7f0e";

std::string open_svg(const std::string& title, int w = W, int h = H) {
    return fmt::format(R"(<figure><svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img">)"
                       R"(<title>{2}</title><text x="{3}" y="18" font-size="14" font-weight="bold" text-anchor="middle">{2}</text>)",
                       w, h, escape(title), w / 2);
}

// A tick label: short, without float noise (0.30000000000000004 -> 0.3).
std::string tick_text(double v, double step) {
    if (std::abs(v) < step * 1e-9) return "0";
    return fmt::format("{:.6g}", std::round(v / step) * step);
}

std::string axes(double x0, double x1, double y0, double y1, const std::string& x_label, const std::string& y_label) {
    std::string s = fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#333"/><line x1="{0}" y1="{3}" x2="{0}" y2="{1}" stroke="#333"/>)",
                                L, H - B, W - R, T);
    const auto xt = nice_ticks(x0, x1), yt = nice_ticks(y0, y1);
    const double xs = xt.size() > 1 ? xt[1] - xt[0] : 1.0, ys = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
    for (double v : xt) {
        const double px = L + (v - x0) / (x1 - x0) * (W - L - R);
        s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#333"/><text x="{0:.1f}" y="{3}" font-size="12" text-anchor="middle">{4}</text>)",
                         px, H - B, H - B + 4, H - B + 17, tick_text(v, xs));
    }
    for (double v : yt) {
        const double py = H - B - (v - y0) / (y1 - y0) * (H - T - B);
        s += fmt::format(R"(<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#333"/><text x="{3}" y="{4:.1f}" font-size="12" text-anchor="end">{5}</text>)",
                         L - 4, py, L, L - 6, py + 4, tick_text(v, ys));
    }
    s += fmt::format(R"(<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text>)", (L + W - R) / 2, H - 4, escape(x_label));
    s += fmt::format(R"svg(<text x="13" y="{}" font-size="13" text-anchor="middle" transform="rotate(-90 13 {})">{}</text>)svg",
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

std::vector<double> nice_ticks(double lo, double hi, int target) {
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
    const double raw = (hi - lo) / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    std::vector<double> ticks;
    for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1.0) ticks.push_back(k * step);
    return ticks;
}

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
    if (a.empty() && b.empty()) return s + R"(<text x="260" y="135" text-anchor="middle">no values</text></svg></figure>)";
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
    s += fmt::format(R"(<rect x="{}" y="28" width="10" height="10" fill="{}"/><text x="{}" y="37" font-size="12">{} (n = {})</text>)",
                     W - 250, colour_a, W - 235, escape(name_a), a.size());
    s += fmt::format(R"(<rect x="{}" y="42" width="10" height="10" fill="{}"/><text x="{}" y="51" font-size="12">{} (n = {})</text>)",
                     W - 250, colour_b, W - 235, escape(name_b), b.size());
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

namespace {

// White (lo) to dark blue (hi).
std::string shade_of(double v, double lo, double hi) {
    const double f = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
    return fmt::format("rgb({},{},{})", std::lround(255.0 * (1.0 - 0.9 * f)), std::lround(255.0 * (1.0 - 0.75 * f)),
                       std::lround(255.0 - 100.0 * f));
}

// A vertical colour bar at (x, top), `size` high, with round ticks and its label.
std::string colour_bar(int x, int top, int size, double lo, double hi, const std::string& label) {
    std::string s;
    constexpr int steps = 50;
    for (int k = 0; k < steps; ++k)
        s += fmt::format(R"(<rect x="{}" y="{:.2f}" width="14" height="{:.2f}" fill="{}"/>)", x,
                         top + size * (1.0 - (k + 1.0) / steps), size / static_cast<double>(steps) + 0.05,
                         shade_of(lo + (hi - lo) * (k + 0.5) / steps, lo, hi));
    const auto ticks = nice_ticks(lo, hi, 4);
    for (double v : ticks) {
        const double y = top + size * (1.0 - (v - lo) / (hi - lo));
        s += fmt::format(R"(<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#333"/><text x="{3}" y="{4:.1f}" font-size="12">{5}</text>)",
                         x + 14, y, x + 18, x + 21, y + 4, tick_text(v, ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0));
    }
    return s + fmt::format(R"svg(<text x="{0}" y="{1}" font-size="12" text-anchor="middle" transform="rotate(-90 {0} {1})">{2}</text>)svg",
                           x + 70, top + size / 2, escape(label));
}

}  // namespace

std::string heatmap(const std::string& title, const Eigen::MatrixXd& m, double lo, double hi, const std::string& scale_label,
                    const std::vector<group>& groups) {
    constexpr int size = 260, left = 60, top = 30, bar_x = left + size + 20;
    std::string s = open_svg(title, bar_x + 90, size + top + 45);
    if (!(hi > lo)) hi = lo + 1.0;
    const auto shade = [&](double v) { return shade_of(v, lo, hi); };
    const auto n = std::max<Eigen::Index>(m.rows(), 1);
    const double cell = size / static_cast<double>(n);
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            const double v = m(i, j);
            s += fmt::format(R"svg(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}"/>)svg", left + j * cell,
                             top + i * cell, cell + 0.05, cell + 0.05, std::isfinite(v) ? shade(v) : "#fff");
        }
    // Groups (conditions): lines between them, names beside the rows and below the columns.
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const double p0 = static_cast<double>(groups[g].first) * cell;
        const double p1 = (g + 1 < groups.size() ? static_cast<double>(groups[g + 1].first) : static_cast<double>(n)) * cell;
        if (g > 0)
            s += fmt::format(R"(<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#000" stroke-width="0.6"/><line x1="{3:.1f}" y1="{4}" x2="{3:.1f}" y2="{5}" stroke="#000" stroke-width="0.6"/>)",
                             left, top + p0, left + size, left + p0, top, top + size);
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="11" text-anchor="end">{}</text><text x="{:.1f}" y="{}" font-size="11" text-anchor="middle">{}</text>)",
                         left - 4, top + (p0 + p1) / 2 + 4, escape(groups[g].name), left + (p0 + p1) / 2, top + size + 13,
                         escape(groups[g].name));
    }
    // The colour bar, with round ticks.
    s += colour_bar(bar_x, top, size, lo, hi, scale_label);
    return s + "</svg></figure>";
}

std::string labelled_heatmap(const std::string& title, const Eigen::MatrixXd& m, const std::vector<std::string>& rows,
                             const std::vector<std::string>& columns, const std::string& row_axis,
                             const std::string& column_axis, double lo, double hi, const std::string& scale_label) {
    constexpr int size = 300, left = 170, top = 30, bottom = 130;
    const int bar_x = left + size + 20;
    std::string s = open_svg(title, bar_x + 90, top + size + bottom);
    if (!(hi > lo)) hi = lo + 1.0;
    const auto shade = [&](double v) { return shade_of(v, lo, hi); };
    const double ch = size / static_cast<double>(std::max<Eigen::Index>(m.rows(), 1)),
                 cw = size / static_cast<double>(std::max<Eigen::Index>(m.cols(), 1));
    const bool values = ch >= 14 && cw >= 28;
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            const double v = m(i, j);
            s += fmt::format(R"svg(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}"/>)svg", left + j * cw,
                             top + i * ch, cw + 0.05, ch + 0.05, std::isfinite(v) ? shade(v) : "#fff");
            if (values && std::isfinite(v))
                s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="{}">{:.2f}</text>)",
                                 left + (j + 0.5) * cw, top + (i + 0.5) * ch + 3.5,
                                 (v - lo) / (hi - lo) > 0.6 ? "#fff" : "#000", v);
        }
    for (std::size_t i = 0; i < rows.size(); ++i)
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="10" text-anchor="end">{}</text>)", left - 4,
                         top + (static_cast<double>(i) + 0.5) * ch + 3.5, escape(rows[i]));
    for (std::size_t j = 0; j < columns.size(); ++j) {
        const double x = left + (static_cast<double>(j) + 0.5) * cw, y = top + size + 6;
        s += fmt::format(R"svg(<text x="{0:.1f}" y="{1}" font-size="10" text-anchor="end" transform="rotate(-60 {0:.1f} {1})">{2}</text>)svg",
                         x, y, escape(columns[j]));
    }
    s += fmt::format(R"svg(<text x="12" y="{0}" font-size="12" text-anchor="middle" transform="rotate(-90 12 {0})">{1}</text>)svg",
                     top + size / 2, escape(row_axis));
    s += fmt::format(R"(<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>)", left + size / 2,
                     top + size + bottom - 6, escape(column_axis));
    s += colour_bar(bar_x, top, size, lo, hi, scale_label);
    return s + "</svg></figure>";
}

std::string intervals(const std::string& title, const std::vector<bar>& bars, double lo, double hi) {
    const int h = T + 30 * static_cast<int>(bars.size()) + B;
    std::string s = open_svg(title, W + 140, h);
    const int left = 190, right = W + 140 - 20;
    auto x = [&](double v) { return left + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (right - left); };
    const auto ticks = nice_ticks(lo, hi);
    for (double v : ticks)
        s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#ddd"/><text x="{0:.1f}" y="{3}" font-size="12" text-anchor="middle">{4}</text>)",
                         x(v), T, h - B + 5, h - B + 19, tick_text(v, ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0));
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = T + 15 + 30.0 * static_cast<double>(i);
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="13" text-anchor="end">{}</text>)", left - 8, y + 4, escape(b.label));
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
    const auto ticks = nice_ticks(0.0, hi);
    for (double v : ticks)
        s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#ddd"/><text x="{0:.1f}" y="{3}" font-size="12" text-anchor="middle">{4}</text>)",
                         x(v), T, bottom, bottom + 14, tick_text(v, ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const double y = T + 11 + 22.0 * static_cast<double>(r);
        s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="13" text-anchor="end">{}</text>)", left - 6, y + 4, escape(rows[r]));
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

std::string page(const std::string& title, const std::string& summary_html, const std::vector<std::string>& figures,
                 const std::string& footer_html) {
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
footer {{ margin-top: 2em; font-size: 0.85em; color: #555; border-top: 1px solid #ddd; }}
</style></head>
<body data-figures="{2}">
<h1>{0}</h1>
{1}
<div id="figures">
{3}</div>
{4}
<script>
const drawn = Array.from(document.querySelectorAll("figure svg")).filter(s => s.getBoundingClientRect().width > 0).length;
document.body.dataset.rendered = String(drawn);
</script>
</body></html>
)",
                       escape(title), summary_html, figures.size(), body, footer_html);
}

std::string standalone_svg(const std::string& figure) {
    const auto begin = figure.find("<svg"), end = figure.rfind("</svg>");
    if (begin == std::string::npos || end == std::string::npos) return {};
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + figure.substr(begin, end + 6 - begin) + "\n";
}

std::string figure_title(const std::string& figure) {
    const auto begin = figure.find("<title>"), end = figure.find("</title>");
    if (begin == std::string::npos || end == std::string::npos) return {};
    return figure.substr(begin + 7, end - begin - 7);
}

}  // namespace myelin::analysis::report
