#include <myelin/core/error.hpp>
#include <myelin/io/matrix.hpp>

#include <myelin/formats/h5.hpp>

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <vector>

namespace myelin::io {

namespace {

bool hdf5_signature(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char head[8] = {};
    in.read(head, 8);
    return in.gcount() == 8 && std::string(head, 8) == "\x89HDF\r\n\x1a\n";
}

// The two-dimensional datasets below `group`, as paths.
void two_dimensional(hid_t group, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& name : h5::children(group)) {
        if (h5::is_group(group, name)) {
            h5::handle g = h5::open_group(group, name);
            two_dimensional(g.get(), prefix + name + "/", out);
        } else if (h5::shape(group, name).size() == 2) {
            out.push_back(prefix + name);
        }
    }
}

}  // namespace

file_kind detect_file(const std::string& path) {
    const auto colon = path.rfind(':');
    if (colon != std::string::npos && colon > 1 && !std::filesystem::exists(path)) return file_kind::matrix_hdf5;
    if (!std::filesystem::exists(path)) throw input_error(path, "", "no such file");
    if (!hdf5_signature(path)) {
        const auto ext = std::filesystem::path(path).extension();
        if (ext == ".csv") return file_kind::csv;
        if (ext == ".json") return file_kind::json;
        throw input_error(path, "", "neither HDF5 (SONATA spikes, NWB, a model, a matrix) nor a .csv or .json file");
    }
    try {
        h5::handle file = h5::open_file_readonly(path);
        if (h5::has_attribute(file.get(), "nwb_version")) return file_kind::nwb;
        if (h5::has_attribute(file.get(), "myelin_kind")) return file_kind::model;
        if (h5::exists(file.get(), "spikes")) return file_kind::sonata_spikes;
    } catch (const h5::error& e) {
        throw input_error(path, "", fmt::format("cannot read: {}", e.what()));
    }
    return file_kind::matrix_hdf5;
}

Eigen::MatrixXd read_representation(const std::string& spec) {
    std::string path = spec, dataset;
    if (const auto colon = spec.rfind(':'); colon != std::string::npos && colon > 1 && !std::filesystem::exists(spec)) {
        path = spec.substr(0, colon);
        dataset = spec.substr(colon + 1);
    }
    if (!std::filesystem::exists(path)) throw input_error(path, "", "no such file");
    if (!hdf5_signature(path)) {
        std::ifstream in(path);
        std::vector<std::vector<double>> rows;
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            std::vector<double> row;
            bool numeric = true;
            for (std::size_t start = 0; start <= line.size();) {
                auto end = line.find(',', start);
                if (end == std::string::npos) end = line.size();
                std::string cell = line.substr(start, end - start);
                cell.erase(0, cell.find_first_not_of(" \t"));
                cell.erase(cell.find_last_not_of(" \t") + 1);
                double v = 0.0;
                const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
                if (ec != std::errc() || p != cell.data() + cell.size() || cell.empty()) {
                    if (rows.empty() && number == 1) {
                        numeric = false;
                        break;
                    }
                    throw input_error(path, fmt::format("line {}", number), fmt::format("'{}' is not a number", cell));
                }
                row.push_back(v);
                start = end + 1;
            }
            if (!numeric) continue;  // the header
            if (!rows.empty() && row.size() != rows[0].size())
                throw input_error(path, fmt::format("line {}", number),
                                  fmt::format("{} values; the first row has {}", row.size(), rows[0].size()));
            rows.push_back(std::move(row));
        }
        if (rows.empty()) throw input_error(path, "", "no rows of numbers");
        Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (std::size_t j = 0; j < rows[i].size(); ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
        return m;
    }
    try {
        h5::handle file = h5::open_file_readonly(path);
        if (dataset.empty()) {
            std::vector<std::string> found;
            two_dimensional(file.get(), "", found);
            if (found.size() != 1)
                throw input_error(path, "", fmt::format("{} two-dimensional datasets; name one as {}:DATASET", found.size(), path));
            dataset = found[0];
        }
        if (!h5::exists(file.get(), dataset)) throw input_error(path, dataset, "no such dataset");
        if (h5::shape(file.get(), dataset).size() != 2)
            throw input_error(path, dataset, "not a two-dimensional dataset (stimuli x units)");
        std::size_t r = 0, c = 0;
        const auto v = h5::read_matrix(file.get(), dataset, r, c);
        Eigen::MatrixXd m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
        for (std::size_t i = 0; i < r; ++i)
            for (std::size_t j = 0; j < c; ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = v[i * c + j];
        return m;
    } catch (const h5::error& e) {
        throw input_error(path, dataset, fmt::format("cannot read: {}", e.what()));
    }
}

}  // namespace myelin::io
