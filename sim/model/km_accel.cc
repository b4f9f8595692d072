#include "sim/model/km_accel.h"

#include <cstring>

#include "sim/core/error.h"
#include "sim/core/sequencer.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/tlm_payload.h"

namespace keymac {

namespace {
constexpr uint64_t kMaxOperandBytes = 1ull << 32;  // per operand, per command
uint64_t join(uint32_t lo, uint32_t hi) { return (uint64_t(hi) << 32) | lo; }
}  // namespace

KmAccel::KmAccel(sc_core::sc_module_name name, Geometry g, const KmAccelConfig& config)
    : sc_core::sc_module(name), regs("regs"), mem("mem"), g_(g), cfg_(config),
      key_(g, config.keyed), memsys_(g, config.memory), fast_(g) {
  if (cfg_.queue_depth < 1 || cfg_.queue_depth > 255)
    throw Error(std::string(this->name()) + ": queue_depth must be 1..255");
  if (cfg_.clock_period <= sc_core::SC_ZERO_TIME)
    throw Error(std::string(this->name()) + ": clock_period must be positive");
  regs.register_b_transport(this, &KmAccel::b_transport);
  regs.register_transport_dbg(this, &KmAccel::transport_dbg);
  SC_HAS_PROCESS(KmAccel);
  SC_THREAD(thread);
}

uint32_t KmAccel::status() const {
  const auto level = static_cast<uint32_t>(queue_.size());
  uint32_t s = level << km_reg::kStatusQueueLevelShift;
  if (level > 0) s |= km_reg::kStatusBusy;
  if (key_.sealed()) s |= km_reg::kStatusKeySealed;
  if (key_.err()) s |= km_reg::kStatusKeyErr;
  if (error_) s |= km_reg::kStatusError;
  if (level >= cfg_.queue_depth) s |= km_reg::kStatusQueueFull;
  return s;
}

void KmAccel::fail(const std::string& why) {
  error_ = true;
  last_error_ = std::string(name()) + ": " + why;
}

bool KmAccel::read_reg(uint64_t off, uint32_t& v) const {
  using namespace km_reg;
  switch (off) {
    case kId: v = kIdValue; return true;
    case kGeometry: v = uint32_t(g_.rows) | (uint32_t(g_.cols) << 16); return true;
    case kCtrl: case kKeyData: v = 0; return true;  // write-only: no read-back
    case kStatus: v = status(); return true;
    case kXAddrLo: v = x_lo_; return true;
    case kXAddrHi: v = x_hi_; return true;
    case kWAddrLo: v = w_lo_; return true;
    case kWAddrHi: v = w_hi_; return true;
    case kYAddrLo: v = y_lo_; return true;
    case kYAddrHi: v = y_hi_; return true;
    case kM: v = m_; return true;
    case kK: v = k_; return true;
    case kN: v = n_; return true;
    case kDoneCount: v = done_count_; return true;
    case kCyclesLo: v = uint32_t(cycles_); return true;
    case kCyclesHi: v = uint32_t(cycles_ >> 32); return true;
    case kStallsLo: v = uint32_t(stalls_); return true;
    case kStallsHi: v = uint32_t(stalls_ >> 32); return true;
    case kLastCyclesLo: v = uint32_t(last_cycles_); return true;
    case kLastCyclesHi: v = uint32_t(last_cycles_ >> 32); return true;
    case kLastStallsLo: v = uint32_t(last_stalls_); return true;
    case kLastStallsHi: v = uint32_t(last_stalls_ >> 32); return true;
    case kKeyLoadCycles: v = uint32_t(key_load_cycles_); return true;
    case kQueueDepth: v = cfg_.queue_depth; return true;
    default: return false;
  }
}

tlm::tlm_response_status KmAccel::write_reg(uint64_t off, uint32_t v, sc_core::sc_time& delay) {
  using namespace km_reg;
  switch (off) {
    case kXAddrLo: x_lo_ = v; break;
    case kXAddrHi: x_hi_ = v; break;
    case kWAddrLo: w_lo_ = v; break;
    case kWAddrHi: w_hi_ = v; break;
    case kYAddrLo: y_lo_ = v; break;
    case kYAddrHi: y_hi_ = v; break;
    case kM: m_ = v; break;
    case kK: k_ = v; break;
    case kN: n_ = v; break;
    case kKeyData: {
      if (!key_.keyed()) break;  // a plain array has no key register
      // One bit per cycle through the serial port; a write to a sealed
      // register is one valid bit that sets the sticky error.
      const int missing = key_.sealed() ? 1 : g_.pes() - static_cast<int>(key_load_cycles_);
      const int bits = missing < 32 ? missing : 32;
      for (int i = 0; i < bits; ++i) key_.clock(true, (v >> i) & 1u);
      key_load_cycles_ += static_cast<uint64_t>(bits);
      delay += bits * cfg_.clock_period;
      break;
    }
    case kCtrl:
      if (v & kCtrlReset) {
        if (!queue_.empty()) {
          fail("CTRL.RESET while a command is queued or running (ignored)");
        } else {
          key_ = KeyRegister(g_, cfg_.keyed);
          error_ = false;
          last_error_.clear();
          done_count_ = 0;
          cycles_ = stalls_ = last_cycles_ = last_stalls_ = key_load_cycles_ = 0;
        }
      }
      if (v & kCtrlGo) {
        if (queue_.size() >= cfg_.queue_depth) {
          fail("CTRL.GO with a full command queue (command dropped)");
        } else {
          Command c{join(x_lo_, x_hi_), join(w_lo_, w_hi_), join(y_lo_, y_hi_),
                    GemmShape{m_, k_, n_}, sc_core::sc_time_stamp() + delay};
          queue_.push_back(c);
          go_.notify(delay);
        }
      }
      break;
    case kId: case kGeometry: case kStatus: case kDoneCount: case kCyclesLo: case kCyclesHi:
    case kStallsLo: case kStallsHi: case kLastCyclesLo: case kLastCyclesHi: case kLastStallsLo:
    case kLastStallsHi: case kKeyLoadCycles: case kQueueDepth:
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

void KmAccel::execute(const Command& c) {
  qk_.reset();
  KmAccelRecord rec;
  rec.shape = c.shape;
  rec.start = sc_core::sc_time_stamp();
  const GemmShape s = c.shape;
  try {
    const Schedule sched(s, g_);  // refuses an empty dimension
    const uint64_t xb = uint64_t(s.m) * uint64_t(s.k), wb = uint64_t(s.k) * uint64_t(s.n),
                   yb = 4 * uint64_t(s.m) * uint64_t(s.n);
    if (xb > kMaxOperandBytes || wb > kMaxOperandBytes || yb > kMaxOperandBytes)
      throw Error("descriptor M=" + std::to_string(s.m) + " K=" + std::to_string(s.k) +
                  " N=" + std::to_string(s.n) + " exceeds 4 GiB per operand");
    x_.resize(xb);
    w_.resize(wb);
    if (!transfer(tlm::TLM_READ_COMMAND, c.x, x_.data(), xb))
      throw Error("memory refused reading X (" + std::to_string(xb) + " bytes)");
    if (!transfer(tlm::TLM_READ_COMMAND, c.w, w_.data(), wb))
      throw Error("memory refused reading W (" + std::to_string(wb) + " bytes)");
    const LayerPlan plan = memsys_.plan(s);
    fast_.set_key(key_);
    const GemmProblem p{s, x_.data(), w_.data(), g_};
    y_.assign(static_cast<size_t>(s.m * s.n), 0);
    // Fold f occupies the cycles from its first weight write to the next
    // fold's (the last fold: to the layer's last output).
    const auto F = static_cast<int64_t>(plan.folds.size());
    int64_t at = 0;
    for (int64_t f = 0; f < F; ++f) {
      fast_.run_fold(p, f, y_.data());
      const int64_t next = f + 1 < F ? plan.folds[static_cast<size_t>(f + 1)].w_start : plan.cycles;
      qk_.inc(static_cast<double>(next - at) * cfg_.clock_period);
      at = next;
      if (qk_.need_sync()) qk_.sync();
    }
    if (!transfer(tlm::TLM_WRITE_COMMAND, c.y, y_.data(), yb))
      throw Error("memory refused writing Y (" + std::to_string(yb) + " bytes)");
    qk_.sync();
    rec.cycles = static_cast<uint64_t>(plan.cycles);
    rec.stall_cycles = static_cast<uint64_t>(plan.stall_cycles);
    rec.counters = plan.counters;
  } catch (const Error& e) {
    qk_.sync();
    fail(e.what());
    return;
  }
  rec.end = sc_core::sc_time_stamp();
  cycles_ += rec.cycles;
  stalls_ += rec.stall_cycles;
  last_cycles_ = rec.cycles;
  last_stalls_ = rec.stall_cycles;
  ++done_count_;
  history_.push_back(std::move(rec));
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
