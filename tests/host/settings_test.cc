// The settings registry (host/backend/settings.h) is the one declaration of
// the memory and run settings: `keymac run`'s flags, the JSON memory config
// and the sweep axes accept exactly the declared set, each sets the declared
// field, and docs/SYSTEMC.md's table is the generated one. Every test
// iterates the registry; none re-lists the settings.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "host/backend/memory_config.h"
#include "host/backend/settings.h"
#include "host/cli/commands.h"
#include "host/cli/settings_flags.h"
#include "host/runtime/honoured_options.h"
#include "host/sweep/sweep_spec.h"
#include "sim/core/error.h"

namespace keymac::cli {
std::atomic<bool> g_stop{false};  // defined in main.cc in the keymac binary
}

namespace keymac {
namespace {

using json = nlohmann::json;

// A valid value of s different from its default (the range's far end).
json other_value(const Setting& s) {
  switch (s.type) {
    case SettingType::kBool: return !s.default_value.get<bool>();
    case SettingType::kChoice:
      for (const auto& c : s.choices)
        if (c != s.default_value.get<std::string>()) return c;
      break;
    case SettingType::kInt: return s.default_value.get<double>() == s.hi ? int64_t(s.lo) : int64_t(s.hi);
    case SettingType::kNumber: return s.default_value.get<double>() == s.hi ? (s.lo + s.hi) / 2 : s.hi;
  }
  ADD_FAILURE() << s.name << ": no second value";
  return nullptr;
}

// A value outside the declared type or range (nullptr: none for a bool flag).
std::string bad_text(const Setting& s) {
  switch (s.type) {
    case SettingType::kBool: return "";
    case SettingType::kChoice: return "neither";
    case SettingType::kInt:
    case SettingType::kNumber: return std::to_string(static_cast<int64_t>(s.hi) + 1);
  }
  return "";
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

struct Values {
  BackendOptions backend;
  double clock_mhz = RunConfig{}.clock_mhz;
  SettingsTarget target() { return settings_target(backend, clock_mhz); }
};

std::set<std::string> declared_flags() {
  std::set<std::string> f;
  for (const auto& s : settings()) f.insert(s.flag());
  return f;
}

TEST(SettingsRegistry, NamesAreUniqueAndEveryFieldDefaultsToTheDeclaredDefault) {
  std::set<std::string> names;
  RunConfig run;
  const SettingsTarget t = settings_target(run.backend_options, run.clock_mhz);
  for (const auto& s : settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_EQ(s.get(t), s.check(s.default_value, s.name)) << s.name;
    EXPECT_FALSE(std::string(s.description).empty()) << s.name;
  }
  // The plain-C++ core's MemoryConfig follows MemoryOptions (same defaults).
  const MemoryConfig from_options = to_memory_config(MemoryOptions{});
  const MemoryConfig core{};
  EXPECT_EQ(core.ideal, from_options.ideal);
  EXPECT_EQ(core.dram_bytes_per_cycle, from_options.dram_bytes_per_cycle);
  EXPECT_EQ(core.dram_latency_cycles, from_options.dram_latency_cycles);
  EXPECT_EQ(core.weight_sram_bytes, from_options.weight_sram_bytes);
  EXPECT_EQ(core.input_sram_bytes, from_options.input_sram_bytes);
  EXPECT_EQ(core.accum_sram_bytes, from_options.accum_sram_bytes);
}

TEST(SettingsRegistry, KeymacRunHasExactlyOneFlagPerSettingInTheSettingsGroup) {
  CLI::App app;
  cli::Runner runner;
  cli::add_run(app, runner);
  CLI::App* run = app.get_subcommand("run");
  std::set<std::string> in_group;
  for (const CLI::Option* o : run->get_options())
    if (o->get_group() == cli::kSettingsGroup) in_group.insert(o->get_name());
  EXPECT_EQ(in_group, declared_flags());
  for (const auto& s : settings()) EXPECT_NE(run->get_option_no_throw(s.flag()), nullptr) << s.flag();
}

TEST(SettingsRegistry, EachFlagSetsItsSettingAndRefusesValuesOutsideTheDeclaredRange) {
  for (const auto& s : settings()) {
    SCOPED_TRACE(s.name);
    const json want = s.check(other_value(s), s.name);
    {
      CLI::App app;
      const auto flags = cli::add_setting_flags(&app);
      std::vector<std::string> args = {s.flag()};
      if (s.type != SettingType::kBool) args.push_back(text_of(want));
      std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
      app.parse(args);
      Values v;
      EXPECT_EQ(cli::apply_setting_flags(flags, v.target()), std::vector<std::string>{s.flag()});
      EXPECT_EQ(s.get(v.target()), want);
    }
    if (s.type != SettingType::kBool) {
      CLI::App app;
      cli::add_setting_flags(&app);
      std::vector<std::string> args = {bad_text(s), s.flag()};
      EXPECT_THROW(app.parse(args), CLI::ValidationError);
    }
  }
}

TEST(SettingsRegistry, JsonMemoryConfigAcceptsExactlyTheDeclaredKeys) {
  std::set<std::string> keys;
  for (const auto& s : settings()) {
    SCOPED_TRACE(s.name);
    const json want = s.check(other_value(s), s.name);
    if (s.json_key) {
      keys.insert(s.json_key);
      const json given = s.json_negated ? json(!want.get<bool>()) : want;
      Values v;
      v.backend.memory = memory_options_from_json(json{{s.json_key, given}}, "m.json");
      EXPECT_EQ(s.get(v.target()), want);
      EXPECT_EQ(memory_options_to_json(v.backend.memory).at(s.json_key), given);
      if (s.type != SettingType::kBool && s.type != SettingType::kChoice) {
        EXPECT_THROW(memory_options_from_json(json{{s.json_key, s.hi * 2 + 1}}, "m.json"), Error);
      }
    } else {  // a run setting, not a memory one: refused by the memory config
      EXPECT_THROW(memory_options_from_json(json{{s.name, want}}, "m.json"), Error);
    }
  }
  std::set<std::string> written;
  const json defaults = memory_options_to_json(MemoryOptions{});
  for (const auto& [k, v] : defaults.items()) written.insert(k);
  EXPECT_EQ(written, keys);
  EXPECT_THROW(memory_options_from_json(json{{"dram_bandwidth", 4}}, "m.json"), Error);
}

std::string write_spec(const std::string& name, const json& spec) {
  const std::string path = ::testing::TempDir() + "/settings_test_" + name + ".json";
  std::ofstream(path) << spec.dump();
  return path;
}

TEST(SettingsRegistry, SweepAxesAreTheDeclaredSettingsAndSetTheSameFields) {
  const std::string names = sweep_parameter_names();
  for (const auto& s : settings()) {
    SCOPED_TRACE(s.name);
    EXPECT_NE((", " + names + ",").find(std::string(", ") + s.name + ","), std::string::npos);
    const json want = s.check(other_value(s), s.name);
    // finite memory and the backend of the setting's scope, so that every
    // setting is honoured.
    const std::string backend = s.scope == SettingScope::kRtl ? "rtl" : "systemc";
    json base = {{"limit", 8}, {"wrong_keys", 0}, {"backend", backend}};
    if (s.scope == SettingScope::kFiniteMemory) base["finite_memory"] = true;
    const std::string path = write_spec(s.name, {{"base", base}, {"axes", {{s.name, {want}}}}});
    const SweepSpec spec = load_sweep_spec(path);
    ASSERT_EQ(spec.points.size(), 1u);
    RunConfig cfg = point_config(spec, spec.points[0]);
    EXPECT_EQ(s.get(settings_target(cfg.backend_options, cfg.clock_mhz)), want);

    // The point's `keymac run` arguments carry the same value.
    CLI::App app;
    app.allow_extras();
    const auto flags = cli::add_setting_flags(&app);
    auto args = point_run_args(cfg);
    std::reverse(args.begin(), args.end());
    app.parse(args);
    Values v;
    cli::apply_setting_flags(flags, v.target());
    EXPECT_EQ(s.get(v.target()), want);

    const std::string bad = write_spec(std::string(s.name) + "_bad", {{"base", base}, {"axes", {{s.name, {"neither"}}}}});
    EXPECT_THROW(load_sweep_spec(bad), Error);
  }
}

TEST(SettingsRegistry, OnlyTheScopesBackendHonoursTheBackendSpecificSettings) {
  for (const auto& s : settings()) {
    SCOPED_TRACE(s.name);
    if (s.scope == SettingScope::kAllBackends) {
      EXPECT_NO_THROW(check_honoured("functional", {s.flag()}, false));
      continue;
    }
    const std::string own = scope_backend(s.scope);
    for (const std::string other : {"functional", "systemc", "rtl"}) {
      if (other == own) continue;
      EXPECT_THROW(check_honoured(other, {s.flag()}, true), Error) << other;
    }
    EXPECT_NO_THROW(check_honoured(own, {s.flag()}, true));
    if (s.scope == SettingScope::kFiniteMemory) {
      EXPECT_THROW(check_honoured("systemc", {s.flag()}, false), Error);
    }
  }
}

TEST(SettingsRegistry, DocsTableIsTheGeneratedOne) {
  std::ifstream f(std::string(KEYMAC_SOURCE_DIR) + "/docs/SYSTEMC.md");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find(settings_markdown()), std::string::npos)
      << "docs/SYSTEMC.md \"Settings\" must hold exactly this table (regenerate it):\n"
      << settings_markdown();
}

}  // namespace
}  // namespace keymac
