// The main columns of a sweep result line, flattened for CSV and plots.
// Contract: columns() is fixed and ordered; value() gives a column's value
// for one results line (null when the line does not have it, e.g. area
// before synthesis results exist).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keymac {

struct ResultColumn {
  const char* name;
  const char* pointer;  // JSON pointer into the results line ("" : computed)
};

const std::vector<ResultColumn>& result_columns();
nlohmann::json column_value(const nlohmann::json& line, const std::string& name);
// The CSV header and one row per line (RFC 4180 quoting; null is empty).
std::string results_csv(const std::vector<nlohmann::json>& lines);

}  // namespace keymac
