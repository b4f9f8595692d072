#include "sim/model/km_accel_driver.h"

#include <cstdio>

#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/tlm_payload.h"

namespace keymac {

namespace {
std::string hex(uint64_t a) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(a));
  return b;
}
}  // namespace

KmAccelDriver::KmAccelDriver(Bus bus, uint64_t base, const KmAccel& accel)
    : bus_(std::move(bus)), base_(base), accel_(accel) {}

void KmAccelDriver::access(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes) {
  tlm::tlm_generic_payload t;
  init_payload(t, cmd, addr, data, bytes);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  bus_(t, delay);
  if (!t.is_response_ok())
    throw Error("bus: " + std::string(cmd == tlm::TLM_READ_COMMAND ? "read" : "write") + " of " +
                std::to_string(bytes) + " bytes at " + hex(addr) + ": " + t.get_response_string());
  if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);
}

uint32_t KmAccelDriver::read32(uint64_t off) {
  uint32_t v = 0;
  access(tlm::TLM_READ_COMMAND, base_ + off, &v, 4);
  return v;
}

uint64_t KmAccelDriver::read64(uint64_t lo_off) {
  uint32_t v[2] = {0, 0};
  access(tlm::TLM_READ_COMMAND, base_ + lo_off, v, 8);
  return (uint64_t(v[1]) << 32) | v[0];
}

void KmAccelDriver::write32(uint64_t off, uint32_t v) { access(tlm::TLM_WRITE_COMMAND, base_ + off, &v, 4); }

void KmAccelDriver::reset_and_load_key(const KeySource* key) {
  const bool expanded = key && key->mode() == KeyMode::kExpanded;
  if (key) {
    const uint32_t geo = read32(km_reg::kGeometry);
    const Geometry g = Geometry::make(int(geo & 0xffff), int(geo >> 16));
    if (key->geometry() != g)
      throw Error("key is for a " + key->geometry().str() + " array, the accelerator at " + hex(base_) +
                  " is " + g.str());
  }
  if (expanded) {
    const auto* kx = dynamic_cast<const ExpandedKeySource*>(key);
    if (!kx) throw Error("expanded key of an unknown kind (no nonce)");
    const uint32_t nonce[] = {uint32_t(kx->nonce()), uint32_t(kx->nonce() >> 32)};
    access(tlm::TLM_WRITE_COMMAND, base_ + km_reg::kNonceLo, const_cast<uint32_t*>(nonce), sizeof nonce);
  }
  write32(km_reg::kKeyMode, expanded ? km_reg::kKeyModeExpanded : km_reg::kKeyModePeriodic);
  write32(km_reg::kCtrl, km_reg::kCtrlReset);
  if (!key) return;
  const std::vector<uint8_t> bits = key->bits();
  for (size_t j = 0; j < bits.size(); j += 32) {
    uint32_t word = 0;
    for (size_t i = 0; i < 32 && j + i < bits.size(); ++i) word |= uint32_t(bits[j + i] & 1) << i;
    write32(km_reg::kKeyData, word);
  }
}

void KmAccelDriver::submit(const KmDescriptor& d) {
  const uint32_t desc[] = {uint32_t(d.x), uint32_t(d.x >> 32), uint32_t(d.w), uint32_t(d.w >> 32),
                           uint32_t(d.y), uint32_t(d.y >> 32), uint32_t(d.shape.m),
                           uint32_t(d.shape.k), uint32_t(d.shape.n)};
  if (d.shape.m > UINT32_MAX || d.shape.k > UINT32_MAX || d.shape.n > UINT32_MAX)
    throw Error("descriptor: a dimension exceeds 32 bits");
  access(tlm::TLM_WRITE_COMMAND, base_ + km_reg::kXAddrLo, const_cast<uint32_t*>(desc), sizeof desc);
  write32(km_reg::kLayer, d.layer);
  write32(km_reg::kCtrl, km_reg::kCtrlGo);
}

void KmAccelDriver::wait_idle() {
  while (read32(km_reg::kStatus) & km_reg::kStatusBusy) sc_core::wait(accel_.done_event());
  if (read32(km_reg::kStatus) & km_reg::kStatusError) throw Error(accel_.last_error());
}

void KmAccelDriver::throw_if_error() {
  if (!(read32(km_reg::kStatus) & km_reg::kStatusError)) return;
  const std::string why = accel_.last_error();
  clear_error();
  throw Error(why);
}

namespace {
uint64_t align64(uint64_t v) { return (v + 63) & ~uint64_t(63); }
}  // namespace

uint64_t KmAccelDriver::layer_bytes(const GemmShape& s) {
  return align64(uint64_t(s.m) * uint64_t(s.k)) + align64(uint64_t(s.k) * uint64_t(s.n)) +
         4 * uint64_t(s.m) * uint64_t(s.n);
}

void KmAccelDriver::run_layer(uint64_t base, const GemmShape& s, const int8_t* x, const int8_t* w, int32_t* y,
                              uint32_t layer) {
  const uint64_t xb = uint64_t(s.m) * uint64_t(s.k), wb = uint64_t(s.k) * uint64_t(s.n),
                 yb = 4 * uint64_t(s.m) * uint64_t(s.n);
  const KmDescriptor d{base, base + align64(xb), base + align64(xb) + align64(wb), s, layer};
  write_mem(d.x, x, xb);
  write_mem(d.w, w, wb);
  run(d);
  read_mem(d.y, y, yb);
}

void KmAccelDriver::write_mem(uint64_t addr, const void* data, uint64_t bytes) {
  access(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), bytes);
}

void KmAccelDriver::read_mem(uint64_t addr, void* data, uint64_t bytes) {
  access(tlm::TLM_READ_COMMAND, addr, data, bytes);
}

}  // namespace keymac
