// Trivium (De Cannière and Preneel; eSTREAM hardware portfolio): the stream
// cipher that expands a master key into per-fold key bits (ARCHITECTURE.md
// section 11).
//
// Contract: Trivium(key, iv) loads an 80-bit key and an 80-bit IV in the
// eSTREAM reference convention and runs the 4*288 = 1152 warm-up rounds;
// next_bit() then returns the keystream bits z_0, z_1, ... in order.
//  * Key bit i (i = 0..79) is bit (i mod 8) of byte i / 8 (least significant
//    bit first) and goes to state bit s_(80-i): the specification's
//    (s_1..s_80) <- (K_1..K_80) with K_1 = bit 7 of byte 9 ... K_80 = bit 0
//    of byte 0. The IV likewise: IV bit i to s_(173-i). s_286..s_288 = 1,
//    all other state bits 0.
//  * The eSTREAM test vectors print the keystream as bytes whose bit b is
//    z_(8*byte + b) (least significant bit first), and write key and IV as
//    bytes 0..9 from left to right.
// So "key = 80000000000000000000" is byte 0 = 0x80: key bit 7 = s_73. (This
// reading was fixed by the vectors: the test checks all of them.)
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace keymac {

class Trivium {
 public:
  static constexpr int kKeyBytes = 10;
  static constexpr int kIvBytes = 10;
  static constexpr int kStateBits = 288;
  static constexpr int kWarmupRounds = 4 * kStateBits;  // 1152, no output

  using Key80 = std::array<uint8_t, kKeyBytes>;
  using Iv80 = std::array<uint8_t, kIvBytes>;

  Trivium(const Key80& key, const Iv80& iv);
  int next_bit();
  // Appends n keystream bits (one per byte, 0/1) to out.
  void generate(int64_t n, std::vector<uint8_t>& out);
  // n keystream bytes in the eSTREAM print order (bit b of byte j = z_(8j+b)).
  std::vector<uint8_t> keystream_bytes(int64_t n);

 private:
  int round(bool output);
  // State bit s_i (1-based, as in the specification).
  uint8_t& s(int i) { return ring_[static_cast<std::size_t>((head_ + i - 1) % kStateBits)]; }
  // The three shift registers advance together, so one 288-bit ring holds
  // them; s_1, s_94 and s_178 receive the feedback bits.
  std::array<uint8_t, kStateBits> ring_{};
  int head_ = 0;
};

}  // namespace keymac
