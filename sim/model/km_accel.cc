#include "sim/model/km_accel.h"

#include <algorithm>
#include <cstring>

#include "sim/core/core_device.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/cycle_memory.h"
#include "sim/core/error.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/tlm_payload.h"

namespace keymac {

namespace {
constexpr uint64_t kMaxOperandBytes = 1ull << 32;  // per operand, per command
constexpr uint32_t kMaxLayer = 65535;              // IV bytes 8..9
uint64_t join(uint32_t lo, uint32_t hi) { return (uint64_t(hi) << 32) | lo; }
}  // namespace

KmAccel::KmAccel(sc_core::sc_module_name name, Geometry g, const KmAccelConfig& config)
    : sc_core::sc_module(name), regs("regs"), mem("mem"),
      ctx_(std::make_unique<KmAccelContext>(g, config, std::string(this->name()))) {
  regs.register_b_transport(this, &KmAccel::b_transport);
  regs.register_transport_dbg(this, &KmAccel::transport_dbg);
  SC_HAS_PROCESS(KmAccel);
  SC_THREAD(thread);
}

void KmAccel::exchange_context(std::unique_ptr<KmAccelContext>& ctx) {
  if (!idle()) throw Error(std::string(name()) + ": exchange_context while a command is queued or running");
  if (!ctx) throw Error(std::string(name()) + ": exchange_context without a context");
  std::swap(ctx_, ctx);
}

uint32_t KmAccel::status() const {
  const KmAccelContext& x = *ctx_;
  const auto level = static_cast<uint32_t>(queue_.size());
  uint32_t s = level << km_reg::kStatusQueueLevelShift;
  if (level > 0) s |= km_reg::kStatusBusy;
  if (x.key_.sealed()) s |= km_reg::kStatusKeySealed;
  if (x.key_.err()) s |= km_reg::kStatusKeyErr;
  if (x.error_) s |= km_reg::kStatusError;
  if (level >= x.cfg_.queue_depth) s |= km_reg::kStatusQueueFull;
  return s;
}

void KmAccel::fail(const std::string& why) {
  ctx_->error_ = true;
  ctx_->last_error_ = std::string(name()) + ": " + why;
}

bool KmAccel::read_reg(uint64_t off, uint32_t& v) const {
  using namespace km_reg;
  const KmAccelContext& x = *ctx_;
  switch (off) {
    case kId: v = kIdValue; return true;
    case kGeometry: v = uint32_t(x.g_.rows) | (uint32_t(x.g_.cols) << 16); return true;
    case kCtrl: case kKeyData: v = 0; return true;  // write-only: no read-back
    case kStatus: v = status(); return true;
    case kXAddrLo: v = x.x_lo_; return true;
    case kXAddrHi: v = x.x_hi_; return true;
    case kWAddrLo: v = x.w_lo_; return true;
    case kWAddrHi: v = x.w_hi_; return true;
    case kYAddrLo: v = x.y_lo_; return true;
    case kYAddrHi: v = x.y_hi_; return true;
    case kM: v = x.m_; return true;
    case kK: v = x.k_; return true;
    case kN: v = x.n_; return true;
    case kDoneCount: v = x.done_count_; return true;
    case kCyclesLo: v = uint32_t(x.cycles_); return true;
    case kCyclesHi: v = uint32_t(x.cycles_ >> 32); return true;
    case kStallsLo: v = uint32_t(x.stalls_); return true;
    case kStallsHi: v = uint32_t(x.stalls_ >> 32); return true;
    case kLastCyclesLo: v = uint32_t(x.last_cycles_); return true;
    case kLastCyclesHi: v = uint32_t(x.last_cycles_ >> 32); return true;
    case kLastStallsLo: v = uint32_t(x.last_stalls_); return true;
    case kLastStallsHi: v = uint32_t(x.last_stalls_ >> 32); return true;
    case kKeyLoadCycles: v = uint32_t(x.key_load_cycles_); return true;
    case kQueueDepth: v = x.cfg_.queue_depth; return true;
    case kKeyMode: v = x.key_mode_reg_; return true;
    case kNonceLo: v = x.nonce_lo_; return true;
    case kNonceHi: v = x.nonce_hi_; return true;
    case kLayer: v = x.layer_; return true;
    case kNowLo: v = uint32_t(x.now_); return true;
    case kNowHi: v = uint32_t(x.now_ >> 32); return true;
    case kLastWarmup: v = uint32_t(x.last_warmup_); return true;
    default: return false;
  }
}

// rst_ni: the key register (of the mode KEY_MODE selects) cleared, counters
// and errors cleared; NOW and the trace go on.
void KmAccel::reset_state() {
  KmAccelContext& x = *ctx_;
  x.key_mode_ = x.key_mode_reg_;
  const bool expanded = x.cfg_.keyed && x.key_mode_ == km_reg::kKeyModeExpanded;
  x.key_ = KeyRegister(expanded ? Geometry::make(1, MasterKey::kBits) : x.g_, x.cfg_.keyed);
  if (x.core_) {
    x.core_ = expanded ? std::make_unique<WsArrayCore>(x.g_, KeyMode::kExpanded)
                       : std::make_unique<WsArrayCore>(x.g_, x.cfg_.keyed);
    x.core_->reset();
  }
  x.error_ = false;
  x.last_error_.clear();
  x.done_count_ = 0;
  x.cycles_ = x.stalls_ = x.last_cycles_ = x.last_stalls_ = x.last_warmup_ = x.key_load_cycles_ = 0;
}

// `bits` cycles of the serial key port with key_valid_i = 1 and the word's
// bits, bit 0 first. Inside the trace window the initiator's thread passes
// them one by one (b_transport may wait); otherwise they are annotated.
void KmAccel::shift_key(uint32_t word, int bits, sc_core::sc_time& delay) {
  KmAccelContext& x = *ctx_;
  const sc_core::sc_time T = x.cfg_.clock_period;
  BoundaryTracer* tr = x.tracer_.get();
  const uint64_t base = x.now_, n = static_cast<uint64_t>(bits);
  const bool traced = tr && tr->to() >= base && tr->from() < base + n;
  if (traced) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
  in_.resize(x.g_);
  out_.resize(x.g_);
  for (int i = 0; i < bits; ++i) {
    const bool b = (word >> i) & 1u;
    in_.idle();
    in_.key_valid = true;
    in_.key_bit = b;
    if (traced && tr->in_window(base + uint64_t(i))) {
      out_.key_sealed = x.key_.sealed();
      out_.key_err = x.key_.err();
      out_.psum_valid = false;
      std::fill(out_.psum_data.begin(), out_.psum_data.end(), 0);
      try {
        tr->sample(base + uint64_t(i), in_, out_, x.layers_, -1);
      } catch (const std::exception& e) {
        fail(e.what());
        x.tracer_.reset();
        tr = nullptr;
      }
      if (tr) tr->set_clock(true);
      sc_core::wait(T / 2);
      if (tr) tr->set_clock(false);
      sc_core::wait(T / 2);
    } else if (traced) {
      sc_core::wait(T);
    }
    if (x.core_) x.core_->step(in_, out_);
    x.key_.clock(true, b);
  }
  if (!traced) delay += static_cast<double>(n) * T;
  x.now_ += n;
  x.key_load_cycles_ += n;
}

tlm::tlm_response_status KmAccel::write_reg(uint64_t off, uint32_t v, sc_core::sc_time& delay) {
  using namespace km_reg;
  KmAccelContext& x = *ctx_;
  switch (off) {
    case kXAddrLo: x.x_lo_ = v; break;
    case kXAddrHi: x.x_hi_ = v; break;
    case kWAddrLo: x.w_lo_ = v; break;
    case kWAddrHi: x.w_hi_ = v; break;
    case kYAddrLo: x.y_lo_ = v; break;
    case kYAddrHi: x.y_hi_ = v; break;
    case kM: x.m_ = v; break;
    case kK: x.k_ = v; break;
    case kN: x.n_ = v; break;
    case kLayer: x.layer_ = v; break;
    case kNonceLo: x.nonce_lo_ = v; break;
    case kNonceHi: x.nonce_hi_ = v; break;
    case kKeyMode:
      if (v != kKeyModePeriodic && v != kKeyModeExpanded) return tlm::TLM_GENERIC_ERROR_RESPONSE;
      x.key_mode_reg_ = v;
      break;
    case kKeyData: {
      if (!x.key_.keyed()) break;  // a plain array has no key register
      // One bit per cycle through the serial port; a write to a sealed
      // register is one valid bit that sets the sticky error.
      const int pes = x.key_.geometry().pes();
      const int missing = x.key_.sealed() ? 1 : pes - static_cast<int>(x.key_load_cycles_);
      shift_key(v, missing < 32 ? missing : 32, delay);
      break;
    }
    case kCtrl:
      if (v & kCtrlReset) {
        if (!queue_.empty()) {
          fail("CTRL.RESET while a command is queued or running (ignored)");
        } else {
          reset_state();
        }
      }
      if (v & kCtrlClearError) {
        x.error_ = false;
        x.last_error_.clear();
      }
      if (v & kCtrlGo) {
        if (queue_.size() >= x.cfg_.queue_depth) {
          fail("CTRL.GO with a full command queue (command dropped)");
        } else {
          Command c{join(x.x_lo_, x.x_hi_), join(x.w_lo_, x.w_hi_), join(x.y_lo_, x.y_hi_),
                    GemmShape{x.m_, x.k_, x.n_}, x.layer_, join(x.nonce_lo_, x.nonce_hi_),
                    sc_core::sc_time_stamp() + delay};
          queue_.push_back(c);
          go_.notify(delay);
        }
      }
      break;
    case kId: case kGeometry: case kStatus: case kDoneCount: case kCyclesLo: case kCyclesHi:
    case kStallsLo: case kStallsHi: case kLastCyclesLo: case kLastCyclesHi: case kLastStallsLo:
    case kLastStallsHi: case kKeyLoadCycles: case kQueueDepth: case kNowLo: case kNowHi:
    case kLastWarmup:
      return tlm::TLM_COMMAND_ERROR_RESPONSE;
    default:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  return tlm::TLM_OK_RESPONSE;
}

void KmAccel::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  const uint64_t a = t.get_address();
  const unsigned n = t.get_data_length();
  if (a % 4 != 0 || n == 0 || n % 4 != 0) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (t.get_byte_enable_ptr()) {
    t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (t.get_streaming_width() != 0 && t.get_streaming_width() < n) {
    t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint8_t* d = t.get_data_ptr();
  for (unsigned i = 0; i < n; i += 4) {
    uint32_t v = 0;
    if (t.is_read()) {
      if (!read_reg(a + i, v)) {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
      }
      std::memcpy(d + i, &v, 4);
    } else if (t.is_write()) {
      std::memcpy(&v, d + i, 4);
      const tlm::tlm_response_status r = write_reg(a + i, v, delay);
      if (r != tlm::TLM_OK_RESPONSE) {
        t.set_response_status(r);
        return;
      }
    }
  }
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int KmAccel::transport_dbg(tlm::tlm_generic_payload& t) {
  // Debug reads only (no side effects); debug writes are refused.
  if (!t.is_read() || t.get_address() % 4 != 0 || t.get_data_length() % 4 != 0) return 0;
  for (unsigned i = 0; i < t.get_data_length(); i += 4) {
    uint32_t v;
    if (!read_reg(t.get_address() + i, v)) return i;
    std::memcpy(t.get_data_ptr() + i, &v, 4);
  }
  return t.get_data_length();
}

bool KmAccel::transfer(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes) {
  tlm::tlm_generic_payload t;
  init_payload(t, cmd, addr, data, bytes);
  sc_core::sc_time delay = qk_.get_local_time();
  mem->b_transport(t, delay);
  qk_.set(delay);
  return t.is_response_ok();
}

void KmAccel::pass(uint64_t from, uint64_t to, const Values& values) {
  KmAccelContext& x = *ctx_;
  const sc_core::sc_time T = x.cfg_.clock_period;
  BoundaryTracer* tr = x.tracer_.get();
  uint64_t now = from;
  while (now < to) {
    if (tr && tr->in_window(now)) {
      qk_.sync();  // the sample at its cycle's own SystemC time
      int64_t fold = -1;
      values(now, in_, out_, fold);
      tr->sample(now, in_, out_, x.layers_, fold);
      tr->set_clock(true);
      sc_core::wait(T / 2);
      tr->set_clock(false);
      sc_core::wait(T / 2);
      ++now;
      continue;
    }
    uint64_t next = to;
    if (tr && now < tr->from()) next = std::min<uint64_t>(to, tr->from());
    qk_.inc(static_cast<double>(next - now) * T);
    if (qk_.need_sync()) qk_.sync();
    now = next;
  }
}

int64_t KmAccel::prepare_key(const Command& c, Sequencer* seq) {
  KmAccelContext& x = *ctx_;
  if (!x.cfg_.keyed || x.key_mode_ != km_reg::kKeyModeExpanded) {
    x.fast_.set_key(x.key_);
    return 0;
  }
  // The master key as the 80-bit register holds it (bits not yet loaded are 0).
  Trivium::Key80 kb{};
  const std::vector<uint8_t>& bits = x.key_.bits();
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) kb[i / 8] = static_cast<uint8_t>(kb[i / 8] | (1u << (i % 8)));
  if (!x.kx_ || kb != x.kx_key_ || c.nonce != x.kx_nonce_) {
    x.kx_ = std::make_unique<ExpandedKeySource>(x.g_, MasterKey(kb), c.nonce);
    x.kx_key_ = kb;
    x.kx_nonce_ = c.nonce;
  }
  const auto warm = static_cast<int64_t>(x.kx_->warmup_cycles());
  if (seq) seq->set_key_warmup(warm, ExpandedKeySource::layer_iv(c.nonce, c.layer));
  x.fast_.set_key_source(x.kx_.get(), c.layer);
  return warm;
}

// Fold-level: FastArray computes a fold at a time; time passes once per fold
// (per cycle inside the trace window, with the exact boundary values).
void KmAccel::run_folds(const GemmProblem& p, const LayerPlan& plan, int64_t warm, const Command& c) {
  KmAccelContext& x = *ctx_;
  const uint64_t base = x.now_;
  const auto W = static_cast<uint64_t>(warm);
  const auto L = static_cast<uint64_t>(plan.cycles) + W;
  BoundaryTracer* tr = x.tracer_.get();
  std::unique_ptr<Sequencer> seq;
  if (tr && tr->to() >= base && tr->from() < base + L) {
    seq = std::make_unique<Sequencer>(p, plan);
    prepare_key(c, seq.get());
  }
  int64_t cur_fold = 0;
  auto values = [&](uint64_t t, ArrayInputs& in, ArrayOutputs& out, int64_t& fold) {
    seq->inputs(static_cast<int64_t>(t - base), in);
    x.fast_.outputs_at(*seq, static_cast<int64_t>(t - base), out);
    fold = cur_fold;
  };
  const auto F = static_cast<int64_t>(plan.folds.size());
  uint64_t now = base;
  for (int64_t f = 0; f < F; ++f) {
    cur_fold = f;
    x.fast_.run_fold(p, f, y_.data());
    const uint64_t next =
        base + (f + 1 < F ? W + static_cast<uint64_t>(plan.folds[static_cast<size_t>(f + 1)].w_start) : L);
    pass(now, next, values);
    now = next;
  }
}

// Cycle-level: the Sequencer drives the register-level array every cycle and
// collects Y from its outputs.
void KmAccel::run_cycles(const GemmProblem& p, const LayerPlan& plan, int64_t warm, const Command& c) {
  KmAccelContext& x = *ctx_;
  const uint64_t base = x.now_;
  Sequencer seq(p, plan);
  prepare_key(c, &seq);
  int64_t cur_fold = 0;
  // Traced values: the ports of the cycle as the register-level array shows them.
  auto values = [&](uint64_t t, ArrayInputs& vi, ArrayOutputs& vo, int64_t& fold) {
    seq.inputs(static_cast<int64_t>(t - base), vi);
    x.fast_.outputs_at(seq, static_cast<int64_t>(t - base), vo);
    fold = cur_fold;
  };
  const auto F = static_cast<int64_t>(plan.folds.size());
  // Layer cycle at which fold f's time has passed: the next fold's first
  // weight write, or the end of the layer.
  auto fold_end = [&](int64_t f) {
    return f + 1 < F ? warm + plan.folds[static_cast<size_t>(f + 1)].w_start : seq.cycles();
  };
  uint64_t now = base;
  CoreDevice dev(*x.core_);
  CycleDriver driver(dev, x.g_);
  // The CycleDriver steps every cycle; SystemC time passes once per fold,
  // after the fold's last cycle (per cycle inside the trace window).
  driver.set_observer([&](const CycleView& v) {
    while (cur_fold < F && v.index + 1 == fold_end(cur_fold)) {
      const uint64_t next = base + static_cast<uint64_t>(fold_end(cur_fold));
      pass(now, next, values);
      now = next;
      ++cur_fold;
    }
    return true;
  });
  driver.run_layer(seq);
  std::copy(seq.y().begin(), seq.y().end(), y_.begin());
}

void KmAccel::execute(const Command& c) {
  KmAccelContext& x = *ctx_;
  qk_.reset();
  KmAccelRecord rec;
  rec.shape = c.shape;
  rec.start = sc_core::sc_time_stamp();
  const GemmShape s = c.shape;
  try {
    const Schedule sched(s, x.g_);  // refuses an empty dimension
    const uint64_t xb = uint64_t(s.m) * uint64_t(s.k), wb = uint64_t(s.k) * uint64_t(s.n),
                   yb = 4 * uint64_t(s.m) * uint64_t(s.n);
    if (xb > kMaxOperandBytes || wb > kMaxOperandBytes || yb > kMaxOperandBytes)
      throw Error("descriptor M=" + std::to_string(s.m) + " K=" + std::to_string(s.k) +
                  " N=" + std::to_string(s.n) + " exceeds 4 GiB per operand");
    if (x.cfg_.keyed && x.key_mode_ == km_reg::kKeyModeExpanded && c.layer > kMaxLayer)
      throw Error("descriptor LAYER=" + std::to_string(c.layer) + " exceeds " + std::to_string(kMaxLayer) +
                  " (the expanded key's IV holds 16 bits of it)");
    x_.resize(xb);
    w_.resize(wb);
    if (!transfer(tlm::TLM_READ_COMMAND, c.x, x_.data(), xb))
      throw Error("memory refused reading X (" + std::to_string(xb) + " bytes)");
    if (!transfer(tlm::TLM_READ_COMMAND, c.w, w_.data(), wb))
      throw Error("memory refused reading W (" + std::to_string(wb) + " bytes)");
    LayerPlan plan;
    if (x.core_) {
      // Timing from the cycle-stepped memory system; its counters that do
      // not depend on time are the planner's.
      plan = CycleMemorySystem(x.g_, x.memsys_.config()).run(s);
      const auto dram = plan.counters;
      plan.counters = x.memsys_.plan(s).counters;
      for (const auto& [k, v] : dram) plan.counters[k] = v;
    } else {
      plan = x.memsys_.plan(s);
    }
    const int64_t warm = prepare_key(c, nullptr);
    const GemmProblem p{s, x_.data(), w_.data(), x.g_};
    y_.assign(static_cast<size_t>(s.m * s.n), 0);
    in_.resize(x.g_);
    out_.resize(x.g_);
    if (x.core_)
      run_cycles(p, plan, warm, c);
    else
      run_folds(p, plan, warm, c);
    rec.warmup_cycles = static_cast<uint64_t>(warm);
    rec.cycles = static_cast<uint64_t>(plan.cycles) + rec.warmup_cycles;
    rec.stall_cycles = static_cast<uint64_t>(plan.stall_cycles);
    rec.counters = plan.counters;
    x.now_ += rec.cycles;
    ++x.layers_;
    if (!transfer(tlm::TLM_WRITE_COMMAND, c.y, y_.data(), yb))
      throw Error("memory refused writing Y (" + std::to_string(yb) + " bytes)");
    qk_.sync();
  } catch (const std::exception& e) {
    qk_.sync();
    fail(e.what());
    return;
  }
  rec.end = sc_core::sc_time_stamp();
  x.cycles_ += rec.cycles;
  x.stalls_ += rec.stall_cycles;
  x.last_cycles_ = rec.cycles;
  x.last_stalls_ = rec.stall_cycles;
  x.last_warmup_ = rec.warmup_cycles;
  ++x.done_count_;
  x.history_.push_back(std::move(rec));
  if (x.cfg_.history_limit > 0 && x.history_.size() > x.cfg_.history_limit)
    x.history_.erase(x.history_.begin(), x.history_.end() - static_cast<int64_t>(x.cfg_.history_limit));
  // The window has passed: the VCD is complete.
  if (x.tracer_ && x.now_ > x.tracer_->to()) {
    try {
      x.close_trace();
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }
}

void KmAccel::thread() {
  for (;;) {
    while (queue_.empty()) sc_core::wait(go_);
    const Command c = queue_.front();
    if (c.not_before > sc_core::sc_time_stamp()) sc_core::wait(c.not_before - sc_core::sc_time_stamp());
    execute(c);
    queue_.pop_front();
    done_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace keymac
