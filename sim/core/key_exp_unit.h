// The key-expansion unit of the expanded key mode (rtl/km_keyexp.sv with
// Par = C; ARCHITECTURE.md sections 11.2-11.5), cycle by cycle, for the
// register-level array (WsArrayCore).
//
// Contract: clock(...) is one rising edge with the unit's inputs of that cycle,
// exactly as km_keyexp:
//  * key_valid: the next of the 80 master-key bits (bit 0 first); the 80th
//    seals the register; a bit while sealed sets the sticky err().
//  * start (ignored unless sealed): load the state from the master key and
//    `iv` (IV bit i = bit i%8 of byte i/8 at s_(173-i), key bit i at s_(80-i),
//    s_286..s_288 = 1) and run the 1152 warm-up rounds, Par per cycle, in
//    ceil(1152/Par) cycles; ready() is 1 from the cycle after the last one.
//  * keystream(): the Par bits z_j .. z_(j+Par-1) offered in the current cycle
//    (all 0 unless ready() and not start); `next` in a ready cycle consumes them.
// The state is an independent bit-level model of the RTL's 288 flip-flops
// (Par rounds per edge), not a wrapper of sim/core/trivium.h, so tests can
// check one against the other.
#pragma once
#include <array>
#include <bitset>
#include <cstdint>
#include <vector>

namespace keymac {

class KeyExpUnit {
 public:
  explicit KeyExpUnit(int par);
  void reset();
  // Keystream offered in the current cycle (before the edge), given start.
  void keystream(bool start, uint8_t* z) const;
  void clock(bool key_valid, bool key_bit, bool start, const std::array<uint8_t, 10>& iv, bool next);
  bool sealed() const { return sealed_; }
  bool err() const { return err_; }
  bool ready() const { return ready_; }
  int par() const { return par_; }
  int warmup_cycles() const { return (1152 + par_ - 1) / par_; }

 private:
  using State = std::bitset<288>;  // bit i = s_(i+1)
  static int round(State& s);      // one Trivium round in place; returns z
  State advance(State s, int rounds) const;
  int par_;
  std::array<uint8_t, 80> mk_{};
  int mk_count_ = 0;
  bool sealed_ = false, err_ = false, ready_ = false;
  State state_;
  int warm_ = 0;  // warm-up cycles still to run
};

}  // namespace keymac
