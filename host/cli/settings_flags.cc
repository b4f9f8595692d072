#include "host/cli/settings_flags.h"

#include "host/cli/cli_checks.h"

namespace keymac::cli {

SettingFlags add_setting_flags(CLI::App* c) {
  SettingFlags f;
  for (const Setting& s : settings()) {
    auto text = std::make_shared<std::string>();
    const std::string help = std::string(s.scope == SettingScope::kAllBackends ? "" : scope_backend(s.scope)) +
                             (s.scope == SettingScope::kAllBackends ? "" : ": ") + s.description +
                             (*s.unit ? std::string(" (") + s.unit + ")" : "");
    CLI::Option* o = nullptr;
    if (s.type == SettingType::kBool) {
      o = c->add_flag(s.flag(), help);
    } else {
      o = c->add_option(s.flag(), *text, help)
              ->default_str(s.default_value.is_string() ? s.default_value.get<std::string>() : s.default_value.dump());
      if (s.type == SettingType::kInt)
        o->check(int_range(static_cast<int64_t>(s.lo), static_cast<int64_t>(s.hi)));
      else if (s.type == SettingType::kNumber)
        o->check(real_range(s.lo, s.hi, !s.lo_open));
      else
        o->check(CLI::IsMember(s.choices));
    }
    o->group(kSettingsGroup);
    f.flags.push_back({&s, o, text});
  }
  return f;
}

std::vector<std::string> apply_setting_flags(const SettingFlags& f, const SettingsTarget& t) {
  std::vector<std::string> given;
  for (const auto& x : f.flags) {
    if (!x.option->count()) continue;
    given.push_back(x.setting->flag());
    x.setting->set(t, x.setting->type == SettingType::kBool ? nlohmann::json(true)
                                                             : x.setting->parse_text(*x.text, x.setting->flag()));
  }
  return given;
}

}  // namespace keymac::cli
