// Nesting depth of a JSON text, measured before it is parsed: nlohmann's
// dump() and error paths recurse per level, so an untrusted file with 100k
// nested brackets is refused by its reader instead of overflowing the stack.
// Contract: returns the deepest nesting of [ and { outside string literals
// (escapes honoured); never allocates.
#pragma once
#include <cstddef>
#include <string>

namespace keymac {

inline size_t json_nesting_depth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace keymac
