// The expanded key mode (ARCHITECTURE.md section 11) as a KeySource.
// Contract: for GEMM layer L of a package with nonce `nonce`,
//   IV(L) = bytes 0..7: nonce, little-endian; bytes 8..9: L, little-endian
//   kbit(L, f, r, c) = z_j, j = (f*R + r)*C + c,
// where z_0, z_1, ... is Trivium(master key, IV(L)) after its 1152 warm-up
// rounds. fold_plane() returns these bits; bits() are the 80 master-key bits
// (the serial key port); warmup_cycles() = ceil(1152 / C) (the cipher makes C
// bits per cycle). Layers are limited to 0..65535. Thread-safe.
#pragma once
#include <map>
#include <mutex>

#include "sim/core/key.h"
#include "sim/core/master_key.h"

namespace keymac {

class ExpandedKeySource : public KeySource {
 public:
  ExpandedKeySource(Geometry g, MasterKey key, uint64_t nonce) : g_(g), key_(key), nonce_(nonce) {}
  ExpandedKeySource(const ExpandedKeySource& o) : g_(o.g_), key_(o.key_), nonce_(o.nonce_) {}

  static Trivium::Iv80 layer_iv(uint64_t nonce, int64_t layer);

  Geometry geometry() const override { return g_; }
  KeyMode mode() const override { return KeyMode::kExpanded; }
  std::vector<uint8_t> bits() const override;
  void fold_plane(int64_t layer, int64_t fold, uint8_t* plane) const override;
  uint64_t warmup_cycles() const override;
  uint64_t key_bit_writes_per_fold() const override { return static_cast<uint64_t>(g_.pes()); }
  std::unique_ptr<KeySource> clone() const override { return std::make_unique<ExpandedKeySource>(*this); }
  // Master-key bits flipped / a seeded master key; same geometry and nonce.
  std::unique_ptr<KeySource> with_bits_flipped(const std::vector<int>& positions) const override;
  std::unique_ptr<KeySource> random_like(uint64_t seed) const override;

  const MasterKey& master_key() const { return key_; }
  uint64_t nonce() const { return nonce_; }

 private:
  struct Stream {
    Trivium cipher;
    std::vector<uint8_t> bits;
  };
  Geometry g_;
  MasterKey key_;
  uint64_t nonce_;
  mutable std::mutex mu_;
  mutable std::map<int64_t, Stream> streams_;  // per layer, extended on demand
};

}  // namespace keymac
