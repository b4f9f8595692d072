#include <functional>
#include <utility>

#include "host/security/attack.h"
#include "host/security/torch_loader.h"
#include "sim/core/error.h"

namespace keymac {

namespace {
const std::vector<std::pair<std::string, std::function<std::unique_ptr<Attack>()>>>& registry() {
  static const std::vector<std::pair<std::string, std::function<std::unique_ptr<Attack>()>>> r = {
      {"distance", make_distance_attack},
      {"datafree", make_datafree_attack},
      {"greedy", make_greedy_attack},
      {"power", make_power_attack},
#ifdef KEYMAC_TORCH_MODULE  // keymac_torch.so, loaded on first use (torch_loader.h)
      {"gradient", [] { return load_torch_attack("gradient"); }},
      {"finetune", [] { return load_torch_attack("finetune"); }},
      {"gradient-oracle", [] { return load_torch_attack("gradient-oracle"); }},
#endif
  };
  return r;
}
}  // namespace

std::vector<std::string> attack_names() {
  std::vector<std::string> n;
  for (const auto& [name, f] : registry()) n.push_back(name);
  return n;
}

std::unique_ptr<Attack> make_attack(const std::string& name) {
  for (const auto& [n, f] : registry())
    if (n == name) return f();
#ifndef KEYMAC_TORCH_MODULE
  if (name == "gradient" || name == "gradient-oracle" || name == "finetune")
    throw Error("--attack " + name + ": this keymac was built without libtorch (cmake/torch.cmake), so the gradient and finetune attacks are not available");
#endif
  std::string all;
  for (const auto& n : attack_names()) all += (all.empty() ? "" : ", ") + n;
  throw Error("--attack: unknown attack '" + name + "' (available: " + all + ")");
}

}  // namespace keymac
