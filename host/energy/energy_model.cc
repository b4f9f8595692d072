#include "host/energy/energy_model.h"

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
  e["key.load"] = keyed ? static_cast<double>(g.pes()) * t.key_reg_bit_load_pj /
                              static_cast<double>(std::max<int64_t>(1, images_per_reset))
                        : 0.0;
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
  j["key_load_pj"] = static_cast<double>(in.geometry.pes()) * t.key_reg_bit_load_pj;
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
  return {"pe_array.mac", "pe_array.key_xor", "pe_array.act_reg", "pe_array.weight_reg", "pe_array.psum_reg",
          "key_register", "weight_sram", "input_sram",        "accum_sram",          "dram"};
}

std::string accelergy_yaml(const EnergyInputs& in) {
  YAML::Emitter out;
  out << YAML::Comment("keymac activity as Accelergy action counts (docs/TRACES.md); one batch of " +
                       std::to_string(in.batch_images) + " images on a " + in.geometry.str() +
                       " array; pe_array counts are totals over all PEs");
  out << YAML::BeginMap << YAML::Key << "action_counts" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << "0.3";
  out << YAML::Key << "local" << YAML::Value << YAML::BeginSeq;
  auto comp = [&](const std::string& name, const std::vector<std::pair<std::string, uint64_t>>& actions) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
    out << YAML::Key << "action_counts" << YAML::Value << YAML::BeginSeq;
    for (const auto& [a, n] : actions)
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << a << YAML::Key << "counts" << YAML::Value << n
          << YAML::EndMap;
    out << YAML::EndSeq << YAML::EndMap;
  };
  for (const bool keyed : {true, false}) {
    LayerActivity a;
    for (const auto& l : keyed ? in.keyed : in.plain) a += l;
    const std::string p = std::string("system.") + (keyed ? "keyed_array." : "plain_array.");
    const uint64_t zero = a.array_macs_zero_operand;
    comp(p + "pe_array.mac", {{"mac_random", a.array_macs - zero}, {"mac_gated", zero}});
    if (keyed) comp(p + "pe_array.key_xor", {{"xor", a.key_xor_ops}});
    comp(p + "pe_array.act_reg", {{"bit_toggle", a.act_reg_toggles}});
    comp(p + "pe_array.weight_reg", {{"bit_toggle", a.weight_reg_toggles}, {"write", a.weight_reg_writes}});
    comp(p + "pe_array.psum_reg", {{"bit_toggle", a.psum_reg_toggles}});
    if (keyed) comp(p + "key_register", {{"load_bit", static_cast<uint64_t>(in.geometry.pes())}});
    comp(p + "weight_sram", {{"read", a.sram_weight_reads}, {"write", a.sram_weight_writes}});
    comp(p + "input_sram", {{"read", a.sram_input_reads}, {"write", a.sram_input_writes}});
    comp(p + "accum_sram", {{"read", a.sram_accum_reads}, {"write", a.sram_accum_writes}});
    comp(p + "dram", {{"read", (a.dram_read_bytes + 7) / 8}, {"write", (a.dram_write_bytes + 7) / 8}});
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
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
