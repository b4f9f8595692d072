// Locking a quantized model to a key, and the locked-model package file
// (docs/FORMATS.md): 8-byte magic "KEYMACP1", uint64 little-endian header
// length, a JSON header, then a binary blob of tensors (int8 weights, int32
// biases, requantization pairs, float32 scales) with a CRC-32 in the header.
// Contract: lock_model() flips W[k][n]'s sign where key[k mod R][n mod C] = 1
// (an involution: locking a locked model with the same key unlocks it).
// A package never holds the key or unlocked weights. read_package() throws
// keymac::Error naming the file for any malformed or corrupted package.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "host/quant/quant_model.h"
#include "sim/core/key.h"

namespace keymac {

QuantModel lock_model(const QuantModel& model, const Key& key);
// Unlock = lock again with the same key (sign flips are an involution).
QuantModel unlock_model(const QuantModel& locked, const Key& key);

// Caps on what a package may ask for (docs/RELIABILITY.md): the file is read
// only up to kMaxPackageBytes; no shape or k*n above kMaxPackageElements.
constexpr uint64_t kMaxPackageBytes = uint64_t(1) << 30;
constexpr int64_t kMaxPackageElements = int64_t(1) << 28;
// Any key mode: GEMM layer L's W[k][n] flips where kbit(L, f(k,n), k mod R,
// n mod C) = 1 (weight_key_bits in sim/core/keyed_gemm.h). The package
// records the mode and, for an expanded source, its nonce.
QuantModel lock_model(const QuantModel& model, const KeySource& key);
QuantModel unlock_model(const QuantModel& locked, const KeySource& key);
// Re-issues a model locked for `from` for `to` (same geometry), one sign flip
// per weight by kbit_from XOR kbit_to: no unlocked weight is ever formed.
QuantModel relock_model(const QuantModel& locked, const KeySource& from, const KeySource& to);
// The key source a package needs: checks mode and geometry against the
// model's, and builds the expanded source from the recorded nonce.
// `key_path` names the key file in errors.
std::unique_ptr<KeySource> key_source_for(const QuantModel& locked, const std::string& key_path);

void write_package(const std::string& path, const QuantModel& locked);
// Validates the header (magic, lengths, field types and ranges, finite
// positive scales, CRC) before any arithmetic on it.
QuantModel read_package(const std::string& path);
// The same on bytes already in memory (`path` names them in errors).
QuantModel read_package_bytes(const std::string& bytes, const std::string& path);
// True if the file starts with the package magic or is named *.kmpkg.
bool is_package_file(const std::string& path);

}  // namespace keymac
