#include "host/runtime/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace keymac {

Progress::Progress(std::string what, int64_t total, bool enabled)
    : what_(std::move(what)), total_(total > 0 ? total : 1) {
  const char* ci = std::getenv("CI");
  on_ = enabled && ::isatty(2) && !(ci && *ci);
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::add(int64_t n) {
  done_ += n;
  draw(false);
}

void Progress::draw(bool force) {
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = static_cast<double>(done_) / static_cast<double>(total_);
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  char bar[31];
  const int fill = static_cast<int>(frac * 30);
  for (int i = 0; i < 30; ++i) bar[i] = i < fill ? '#' : '.';
  bar[30] = 0;
  std::fprintf(stderr, "\r%s [%s] %5.1f%%  %.0f/s  ETA %4.0fs ", what_.c_str(), bar, 100 * frac, rate, eta);
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (!on_) return;
  draw(true);
  std::fprintf(stderr, "\n");
}

}  // namespace keymac
