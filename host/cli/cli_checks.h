// CLI11 validators for keymac's numeric options, so every bad value is refused
// before a command runs, with one line in keymac's format
// ("keymac: --threads: must be 0..1024, not 20000") and exit code 2.
// Contract: each validator reads the option's text itself: only decimal
// integers (no sign for unsigned quantities, so "-1" never wraps to 2^64-1)
// or finite reals; the message names the allowed range and the value given.
#pragma once
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace keymac::cli {

// An integer in [lo, hi] (hi: the largest value that makes sense).
inline CLI::Validator int_range(int64_t lo, int64_t hi) {
  const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
        const bool neg = s.size() > 1 && s[0] == '-' && s.find_first_not_of("0123456789", 1) == std::string::npos;
        if (!digits && !neg) return "'" + s + "' is not an integer (" + range + ")";
        errno = 0;
        const long long v = std::strtoll(s.c_str(), nullptr, 10);
        if (errno == ERANGE || v < lo || v > hi) return "must be " + range + ", not " + s;
        return {};
      },
      "INT in " + range);
}

// A finite real number > lo (or >= lo when inclusive), at most hi.
inline CLI::Validator real_range(double lo, double hi, bool inclusive) {
  const std::string range = (inclusive ? ">= " : "> ") + CLI::detail::to_string(lo) + " and <= " + CLI::detail::to_string(hi);
  return CLI::Validator(
      [lo, hi, inclusive, range](std::string& s) -> std::string {
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) return "'" + s + "' is not a finite number";
        if ((inclusive ? v < lo : v <= lo) || v > hi) return "must be " + range + ", not " + s;
        return {};
      },
      "NUMBER " + range);
}

}  // namespace keymac::cli
