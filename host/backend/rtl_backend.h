// The RTL backend: runs every GEMM on the verilated km_array, driven cycle by
// cycle by the Sequencer with the section 8 schedule (ideal memory), so its
// results and cycle counts come from the RTL itself.
// Contract: as ArrayBackend. Only the geometries verilated into this build
// exist (rtl/tb/rtl_models.h); others are refused with the list. Tracing
// (BackendOptions::trace) writes VCD, or FST when the path ends in .fst
// (VCD converted by gtkwave's vcd2fst), for the global cycle window (cycle 0
// is the first cycle of the key load, as traces::ArrayTracer counts; the
// waveform's time of cycle t is t * trace.period_ps ps, reset cycles are not
// counted). With
// trace.saif_path, the window's VCD (a temporary one without vcd_path) is
// converted at destruction into a SAIF of the RTL hierarchy, top instance
// km_array (scope kRtlSaifScope of the VCD), trace.period_ps per cycle; a failure is
// reported on stderr (a destructor cannot throw).
// Expanded keys (ARCHITECTURE.md 11) run on the KeyMode = 1 km_array where one
// was verilated for the geometry (others are refused with the list): the 80
// master-key bits are loaded through the key port, each layer starts with the
// key unit's warm-up (kx_start_i, IV of GemmJob::layer_index) and its cycles
// include it. Traces of an expanded array are refused (its cipher state and
// per-PE key bits are not covered by the VCD scrubber).
#pragma once
#include <memory>

#include "base/temp_dir.h"
#include "host/backend/array_backend.h"

namespace keymac {

namespace rtl { class RtlArray; }
class CycleDriver;

// The km_array design scope in the verilated model's VCD.
inline constexpr const char* kRtlSaifScope = "km_array.km_array";

class RtlBackend : public ArrayBackend {
 public:
  RtlBackend(Geometry g, const BackendOptions& options);
  ~RtlBackend() override;
  std::string name() const override { return "rtl"; }
  bool supports_expanded_key() const override { return true; }
  Geometry geometry() const override { return g_; }
  void reset(const KeySource* key) override;
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;
  void finish() override;

 private:
  void tick();
  class Device;  // the current RTL array as the CycleDriver's CycleDevice
  Geometry g_;
  BackendOptions opt_;
  std::unique_ptr<rtl::RtlArray> plain_, keyed_, expanded_;
  std::unique_ptr<KeySource> kx_;  // the expanded key after reset(), else null
  rtl::RtlArray* cur_ = nullptr;
  uint64_t cycle_ = 0;
  bool tracing_ = false, traced_ = false, finished_ = false;
  std::string vcd_tmp_;                 // Verilator's raw VCD, in trace_dir_
  std::unique_ptr<TempDir> trace_dir_;  // private (0700): the raw VCD holds the key
  std::unique_ptr<Device> device_;
  std::unique_ptr<CycleDriver> driver_;
};

}  // namespace keymac
