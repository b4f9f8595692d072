// keymac::Error — the one exception type of the project.
// Contract: what() is a single line that names the offending file or
// parameter and the problem; the CLI prints it as "keymac: <what>" and exits 1.
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

}  // namespace keymac
