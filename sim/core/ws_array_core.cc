#include "sim/core/ws_array_core.h"

#include "sim/core/error.h"

namespace keymac {

WsArrayCore::WsArrayCore(Geometry g, bool keyed) : g_(g), key_(g, keyed), kx_(g.cols) { reset(); }

WsArrayCore::WsArrayCore(Geometry g, KeyMode mode)
    : g_(g), key_(g, mode == KeyMode::kPeriodic), mode_(mode), kx_(g.cols) {
  reset();
}

void WsArrayCore::reset() {
  const int R = g_.rows, C = g_.cols;
  key_.reset();
  kx_.reset();
  for (auto& b : kb_) b.assign(static_cast<size_t>(R * C), 0);
  ks_.assign(static_cast<size_t>(C), 0);
  skew_.assign(static_cast<size_t>(R), {});
  for (int r = 0; r < R; ++r) skew_[static_cast<size_t>(r)].assign(static_cast<size_t>(r), Act{0, false, false});
  act_q_.assign(static_cast<size_t>(R * C), Act{0, false, false});
  psum_q_.assign(static_cast<size_t>(R * C), 0);
  for (auto& b : w_) b.assign(static_cast<size_t>(R * C), 0);
  wpipe_.assign(static_cast<size_t>(C), WWrite{false, false, 0, std::vector<int8_t>(static_cast<size_t>(C), 0),
                                                     std::vector<uint8_t>(static_cast<size_t>(C), 0)});
  deskew_.assign(static_cast<size_t>(C), {});
  deskew_v_.assign(static_cast<size_t>(C), {});
  for (int c = 0; c < C; ++c) {
    deskew_[static_cast<size_t>(c)].assign(static_cast<size_t>(C - 1 - c), 0);
    deskew_v_[static_cast<size_t>(c)].assign(static_cast<size_t>(C - 1 - c), false);
  }
  cycle_ = 0;
}

void WsArrayCore::outputs(ArrayOutputs& out) const {
  const int R = g_.rows, C = g_.cols;
  if (static_cast<int>(out.psum_data.size()) != C) out.resize(g_);
  const bool x = mode_ == KeyMode::kExpanded;
  out.key_sealed = x ? kx_.sealed() : key_.sealed();
  out.key_err = x ? kx_.err() : key_.err();
  // All columns carry the same activation wave after deskew; column C-1 has
  // no deskew register, so its valid is the bottom PE's.
  out.psum_valid = act_q_[pe(R - 1, C - 1)].valid;
  for (int c = 0; c < C; ++c) {
    const auto& d = deskew_[static_cast<size_t>(c)];
    const uint32_t v = d.empty() ? psum_q_[pe(R - 1, c)] : d.back();
    out.psum_data[static_cast<size_t>(c)] = out.psum_valid ? static_cast<int32_t>(v) : 0;
  }
}

void WsArrayCore::step(const ArrayInputs& in, ArrayOutputs& out) {
  const int R = g_.rows, C = g_.cols;
  if (static_cast<int>(in.w_data.size()) != C || static_cast<int>(in.a_data.size()) != R)
    throw Error("WsArrayCore::step: port vectors not sized for a " + g_.str() + " array");
  outputs(out);
  const bool x = mode_ == KeyMode::kExpanded;
  if (x) kx_.keystream(in.kx_start, ks_.data());

  // Deskew lines shift first (they read the bottom PEs' current registers).
  for (int c = 0; c < C - 1; ++c) {
    auto& d = deskew_[static_cast<size_t>(c)];
    auto& dv = deskew_v_[static_cast<size_t>(c)];
    for (size_t j = d.size() - 1; j > 0; --j) {
      d[j] = d[j - 1];
      dv[j] = dv[j - 1];
    }
    d[0] = psum_q_[pe(R - 1, c)];
    dv[0] = act_q_[pe(R - 1, c)].valid;
  }

  // PEs: bottom-up and right-to-left so each reads its neighbours' old values.
  for (int r = R - 1; r >= 0; --r) {
    const Act row_in = r == 0 ? Act{in.a_data[0], in.a_bank, in.a_valid}
                              : skew_[static_cast<size_t>(r)][static_cast<size_t>(r - 1)];
    for (int c = C - 1; c >= 0; --c) {
      const Act a = c == 0 ? row_in : act_q_[pe(r, c - 1)];
      const uint32_t psum_in = r == 0 ? 0u : psum_q_[pe(r - 1, c)];
      uint32_t s = psum_in;
      if (a.valid) {
        const int32_t p = static_cast<int32_t>(w_[a.bank][pe(r, c)]) * a.a;
        const uint32_t pu = static_cast<uint32_t>(p);
        // RTL: psum_in + (p XOR {32{k}}) + k
        const int kbit = x ? kb_[a.bank][pe(r, c)] : key_.bit(r, c);
        const uint32_t k = kbit ? 0xffffffffu : 0u;
        s = psum_in + (pu ^ k) + (k & 1u);
      }
      psum_q_[pe(r, c)] = s;
      act_q_[pe(r, c)] = a;
    }
  }
  // Input skew lines: row r's activation for the next cycles.
  for (int r = 1; r < R; ++r) {
    auto& s = skew_[static_cast<size_t>(r)];
    for (size_t j = s.size() - 1; j > 0; --j) s[j] = s[j - 1];
    s[0] = Act{in.a_data[static_cast<size_t>(r)], in.a_bank, in.a_valid};
  }

  // Weight writes: column c stores the row written c cycles ago.
  // Expanded mode: the key bits of the row travel with it.
  wpipe_[0] = WWrite{in.w_valid, in.w_bank, in.w_row, in.w_data, ks_};
  for (int c = 0; c < C; ++c) {
    const WWrite& ww = wpipe_[static_cast<size_t>(c)];
    if (ww.valid && ww.row < static_cast<uint32_t>(R)) {
      w_[ww.bank][pe(static_cast<int>(ww.row), c)] = ww.data[static_cast<size_t>(c)];
      if (x) kb_[ww.bank][pe(static_cast<int>(ww.row), c)] = ww.kbits[static_cast<size_t>(c)];
    }
  }
  for (int d = C - 1; d > 0; --d) wpipe_[static_cast<size_t>(d)] = wpipe_[static_cast<size_t>(d - 1)];

  if (x) kx_.clock(in.key_valid, in.key_bit, in.kx_start, in.kx_iv, in.w_valid);
  else key_.clock(in.key_valid, in.key_bit);
  ++cycle_;
}

}  // namespace keymac
