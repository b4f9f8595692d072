// CycleMemorySystem: the memory system of docs/SYSTEMC.md stepped one clock
// cycle at a time — the DRAM channel, the weight and input SRAM slots and the
// sequencer's weight loader and activation presenter as small state machines
// — as the reference for MemorySystem::plan's closed-form planner.
//
// Contract:
//  * run(shape) steps cycles 0, 1, 2, ... until the layer's last activation
//    row has been presented and returns the same LayerPlan fields plan()
//    returns (every fold's w_start and activation segments, cycles,
//    stall_cycles, dram.read_bytes / dram.write_bytes). Counters other than the
//    DRAM bytes are left empty (they do not depend on time).
//  * Each cycle, in this order of priority: the DRAM channel, when free,
//    starts a posted write whose cycle has come (oldest first), else the
//    oldest read in program order if it has been issued (in order: a later
//    read never overtakes); a read of B bytes occupies ceil(B / bw) cycles and
//    its data is on chip `latency` cycles after. The weight loader starts
//    fold f when its tile is on chip, P cycles after fold f-1 started and
//    after fold f-2's last activation; the presenter starts the next block
//    of R activation rows when its data is on chip, its fold's weights
//    started before, and the previous rows are out. SRAM slots are released
//    when a tile's rows are in the array / a block's rows are presented, and
//    the fetch waiting for that slot is issued then.
//  * Not a fast path: O(cycles); used by tests and `--timing cycle` checks.
#pragma once
#include "sim/core/memory_system.h"

namespace keymac {

class CycleMemorySystem {
 public:
  CycleMemorySystem(Geometry g, MemoryConfig config);  // validates config
  LayerPlan run(GemmShape shape) const;

 private:
  Geometry g_;
  MemoryConfig cfg_;
};

}  // namespace keymac
