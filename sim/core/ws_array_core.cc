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
  act_a_.assign(n, 0);
  act_b_.assign(n, 0);
  act_v_.assign(n, 0);
  psum_.assign(n, 0);
  for (auto& b : w_) b.assign(n, 0);
  for (auto& k : kmask_) k.assign(n, 0);
  skew_off_.assign(R, 0);
  skew_pos_.assign(R, 0);
  size_t total = 0;
  for (size_t r = 1; r < R; ++r) {
    skew_off_[r] = total;
    total += r;
  }
  skew_a_.assign(total, 0);
  skew_b_.assign(total, 0);
  skew_v_.assign(total, 0);
  deskew_off_.assign(C, 0);
  deskew_pos_.assign(C, 0);
  total = 0;
  for (size_t c = 0; c + 1 < C; ++c) {
    deskew_off_[c] = total;
    total += C - 1 - c;
  }
  deskew_.assign(total, 0);
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
  for (size_t i = 0; i < bits.size(); ++i) kmask_[0][i] = kmask_[1][i] = bits[i] ? 0xffffffffu : 0u;
}

void WsArrayCore::outputs(ArrayOutputs& out) const {
  const int R = g_.rows, C = g_.cols;
  if (static_cast<int>(out.psum_data.size()) != C) out.resize(g_);
  const bool x = mode_ == KeyMode::kExpanded;
  out.key_sealed = x ? kx_.sealed() : key_.sealed();
  out.key_err = x ? kx_.err() : key_.err();
  // All columns carry the same activation wave after deskew; column C-1 has
  // no deskew register, so its valid is the bottom PE's.
  out.psum_valid = act_v_[pe(R - 1, C - 1)] != 0;
  for (int c = 0; c < C; ++c) {
    const size_t uc = static_cast<size_t>(c);
    const uint32_t v = c == C - 1 ? psum_[pe(R - 1, c)] : deskew_[deskew_off_[uc] + deskew_pos_[uc]];
    out.psum_data[uc] = out.psum_valid ? static_cast<int32_t>(v) : 0;
  }
}

namespace {
// One PE row's edge: new psum[c] = psum_in[c] + (valid ? (w*a XOR k) + k : 0),
// with w and k from the bank the activation carries. Branch-free over c so
// that the compiler vectorises it.
void pe_row(size_t C, const int8_t* __restrict a, const uint8_t* __restrict bank, const uint8_t* __restrict valid,
            const int8_t* __restrict w0, const int8_t* __restrict w1, const uint32_t* __restrict k0,
            const uint32_t* __restrict k1, const uint32_t* __restrict psum_in, uint32_t* __restrict psum_out) {
  for (size_t c = 0; c < C; ++c) {
    const uint32_t sel = 0u - static_cast<uint32_t>(bank[c] & 1u);  // all ones: bank 1
    const int32_t w = static_cast<int32_t>(bank[c] ? w1[c] : w0[c]);
    const uint32_t k = (k1[c] & sel) | (k0[c] & ~sel);
    const uint32_t p = static_cast<uint32_t>(w * static_cast<int32_t>(a[c]));
    const uint32_t v = 0u - static_cast<uint32_t>(valid[c] & 1u);
    // RTL: psum_in + (p XOR {32{k}}) + k
    psum_out[c] = psum_in[c] + (((p ^ k) + (k & 1u)) & v);
  }
}
}  // namespace

void WsArrayCore::step(const ArrayInputs& in, ArrayOutputs& out) {
  const int R = g_.rows, C = g_.cols;
  const size_t uC = static_cast<size_t>(C);
  if (static_cast<int>(in.w_data.size()) != C || static_cast<int>(in.a_data.size()) != R)
    throw Error("WsArrayCore::step: port vectors not sized for a " + g_.str() + " array");
  outputs(out);
  const bool x = mode_ == KeyMode::kExpanded;
  if (x) kx_.keystream(in.kx_start, ks_.data());

  // Deskew lines take the bottom PEs' current sums (before the PE edge).
  for (size_t c = 0; c + 1 < uC; ++c) {
    const size_t len = uC - 1 - c;
    size_t& p = deskew_pos_[c];
    deskew_[deskew_off_[c] + p] = psum_[pe(R - 1, static_cast<int>(c))];
    if (++p == len) p = 0;
  }

  // PE rows bottom-up, so row r reads row r-1's sums before they change. In a
  // row, activations move one PE right: shift the row, insert the row's input.
  for (int r = R - 1; r >= 0; --r) {
    const size_t ur = static_cast<size_t>(r), base = pe(r, 0);
    int8_t a_in;
    uint8_t b_in, v_in;
    if (r == 0) {
      a_in = in.a_data[0];
      b_in = in.a_bank;
      v_in = in.a_valid;
    } else {
      const size_t i = skew_off_[ur] + skew_pos_[ur];
      a_in = skew_a_[i];
      b_in = skew_b_[i];
      v_in = skew_v_[i];
    }
    std::memmove(&act_a_[base + 1], &act_a_[base], uC - 1);
    std::memmove(&act_b_[base + 1], &act_b_[base], uC - 1);
    std::memmove(&act_v_[base + 1], &act_v_[base], uC - 1);
    act_a_[base] = a_in;
    act_b_[base] = b_in;
    act_v_[base] = v_in;
    pe_row(uC, &act_a_[base], &act_b_[base], &act_v_[base], &w_[0][base], &w_[1][base], &kmask_[0][base],
           &kmask_[1][base], r == 0 ? zero_row_.data() : &psum_[base - uC], &psum_[base]);
  }
  // Input skew lines: row r's activation for r cycles later.
  for (size_t r = 1; r < static_cast<size_t>(R); ++r) {
    size_t& p = skew_pos_[r];
    const size_t i = skew_off_[r] + p;
    skew_a_[i] = in.a_data[r];
    skew_b_[i] = in.a_bank;
    skew_v_[i] = in.a_valid;
    if (++p == r) p = 0;
  }

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
    if (x) kmask_[b][i] = wp_kbits_[slot * uC + c] ? 0xffffffffu : 0u;
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
