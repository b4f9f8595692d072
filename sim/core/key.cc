#include "sim/core/key.h"

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>

#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/error.h"

namespace keymac {

Key Key::secure_random(Geometry g) {
  Key k(g);
  std::vector<uint8_t> buf(static_cast<size_t>((g.pes() + 7) / 8));
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = getrandom(buf.data() + got, buf.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  for (int j = 0; j < g.pes(); ++j) k.bits_[static_cast<size_t>(j)] = (buf[j / 8] >> (j % 8)) & 1;
  return k;
}

Key Key::seeded_random(Geometry g, uint64_t seed) {
  Key k(g);
  std::mt19937_64 rng(seed);
  for (auto& b : k.bits_) b = static_cast<uint8_t>(rng() & 1);
  return k;
}

int Key::hamming_distance(const Key& other) const {
  if (other.geometry_ != geometry_) throw Error("keys of different geometries cannot be compared");
  int d = 0;
  for (size_t i = 0; i < bits_.size(); ++i) d += bits_[i] != other.bits_[i];
  return d;
}

std::string Key::to_text() const {
  static const char* kHex = "0123456789abcdef";
  std::ostringstream os;
  os << "# keymac key v1: one line per PE row, column 0 is the MSB of the first hex digit\n";
  os << "array " << geometry_.str() << "\n";
  const int digits = (geometry_.cols + 3) / 4;
  for (int r = 0; r < geometry_.rows; ++r) {
    for (int d = 0; d < digits; ++d) {
      int v = 0;
      for (int b = 0; b < 4; ++b) {
        int c = d * 4 + b;
        v = (v << 1) | (c < geometry_.cols ? bit(r, c) : 0);
      }
      os << kHex[v];
    }
    os << "\n";
  }
  return os.str();
}

Key Key::from_text(const std::string& text, const std::string& origin) {
  std::istringstream is(text);
  std::string line;
  int lineno = 0;
  bool have_geom = false;
  Key k;
  int row = 0;
  auto fail = [&](const std::string& msg) -> Error {
    return Error(origin + ":" + std::to_string(lineno) + ": " + msg);
  };
  while (std::getline(is, line)) {
    ++lineno;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    size_t s = line.find_first_not_of(" \t");
    if (s == std::string::npos || line[s] == '#') continue;
    line = line.substr(s);
    if (!have_geom) {
      if (line.rfind("array ", 0) != 0)
        throw fail("not a keymac key file (expected 'array RxC' first)");
      k = Key(Geometry::parse(line.substr(6), origin + ":" + std::to_string(lineno)));
      have_geom = true;
      continue;
    }
    const int digits = (k.geometry_.cols + 3) / 4;
    if (row >= k.geometry_.rows) throw fail("more key rows than the " + k.geometry_.str() + " array has");
    if (static_cast<int>(line.size()) != digits)
      throw fail("key row " + std::to_string(row) + " has " + std::to_string(line.size()) +
                 " hex digits, expected " + std::to_string(digits) + " for " +
                 std::to_string(k.geometry_.cols) + " columns");
    for (int d = 0; d < digits; ++d) {
      char ch = line[static_cast<size_t>(d)];
      int v;
      if (ch >= '0' && ch <= '9') v = ch - '0';
      else if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
      else if (ch >= 'A' && ch <= 'F') v = ch - 'A' + 10;
      else if (std::isprint(static_cast<unsigned char>(ch))) throw fail(std::string("'") + ch + "' is not a hex digit");
      else throw fail("byte " + std::to_string(static_cast<unsigned char>(ch)) + " is not a hex digit");
      for (int b = 0; b < 4; ++b) {
        int c = d * 4 + b;
        int bitv = (v >> (3 - b)) & 1;
        if (c < k.geometry_.cols) k.set(row, c, bitv);
        else if (bitv) throw fail("padding bits beyond column " + std::to_string(k.geometry_.cols - 1) + " must be 0");
      }
    }
    ++row;
  }
  if (!have_geom) throw Error(origin + ": empty key file (expected 'array RxC' and hex rows)");
  if (row != k.geometry_.rows)
    throw Error(origin + ": key has " + std::to_string(row) + " rows, expected " +
                std::to_string(k.geometry_.rows) + " for a " + k.geometry_.str() + " array");
  return k;
}

Key Key::read(const std::string& path) {
  // At most kMaxKeyFileBytes + 1 bytes are read: `--key /dev/zero` is refused, not slurped.
  return from_text(read_file_capped(path, "key file", kMaxKeyFileBytes), path);
}

// Key files are secret: created 0600 (base/output_file.h).
void Key::write(const std::string& path) const { write_file_atomic(path, to_text(), FileMode::kSecret); }

const char* key_mode_name(KeyMode m) { return m == KeyMode::kExpanded ? "expanded" : "periodic"; }

KeyMode parse_key_mode(const std::string& text, const std::string& what) {
  if (text == "periodic") return KeyMode::kPeriodic;
  if (text == "expanded") return KeyMode::kExpanded;
  throw Error(what + ": key mode must be 'periodic' or 'expanded', not '" + text + "'");
}

void KeySource::fold_plane(int64_t, int64_t, uint8_t* plane) const {
  const auto b = bits();
  std::copy(b.begin(), b.end(), plane);
}

std::unique_ptr<KeySource> KeySource::clone() const {
  const Geometry g = geometry();
  const auto b = bits();
  Key k(g);
  for (int j = 0; j < g.pes(); ++j) k.set(j / g.cols, j % g.cols, b[static_cast<size_t>(j)]);
  return std::make_unique<SerialKeySource>(std::move(k));
}

// Wrong keys (issue 11): a periodic source flips bits of its R x C key.
std::unique_ptr<KeySource> KeySource::with_bits_flipped(const std::vector<int>& positions) const {
  auto c = clone();
  auto* s = dynamic_cast<SerialKeySource*>(c.get());
  if (!s) throw Error("key source: this kind of key cannot be flipped bit by bit");
  Key k = s->key();
  const Geometry g = k.geometry();
  for (int p : positions) {
    if (p < 0 || p >= g.pes()) throw Error("key source: bit " + std::to_string(p) + " is outside the key's " + std::to_string(g.pes()) + " bits");
    k.flip(p / g.cols, p % g.cols);
  }
  return std::make_unique<SerialKeySource>(std::move(k));
}

std::unique_ptr<KeySource> KeySource::random_like(uint64_t seed) const {
  return std::make_unique<SerialKeySource>(Key::seeded_random(geometry(), seed));
}

std::unique_ptr<KeySource> KeySource::at_distance(int d, uint64_t seed) const {
  const int n = secret_bits();
  if (d < 0 || d > n) throw Error("key source: Hamming distance " + std::to_string(d) + " is outside 0.." + std::to_string(n));
  std::vector<int> pos(static_cast<size_t>(n));
  for (int b = 0; b < n; ++b) pos[static_cast<size_t>(b)] = b;
  if (d == 1) {
    pos[0] = static_cast<int>(seed % static_cast<uint64_t>(n));
  } else if (d > 1) {
    std::mt19937_64 rng(seed);
    std::shuffle(pos.begin(), pos.end(), rng);
  }
  pos.resize(static_cast<size_t>(d));
  return with_bits_flipped(pos);
}

int KeySource::hamming_distance(const KeySource& other) const {
  const auto a = bits(), b = other.bits();
  if (a.size() != b.size()) throw Error("key source: cannot compare keys of " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + " bits");
  int d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] != 0) != (b[i] != 0);
  return d;
}

}  // namespace keymac
