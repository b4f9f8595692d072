// Entry point of keymac_torch.so (host/security/torch_loader.h): the one C
// symbol the loader looks up. Returns a new attack, or nullptr for a name the
// module does not implement.
#include <cstring>

#include "host/security/attack.h"

extern "C" __attribute__((visibility("default"))) keymac::Attack* keymac_torch_make_attack(const char* name) {
  if (std::strcmp(name, "gradient") == 0) return keymac::make_gradient_attack().release();
  if (std::strcmp(name, "gradient-oracle") == 0) return keymac::make_gradient_oracle_attack().release();
  if (std::strcmp(name, "finetune") == 0) return keymac::make_finetune_attack().release();
  return nullptr;
}
