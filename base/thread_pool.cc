#include "base/thread_pool.h"

#include <system_error>
#include <thread>
#include <vector>

namespace keymac {

int run_on_threads(int n, const std::function<void()>& worker) {
  if (n <= 1) {
    worker();
    return 1;
  }
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // out of threads: the ones running share the rest
    }
  }
  if (pool.empty()) worker();
  for (auto& t : pool) t.join();
  return pool.empty() ? 1 : static_cast<int>(pool.size());
}

}  // namespace keymac
