// keymac::Error — the one exception type of the project.
// Contract: what() is a single line that names the offending file or
// parameter and the problem; the CLI prints it as "keymac: <what>" and exits 1.
// UsageError: a bad command line (option value out of range, unknown flag);
// the CLI prints it the same way and exits 2.
#pragma once
#include <stdexcept>
#include <string>

namespace keymac {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& msg) : Error(msg) {}
};

}  // namespace keymac
