// Key files of both key modes (docs/FORMATS.md): a per-PE key ("array RxC",
// periodic) or a master key ("mode expanded"), told apart by their first line.
// Contract: read_key_file() throws keymac::Error naming the file if it is
// neither, or if `expected` (a --key-mode option) names the other mode;
// make_key_source() checks a periodic key's geometry against g.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sim/core/key.h"
#include "sim/core/master_key.h"

namespace keymac {

struct KeyFile {
  std::string path;
  KeyMode mode = KeyMode::kPeriodic;
  std::optional<Key> key;           // periodic
  std::optional<MasterKey> master;  // expanded
};

KeyFile read_key_file(const std::string& path, std::optional<KeyMode> expected = std::nullopt);
// The source for array g; `nonce` is the package's (expanded keys only).
std::unique_ptr<KeySource> make_key_source(const KeyFile& f, Geometry g, uint64_t nonce);
// A fresh public nonce for a new expanded lock (getrandom).
uint64_t fresh_nonce();

}  // namespace keymac
