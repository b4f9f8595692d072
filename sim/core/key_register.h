// The write-only key register of ARCHITECTURE.md section 5, cycle by cycle.
// Contract: clock(valid, bit) is one rising edge with key_valid_i = valid and
// key_bit_i = bit. The first R*C valid bits after reset() fill positions
// 0 .. R*C-1 (row-major) and then seal the register; a valid bit while sealed
// leaves the bits unchanged and sets the sticky err() flag. A plain array
// (keyed = false) has no register: bits stay 0, sealed() and err() stay 0.
// bit(r, c) exists only for the PEs' sign path (no port reads it back).
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/geometry.h"

namespace keymac {

class KeyRegister {
 public:
  KeyRegister(Geometry g, bool keyed) : g_(g), keyed_(keyed) { reset(); }
  void reset() {
    bits_.assign(static_cast<size_t>(g_.pes()), 0);
    next_ = 0;
    sealed_ = err_ = false;
  }
  void clock(bool valid, bool bit) {
    if (!keyed_ || !valid) return;
    if (sealed_) {
      err_ = true;
      return;
    }
    bits_[static_cast<size_t>(next_)] = bit ? 1 : 0;
    if (++next_ == g_.pes()) sealed_ = true;
  }
  bool keyed() const { return keyed_; }
  bool sealed() const { return sealed_; }
  bool err() const { return err_; }
  int bit(int r, int c) const { return bits_[static_cast<size_t>(r * g_.cols + c)]; }
  const std::vector<uint8_t>& bits() const { return bits_; }
  Geometry geometry() const { return g_; }

 private:
  Geometry g_;
  bool keyed_;
  std::vector<uint8_t> bits_;
  int next_ = 0;
  bool sealed_ = false, err_ = false;
};

}  // namespace keymac
