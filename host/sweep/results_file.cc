#include "host/sweep/results_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"

namespace keymac {

ResultsRead read_results(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open results file: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  ResultsRead r;
  size_t pos = 0;
  int64_t line_no = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      r.torn_bytes = static_cast<int64_t>(text.size() - pos);
      break;
    }
    ++line_no;
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    r.good_bytes = pos;
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
      throw Error(path + ": line " + std::to_string(line_no) + " is not valid JSON");
    }
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("params"))
      throw Error(path + ": line " + std::to_string(line_no) + " is not a sweep result (no \"id\"/\"params\")");
    r.lines.push_back(std::move(j));
  }
  return r;
}

namespace {
// The pid holding a flock on fd's file, from /proc/locks ("1: FLOCK ADVISORY
// WRITE <pid> <maj>:<min>:<inode> 0 EOF"); 0 when it cannot be told.
long flock_holder(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return 0;
  char dev[64];
  std::snprintf(dev, sizeof dev, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  std::ifstream in("/proc/locks");
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string num, kind, adv, mode, pid, id;
    if (!(ls >> num >> kind) || kind != "FLOCK") continue;
    if (!(ls >> adv >> mode >> pid >> id) || id != dev) continue;
    try {
      return std::stol(pid);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}
}  // namespace

ResultsWriter::ResultsWriter(const std::string& path, bool resume, bool overwrite) : path_(path) {
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !resume && !overwrite)
    throw Error(path + ": results file exists; use --resume to continue it or --overwrite to start again");
  if (exists && !S_ISREG(st.st_mode)) throw Error(path + ": results file is not a regular file");
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path + ": cannot open results file: " + std::strerror(errno));
  // One writer per results file (a requeued Slurm task, `--resume` twice): an
  // advisory lock, held until this writer is destroyed or the process dies.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    const long holder = e == EWOULDBLOCK ? flock_holder(fd_) : 0;
    ::close(fd_);
    fd_ = -1;
    if (e != EWOULDBLOCK) throw Error(path + ": cannot lock results file: " + std::strerror(e));
    throw Error(path + ": results file is in use by another keymac sweep" +
                (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string()) +
                "; wait for it to finish or write elsewhere");
  }
  if (exists && overwrite && !resume && ::ftruncate(fd_, 0) != 0)
    throw Error(path + ": cannot truncate results file: " + std::strerror(errno));
  if (exists && resume) {
    const ResultsRead r = read_results(path);
    if (r.torn_bytes > 0 && ::ftruncate(fd_, static_cast<off_t>(r.good_bytes)) != 0)
      throw Error(path + ": cannot drop the torn last line: " + std::strerror(errno));
  }
}

ResultsWriter::~ResultsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultsWriter::append(const std::string& line) {
  const std::string s = line + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  const ssize_t n = ::write(fd_, s.data(), s.size());  // one write: the line is whole or absent
  if (n != static_cast<ssize_t>(s.size())) {
    if (n > 0 && before >= 0 && ::ftruncate(fd_, before) != 0) {
    }  // best effort: take the torn line back out
    throw Error(path_ + ": cannot append a result line: " + (n < 0 ? std::strerror(errno) : "short write (disk full?)"));
  }
  if (::fsync(fd_) != 0) throw Error(path_ + ": fsync failed: " + std::strerror(errno));
}

}  // namespace keymac
