// A per-PE key: one bit per PE of an R x C array (ARCHITECTURE.md sections 3-5).
// Contract: bit(r, c) is k[r][c]; serial() is the order in which the bits enter
// the key port (row-major, j = r*C + c). Key files use the text format in
// docs/FORMATS.md; read() throws keymac::Error naming the file on any problem.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/geometry.h"

namespace keymac {

// A 256x256 key file is about 17 KB; anything over this cap is not a key file.
constexpr uint64_t kMaxKeyFileBytes = uint64_t(1) << 20;

class Key {
 public:
  Key() = default;
  explicit Key(Geometry g) : geometry_(g), bits_(static_cast<size_t>(g.pes()), 0) {}

  // Fresh key from the operating system's secure random source (getrandom).
  static Key secure_random(Geometry g);
  // Reproducible pseudo-random key (for wrong-key experiments), from a seed.
  static Key seeded_random(Geometry g, uint64_t seed);
  static Key read(const std::string& path);
  // Writes atomically (temporary file + rename); throws keymac::Error.
  void write(const std::string& path) const;
  std::string to_text() const;
  static Key from_text(const std::string& text, const std::string& origin);

  const Geometry& geometry() const { return geometry_; }
  int bit(int r, int c) const { return bits_[static_cast<size_t>(r * geometry_.cols + c)]; }
  void set(int r, int c, int v) { bits_[static_cast<size_t>(r * geometry_.cols + c)] = v ? 1 : 0; }
  void flip(int r, int c) { set(r, c, !bit(r, c)); }
  // Row-major bits as they enter the serial key port.
  const std::vector<uint8_t>& serial() const { return bits_; }
  int hamming_distance(const Key& other) const;
  bool operator==(const Key& o) const { return geometry_ == o.geometry_ && bits_ == o.bits_; }
  bool operator!=(const Key& o) const { return !(*this == o); }

 private:
  Geometry geometry_;
  std::vector<uint8_t> bits_;
};

// Where the key register's bits come from. Today: the serial key port loaded
// from a Key; key expansion from a short master key (roadmap) implements the
// same interface. Contract: bits() returns exactly R*C bits in port order.
class KeySource {
 public:
  virtual ~KeySource() = default;
  virtual Geometry geometry() const = 0;
  virtual std::vector<uint8_t> bits() const = 0;
};

class SerialKeySource : public KeySource {
 public:
  explicit SerialKeySource(Key key) : key_(std::move(key)) {}
  Geometry geometry() const override { return key_.geometry(); }
  std::vector<uint8_t> bits() const override { return key_.serial(); }

 private:
  Key key_;
};

}  // namespace keymac
