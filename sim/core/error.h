// keymac::Error — the one exception type of the project.
// Contract: what() is a single line that names the offending file or
// parameter and the problem; the CLI prints it as "keymac: <what>" and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace keymac {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

}  // namespace keymac
