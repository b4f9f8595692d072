#include "sim/core/master_key.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>

#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/key.h"
#include "sim/core/error.h"

namespace keymac {

MasterKey MasterKey::secure_random() {
  MasterKey k;
  size_t got = 0;
  while (got < k.bytes_.size()) {
    ssize_t n = getrandom(k.bytes_.data() + got, k.bytes_.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  return k;
}

MasterKey MasterKey::seeded_random(uint64_t seed) {
  MasterKey k;
  std::mt19937_64 rng(seed ^ 0x6d61737465726b79ull);
  for (auto& b : k.bytes_) b = static_cast<uint8_t>(rng() & 0xff);
  return k;
}

std::string MasterKey::hex() const {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes_) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

int MasterKey::hamming_distance(const MasterKey& o) const {
  int d = 0;
  for (int i = 0; i < kBits; ++i) d += bit(i) != o.bit(i);
  return d;
}

std::string MasterKey::to_text() const {
  return "# keymac master key v1: 80-bit Trivium key, bytes 0..9 in hex (eSTREAM order; key bit i = bit i%8 of byte i/8)\n"
         "mode expanded\ncipher trivium\nkey " + hex() + "\n";
}

namespace {
// Lines without comments and surrounding blanks, with their numbers.
std::vector<std::pair<int, std::string>> content_lines(const std::string& text) {
  std::vector<std::pair<int, std::string>> out;
  std::istringstream is(text);
  std::string line;
  int n = 0;
  while (std::getline(is, line)) {
    ++n;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const size_t s = line.find_first_not_of(" \t");
    if (s == std::string::npos || line[s] == '#') continue;
    out.emplace_back(n, line.substr(s));
  }
  return out;
}
}  // namespace

bool MasterKey::looks_like_master_key(const std::string& text) {
  const auto lines = content_lines(text);
  return !lines.empty() && lines[0].second == "mode expanded";
}

MasterKey MasterKey::from_text(const std::string& text, const std::string& origin) {
  const auto lines = content_lines(text);
  auto at = [&](size_t i) { return origin + ":" + std::to_string(i < lines.size() ? lines[i].first : 0) + ": "; };
  if (lines.empty()) throw Error(origin + ": empty master-key file (expected 'mode expanded', 'cipher trivium', 'key <20 hex digits>')");
  if (lines[0].second != "mode expanded") throw Error(at(0) + "not a keymac master-key file (expected 'mode expanded' first)");
  if (lines.size() < 2 || lines[1].second != "cipher trivium") throw Error(at(1) + "expected 'cipher trivium'");
  if (lines.size() < 3 || lines[2].second.rfind("key ", 0) != 0) throw Error(at(2) + "expected 'key <20 hex digits>'");
  if (lines.size() > 3) throw Error(at(3) + "unexpected line after the key");
  const std::string h = lines[2].second.substr(4);
  if (h.size() != 20) throw Error(at(2) + "key has " + std::to_string(h.size()) + " hex digits, expected 20 (80 bits)");
  MasterKey k;
  for (size_t i = 0; i < 20; ++i) {
    const char ch = h[i];
    int v;
    if (ch >= '0' && ch <= '9') v = ch - '0';
    else if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F') v = ch - 'A' + 10;
    else throw Error(at(2) + "'" + std::string(1, ch) + "' is not a hex digit");
    k.bytes_[i / 2] = static_cast<uint8_t>(k.bytes_[i / 2] | (v << (i % 2 ? 0 : 4)));
  }
  return k;
}

MasterKey MasterKey::read(const std::string& path) { return from_text(read_file_capped(path, "master-key file", kMaxKeyFileBytes), path); }

void MasterKey::write(const std::string& path) const { write_file_atomic(path, to_text(), FileMode::kSecret); }  // secret: 0600

}  // namespace keymac
