// Accelergy 0.4 inputs (host/energy/accelergy.h): the files follow the schema
// documented in docs/TRACES.md "Accelergy", validated here with yaml-cpp, and
// evaluated the way Accelergy evaluates them (compound action = sum of
// primitive table energies x energy_scale, times counts) they give the same
// energy as keymac's own pricing.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include "host/energy/accelergy.h"
#include "host/energy/activity.h"

namespace keymac {
namespace {

EnergyInputs inputs(Geometry g) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> d(-127, 127), z(0, 3);
  const GemmShape s{7, 11, 9};
  std::vector<int8_t> x, w;
  for (int64_t i = 0; i < s.m * s.k; ++i) x.push_back(z(rng) ? static_cast<int8_t>(d(rng)) : 0);
  for (int64_t i = 0; i < s.k * s.n; ++i) w.push_back(z(rng) ? static_cast<int8_t>(d(rng)) : 0);
  const Key key = Key::seeded_random(g, 3);
  LayerStats st;
  EnergyInputs in;
  in.geometry = g;
  in.keyed = {measure_activity(GemmJob{"l", s, x.data(), w.data()}, g, &key, st)};
  in.plain = {measure_activity(GemmJob{"l", s, x.data(), w.data()}, g, nullptr, st)};
  return in;
}

// One CSV table: header + rows as maps.
std::vector<std::map<std::string, std::string>> csv(const std::string& text) {
  std::vector<std::map<std::string, std::string>> rows;
  std::stringstream ss(text);
  std::string line;
  std::vector<std::string> head;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::stringstream s(l);
    for (std::string x; std::getline(s, x, ',');) f.push_back(x);
    return f;
  };
  std::getline(ss, line);
  head = split(line);
  while (std::getline(ss, line)) {
    const auto f = split(line);
    if (f.size() != head.size()) ADD_FAILURE() << "ragged row: " << line;
    std::map<std::string, std::string> r;
    for (size_t i = 0; i < f.size() && i < head.size(); ++i) r[head[i]] = f[i];
    rows.push_back(r);
  }
  return rows;
}

// "name[a..b]" -> b - a + 1 with b an integer or "n_bits-1" (bound from attrs); plain name -> 1.
int64_t list_length(const std::string& name, const YAML::Node& attrs) {
  const auto lb = name.find('['), dots = name.find("..");
  if (lb == std::string::npos) return 1;
  const int64_t a = std::stoll(name.substr(lb + 1, dots - lb - 1));
  std::string b = name.substr(dots + 2, name.find(']') - dots - 2);
  int64_t off = 0;
  if (const auto m = b.find('-'); m != std::string::npos) {
    off = std::stoll(b.substr(m + 1));
    b = b.substr(0, m);
  }
  const int64_t hi = std::isdigit(static_cast<unsigned char>(b[0])) ? std::stoll(b) : attrs[b].as<int64_t>();
  return hi - off - a + 1;
}

// An attribute value: a number, or the name of an attribute of the enclosing class / instance.
double value(const YAML::Node& v, const YAML::Node& attrs) {
  const std::string s = v.as<std::string>();
  if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return v.as<double>();
  if (!attrs[s]) ADD_FAILURE() << "unbound name " << s;
  return attrs[s] ? attrs[s].as<double>() : 0.0;
}

struct Model {
  YAML::Node arch, comps, counts;
  std::map<std::string, YAML::Node> classes;
  std::map<std::string, std::vector<std::map<std::string, std::string>>> tables;  // primitive class -> rows
  std::map<std::string, YAML::Node> instances;                                    // flattened name -> arch entry
};

Model load(const AccelergyFiles& f) {
  Model m;
  m.arch = YAML::Load(f.arch);
  m.comps = YAML::Load(f.components);
  m.counts = YAML::Load(f.action_counts);
  for (const auto& c : m.comps["compound_components"]["classes"]) m.classes[c["name"].as<std::string>()] = YAML::Node(c);
  for (const auto& [file, text] : f.table_csv) m.tables[file.substr(0, file.size() - 4)] = csv(text);
  const YAML::Node sys = m.arch["architecture"]["subtree"][0];
  for (const auto& arr : sys["subtree"])
    for (const auto& e : arr["local"])
      m.instances["system." + arr["name"].as<std::string>() + "." + e["name"].as<std::string>()] = YAML::Node(e);
  return m;
}

TEST(Accelergy, FilesFollowTheDocumentedSchemaWithRTimesCPeInstances) {
  const Geometry g = Geometry::make(4, 6);
  const auto f = accelergy_files(inputs(g), EnergyTable{}, AreaTable{}, AccelergyBuffers{}, 500.0);
  const Model m = load(f);
  // architecture: version 0.4, system with technology and the clock, two arrays.
  const YAML::Node a = m.arch["architecture"];
  ASSERT_TRUE(a);
  EXPECT_EQ(a["version"].as<std::string>(), "0.4");
  const YAML::Node sys = a["subtree"][0];
  EXPECT_EQ(sys["name"].as<std::string>(), "system");
  EXPECT_EQ(sys["attributes"]["technology"].as<int>(), 45);
  EXPECT_DOUBLE_EQ(sys["attributes"]["global_cycle_seconds"].as<double>(), 2e-9);  // 500 MHz
  std::set<std::string> arrays;
  for (const auto& arr : sys["subtree"]) {
    const std::string an = arr["name"].as<std::string>();
    arrays.insert(an);
    std::set<std::string> names;
    for (const auto& e : arr["local"]) {
      const std::string n = e["name"].as<std::string>();
      names.insert(n);
      ASSERT_TRUE(e["class"] && e["attributes"] && e["attributes"].IsMap()) << n;
      EXPECT_TRUE(m.classes.count(e["class"].as<std::string>())) << "undefined class of " << n;
      if (n.rfind("pe[", 0) == 0) {
        EXPECT_EQ(list_length(n, e["attributes"]), g.pes()) << n;  // R*C PE instances
        EXPECT_EQ(e["attributes"]["n_instances"].as<int>(), g.pes());
      }
    }
    std::set<std::string> want = {"dram", "weight_sram", "input_sram", "accum_sram", "pe[0..23]"};
    if (an == "keyed_array") want.insert("key_register");
    EXPECT_EQ(names, want) << an;
  }
  EXPECT_EQ(arrays, (std::set<std::string>{"keyed_array", "plain_array"}));
  // compound components: version 0.4; subcomponents are Accelergy primitive classes;
  // each action step names a declared subcomponent and a table row exists for it.
  EXPECT_EQ(m.comps["compound_components"]["version"].as<std::string>(), "0.4");
  const auto prims = accelergy_primitive_classes();
  for (const auto& [cn, c] : m.classes) {
    std::map<std::string, YAML::Node> subs;
    for (const auto& s : c["subcomponents"]) {
      const std::string cls = s["class"].as<std::string>();
      EXPECT_NE(std::find(prims.begin(), prims.end(), cls), prims.end()) << cn << ": " << cls;
      EXPECT_TRUE(m.tables.count(cls)) << "no table for " << cls;
      subs[s["name"].as<std::string>()] = YAML::Node(s);
    }
    ASSERT_TRUE(c["actions"] && c["actions"].IsSequence()) << cn;
    for (const auto& act : c["actions"])
      for (const auto& step : act["subcomponents"]) {
        ASSERT_TRUE(subs.count(step["name"].as<std::string>())) << cn << "." << act["name"] << " " << step["name"];
        for (const auto& pa : step["actions"]) {
          const YAML::Node sub = subs[step["name"].as<std::string>()];
          bool found = false;
          for (const auto& r : m.tables.at(sub["class"].as<std::string>())) found |= r.at("action") == pa["name"].as<std::string>();
          EXPECT_TRUE(found) << cn << ": no table row for " << sub["class"] << "." << pa["name"];
        }
      }
  }
  // action counts: version 0.4; every component is an architecture instance and every action one of its class.
  EXPECT_EQ(m.counts["action_counts"]["version"].as<std::string>(), "0.4");
  for (const auto& c : m.counts["action_counts"]["local"]) {
    const std::string n = c["name"].as<std::string>();
    ASSERT_TRUE(m.instances.count(n)) << n;
    const YAML::Node cls = m.classes.at(m.instances.at(n)["class"].as<std::string>());
    for (const auto& ac : c["action_counts"]) {
      bool found = false;
      for (const auto& act : cls["actions"]) found |= act["name"].as<std::string>() == ac["name"].as<std::string>();
      EXPECT_TRUE(found) << n << " " << ac["name"];
      EXPECT_GE(ac["counts"].as<int64_t>(), 0);
    }
  }
  // Every table has the energy and area columns.
  for (const auto& [cls, rows] : m.tables) {
    ASSERT_FALSE(rows.empty()) << cls;
    EXPECT_TRUE(rows[0].count("energy") && rows[0].count("area") && rows[0].count("action")) << cls;
  }
}

TEST(Accelergy, EvaluatedAsAccelergyDoesTheFilesGiveKeymacsEnergyPerArray) {
  const Geometry g = Geometry::make(4, 6);
  EnergyTable t;
  t.zero_operand_mac_factor = 0.25;  // exercises the energy_scale expressions
  t.key_xor_bits_per_mac = 3;
  const EnergyInputs in = inputs(g);
  ASSERT_GT(in.keyed[0].array_macs_zero_operand, 0u);
  const Model m = load(accelergy_files(in, t, AreaTable{}, AccelergyBuffers{}, 1000.0));
  std::map<std::string, double> per_array;
  for (const auto& c : m.counts["action_counts"]["local"]) {
    const std::string n = c["name"].as<std::string>();
    const YAML::Node inst = m.instances.at(n);
    const YAML::Node cls = m.classes.at(inst["class"].as<std::string>());
    YAML::Node attrs = YAML::Clone(cls["attributes"]);  // class defaults, overridden by the instance
    for (const auto& kv : inst["attributes"]) attrs[kv.first.as<std::string>()] = YAML::Node(kv.second);
    for (const auto& ac : c["action_counts"]) {
      double pj = 0;
      for (const auto& act : cls["actions"]) {
        if (act["name"].as<std::string>() != ac["name"].as<std::string>()) continue;
        for (const auto& step : act["subcomponents"]) {
          YAML::Node sub;
          for (const auto& s : cls["subcomponents"])
            if (s["name"].as<std::string>() == step["name"].as<std::string>()) sub = YAML::Node(s);
          const std::string pc = sub["class"].as<std::string>();
          for (const auto& pa : step["actions"]) {
            // Find the table row: every attribute column equal, the action equal, n_instances as Accelergy passes it.
            const std::string ninst = attrs["n_instances"] ? attrs["n_instances"].as<std::string>() : "1";
            const std::map<std::string, std::string>* hit = nullptr;
            for (const auto& r : m.tables.at(pc)) {
              bool ok = r.at("action") == pa["name"].as<std::string>() && r.at("n_instances") == ninst;
              for (const auto& kv : sub["attributes"]) {
                const std::string k = kv.first.as<std::string>();
                const std::string v = std::to_string(static_cast<int64_t>(value(kv.second, attrs)));
                ok = ok && r.count(k) && r.at(k) == v;
              }
              if (ok && !hit) hit = &r;
            }
            ASSERT_NE(hit, nullptr) << n << ": " << pc << "." << pa["name"];
            const double scale = pa["energy_scale"] ? value(pa["energy_scale"], attrs) : 1.0;
            pj += std::stod(hit->at("energy")) * scale * static_cast<double>(list_length(step["name"].as<std::string>(), attrs));
          }
        }
      }
      const std::string arr = n.substr(7, n.find('.', 7) - 7);
      per_array[arr] += pj * static_cast<double>(ac["counts"].as<uint64_t>());
    }
  }
  auto total = [](const std::map<std::string, double>& e) {
    double s = 0;
    for (const auto& [_, v] : e) s += v;
    return s;
  };
  const double keyed = total(price(in.keyed, g, true, t, 1)), plain = total(price(in.plain, g, false, t, 1));
  EXPECT_NEAR(per_array["keyed_array"], keyed, 1e-9 * keyed);
  EXPECT_NEAR(per_array["plain_array"], plain, 1e-9 * plain);
  EXPECT_GT(per_array["keyed_array"], per_array["plain_array"]);
}

}  // namespace
}  // namespace keymac
