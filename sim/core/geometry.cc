#include "sim/core/geometry.h"

#include <cctype>

#include "sim/core/error.h"

namespace keymac {

namespace {
bool parse_int(const std::string& s, long& out) {
  if (s.empty() || s.size() > 9) return false;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  out = std::stol(s);
  return true;
}
}  // namespace

Geometry Geometry::make(int rows, int cols, const std::string& what) {
  if (rows < 1 || cols < 1 || rows > kMaxDim || cols > kMaxDim || rows * cols > kMaxPes)
    throw Error(what + ": array " + std::to_string(rows) + "x" + std::to_string(cols) +
                " is out of range (rows and cols must be 1.." + std::to_string(kMaxDim) + ")");
  Geometry g;
  g.rows = rows;
  g.cols = cols;
  return g;
}

Geometry Geometry::parse(const std::string& text, const std::string& what) {
  auto x = text.find_first_of("xX");
  long r = 0, c = 0;
  if (x == std::string::npos || !parse_int(text.substr(0, x), r) ||
      !parse_int(text.substr(x + 1), c))
    throw Error(what + ": '" + text + "' is not an array geometry of the form RxC (e.g. 16x16)");
  if (r < 1 || c < 1 || r > kMaxDim || c > kMaxDim)
    throw Error(what + ": array " + text + " is out of range (rows and cols must be 1.." +
                std::to_string(kMaxDim) + ")");
  return make(static_cast<int>(r), static_cast<int>(c), what);
}

}  // namespace keymac
