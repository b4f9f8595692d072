// Activity counts of one GEMM layer on the keyed (or plain) array, computed
// exactly from the operand streams per the section 7 dataflow under the
// section 8 ideal-memory schedule, plus buffer and DRAM traffic.
//
// Contract (docs/TRACES.md "Activity counts" defines every field):
//  * macs = M*K*N; array_macs = F*M*R*C, the PE operations with a valid
//    activation (padding included); *_zero_operand: those with a zero operand.
//  * Register toggles are bit flips of the PE data registers over the layer,
//    starting from and returning to the reset state (weight banks from 0 at
//    the layer's start): act_reg (8 bits per PE), weight_reg (2 banks x 8 bits),
//    psum_reg (32 bits), derived from the dataflow (hand-checked in tests/traces).
//  * key_xor_ops = array_macs on a keyed array, 0 on a plain one.
//  * Expanded key (ARCHITECTURE.md 11; KeySource overload): key_bit_writes =
//    F*R*C per-PE key-bit flop writes (one beside every weight byte written),
//    cipher_cycles = the key unit's warm-up + F*R row-write cycles (C
//    keystream bits each); both 0 for a periodic key or a plain array.
//  * Buffers in accesses of one row (weight C bytes, input R bytes, accumulator
//    4*C bytes) and DRAM in bytes: from the backend's LayerStats counters when
//    it reports them (systemc: memory_from_backend = true), else the ideal
//    schedule's estimate: each weight and each activation read once per fold
//    from its buffer, written once from DRAM (weights K*N bytes, activations
//    M*K bytes), the accumulator written per fold, read-modify-written for
//    K-tiles after the first and read out once (M*N*4 bytes to DRAM).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "host/backend/array_backend.h"
#include "sim/core/key.h"

namespace keymac {

struct LayerActivity {
  std::string name;
  GemmShape shape;
  uint64_t folds = 0, cycles = 0;
  uint64_t macs = 0, macs_zero_operand = 0;
  uint64_t array_macs = 0, array_macs_zero_operand = 0;
  uint64_t act_reg_toggles = 0, weight_reg_toggles = 0, psum_reg_toggles = 0;
  uint64_t weight_reg_writes = 0;  // PE weight-bank byte writes (F*R*C)
  uint64_t key_xor_ops = 0;
  uint64_t key_bit_writes = 0, cipher_cycles = 0;  // expanded key only
  uint64_t sram_weight_reads = 0, sram_weight_writes = 0;
  uint64_t sram_input_reads = 0, sram_input_writes = 0;
  uint64_t sram_accum_reads = 0, sram_accum_writes = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  bool memory_from_backend = false;

  LayerActivity& operator+=(const LayerActivity& o);
  // Named counters ("activity.macs", "sram.weight.reads", ...; docs/TRACES.md).
  std::map<std::string, uint64_t> counters() const;
};

// key == nullptr: plain array. stats: the backend's result for this job.
LayerActivity measure_activity(const GemmJob& job, Geometry g, const Key* key, const LayerStats& stats);
// Any key mode: the key bits of GEMM layer job.layer_index from `key`.
LayerActivity measure_activity(const GemmJob& job, Geometry g, const KeySource* key, const LayerStats& stats);
// A plain array (a bare nullptr names no key type).
inline LayerActivity measure_activity(const GemmJob& job, Geometry g, std::nullptr_t, const LayerStats& stats) {
  return measure_activity(job, g, static_cast<const Key*>(nullptr), stats);
}

// The ideal schedule's buffer/DRAM estimate alone (fills the sram/dram fields).
void estimate_memory(GemmShape shape, Geometry g, LayerActivity& a);

}  // namespace keymac
