#include "host/sweep/result_columns.h"

#include <cstdio>

namespace keymac {

const std::vector<ResultColumn>& result_columns() {
  static const std::vector<ResultColumn> c = {
      {"id", "/id"},
      {"index", "/index"},
      {"model", "/params/model"},
      {"backend", "/params/backend"},
      {"array", "/params/array"},
      {"rows", "/report/array/rows"},
      {"cols", "/report/array/cols"},
      {"pes", ""},
      {"batch", "/params/batch"},
      {"images", "/report/images"},
      {"wrong_keys", "/params/wrong_keys"},
      {"seed", "/params/seed"},
      {"clock_mhz", "/params/clock_mhz"},
      {"finite_memory", "/params/finite_memory"},
      {"dram_bw", "/params/dram_bw"},
      {"dram_latency", "/params/dram_latency"},
      {"wbuf_kib", "/params/wbuf_kib"},
      {"ibuf_kib", "/params/ibuf_kib"},
      {"abuf_kib", "/params/abuf_kib"},
      {"acc_float", "/report/accuracy/float"},
      {"acc_reference", "/report/accuracy/reference"},
      {"acc_correct_key", "/report/accuracy/correct_key"},
      {"acc_wrong_mean", "/report/accuracy/wrong_key/mean"},
      {"acc_wrong_min", "/report/accuracy/wrong_key/min"},
      {"acc_wrong_max", "/report/accuracy/wrong_key/max"},
      {"acc_plain", "/report/accuracy/plain_array"},
      {"bit_identical", "/report/right_key_vs_reference/scores_bit_identical"},
      {"cycles_keyed", "/report/cycles/keyed"},
      {"cycles_plain", "/report/cycles/plain"},
      {"cycles_extra_for_key", "/report/cycles/extra_for_key"},
      {"cycles_keyed_total", "/report/cycles/keyed_total"},
      {"stall_cycles", "/report/backend_totals/stall_cycles"},
      {"util_keyed", "/report/utilisation/keyed"},
      {"util_plain", "/report/utilisation/plain"},
      {"us_per_batch", "/report/time_us/keyed_per_batch"},
      {"us_per_image", "/report/time_us/keyed_per_image"},
      {"key_bits", "/report/key/bits"},
      {"key_mode", "/report/key/mode"},
      {"energy_keyed_pj", "/report/energy/keyed_pj"},
      {"energy_extra_pct", "/report/energy/extra_percent"},
      {"key_register_bits", "/report/key/register_bits"},
      {"area_keyed", "/report/area/keyed"},
      {"area_plain", "/report/area/plain"},
      {"area_overhead_pct", "/report/area/overhead_pct"},
      {"host", "/host"},
      {"elapsed_s", "/elapsed_s"},
  };
  return c;
}

nlohmann::json column_value(const nlohmann::json& line, const std::string& name) {
  if (name == "pes") {
    const auto r = column_value(line, "rows"), c = column_value(line, "cols");
    if (r.is_number() && c.is_number()) return r.get<int64_t>() * c.get<int64_t>();
    return nullptr;
  }
  for (const auto& col : result_columns()) {
    if (name != col.name) continue;
    const nlohmann::json::json_pointer ptr(col.pointer);
    return line.contains(ptr) ? line.at(ptr) : nlohmann::json(nullptr);
  }
  return nullptr;
}

std::string results_csv(const std::vector<nlohmann::json>& lines) {
  std::string out;
  for (const auto& c : result_columns()) out += (out.empty() ? "" : ",") + std::string(c.name);
  out += "\n";
  for (const auto& l : lines) {
    bool first = true;
    for (const auto& c : result_columns()) {
      if (!first) out += ",";
      first = false;
      const auto v = column_value(l, c.name);
      if (v.is_null()) continue;
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s.find_first_of(",\"\n") == std::string::npos) {
          out += s;
        } else {
          out += '"';
          for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
          out += '"';
        }
      } else if (v.is_number_float()) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
        out += buf;
      } else {
        out += v.dump();
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace keymac
