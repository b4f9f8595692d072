#include "host/energy/energy_table.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>

#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/error.h"

namespace keymac {

namespace {
std::map<std::string, double EnergyTable::*> fields() {
  return {{"mult_int8_pj", &EnergyTable::mult_int8_pj},
          {"add_int32_pj", &EnergyTable::add_int32_pj},
          {"sram_access_64bit_pj", &EnergyTable::sram_access_64bit_pj},
          {"dram_access_64bit_pj", &EnergyTable::dram_access_64bit_pj},
          {"key_xor_bits_per_mac", &EnergyTable::key_xor_bits_per_mac},
          {"xor_bit_pj", &EnergyTable::xor_bit_pj},
          {"key_reg_bit_load_pj", &EnergyTable::key_reg_bit_load_pj},
          {"zero_operand_mac_factor", &EnergyTable::zero_operand_mac_factor},
          {"cipher_gates_per_round", &EnergyTable::cipher_gates_per_round},
          {"cipher_state_bits", &EnergyTable::cipher_state_bits}};
}
}  // namespace

EnergyTable EnergyTable::load(const std::string& path) {
  const std::string text = read_file_capped(path, "energy table", uint64_t(1) << 20);
  // yaml-cpp parses flow collections recursively: refuse deep [[[...]]] before it does.
  int flow_depth = 0;
  for (char c : text) {
    flow_depth += (c == '[' || c == '{') - (c == ']' || c == '}');
    if (flow_depth > 64) throw Error(path + ": nested deeper than 64 levels (an energy table is a flat map)");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);  // YAML is a superset of JSON: both parse here
  } catch (const YAML::Exception& e) {
    throw Error(path + ": not valid YAML/JSON (" + std::string(e.what()) + ")");
  }
  if (!root.IsMap()) throw Error(path + ": energy table must be a map of name: value");
  EnergyTable t;
  t.source = path;
  const auto f = fields();
  for (const auto& kv : root) {
    std::string key;
    try {  // a key or source that is a list or map: one line naming the file, not "bad conversion"
      key = kv.first.as<std::string>();
      if (key == "source") {
        t.source = kv.second.as<std::string>();
        continue;
      }
    } catch (const YAML::Exception&) {
      throw Error(path + ": line " + std::to_string(kv.first.Mark().line + 1) +
                  ": energy table keys and 'source' must be plain strings");
    }
    auto it = f.find(key);
    if (it == f.end()) {
      std::string known;
      for (const auto& [k, _] : f) known += " " + k;
      throw Error(path + ": unknown energy table key '" + key + "' (known: source" + known + ")");
    }
    double v = 0;
    try {
      v = kv.second.as<double>();
    } catch (const YAML::Exception&) {
      throw Error(path + ": " + key + " must be a number");
    }
    if (!std::isfinite(v) || v < 0) throw Error(path + ": " + key + " must be a non-negative number");
    t.*(it->second) = v;
  }
  return t;
}

nlohmann::json EnergyTable::to_json() const {
  nlohmann::json j;
  j["source"] = source;
  for (const auto& [k, p] : fields()) j[k] = this->*p;
  return j;
}

}  // namespace keymac
