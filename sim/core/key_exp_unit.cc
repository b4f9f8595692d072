#include "sim/core/key_exp_unit.h"

#include "sim/core/error.h"

namespace keymac {

KeyExpUnit::KeyExpUnit(int par) : par_(par) {
  if (par < 1 || par > 1152) throw Error("key-expansion unit: " + std::to_string(par) + " rounds per cycle is outside 1..1152");
  reset();
}

void KeyExpUnit::reset() {
  mk_.fill(0);
  mk_count_ = 0;
  sealed_ = err_ = ready_ = false;
  state_.reset();
  warm_ = 0;
}

int KeyExpUnit::round(State& s) {
  bool t1 = s[65] ^ s[92];
  bool t2 = s[161] ^ s[176];
  bool t3 = s[242] ^ s[287];
  const int z = t1 ^ t2 ^ t3;
  t1 = t1 ^ (s[90] & s[91]) ^ s[170];
  t2 = t2 ^ (s[174] & s[175]) ^ s[263];
  t3 = t3 ^ (s[285] & s[286]) ^ s[68];
  s <<= 1;
  s[0] = t3;
  s[93] = t1;
  s[177] = t2;
  return z;
}

KeyExpUnit::State KeyExpUnit::advance(State s, int rounds) const {
  for (int p = 0; p < rounds; ++p) round(s);
  return s;
}

void KeyExpUnit::keystream(bool start, uint8_t* z) const {
  State s = state_;
  const bool on = ready_ && !start;
  for (int p = 0; p < par_; ++p) {
    const int b = round(s);
    z[p] = on ? static_cast<uint8_t>(b) : 0;
  }
}

void KeyExpUnit::clock(bool key_valid, bool key_bit, bool start, const std::array<uint8_t, 10>& iv, bool next) {
  const int W = warmup_cycles(), last = 1152 - (W - 1) * par_;
  const bool was_sealed = sealed_;
  if (key_valid) {
    if (sealed_) {
      err_ = true;
    } else {
      mk_[static_cast<size_t>(mk_count_)] = key_bit ? 1 : 0;
      if (++mk_count_ == 80) sealed_ = true;
    }
  }
  if (start && was_sealed) {
    State s;
    for (int i = 0; i < 80; ++i) {
      s[static_cast<size_t>(79 - i)] = mk_[static_cast<size_t>(i)];
      s[static_cast<size_t>(172 - i)] = (iv[static_cast<size_t>(i / 8)] >> (i % 8)) & 1;
    }
    s[285] = s[286] = s[287] = true;
    state_ = advance(s, W == 1 ? last : par_);
    warm_ = W - 1;
    ready_ = W == 1;
  } else if (warm_ != 0) {
    state_ = advance(state_, warm_ == 1 ? last : par_);
    ready_ = warm_ == 1;
    --warm_;
  } else if (ready_ && next) {
    state_ = advance(state_, par_);
  }
}

}  // namespace keymac
