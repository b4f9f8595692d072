#include "sim/core/trivium.h"

namespace keymac {

Trivium::Trivium(const Key80& key, const Iv80& iv) {
  for (int i = 0; i < 80; ++i) {
    s(80 - i) = static_cast<uint8_t>((key[static_cast<std::size_t>(i / 8)] >> (i % 8)) & 1);
    s(173 - i) = static_cast<uint8_t>((iv[static_cast<std::size_t>(i / 8)] >> (i % 8)) & 1);
  }
  s(286) = s(287) = s(288) = 1;
  for (int r = 0; r < kWarmupRounds; ++r) round(false);
}

int Trivium::round(bool output) {
  int t1 = s(66) ^ s(93);
  int t2 = s(162) ^ s(177);
  int t3 = s(243) ^ s(288);
  const int z = output ? (t1 ^ t2 ^ t3) : 0;
  t1 ^= (s(91) & s(92)) ^ s(171);
  t2 ^= (s(175) & s(176)) ^ s(264);
  t3 ^= (s(286) & s(287)) ^ s(69);
  // Shift every register by one: old s_i becomes s_(i+1); s_288 falls off.
  head_ = (head_ + kStateBits - 1) % kStateBits;
  s(1) = static_cast<uint8_t>(t3);
  s(94) = static_cast<uint8_t>(t1);
  s(178) = static_cast<uint8_t>(t2);
  return z;
}

int Trivium::next_bit() { return round(true); }

void Trivium::generate(int64_t n, std::vector<uint8_t>& out) {
  out.reserve(out.size() + static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(round(true)));
}

std::vector<uint8_t> Trivium::keystream_bytes(int64_t n) {
  std::vector<uint8_t> out(static_cast<std::size_t>(n), 0);
  for (int64_t j = 0; j < n; ++j)
    for (int b = 0; b < 8; ++b) out[static_cast<std::size_t>(j)] |= static_cast<uint8_t>(round(true) << b);
  return out;
}

}  // namespace keymac
