// Lazy loading of the libtorch attacks (gradient, gradient-oracle, finetune).
// They live in the shared module keymac_torch.so (cmake/torch.cmake), so that
// `keymac run`, `keymac --help` and every other command never map libtorch
// (0.5-0.8 s of start-up per invocation). Contract: load_torch_attack(name)
// dlopens the module once per process (KEYMAC_TORCH_MODULE if set, else
// keymac_torch.so next to the running executable) and returns a new attack of
// that name; it throws keymac::Error with one line naming the module path and
// the loader's reason when the module is missing or does not load, or when it
// does not know the name. The executable must export its symbols
// (ENABLE_EXPORTS): the module resolves keymac's own functions against it.
#pragma once
#include <memory>
#include <string>

#include "host/security/attack.h"

namespace keymac {

std::unique_ptr<Attack> load_torch_attack(const std::string& name);

// Where load_torch_attack looks for the module (for messages and tests).
std::string torch_module_path();

}  // namespace keymac
