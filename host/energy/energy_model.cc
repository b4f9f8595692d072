#include "host/energy/energy_model.h"

#include "host/energy/accelergy.h"
#include "sim/core/master_key.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace keymac {

std::map<std::string, double> price(const std::vector<LayerActivity>& layers, Geometry g, bool keyed,
                                    const EnergyTable& t, int64_t images_per_reset) {
  LayerActivity a;
  for (const auto& l : layers) a += l;
  const double zero = static_cast<double>(a.array_macs_zero_operand);
  const double ops = static_cast<double>(a.array_macs) - zero + t.zero_operand_mac_factor * zero;
  const double sb = t.sram_pj_per_byte();
  std::map<std::string, double> e;
  e["mac.multiply"] = ops * t.mult_int8_pj;
  e["mac.add"] = ops * t.add_int32_pj;
  e["key.xor"] = keyed ? static_cast<double>(a.key_xor_ops) * t.key_pj_per_mac() : 0.0;
  const bool expanded = a.cipher_cycles > 0;  // only an expanded key runs the cipher
  e["key.load"] = keyed ? static_cast<double>(expanded ? MasterKey::kBits : g.pes()) * t.key_reg_bit_load_pj /
                              static_cast<double>(std::max<int64_t>(1, images_per_reset))
                        : 0.0;
  e["key.cipher"] = keyed ? static_cast<double>(a.cipher_cycles) *
                               (g.cols * t.cipher_gates_per_round * t.xor_bit_pj + t.cipher_state_bits * t.key_reg_bit_load_pj)
                         : 0.0;
  e["key.pe_bits"] = keyed ? static_cast<double>(a.key_bit_writes) * t.key_reg_bit_load_pj : 0.0;
  e["sram.weight"] = static_cast<double>(a.sram_weight_reads + a.sram_weight_writes) * g.cols * sb;
  e["sram.input"] = static_cast<double>(a.sram_input_reads + a.sram_input_writes) * g.rows * sb;
  e["sram.accum"] = static_cast<double>(a.sram_accum_reads + a.sram_accum_writes) * 4.0 * g.cols * sb;
  e["dram"] = static_cast<double>(a.dram_read_bytes + a.dram_write_bytes) * t.dram_pj_per_byte();
  return e;
}

namespace {
double sum(const std::map<std::string, double>& m) {
  double s = 0;
  for (const auto& [_, v] : m) s += v;
  return s;
}
}  // namespace

nlohmann::json energy_json(const EnergyInputs& in, const EnergyTable& t) {
  const double per = 1.0 / static_cast<double>(std::max<int64_t>(1, in.batch_images));
  // key.load is already per image (over images_per_reset); the rest is per batch.
  auto per_image = [&](std::map<std::string, double> m) {
    for (auto& [k, v] : m)
      if (k != "key.load") v *= per;
    return m;
  };
  const auto ek = per_image(price(in.keyed, in.geometry, true, t, in.images_per_reset));
  const auto ep = per_image(price(in.plain, in.geometry, false, t, in.images_per_reset));
  nlohmann::json j;
  j["keyed_pj"] = sum(ek);
  j["plain_pj"] = sum(ep);
  j["extra_pj"] = sum(ek) - sum(ep);
  j["extra_percent"] = sum(ep) > 0 ? 100.0 * (sum(ek) - sum(ep)) / sum(ep) : 0.0;
  j["per"] = "inference (one image), from one batch";
  j["batch_images"] = in.batch_images;
  j["images_per_reset"] = in.images_per_reset;
  LayerActivity all;
  for (const auto& l : in.keyed) all += l;
  const bool expanded = all.cipher_cycles > 0;
  j["key_mode"] = expanded ? "expanded" : "periodic";
  j["key_load_pj"] = static_cast<double>(expanded ? MasterKey::kBits : in.geometry.pes()) * t.key_reg_bit_load_pj;
  j["key_pj_per_mac"] = t.key_pj_per_mac();
  nlohmann::json b;
  for (const auto& [k, v] : ek) b[k] = {{"keyed", v}, {"plain", ep.at(k)}};
  j["breakdown"] = b;
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < in.keyed.size(); ++i) {
    nlohmann::json l = {{"name", in.keyed[i].name},
                        {"keyed", in.keyed[i].counters()},
                        {"memory_from_backend", in.keyed[i].memory_from_backend}};
    if (i < in.plain.size()) l["plain"] = in.plain[i].counters();
    layers.push_back(l);
  }
  j["layers"] = layers;
  j["table"] = t.to_json();
  return j;
}

std::vector<std::string> accelergy_components() {
  return {"pe", "key_register", "weight_sram", "input_sram", "accum_sram", "dram"};
}

std::string accelergy_yaml(const EnergyInputs& in) {
  // The Accelergy 0.4 action counts that match accelergy_files()' architecture (accelergy.h).
  return accelergy_files(in, EnergyTable{}, AreaTable{}, AccelergyBuffers{}, 1000.0).action_counts;
}

std::string energy_text(const nlohmann::json& e) {
  std::string s = "\nEnergy per inference (" + e["table"]["source"].get<std::string>() + ", pJ)\n";
  s += fmt::format("  {:<14} {:>14} {:>14}\n", "component", "keyed", "plain");
  for (const auto& [k, v] : e["breakdown"].items())
    s += fmt::format("  {:<14} {:>14.1f} {:>14.1f}\n", k, v["keyed"].get<double>(), v["plain"].get<double>());
  s += fmt::format("  {:<14} {:>14.1f} {:>14.1f}\n", "total", e["keyed_pj"].get<double>(), e["plain_pj"].get<double>());
  s += fmt::format("  key logic: +{:.1f} pJ (+{:.3f} %); {:.4f} pJ per MAC, key load {:.2f} pJ per reset\n",
                   e["extra_pj"].get<double>(), e["extra_percent"].get<double>(), e["key_pj_per_mac"].get<double>(),
                   e["key_load_pj"].get<double>());
  return s;
}

}  // namespace keymac
