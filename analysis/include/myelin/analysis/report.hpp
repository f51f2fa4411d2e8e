#pragma once
// The figures and page of `myelin compare --report`: SVG drawn as text, one self-contained
// HTML file (no scripts or styles from elsewhere), readable offline and in any browser.
#include <Eigen/Dense>

#include <string>
#include <vector>

namespace myelin::analysis::report {

// Histograms of two samples over shared bins (A blue, B orange, overlaid).
std::string histograms(const std::string& title, const std::string& x_label, const std::vector<double>& a,
                       const std::vector<double>& b, const std::string& name_a, const std::string& name_b);
// Spike rasters: one row per train, times in ms within [t0, t1).
std::string raster(const std::string& title, const std::vector<std::vector<double>>& trains, double t0, double t1);
// A square matrix as a heat map on the scale [lo, hi] (white to dark blue; give two maps
// the same scale to compare them) with a colour bar labelled `scale_label`. `groups`
// (rows sorted by condition): where each starts, drawn as lines with its name.
struct group {
    std::size_t first;
    std::string name;
};
std::string heatmap(const std::string& title, const Eigen::MatrixXd& m, double lo, double hi,
                    const std::string& scale_label, const std::vector<group>& groups = {});
// A rows x columns matrix as a heat map on [lo, hi] with a name per row and per column
// (e.g. the layers of two networks) and the value written in each cell where they fit.
std::string labelled_heatmap(const std::string& title, const Eigen::MatrixXd& m, const std::vector<std::string>& rows,
                             const std::vector<std::string>& columns, const std::string& row_axis,
                             const std::string& column_axis, double lo, double hi, const std::string& scale_label);
// Values with intervals, one row each; rows without an interval have low = high = value.
struct bar {
    std::string label;
    double value, low, high;
};
std::string intervals(const std::string& title, const std::vector<bar>& bars, double lo, double hi);

// Points per row (one series each, with its colour index), e.g. a statistic per
// population from a simulation and from publications; x from 0 to the largest value.
struct series {
    std::string name;
    std::vector<double> values;  // per row; NaN: none
};
std::string dots(const std::string& title, const std::vector<std::string>& rows, const std::vector<series>& s);

// Axis ticks at round values: steps of 1, 2 or 5 times a power of ten, about `target`
// of them, within [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

std::string escape(const std::string& text);
// The page: a title, the summary (a table and notes), the figures in order, a footer.
std::string page(const std::string& title, const std::string& summary_html, const std::vector<std::string>& figures,
                 const std::string& footer_html = {});
// A figure as a file of its own (an SVG document with its XML declaration), and its title.
std::string standalone_svg(const std::string& figure);
std::string figure_title(const std::string& figure);

}  // namespace myelin::analysis::report
