#include "host/lock/key_file.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"

namespace keymac {

KeyFile read_key_file(const std::string& path, std::optional<KeyMode> expected) {
  const std::string text = read_file_capped(path, "key file", kMaxKeyFileBytes);
  KeyFile f;
  f.path = path;
  if (MasterKey::looks_like_master_key(text)) {
    f.mode = KeyMode::kExpanded;
    f.master = MasterKey::from_text(text, path);
  } else {
    f.key = Key::from_text(text, path);
  }
  if (expected && *expected != f.mode)
    throw Error(path + ": holds " + (f.mode == KeyMode::kExpanded ? "an expanded master key" : "a periodic per-PE key") +
                " but --key-mode is " + key_mode_name(*expected));
  return f;
}

std::unique_ptr<KeySource> make_key_source(const KeyFile& f, Geometry g, uint64_t nonce) {
  if (f.mode == KeyMode::kExpanded) return std::make_unique<ExpandedKeySource>(g, *f.master, nonce);
  if (f.key->geometry() != g) throw Error(f.path + ": key is for a " + f.key->geometry().str() + " array, not " + g.str());
  return std::make_unique<SerialKeySource>(*f.key);
}

uint64_t fresh_nonce() {
  uint64_t v = 0;
  auto* p = reinterpret_cast<uint8_t*>(&v);
  size_t got = 0;
  while (got < sizeof v) {
    ssize_t n = getrandom(p + got, sizeof v - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  return v;
}

}  // namespace keymac
