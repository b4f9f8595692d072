// The output layer: every file keymac writes goes through OutputFile or
// write_file_atomic() (docs/RELIABILITY.md, "Outputs").
//
// Contract:
//  * Target kinds. "-" is standard output. A regular file or an absent path is
//    written atomically: a temporary file created with O_CREAT|O_EXCL|O_NOFOLLOW
//    under a random name in the target's directory, fsynced, then renamed over
//    the target; until commit() the target keeps its old contents, and a failed
//    or abandoned write leaves no temporary file behind. A character or block
//    device, a FIFO or a socket is opened and written directly (never created,
//    truncated or replaced: /dev/null stays /dev/null). A directory is refused.
//  * Symbolic links are followed for the type and never replaced: a link to a
//    regular file gets that file rewritten atomically (the link keeps pointing
//    at it), a link to a device or FIFO is streamed to, a link to a directory
//    is refused, and a dangling link is refused (keymac does not create files
//    where a link points). /dev/stdout, /dev/stderr, /dev/fd/N and paths
//    under /proc/ are always streamed (appended, never created), even when
//    they lead to a regular file (`--out /dev/stdout > file`).
//  * FileMode::kSecret creates the file 0600 (key files, anything that can hold
//    key material) and resets an existing file's mode to 0600; kPublic creates
//    0666 & ~umask and keeps an existing regular file's permission bits.
//  * Every write, fsync, close and rename is checked. Errors throw keymac::Error
//    with one line "<path>: <what failed>: <strerror>"; after a failed write
//    the stream is bad, check() and commit() throw.
#pragma once
#include <memory>
#include <ostream>
#include <string>

namespace keymac {

enum class FileMode { kPublic, kSecret };

class OutputFile {
 public:
  explicit OutputFile(std::string path, FileMode mode = FileMode::kPublic);
  ~OutputFile();  // without commit(): the temporary file is removed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const char* data, size_t n);  // buffered; throws on a failed write
  void write(const std::string& s) { write(s.data(), s.size()); }
  // A stream over the same buffer (for << formatting). A failed write sets
  // badbit; call check() to turn it into keymac::Error.
  std::ostream& stream() { return *os_; }
  void check();
  void commit();  // flush, fsync, close, rename into place; the file is then done
  bool atomic() const { return !tmp_.empty(); }
  const std::string& path() const { return path_; }

 private:
  class Buf;
  void fail(const std::string& what, int err);
  std::string path_, target_, tmp_;
  int fd_ = -1;
  bool done_ = false;
  std::unique_ptr<Buf> buf_;
  std::unique_ptr<std::ostream> os_;
};

// Writes `data` to `path` through an OutputFile and commits it.
void write_file_atomic(const std::string& path, const std::string& data, FileMode mode = FileMode::kPublic);
// Reads a whole file; throws keymac::Error "<what> <path>: <reason>".
std::string read_text_file(const std::string& path, const std::string& what);
// Flushes stdout and reports a failed write (ENOSPC, EPIPE, ...) at any time
// since start-up: empty when all went out, else one line "stdout: ...".
std::string stdout_error();

}  // namespace keymac
