#include "sim/core/ws_array_core.h"

#include <algorithm>
#include <cstring>

#include "sim/core/error.h"

namespace keymac {

WsArrayCore::WsArrayCore(Geometry g, bool keyed) : g_(g), key_(g, keyed), kx_(g.cols) { reset(); }

WsArrayCore::WsArrayCore(Geometry g, KeyMode mode)
    : g_(g), key_(g, mode == KeyMode::kPeriodic), mode_(mode), kx_(g.cols) {
  reset();
}

void WsArrayCore::reset() {
  const size_t R = static_cast<size_t>(g_.rows), C = static_cast<size_t>(g_.cols), n = R * C;
  key_.reset();
  kx_.reset();
  ks_.assign(C, 0);
  zero_row_.assign(C, 0);
  act_a_.assign(2 * n, 0);
  act_b_.assign(2 * n, 0);
  act_v_.assign(2 * n, 0);
  act_pos_ = 0;
  psum_.assign(n, 0);
  for (auto& b : w_) b.assign(n, 0);
  for (auto& k : kmask_) k.assign(n, 0);
  skew_a_.assign(R * R, 0);
  skew_b_.assign(R, 0);
  skew_v_.assign(R, 0);
  skew_head_ = 0;
  deskew_.assign(C * C, 0);
  deskew_head_ = 0;
  wp_valid_.assign(C, 0);
  wp_bank_.assign(C, 0);
  wp_row_.assign(C, 0);
  wp_data_.assign(C * C, 0);
  wp_kbits_.assign(C * C, 0);
  wp_head_ = 0;
  cycle_ = 0;
}

void WsArrayCore::refresh_periodic_masks() {
  const auto& bits = key_.bits();
  for (size_t i = 0; i < bits.size(); ++i) kmask_[0][i] = kmask_[1][i] = bits[i] ? 0xff : 0;
}

void WsArrayCore::outputs(ArrayOutputs& out) const {
  const int R = g_.rows, C = g_.cols;
  if (static_cast<int>(out.psum_data.size()) != C) out.resize(g_);
  const bool x = mode_ == KeyMode::kExpanded;
  out.key_sealed = x ? kx_.sealed() : key_.sealed();
  out.key_err = x ? kx_.err() : key_.err();
  // All columns carry the same activation wave after deskew; column C-1 has
  // no deskew register, so its valid is the bottom PE's.
  out.psum_valid = act_v_[act(R - 1) + static_cast<size_t>(C - 1)] != 0;
  for (int c = 0; c < C; ++c) {
    const size_t uc = static_cast<size_t>(c);
    const size_t lag = static_cast<size_t>(C - 1 - c), uC = static_cast<size_t>(C);  // deskew registers
    // deskew_head_ holds the last edge's entry: lag - 1 entries before it.
    const size_t back = lag == 0 ? 0 : lag - 1;
    const size_t slot = deskew_head_ >= back ? deskew_head_ - back : deskew_head_ + uC - back;
    const uint32_t v = lag == 0 ? psum_[pe(R - 1, c)] : deskew_[slot * uC + uc];
    out.psum_data[uc] = out.psum_valid ? static_cast<int32_t>(v) : 0;
  }
}

namespace {
// One PE row's edge: new psum[c] = psum_in[c] + (valid ? (w*a XOR k) + k : 0),
// with w and k from the bank the activation carries. Branch-free over c so
// that the compiler vectorises it.
template <size_t kC>  // kC = 0: C given at run time; else C == kC (loop fully known)
void pe_row(size_t C, const int8_t* __restrict a, const uint8_t* __restrict bank, const uint8_t* __restrict valid,
            const int8_t* __restrict w0, const int8_t* __restrict w1, const uint8_t* __restrict k0,
            const uint8_t* __restrict k1, const uint32_t* __restrict psum_in, uint32_t* __restrict psum_out) {
  if (kC) C = kC;
  for (size_t c = 0; c < C; ++c) {
    // Bank select on the bytes (weight and key mask), then the int8 x int8
    // product in 16 bits (it fits: -16256 .. 16384), so are its negation and
    // the valid mask; widened to 32 bits only for the add.
    // RTL: psum_in + (p XOR {32{k}}) + k, i.e. psum_in - p when k, where p
    // is the 32-bit sign extension of the product: the same value mod 2^32.
    const uint8_t sel = static_cast<uint8_t>(0u - (bank[c] & 1u));  // all ones: bank 1
    const auto w = static_cast<int8_t>((static_cast<uint8_t>(w1[c]) & sel) | (static_cast<uint8_t>(w0[c]) & ~sel));
    const auto k = static_cast<int16_t>(static_cast<int8_t>((k1[c] & sel) | (k0[c] & ~sel)));  // 0 or -1
    const auto v = static_cast<int16_t>(-static_cast<int16_t>(valid[c] & 1u));                   // 0 or -1
    const auto prod = static_cast<int16_t>(static_cast<int16_t>(w) * static_cast<int16_t>(a[c]));
    const auto signed_prod = static_cast<int16_t>(((prod ^ k) - k) & v);
    psum_out[c] = psum_in[c] + static_cast<uint32_t>(static_cast<int32_t>(signed_prod));
  }
}
}  // namespace

void WsArrayCore::step(const ArrayInputs& in, ArrayOutputs& out) {
  const int R = g_.rows, C = g_.cols;
  const size_t uC = static_cast<size_t>(C), uR = static_cast<size_t>(R);
  if (static_cast<int>(in.w_data.size()) != C || static_cast<int>(in.a_data.size()) != R)
    throw Error("WsArrayCore::step: port vectors not sized for a " + g_.str() + " array");
  outputs(out);
  const bool x = mode_ == KeyMode::kExpanded;
  if (x) kx_.keystream(in.kx_start, ks_.data());

  // Deskew lines take the bottom PEs' current sums (before the PE edge).
  deskew_head_ = deskew_head_ + 1 == uC ? 0 : deskew_head_ + 1;
  std::memcpy(&deskew_[deskew_head_ * uC], &psum_[pe(R - 1, 0)], uC * sizeof(uint32_t));

  // PE rows bottom-up, so row r reads row r-1's sums before they change. In a
  // row, activations move one PE right: the row's window moves one place left
  // and the row's input enters at column 0.
  act_pos_ = act_pos_ == 0 ? uC - 1 : act_pos_ - 1;
  for (int r = R - 1; r >= 0; --r) {
    const size_t ur = static_cast<size_t>(r), base = pe(r, 0);
    int8_t a_in;
    uint8_t b_in, v_in;
    if (r == 0) {
      a_in = in.a_data[0];
      b_in = in.a_bank;
      v_in = in.a_valid;
    } else {  // row r's input of r cycles ago; skew_head_ holds last cycle's
      const size_t back = ur - 1;
      const size_t slot = skew_head_ >= back ? skew_head_ - back : skew_head_ + uR - back;
      a_in = skew_a_[slot * uR + ur];
      b_in = skew_b_[slot];
      v_in = skew_v_[slot];
    }
    const size_t ai = act(r);
    act_a_[ai] = act_a_[ai + uC] = a_in;
    act_b_[ai] = act_b_[ai + uC] = b_in;
    act_v_[ai] = act_v_[ai + uC] = v_in;
    // The common widths with the trip count known at compile time.
    auto* row = uC == 8 ? &pe_row<8> : uC == 16 ? &pe_row<16> : uC == 32 ? &pe_row<32> : &pe_row<0>;
    row(uC, &act_a_[ai], &act_b_[ai], &act_v_[ai], &w_[0][base], &w_[1][base], &kmask_[0][base], &kmask_[1][base],
        r == 0 ? zero_row_.data() : &psum_[base - uC], &psum_[base]);
  }
  // Input skew lines: this cycle's inputs, for row r r cycles later.
  skew_head_ = skew_head_ + 1 == uR ? 0 : skew_head_ + 1;
  std::memcpy(&skew_a_[skew_head_ * uR], in.a_data.data(), uR);
  skew_b_[skew_head_] = in.a_bank;
  skew_v_[skew_head_] = in.a_valid;

  // Weight writes: column c stores the row written c cycles ago (c = 0: this
  // cycle's). Expanded mode: the key bits of the row travel with it.
  const size_t head = wp_head_;
  wp_valid_[head] = in.w_valid;
  wp_bank_[head] = in.w_bank;
  wp_row_[head] = in.w_row;
  std::memcpy(&wp_data_[head * uC], in.w_data.data(), uC);
  if (x) std::memcpy(&wp_kbits_[head * uC], ks_.data(), uC);
  for (size_t c = 0; c < uC; ++c) {
    const size_t slot = head >= c ? head - c : head + uC - c;
    if (!wp_valid_[slot] || wp_row_[slot] >= static_cast<uint32_t>(R)) continue;
    const size_t i = pe(static_cast<int>(wp_row_[slot]), static_cast<int>(c));
    const int b = wp_bank_[slot] & 1;
    w_[b][i] = wp_data_[slot * uC + c];
    if (x) kmask_[b][i] = wp_kbits_[slot * uC + c] ? 0xff : 0;
  }
  wp_head_ = head + 1 == uC ? 0 : head + 1;

  if (x) {
    kx_.clock(in.key_valid, in.key_bit, in.kx_start, in.kx_iv, in.w_valid);
  } else {
    key_.clock(in.key_valid, in.key_bit);
    if (in.key_valid) refresh_periodic_masks();
  }
  ++cycle_;
}

}  // namespace keymac
