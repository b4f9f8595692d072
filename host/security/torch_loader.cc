#include "host/security/torch_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "sim/core/error.h"

namespace keymac {

namespace {
using MakeFn = Attack* (*)(const char*);

std::string executable_dir() {
  std::vector<char> buf(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return ".";
  const std::string exe(buf.data(), static_cast<size_t>(n));
  const auto slash = exe.rfind('/');
  return slash == std::string::npos ? "." : exe.substr(0, slash);
}
}  // namespace

std::string torch_module_path() {
  if (const char* env = std::getenv("KEYMAC_TORCH_MODULE"); env != nullptr && *env != '\0') return env;
  return executable_dir() + "/keymac_torch.so";
}

std::unique_ptr<Attack> load_torch_attack(const std::string& name) {
  static std::mutex mu;
  static MakeFn make = nullptr;
  const std::lock_guard<std::mutex> lock(mu);
  if (make == nullptr) {
    const std::string path = torch_module_path();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      throw Error("--attack " + name + ": cannot load the libtorch attacks module " + path + ": " +
                  (why != nullptr ? why : "unknown reason") +
                  " (build the keymac_torch_module target, or set KEYMAC_TORCH_MODULE)");
    }
    make = reinterpret_cast<MakeFn>(::dlsym(handle, "keymac_torch_make_attack"));
    if (make == nullptr)
      throw Error("--attack " + name + ": " + path + " is not a keymac libtorch module (no keymac_torch_make_attack)");
  }
  std::unique_ptr<Attack> attack(make(name.c_str()));
  if (!attack) throw Error("--attack " + name + ": " + torch_module_path() + " has no attack of that name");
  return attack;
}

}  // namespace keymac
