#include "base/temp_dir.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace keymac {

namespace {

// Removes the plain files in dir (no recursion: keymac's temp dirs are flat), then dir.
void remove_flat_dir(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") ::unlink((dir + "/" + n).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

}  // namespace

std::string temp_root() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = temp_root() + "/" + prefix + "-" + std::to_string(::getpid()) + "-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    throw Error(tmpl + ": cannot create a temporary directory: " + std::strerror(errno));
  path_ = tmpl;
}

TempDir::~TempDir() { remove_flat_dir(path_); }

int clean_stale_temp_dirs(const std::string& prefix) {
  const std::string root = temp_root(), head = prefix + "-";
  DIR* d = ::opendir(root.c_str());
  if (!d) return 0;
  int removed = 0;
  while (auto* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.compare(0, head.size(), head) != 0) continue;
    const size_t dash = n.find('-', head.size());
    if (dash == std::string::npos || dash == head.size()) continue;
    const std::string pid_text = n.substr(head.size(), dash - head.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    struct stat st;
    const std::string full = root + "/" + n;
    if (::lstat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) continue;
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to judge)
    remove_flat_dir(full);
    ++removed;
  }
  ::closedir(d);
  return removed;
}

}  // namespace keymac
