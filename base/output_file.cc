#include "base/output_file.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <vector>

#include "base/error.h"

namespace keymac {

namespace {

std::string dir_of(const std::string& p) {
  const auto s = p.rfind('/');
  if (s == std::string::npos) return ".";
  return s == 0 ? "/" : p.substr(0, s);
}

std::string base_of(const std::string& p) {
  const auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

std::string random_suffix() {
  unsigned char b[8];
  size_t got = 0;
  while (got < sizeof b) {
    const ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

}  // namespace

// A streambuf writing to the descriptor in 64 KiB chunks; the first failed
// write is remembered (errno) and every later write is dropped.
class OutputFile::Buf : public std::streambuf {
 public:
  explicit Buf(int fd) : fd_(fd), buf_(1 << 16) { setp(buf_.data(), buf_.data() + buf_.size()); }
  int err() const { return err_; }
  bool drain() {
    const char* p = pbase();
    size_t n = static_cast<size_t>(pptr() - pbase());
    while (n > 0 && err_ == 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        err_ = errno;
      } else if (w == 0) {
        err_ = EIO;
      } else {
        p += w;
        n -= static_cast<size_t>(w);
      }
    }
    setp(buf_.data(), buf_.data() + buf_.size());
    return err_ == 0;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  int fd_;
  std::vector<char> buf_;
  int err_ = 0;
};

OutputFile::OutputFile(std::string path, FileMode mode) : path_(std::move(path)) {
  if (path_.empty()) throw Error("output path is empty");
  const bool secret = mode == FileMode::kSecret;
  const bool system_path = path_ == "/dev/stdout" || path_ == "/dev/stderr" || path_.rfind("/dev/fd/", 0) == 0 ||
                           path_.rfind("/proc/", 0) == 0;
  if (path_ == "-") {
    std::fflush(stdout);  // keep the order of what stdio already holds
    fd_ = 1;
  } else if (system_path) {
    // /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: always a stream
    // (even when /dev/stdout leads to a regular file), never created. This
    // process's own descriptors are duplicated (sharing the file offset with
    // what stdio writes); other /proc paths are opened for appending.
    std::fflush(stdout);
    int own = -1;
    if (path_ == "/dev/stdout") own = 1;
    else if (path_ == "/dev/stderr") own = 2;
    for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
      const std::string p(prefix);
      if (path_.rfind(p, 0) == 0 && path_.size() > p.size() && path_.size() < p.size() + 9 &&
          path_.find_first_not_of("0123456789", p.size()) == std::string::npos)
        own = std::stoi(path_.substr(p.size()));
    }
    fd_ = own >= 0 ? ::fcntl(own, F_DUPFD_CLOEXEC, 3) : ::open(path_.c_str(), O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) throw Error(path_ + ": cannot write: " + std::strerror(errno));
  } else {
    struct stat st;
    bool absent = false;
    target_ = path_;
    if (::lstat(path_.c_str(), &st) != 0) {
      if (errno != ENOENT) throw Error(path_ + ": cannot write: " + std::strerror(errno));
      absent = true;
    } else if (S_ISLNK(st.st_mode)) {
      if (::stat(path_.c_str(), &st) != 0)
        throw Error(path_ + ": is a symbolic link to a missing file; keymac does not create link targets");
      if (S_ISREG(st.st_mode)) {
        char buf[PATH_MAX];
        if (!::realpath(path_.c_str(), buf)) throw Error(path_ + ": cannot resolve symbolic link: " + std::strerror(errno));
        target_ = buf;
      }
    }
    if (!absent && S_ISDIR(st.st_mode)) throw Error(path_ + ": is a directory; give a file name");
    if (absent || S_ISREG(st.st_mode)) {
      const std::string dir = dir_of(target_), base = base_of(target_);
      const mode_t create = secret ? 0600 : 0666;
      for (int attempt = 0; fd_ < 0; ++attempt) {
        tmp_ = dir + "/." + base + ".keymac-" + random_suffix();
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, create);
        if (fd_ < 0 && (errno != EEXIST || attempt >= 16)) {
          const int e = errno;
          tmp_.clear();
          throw Error(path_ + ": cannot write: " + std::strerror(e));
        }
      }
      const mode_t want = secret ? 0600 : (absent ? 0 : (st.st_mode & 07777));
      if (want != 0 && ::fchmod(fd_, want) != 0) {
        const int e = errno;
        ::close(fd_);
        ::unlink(tmp_.c_str());
        throw Error(path_ + ": cannot set file mode: " + std::strerror(e));
      }
    } else {  // device, FIFO, socket: stream to it, never create or replace it
      fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (fd_ < 0) throw Error(path_ + ": cannot write: " + std::strerror(errno));
    }
  }
  buf_ = std::make_unique<Buf>(fd_);
  os_ = std::make_unique<std::ostream>(buf_.get());
}

OutputFile::~OutputFile() {
  if (done_) return;
  if (fd_ > 1) ::close(fd_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

void OutputFile::fail(const std::string& what, int err) {
  os_->setstate(std::ios::badbit);
  throw Error(path_ + ": " + what + ": " + std::strerror(err));
}

void OutputFile::check() {
  if (done_) throw Error(path_ + ": written after it was closed");
  if (buf_->err()) fail("write failed", buf_->err());
  if (!*os_) throw Error(path_ + ": write failed");
}

void OutputFile::write(const char* data, size_t n) {
  os_->write(data, static_cast<std::streamsize>(n));
  check();
}

void OutputFile::commit() {
  check();
  if (!buf_->drain()) fail("write failed", buf_->err());
  done_ = true;
  if (fd_ == 1) return;
  const int fd = fd_;
  fd_ = -1;
  if (!tmp_.empty()) {
    if (::fsync(fd) != 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp_.c_str());
      fail("write failed", e);
    }
  }
  if (::close(fd) != 0) {
    const int e = errno;
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    fail("write failed", e);
  }
  if (tmp_.empty()) return;
  if (std::rename(tmp_.c_str(), target_.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp_.c_str());
    fail("cannot rename into place", e);
  }
  const int dfd = ::open(dir_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // make the rename durable; best effort (not every file system allows it)
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomic(const std::string& path, const std::string& data, FileMode mode) {
  OutputFile f(path, mode);
  f.write(data);
  f.commit();
}

std::string read_text_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(what + " " + path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(what + " " + path + ": read error");
  return ss.str();
}

std::string stdout_error() {
  errno = 0;
  const bool flush_failed = std::fflush(stdout) != 0;
  const int e = errno;
  if (flush_failed) return std::string("stdout: write failed: ") + std::strerror(e ? e : EIO);
  if (std::ferror(stdout)) return "stdout: write failed (output is incomplete)";
  return {};
}

}  // namespace keymac
