// CoreDevice: the register-level WsArrayCore as a CycleDevice, so the
// CycleDriver (sim/core/cycle_driver.h) can step it.
//
// Contract: reset() and step() are WsArrayCore's (step: the outputs during the
// cycle, then the edge). The core is held by reference and must outlive this.
#pragma once
#include "sim/core/cycle_driver.h"
#include "sim/core/ws_array_core.h"

namespace keymac {

class CoreDevice : public CycleDevice {
 public:
  explicit CoreDevice(WsArrayCore& core) : core_(core) {}
  void reset() override { core_.reset(); }
  void step(const ArrayInputs& in, ArrayOutputs& out) override { core_.step(in, out); }
  WsArrayCore& core() { return core_; }

 private:
  WsArrayCore& core_;
};

}  // namespace keymac
