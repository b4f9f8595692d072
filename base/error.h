// keymac::Error — the one exception type of the project.
// Contract: what() is a single line that names the offending file or
// parameter and the problem; the CLI prints it as "keymac: <what>" and exits 1.
// UsageError: a bad command line (option value out of range, unknown flag);
// the CLI prints it the same way and exits 2.
// Control characters in the message (a newline in an ONNX node name, a
// sweep-spec key or a path) are shown as '?', so text taken from a hostile
// input can never break the one line.
#pragma once
#include <stdexcept>
#include <string>

namespace keymac {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(one_line(msg)) {}

 private:
  static std::string one_line(std::string s) {
    for (char& c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return s;
  }
};

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& msg) : Error(msg) {}
};

}  // namespace keymac
