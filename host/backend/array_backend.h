// ArrayBackend: the interface through which the host runtime streams a
// layer's weights and activations onto one keyed (or plain) MAC array.
//
// Contract (what the runtime may assume of every backend):
//  * reset(key) models a hardware reset followed by the serial key load of
//    `key` (nullptr: a plain array, no key register). It must be called before
//    the first run_gemm and may be called again to model a new reset/key.
//  * run_gemm(job, y) computes the M x N int32 result of job on the array,
//    exactly as ARCHITECTURE.md defines it (tiling, key signs, wrap-around),
//    writes it row-major to y and returns the layer's statistics. Every
//    backend returns bit-identical y for the same job and key; cycle-level
//    backends return stats.cycles equal to Schedule::cycles() under ideal
//    memory, plus stall cycles otherwise.
//  * Backends are not thread-safe unless thread_safe() says so; one instance
//    is used by one thread at a time.
//  * Errors (bad parameters, a geometry the backend cannot host) throw
//    keymac::Error with a one-line message.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "host/backend/backend_options.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"
#include "sim/core/schedule.h"

namespace keymac {

struct GemmJob {
  std::string layer;     // layer name, for statistics and traces
  GemmShape shape;       // M, K, N
  const int8_t* x;       // M x K activations, row-major
  const int8_t* w;       // K x N weights (as stored in the model: locked or not)
  int64_t layer_index = 0;  // GEMM layer of the model (0-based, Gemm/Conv only): the expanded key's IV
};

struct LayerStats {
  uint64_t cycles = 0;        // first weight write .. last output, inclusive
  uint64_t stall_cycles = 0;  // cycles lost waiting for memory (0 with ideal memory)
  uint64_t macs = 0;          // M*K*N useful MACs
  // Backend-specific named counters (SRAM reads/writes, DRAM bytes, ...).
  std::map<std::string, uint64_t> counters;
  LayerStats& operator+=(const LayerStats& o);
};

class ArrayBackend {
 public:
  virtual ~ArrayBackend() = default;
  virtual std::string name() const = 0;
  virtual Geometry geometry() const = 0;
  virtual bool thread_safe() const { return false; }
  virtual void reset(const KeySource* key) = 0;
  // True if reset() accepts an expanded key (ARCHITECTURE.md section 11).
  virtual bool supports_expanded_key() const { return false; }
  virtual LayerStats run_gemm(const GemmJob& job, int32_t* y) = 0;
  // Completes output files (waveforms, SAIF) after the last run_gemm; throws
  // keymac::Error if one cannot be written. Destruction without finish()
  // still closes them, reporting failures on stderr only.
  virtual void finish() {}
};

// Creates a backend by name ("functional", "systemc", "rtl" as built).
// Throws keymac::Error listing the available names for an unknown one.
std::unique_ptr<ArrayBackend> make_backend(const std::string& name, Geometry g,
                                           const BackendOptions& options);
std::string available_backends();
// Throws keymac::Error if `key` is an expanded key and `backend` does not model one.
void require_key_mode_supported(const ArrayBackend& backend, const KeySource* key);

}  // namespace keymac
