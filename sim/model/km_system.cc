#include "sim/model/km_system.h"

#include <algorithm>
#include <cstdlib>

#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sysc/tracing/sc_tracing_ids.h"

// libsystemc.so calls sc_main from its own main(); programs with their own
// main() (the keymac CLI, gtest_main binaries) never reach it, but the
// symbol must exist. Test binaries that define sc_main override this one.
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 1; }

namespace keymac {

ArrayContext::ArrayContext(Geometry g, const MemoryConfig& mem, const TraceWindow& trace, bool cycle_level)
    : g_(g), key_(g, false), mem_(g, mem), fast_(g) {
  if (cycle_level) core_ = std::make_unique<WsArrayCore>(g, true);
  KmSystem::instance();
  if (!trace.vcd_path.empty())
    tracer_ = std::make_unique<BoundaryTracer>(trace.vcd_path, g, trace.from, trace.to, trace.period_ps,
                                               trace.trace_key);
}

KmSystem& KmSystem::instance() {
  static KmSystem* sys = [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    // Keep stdout clean for the CLI: no "timescale unit set" notes per VCD.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_TRACING_TIMESCALE_UNIT_,
                                            sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_TRACING_TIMESCALE_DEFAULT_,
                                            sc_core::SC_DO_NOTHING);
    auto* s = new KmSystem("keymac_array");
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end of elaboration; thread waits for jobs
    return s;
  }();
  return *sys;
}

KmSystem::KmSystem(sc_core::sc_module_name name) : sc_core::sc_module(name) {
  SC_HAS_PROCESS(KmSystem);
  SC_THREAD(thread);
}

void KmSystem::thread() {
  for (;;) {
    while (!job_) sc_core::wait(go_);
    try {
      job_();
    } catch (...) {
      error_ = std::current_exception();
    }
    job_ = nullptr;
    done_ = true;
    sc_core::sc_pause();
  }
}

void KmSystem::execute(std::function<void()> job) {
  job_ = std::move(job);
  done_ = false;
  error_ = nullptr;
  go_.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  if (!done_) throw Error("SystemC model: the simulation stopped before the job finished");
  if (error_) std::rethrow_exception(error_);
}

void KmSystem::pass(ArrayContext& ctx, uint64_t from, uint64_t to,
                    const std::function<void(uint64_t, ArrayInputs&, ArrayOutputs&, int64_t&)>& values) {
  const sc_core::sc_time T = cycle_time();
  BoundaryTracer* tr = ctx.tracer_.get();
  uint64_t now = from;
  while (now < to) {
    if (tr && tr->in_window(now)) {
      int64_t fold = -1;
      values(now, in_, out_, fold);
      tr->sample(now, in_, out_, ctx.layers_, fold);
      tr->set_clock(true);
      sc_core::wait(T / 2);
      tr->set_clock(false);
      sc_core::wait(T / 2);
      ++now;
      continue;
    }
    uint64_t next = to;
    if (tr && now < tr->from()) next = std::min<uint64_t>(to, tr->from());
    sc_core::wait(static_cast<double>(next - now) * T);
    now = next;
  }
}

void KmSystem::load_key(ArrayContext& ctx, const std::vector<uint8_t>* key_bits) {
  ctx.expanded_.reset();
  load_bits(ctx, key_bits, false);
}

void KmSystem::load_key_source(ArrayContext& ctx, const KeySource& key) {
  if (key.geometry() != ctx.g_) throw Error("key is for a " + key.geometry().str() + " array, not " + ctx.g_.str());
  const auto bits = key.bits();
  if (key.mode() != KeyMode::kExpanded) return load_key(ctx, &bits);
  ctx.expanded_ = key.clone();
  load_bits(ctx, &bits, true);
}

int64_t KmSystem::key_prefix(ArrayContext& ctx, Sequencer* seq, int64_t layer_index) {
  if (!ctx.expanded_) return 0;
  const auto* src = dynamic_cast<const ExpandedKeySource*>(ctx.expanded_.get());
  if (!src) throw Error("SystemC model: expanded key of an unknown kind");
  const auto warm = static_cast<int64_t>(src->warmup_cycles());
  if (seq) seq->set_key_warmup(warm, ExpandedKeySource::layer_iv(src->nonce(), layer_index));
  ctx.fast_.set_key_source(src, layer_index);
  return warm;
}

void KmSystem::load_bits(ArrayContext& ctx, const std::vector<uint8_t>* key_bits, bool expanded) {
  // Expanded: the 80-bit master-key register has the key register's loading
  // and sealing rules (section 5), so a KeyRegister of 1 x 80 models its port.
  const Geometry reg_g = expanded ? Geometry::make(1, MasterKey::kBits) : ctx.g_;
  const int64_t n_bits = reg_g.pes();
  ctx.key_ = KeyRegister(reg_g, key_bits != nullptr);
  if (ctx.core_) {
    // The register-level array: reset, then the serial key load bit by bit.
    ctx.core_ = expanded ? std::make_unique<WsArrayCore>(ctx.g_, KeyMode::kExpanded)
                         : std::make_unique<WsArrayCore>(ctx.g_, key_bits != nullptr);
    ctx.core_->reset();
    if (key_bits && static_cast<int64_t>(key_bits->size()) == n_bits) {
      ArrayInputs in;
      ArrayOutputs out;
      in.resize(ctx.g_);
      out.resize(ctx.g_);
      for (int64_t j = 0; j < n_bits; ++j) {
        Sequencer::key_inputs(*key_bits, j, in);
        ctx.core_->step(in, out);
      }
    }
  }
  if (!key_bits) {
    ctx.fast_.set_key(ctx.key_);
    return;
  }
  if (static_cast<int64_t>(key_bits->size()) != n_bits)
    throw Error("key has " + std::to_string(key_bits->size()) + " bits, the " + ctx.g_.str() +
                " array needs " + std::to_string(n_bits));
  in_.resize(ctx.g_);
  out_.resize(ctx.g_);
  execute([&] {
    const uint64_t base = ctx.cycle_, n = static_cast<uint64_t>(n_bits);
    // Register state follows the port, bit by bit, inside the trace window;
    // outside it the whole load is one wait.
    KeyRegister& reg = ctx.key_;
    uint64_t loaded = 0;
    auto load_upto = [&](uint64_t j) {
      for (; loaded < j; ++loaded) reg.clock(true, (*key_bits)[loaded] != 0);
    };
    pass(ctx, base, base + n, [&](uint64_t t, ArrayInputs& in, ArrayOutputs& out, int64_t&) {
      load_upto(t - base);
      Sequencer::key_inputs(*key_bits, static_cast<int64_t>(t - base), in);
      out.key_sealed = reg.sealed();
      out.key_err = reg.err();
      out.psum_valid = false;
      std::fill(out.psum_data.begin(), out.psum_data.end(), 0);
    });
    load_upto(n);
    ctx.cycle_ += n;
    ctx.key_load_cycles_ = n;
  });
  if (expanded) ctx.fast_.set_key_source(ctx.expanded_.get(), 0);
  else ctx.fast_.set_key(ctx.key_);
}

void KmSystem::run_layer(ArrayContext& ctx, const GemmProblem& p, const LayerPlan& plan,
                         int32_t* y, int64_t layer_index) {
  if (p.geometry != ctx.g_) throw Error("SystemC model: layer for another geometry");
  in_.resize(ctx.g_);
  out_.resize(ctx.g_);
  execute([&] {
    const uint64_t base = ctx.cycle_;
    const auto W = static_cast<uint64_t>(key_prefix(ctx, nullptr, layer_index));
    const auto L = static_cast<uint64_t>(plan.cycles) + W;
    BoundaryTracer* tr = ctx.tracer_.get();
    std::unique_ptr<Sequencer> seq;
    if (tr && tr->to() >= base && tr->from() < base + L) {
      seq = std::make_unique<Sequencer>(p, plan);
      key_prefix(ctx, seq.get(), layer_index);
    }
    int64_t cur_fold = 0;
    auto values = [&](uint64_t t, ArrayInputs& in, ArrayOutputs& out, int64_t& fold) {
      seq->inputs(static_cast<int64_t>(t - base), in);
      ctx.fast_.outputs_at(*seq, static_cast<int64_t>(t - base), out);
      fold = cur_fold;
    };
    const auto F = static_cast<int64_t>(plan.folds.size());
    uint64_t now = base;
    for (int64_t f = 0; f < F; ++f) {
      cur_fold = f;
      ctx.fast_.run_fold(p, f, y);
      const uint64_t next = base + (f + 1 < F ? W + static_cast<uint64_t>(plan.folds[static_cast<size_t>(f + 1)].w_start) : L);
      pass(ctx, now, next, values);
      now = next;
    }
    ctx.cycle_ = base + L;
    ++ctx.layers_;
  });
  if (ctx.tracer_ && ctx.cycle_ > ctx.tracer_->to()) ctx.tracer_->close();
}

void KmSystem::run_layer_cycle(ArrayContext& ctx, const GemmProblem& p, const LayerPlan& plan,
                               int32_t* y, int64_t layer_index) {
  if (p.geometry != ctx.g_) throw Error("SystemC model: layer for another geometry");
  if (!ctx.core_) throw Error("SystemC model: run_layer_cycle on a fold-level context");
  in_.resize(ctx.g_);
  out_.resize(ctx.g_);
  execute([&] {
    const uint64_t base = ctx.cycle_;
    Sequencer seq(p, plan);
    const int64_t W = key_prefix(ctx, &seq, layer_index);
    const auto L = static_cast<uint64_t>(seq.cycles());
    ArrayInputs in;
    ArrayOutputs out;
    in.resize(ctx.g_);
    out.resize(ctx.g_);
    int64_t cur_fold = 0;
    // Traced values: the ports of the cycle as the register-level array shows them.
    auto values = [&](uint64_t t, ArrayInputs& vi, ArrayOutputs& vo, int64_t& fold) {
      seq.inputs(static_cast<int64_t>(t - base), vi);
      ctx.fast_.outputs_at(seq, static_cast<int64_t>(t - base), vo);
      fold = cur_fold;
    };
    const auto F = static_cast<int64_t>(plan.folds.size());
    int64_t t = 0;
    uint64_t now = base;
    for (int64_t f = 0; f < F; ++f) {
      cur_fold = f;
      const int64_t next = f + 1 < F ? W + plan.folds[static_cast<size_t>(f + 1)].w_start : seq.cycles();
      for (; t < next; ++t) {
        seq.inputs(t, in);
        ctx.core_->step(in, out);
        seq.collect(t, out);
      }
      pass(ctx, now, base + static_cast<uint64_t>(next), values);
      now = base + static_cast<uint64_t>(next);
    }
    std::copy(seq.y().begin(), seq.y().end(), y);
    ctx.cycle_ = base + L;
    ++ctx.layers_;
  });
  if (ctx.tracer_ && ctx.cycle_ > ctx.tracer_->to()) ctx.tracer_->close();
}

}  // namespace keymac
