// The master key of the expanded key mode (ARCHITECTURE.md section 11): an
// 80-bit Trivium key. Contract: bit(i) is key bit i, i = 0..79, which is bit
// (i mod 8) of byte i / 8 (the eSTREAM convention, see trivium.h). The text
// file format is in docs/FORMATS.md; read()/from_text() throw keymac::Error
// naming the file and line on any problem; write() is atomic and mode 0600.
#pragma once
#include <cstdint>
#include <string>

#include "sim/core/trivium.h"

namespace keymac {

class MasterKey {
 public:
  static constexpr int kBits = 80;

  MasterKey() = default;
  explicit MasterKey(const Trivium::Key80& bytes) : bytes_(bytes) {}
  // Fresh key from the operating system's secure random source (getrandom).
  static MasterKey secure_random();
  // Reproducible pseudo-random key (for experiments and tests), from a seed.
  static MasterKey seeded_random(uint64_t seed);
  static MasterKey read(const std::string& path);
  void write(const std::string& path) const;
  std::string to_text() const;
  static MasterKey from_text(const std::string& text, const std::string& origin);
  // True if the text is a master-key file (its first non-comment line is "mode expanded").
  static bool looks_like_master_key(const std::string& text);

  int bit(int i) const { return (bytes_[static_cast<size_t>(i / 8)] >> (i % 8)) & 1; }
  void flip(int i) { bytes_[static_cast<size_t>(i / 8)] ^= static_cast<uint8_t>(1u << (i % 8)); }
  const Trivium::Key80& bytes() const { return bytes_; }
  std::string hex() const;
  int hamming_distance(const MasterKey& o) const;
  bool operator==(const MasterKey& o) const { return bytes_ == o.bytes_; }
  bool operator!=(const MasterKey& o) const { return !(*this == o); }

 private:
  Trivium::Key80 bytes_{};
};

}  // namespace keymac
