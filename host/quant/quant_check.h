// Structural check of a QuantModel read from an untrusted package: every
// layer's inputs come before it, its shapes agree with its inputs and its
// parameters, so the runtime can never index out of bounds.
// Contract: check_quant_model() returns normally or throws keymac::Error
// "<path>: layer <name>: <problem>" (one line).
#pragma once
#include <string>

#include "host/quant/quant_model.h"

namespace keymac {

void check_quant_model(const QuantModel& m, const std::string& path);

}  // namespace keymac
