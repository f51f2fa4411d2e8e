#pragma once
// A JSON array of rows (as reference files store matrices) as an Eigen matrix.
#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace myelin::test {

inline Eigen::MatrixXd matrix_from_json(const nlohmann::json& rows) {
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    return m;
}

}  // namespace myelin::test
