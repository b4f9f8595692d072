// A progress bar with rate and ETA on stderr. Quiet unless stderr is a
// terminal and the CI environment variable is unset (or enabled is false).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace keymac {

class Progress {
 public:
  Progress(std::string what, int64_t total, bool enabled = true);
  ~Progress() { finish(); }
  void add(int64_t n);
  void finish();

 private:
  void draw(bool force);
  std::string what_;
  int64_t total_, done_ = 0;
  bool on_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace keymac
