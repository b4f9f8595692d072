// Private temporary directories that do not outlive their process.
// Contract: TempDir(prefix) creates $TMPDIR/<prefix>-<pid>-XXXXXX (mode 0700,
// mkdtemp) and its destructor removes the files in it and the directory, on
// every exit path that unwinds. A process killed with SIGKILL cannot clean
// up: clean_stale_temp_dirs(prefix) removes the <prefix>-<pid>-* directories
// of this user whose <pid> is no longer running and returns how many.
#pragma once
#include <string>

namespace keymac {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

int clean_stale_temp_dirs(const std::string& prefix);
// $TMPDIR, or /tmp.
std::string temp_root();

}  // namespace keymac
