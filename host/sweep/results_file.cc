#include "host/sweep/results_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

ResultsWriter::ResultsWriter(const std::string& path, bool resume, bool overwrite) : path_(path) {
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !resume && !overwrite)
    throw Error(path + ": results file exists; use --resume to continue it or --overwrite to start again");
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  if (exists && overwrite && !resume) flags |= O_TRUNC;
  if (exists && resume) {
    const ResultsRead r = read_results(path);
    if (r.torn_bytes > 0 && ::truncate(path.c_str(), static_cast<off_t>(r.good_bytes)) != 0)
      throw Error(path + ": cannot drop the torn last line: " + std::strerror(errno));
  }
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) throw Error(path + ": cannot open results file: " + std::strerror(errno));
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
