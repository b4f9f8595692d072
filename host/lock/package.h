// Locking a quantized model to a key, and the locked-model package file
// (docs/FORMATS.md): 8-byte magic "KEYMACP1", uint64 little-endian header
// length, a JSON header, then a binary blob of tensors (int8 weights, int32
// biases, requantization pairs, float32 scales) with a CRC-32 in the header.
// Contract: lock_model() flips W[k][n]'s sign where key[k mod R][n mod C] = 1
// (an involution: locking a locked model with the same key unlocks it).
// A package never holds the key or unlocked weights. read_package() throws
// keymac::Error naming the file for any malformed or corrupted package.
#pragma once
#include <string>

#include "host/quant/quant_model.h"
#include "sim/core/key.h"

namespace keymac {

QuantModel lock_model(const QuantModel& model, const Key& key);
// Unlock = lock again with the same key (sign flips are an involution).
QuantModel unlock_model(const QuantModel& locked, const Key& key);

void write_package(const std::string& path, const QuantModel& locked);
QuantModel read_package(const std::string& path);
// True if the file starts with the package magic.
bool is_package_file(const std::string& path);

}  // namespace keymac
