#include "base/shell_quote.h"

#include "base/error.h"

namespace keymac {

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+./=:,@%") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool is_safe_name(const std::string& s) {
  if (s.empty() || s.size() > 200 || s[0] == '-' || s[0] == '.') return false;
  return s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
}

void check_script_text(const std::string& what, const std::string& s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      throw Error(what + ": holds a control character (newline, tab, ...); it cannot go into a generated script");
  }
}

}  // namespace keymac
