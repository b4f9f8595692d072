#include "host/backend/rtl_backend.h"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "base/output_file.h"
#include "base/spawn.h"
#include "host/backend/rtl_ports.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/error.h"
#include "sim/core/memory_system.h"
#include "sim/core/sequencer.h"
#include "traces/vcd_scrub.h"
#include "traces/vcd_to_saif.h"

namespace keymac {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

// One cycle of the current RTL array: drive the inputs, read the outputs,
// one clock edge (RtlBackend::tick: trace window included).
class RtlBackend::Device : public CycleDevice {
 public:
  explicit Device(RtlBackend& b) : b_(b) {}
  void reset() override { b_.cur_->reset(); }
  void step(const ArrayInputs& in, ArrayOutputs& out) override {
    drive_rtl(*b_.cur_, in);
    read_rtl(*b_.cur_, out);
    b_.tick();
  }

 private:
  RtlBackend& b_;
};

RtlBackend::RtlBackend(Geometry g, const BackendOptions& options)
    : g_(g), opt_(options), device_(std::make_unique<Device>(*this)), driver_(std::make_unique<CycleDriver>(*device_, g)) {
  // --rtl-grid: "pe" runs the traced km_pe models; "sim" the models
  // verilated without --trace with the PE grid in its simulation form
  // (km_array SimGrid = 1, compared with the km_pe form every cycle by
  // tests/rtl); "auto" sim unless a VCD or SAIF is written.
  const bool traced = !opt_.trace.vcd_path.empty() || !opt_.trace.saif_path.empty();
  if (opt_.rtl_grid != "auto" && opt_.rtl_grid != "pe" && opt_.rtl_grid != "sim")
    throw UsageError("--rtl-grid: '" + opt_.rtl_grid + "' is not auto, pe or sim");
  if (opt_.rtl_grid == "sim" && traced)
    throw UsageError("--rtl-grid sim: the simulation form of the PE grid is not traced; drop --vcd/--saif or use --rtl-grid pe");
  const bool sim = opt_.rtl_grid == "sim" || (opt_.rtl_grid == "auto" && !traced);
  const auto make = [sim, g](bool keyed) {
    return sim ? rtl::make_rtl_array_untraced(g.rows, g.cols, keyed) : rtl::make_rtl_array(g.rows, g.cols, keyed);
  };
  keyed_ = make(true);
  plain_ = make(false);
  if (opt_.rtl_grid == "sim" && keyed_ && keyed_->traceable())
    throw Error("--rtl-grid sim: no simulation-form model for a " + g.str() +
                " array (cmake/rtl.cmake builds one for every verilated periodic geometry)");
  expanded_ = rtl::make_rtl_array(g.rows, g.cols, true, true);
  if (!keyed_) {
    throw Error("--backend rtl: no verilated RTL model for a " + g.str() + " array (built: " + rtl_geometry_list(true) +
                "; add one with keymac_verilate_array in cmake/rtl.cmake)");
  }
}

RtlBackend::~RtlBackend() {
  if (finished_) return;
  try {
    finish();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keymac: %s\n", e.what());
  }
}

void RtlBackend::finish() {
  if (finished_) return;
  finished_ = true;
  if (cur_ && tracing_) {
    cur_->trace_close();
    tracing_ = false;
    traced_ = true;
  }
  std::string err;
  if (traced_) {
    // The raw VCD holds the key register: it stays in the private directory.
    // What leaves it is scrubbed (traces/vcd_scrub.h) unless --trace-key.
    const auto& tr = opt_.trace;
    const bool fst = ends_with(tr.vcd_path, ".fst");
    const std::string vcd = trace_dir_->file("scrubbed.vcd");
    try {
      traces::scrub_vcd(vcd_tmp_, vcd, tr.trace_key ? std::set<std::string>{} : traces::kRtlKeyNets);
      if (!tr.vcd_path.empty() && !fst) traces::scrub_vcd(vcd, tr.vcd_path, {});  // a copy through the output layer
    } catch (const std::exception& e) {
      trace_dir_.reset();
      throw Error(e.what());
    }
    // SAIF of the RTL hierarchy: the design scope of the VCD (Verilator's top
    // scope is the model instance "km_array", the km_array module inside it);
    // the VCD is in ps, one cycle = opt_.trace.period_ps.
    if (!tr.saif_path.empty()) {
      try {
        traces::vcd_to_saif_file(vcd, tr.saif_path, kRtlSaifScope, "", traces::parse_saif_names(tr.saif_names));
      } catch (const std::exception& e) {
        err = std::string("SAIF not written: ") + e.what();
      }
    }
    if (fst) {
      SpawnOptions quiet;
      quiet.stdout_path = quiet.stderr_path = "/dev/null";
      quiet.missing_hint = "Debian: apt-get install gtkwave";
      const std::string fst_tmp = trace_dir_->file("trace.fst");
      try {
        if (run_tool({"vcd2fst", vcd, fst_tmp}, quiet) != 0) throw Error(tr.vcd_path + ": vcd2fst failed");
        write_file_atomic(tr.vcd_path, read_text_file(fst_tmp, "FST"));
      } catch (const std::exception& e) {
        err = e.what();
      }
    }
  }
  trace_dir_.reset();
  if (!err.empty()) throw Error(err);
}

void RtlBackend::tick() {
  const auto& tr = opt_.trace;
  if ((!tr.vcd_path.empty() || !tr.saif_path.empty()) && !tracing_ && !traced_ && cycle_ == tr.window_from) {
    trace_dir_ = std::make_unique<TempDir>("keymac-rtl");
    vcd_tmp_ = trace_dir_->file("raw.vcd");
    cur_->trace_open(vcd_tmp_, tr.period_ps, cycle_);
    tracing_ = true;
  }
  cur_->step();
  ++cycle_;
  if (tracing_) {
    if (const std::string e = cur_->trace_error(); !e.empty()) {  // e.g. a full disk: one line, no hang
      cur_->trace_close();
      tracing_ = false;
      trace_dir_.reset();
      finished_ = true;
      throw Error((tr.vcd_path.empty() ? tr.saif_path : tr.vcd_path) + ": trace write failed: " + e);
    }
  }
  if (tracing_ && cycle_ > tr.window_to) {
    cur_->trace_close();
    tracing_ = false;
    traced_ = true;
  }
}

void RtlBackend::reset(const KeySource* key) {
  require_key_mode_supported(*this, key);
  if (key && key->geometry() != g_) throw Error("key is for a " + key->geometry().str() + " array, not " + g_.str());
  // A plain array is the Keyed = 0 RTL when it was built, else the keyed RTL never given a key (all bits 0).
  if (cur_ && tracing_) { cur_->trace_close(); tracing_ = false; traced_ = true; }
  kx_.reset();
  if (key && key->mode() == KeyMode::kExpanded) {
    if (!expanded_)
      throw Error("--backend rtl: no verilated expanded-key RTL model for a " + g_.str() + " array (built: " +
                  rtl_geometry_list(true) + "; add one with keymac_verilate_array(... EXPANDED) in cmake/rtl.cmake)");
    if (!opt_.trace.vcd_path.empty() || !opt_.trace.saif_path.empty())
      throw UsageError("--vcd/--saif: the rtl backend does not trace an expanded-key array (its cipher state is not scrubbed)");
    if (opt_.rtl_grid == "sim")
      throw UsageError("--rtl-grid sim: the expanded-key array has no simulation form; use --rtl-grid pe or auto");
    kx_ = key->clone();
  }
  cur_ = kx_ ? expanded_.get() : (!key && plain_) ? plain_.get() : keyed_.get();
  driver_->reset();
  if (key) {
    const auto bits = key->bits();
    driver_->load_key(bits);
    cur_->set_idle();
    if (!cur_->key_sealed()) throw Error("rtl: key register did not seal after " + std::to_string(bits.size()) + " bits");
  }
}

LayerStats RtlBackend::run_gemm(const GemmJob& job, int32_t* y) {
  if (!cur_) throw Error("rtl backend: reset() must come before run_gemm()");
  const LayerPlan plan = MemorySystem(g_, MemoryConfig{}).plan(job.shape);
  GemmProblem p{job.shape, job.x, job.w, g_};
  Sequencer seq(p, plan);
  CycleDriver::prepare_layer(seq, kx_.get(), job.layer_index);
  driver_->run_layer(seq);
  const int64_t last_valid = driver_->last_valid();
  if (last_valid != seq.cycles() - 1)
    throw Error("rtl: last output row left in layer cycle " + std::to_string(last_valid) + ", the schedule says " +
                std::to_string(seq.cycles() - 1));
  std::copy(seq.y().begin(), seq.y().end(), y);
  LayerStats st;
  st.cycles = static_cast<uint64_t>(seq.cycles());
  st.macs = static_cast<uint64_t>(job.shape.macs());
  return st;
}

}  // namespace keymac
