#include "host/energy/accelergy.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

// Python's str() of the numbers Accelergy passes to plug-ins (the table
// plug-in compares CSV cells with str(value)).
std::string py(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v)) && std::abs(v) < 1e15)
    return std::to_string(static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

struct Sram {
  std::string name;
  uint64_t bytes;
  int width_bits;
};

std::vector<Sram> srams(Geometry g, const AccelergyBuffers& b) {
  return {{"weight_sram", b.weight_bytes, 8 * g.cols},
          {"input_sram", b.input_bytes, 8 * g.rows},
          {"accum_sram", b.accum_bytes, 32 * g.cols}};
}

}  // namespace

std::vector<std::string> accelergy_primitive_classes() {
  return {"intmultiplier", "intadder", "bitwise", "reg", "SRAM", "DRAM"};
}

AccelergyFiles accelergy_files(const EnergyInputs& in, const EnergyTable& t, const AreaTable& area,
                               const AccelergyBuffers& buffers, double clock_mhz) {
  const Geometry g = in.geometry;
  const int pes = g.pes();
  // The cycle as written in the YAML (15 digits), so that the table's cells equal Python's str() of it.
  const double cycle_s = std::stod(fmt::format("{:.15g}", 1e-6 / clock_mhz));
  const auto rams = srams(g, buffers);
  AccelergyFiles f;

  // --- architecture
  {
    YAML::Emitter o;
    o.SetDoublePrecision(15);
    o << YAML::Comment("keymac " + g.str() + " keyed and plain arrays for Accelergy 0.4 (docs/TRACES.md)");
    o << YAML::BeginMap << YAML::Key << "architecture" << YAML::Value << YAML::BeginMap;
    o << YAML::Key << "version" << YAML::Value << 0.4;
    o << YAML::Key << "subtree" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    o << YAML::Key << "name" << YAML::Value << "system";
    o << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "technology" << YAML::Value << 45
      << YAML::Key << "global_cycle_seconds" << YAML::Value << cycle_s << YAML::EndMap;
    o << YAML::Key << "subtree" << YAML::Value << YAML::BeginSeq;
    for (const bool keyed : {true, false}) {
      o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << (keyed ? "keyed_array" : "plain_array");
      o << YAML::Key << "local" << YAML::Value << YAML::BeginSeq;
      o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "dram" << YAML::Key << "class"
        << YAML::Value << "keymac_dram" << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::EndMap
        << YAML::EndMap;
      for (const auto& s : rams)
        o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "class"
          << YAML::Value << "keymac_sram" << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key
          << "width" << YAML::Value << s.width_bits << YAML::Key << "depth" << YAML::Value
          << static_cast<int64_t>(s.bytes * 8 / static_cast<uint64_t>(s.width_bits)) << YAML::EndMap << YAML::EndMap;
      if (keyed)
        o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "key_register" << YAML::Key
          << "class" << YAML::Value << "keymac_key_register" << YAML::Key << "attributes" << YAML::Value
          << YAML::BeginMap << YAML::Key << "n_bits" << YAML::Value << pes << YAML::EndMap << YAML::EndMap;
      o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value
        << "pe[0.." + std::to_string(pes - 1) + "]" << YAML::Key << "class" << YAML::Value
        << (keyed ? "keymac_keyed_pe" : "keymac_plain_pe") << YAML::Key << "attributes" << YAML::Value
        << YAML::BeginMap << YAML::Key << "n_instances" << YAML::Value << pes << YAML::EndMap << YAML::EndMap;
      o << YAML::EndSeq << YAML::EndMap;
    }
    o << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    f.arch = std::string(o.c_str()) + "\n";
  }

  // --- compound components
  {
    YAML::Emitter o;
    o.SetDoublePrecision(15);
    auto sub = [&](const char* name, const char* cls, int width) {
      o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "class"
        << YAML::Value << cls << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "width"
        << YAML::Value << width << YAML::EndMap << YAML::EndMap;
    };
    // action: list of (subcomponent, primitive action, energy_scale expression)
    using Step = std::tuple<std::string, std::string, std::string>;
    auto action = [&](const std::string& name, const std::vector<Step>& steps) {
      o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "subcomponents" << YAML::Value
        << YAML::BeginSeq;
      for (const auto& [s, a, share] : steps) {
        o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s << YAML::Key << "actions"
          << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name" << YAML::Value << a;
        if (!share.empty()) o << YAML::Key << "energy_scale" << YAML::Value << share;
        o << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
      }
      o << YAML::EndSeq << YAML::EndMap;
    };
    o << YAML::Comment("keymac compound components (docs/TRACES.md); primitives: intmultiplier, intadder, bitwise, "
                       "reg, SRAM, DRAM");
    o << YAML::BeginMap << YAML::Key << "compound_components" << YAML::Value << YAML::BeginMap;
    o << YAML::Key << "version" << YAML::Value << 0.4;
    o << YAML::Key << "classes" << YAML::Value << YAML::BeginSeq;
    for (const bool keyed : {true, false}) {
      o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << (keyed ? "keymac_keyed_pe" : "keymac_plain_pe");
      o << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "technology" << YAML::Value << 45
        << YAML::Key << "key_xor_bits_per_mac" << YAML::Value << t.key_xor_bits_per_mac << YAML::Key
        << "zero_operand_mac_factor" << YAML::Value << t.zero_operand_mac_factor << YAML::EndMap;
      o << YAML::Key << "subcomponents" << YAML::Value << YAML::BeginSeq;
      sub("multiplier", "intmultiplier", 8);
      sub("adder", "intadder", 32);
      sub("act_reg", "reg", 8);
      sub("weight_reg", "reg", 16);  // two banks of 8 bits
      sub("psum_reg", "reg", 32);
      if (keyed) {
        sub("key_xor", "bitwise", 1);
        sub("key_bit", "reg", 1);
      }
      o << YAML::EndSeq;
      o << YAML::Key << "actions" << YAML::Value << YAML::BeginSeq;
      std::vector<Step> mac = {{"multiplier", "mult_random", ""}, {"adder", "add", ""}};
      std::vector<Step> gated = {{"multiplier", "mult_random", "zero_operand_mac_factor"},
                                 {"adder", "add", "zero_operand_mac_factor"}};
      if (keyed) {
        mac.emplace_back("key_xor", "process", "key_xor_bits_per_mac");
        gated.emplace_back("key_xor", "process", "key_xor_bits_per_mac");
      }
      action("mac_random", mac);
      action("mac_gated", gated);
      o << YAML::EndSeq << YAML::EndMap;
    }
    // SRAM: one row of `width` bits per access.
    o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "keymac_sram";
    o << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "technology" << YAML::Value << 45
      << YAML::Key << "width" << YAML::Value << 64 << YAML::Key << "depth" << YAML::Value << 8192 << YAML::EndMap;
    o << YAML::Key << "subcomponents" << YAML::Value << YAML::BeginSeq << YAML::Flow << YAML::BeginMap << YAML::Key
      << "name" << YAML::Value << "storage" << YAML::Key << "class" << YAML::Value << "SRAM" << YAML::Key
      << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "width" << YAML::Value << "width" << YAML::Key
      << "depth" << YAML::Value << "depth" << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
    o << YAML::Key << "actions" << YAML::Value << YAML::BeginSeq;
    action("read", {{"storage", "read", ""}});
    action("write", {{"storage", "write", ""}});
    o << YAML::EndSeq << YAML::EndMap;
    // DRAM: one byte per action.
    o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "keymac_dram";
    o << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "technology" << YAML::Value << 45
      << YAML::EndMap;
    o << YAML::Key << "subcomponents" << YAML::Value << YAML::BeginSeq;
    sub("dram", "DRAM", 8);
    o << YAML::EndSeq;
    o << YAML::Key << "actions" << YAML::Value << YAML::BeginSeq;
    action("read", {{"dram", "read", ""}});
    action("write", {{"dram", "write", ""}});
    o << YAML::EndSeq << YAML::EndMap;
    // Key register: n_bits flip-flops, each written once per key load.
    o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "keymac_key_register";
    o << YAML::Key << "attributes" << YAML::Value << YAML::BeginMap << YAML::Key << "technology" << YAML::Value << 45
      << YAML::Key << "n_bits" << YAML::Value << 1 << YAML::EndMap;
    o << YAML::Key << "subcomponents" << YAML::Value << YAML::BeginSeq;
    sub("bit[0..n_bits-1]", "reg", 1);
    o << YAML::EndSeq;
    o << YAML::Key << "actions" << YAML::Value << YAML::BeginSeq;
    action("load", {{"bit[0..n_bits-1]", "write", ""}});
    o << YAML::EndSeq << YAML::EndMap;
    o << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    f.components = std::string(o.c_str()) + "\n";
  }

  // --- action counts (one batch)
  {
    YAML::Emitter o;
    o.SetDoublePrecision(15);
    o << YAML::Comment("keymac activity of one batch of " + std::to_string(in.batch_images) + " image(s) on a " +
                       g.str() + " array; pe[...] counts are totals over all PEs; dram in bytes");
    o << YAML::BeginMap << YAML::Key << "action_counts" << YAML::Value << YAML::BeginMap;
    o << YAML::Key << "version" << YAML::Value << 0.4;
    o << YAML::Key << "local" << YAML::Value << YAML::BeginSeq;
    auto comp = [&](const std::string& name, const std::vector<std::pair<std::string, uint64_t>>& actions) {
      o << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
      o << YAML::Key << "action_counts" << YAML::Value << YAML::BeginSeq;
      for (const auto& [a, n] : actions)
        o << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << a << YAML::Key << "counts"
          << YAML::Value << n << YAML::EndMap;
      o << YAML::EndSeq << YAML::EndMap;
    };
    for (const bool keyed : {true, false}) {
      LayerActivity a;
      for (const auto& l : keyed ? in.keyed : in.plain) a += l;
      const std::string p = std::string("system.") + (keyed ? "keyed_array." : "plain_array.");
      const uint64_t zero = a.array_macs_zero_operand;
      comp(p + "pe[0.." + std::to_string(pes - 1) + "]", {{"mac_random", a.array_macs - zero}, {"mac_gated", zero}});
      if (keyed) comp(p + "key_register", {{"load", 1}});
      comp(p + "weight_sram", {{"read", a.sram_weight_reads}, {"write", a.sram_weight_writes}});
      comp(p + "input_sram", {{"read", a.sram_input_reads}, {"write", a.sram_input_writes}});
      comp(p + "accum_sram", {{"read", a.sram_accum_reads}, {"write", a.sram_accum_writes}});
      comp(p + "dram", {{"read", a.dram_read_bytes}, {"write", a.dram_write_bytes}});
    }
    o << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    f.action_counts = std::string(o.c_str()) + "\n";
  }

  // --- keymac's ERT/ART as a set of tables. Columns: the attributes and the
  // arguments Accelergy 0.4 passes (the table plug-in requires every argument).
  // PE primitives see n_instances = R*C (Accelergy scales their area by it, not their energy per action).
  const std::string args = py(cycle_s) + ",1," + py(cycle_s) + ",45,1";
  const std::string pe_args = py(cycle_s) + ",1," + py(cycle_s) + ",45," + std::to_string(pes);
  const std::string head = "global_cycle_seconds,action_latency_cycles,cycle_seconds,technology,n_instances";
  f.table_identifier = "# keymac's energy table (" + t.source +
                       ") and area table as a set of tables for Accelergy's table-based plug-in\n"
                       "name: keymac_45nm\ntechnology: 45\naccuracy: 95\npath_to_data_dir: ./data\n";
  auto row = [&](const std::string& attrs, const std::string& action, double pj, double um2, bool pe = false) {
    return attrs + "," + action + "," + (pe ? pe_args : args) + "," + py(pj) + "," + py(um2) + "\n";
  };
  const double mult = t.mult_int8_pj, add = t.add_int32_pj;
  f.table_csv["intmultiplier.csv"] = "width,action," + head + ",energy,area\n" +
                                     row("8", "mult_random", mult, area.mult_int8_um2, true);
  f.table_csv["intadder.csv"] = "width,action," + head + ",energy,area\n" + row("32", "add", add, area.add_int32_um2, true);
  f.table_csv["bitwise.csv"] = "width,action," + head + ",energy,area\n" + row("1", "process", t.xor_bit_pj, area.xor_um2, true);
  {
    std::string s = "width,action," + head + ",energy,area\n";
    // Registers: only the key bit's write is priced by keymac's table. Width 1, one
    // instance: the key register's bits; the rest are in the PEs.
    s += row("1", "write", t.key_reg_bit_load_pj, area.flip_flop_um2);
    for (int w : {1, 8, 16, 32}) s += row(std::to_string(w), "write", w == 1 ? t.key_reg_bit_load_pj : 0.0, w * area.flip_flop_um2, true);
    f.table_csv["reg.csv"] = s;
  }
  {
    std::string s = "width,depth,action," + head + ",energy,area\n";
    std::set<std::string> seen;
    for (const auto& r : rams) {
      const std::string attrs = std::to_string(r.width_bits) + "," + std::to_string(r.bytes * 8 / static_cast<uint64_t>(r.width_bits));
      if (!seen.insert(attrs).second) continue;
      const double pj = r.width_bits / 8.0 * t.sram_pj_per_byte();
      s += row(attrs, "read", pj, area.sram_um2(r.bytes));
      s += row(attrs, "write", pj, area.sram_um2(r.bytes));
    }
    f.table_csv["SRAM.csv"] = s;
  }
  f.table_csv["DRAM.csv"] = "width,action," + head + ",energy,area\n" + row("8", "read", t.dram_pj_per_byte(), 0) +
                            row("8", "write", t.dram_pj_per_byte(), 0);
  return f;
}

void write_accelergy_dir(const std::string& dir, const AccelergyFiles& f) {
  for (const std::string& d : {dir, dir + "/keymac_tables", dir + "/keymac_tables/data"})
    if (::mkdir(d.c_str(), 0777) != 0 && errno != EEXIST)
      throw Error(d + ": cannot create directory (" + std::strerror(errno) + ")");
  write_file_atomic(dir + "/arch.yaml", f.arch);
  write_file_atomic(dir + "/components.yaml", f.components);
  write_file_atomic(dir + "/action_counts.yaml", f.action_counts);
  write_file_atomic(dir + "/keymac_tables/keymac.table.yaml", f.table_identifier);
  for (const auto& [name, csv] : f.table_csv) write_file_atomic(dir + "/keymac_tables/data/" + name, csv);
}

}  // namespace keymac
