// Renders the `keymac run` report (the JSON of run_job) as a readable table.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace keymac {

std::string text_report(const nlohmann::json& report);

}  // namespace keymac
