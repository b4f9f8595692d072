#include "sim/core/expanded_key_source.h"

#include <algorithm>
#include <cstring>

#include "sim/core/error.h"

namespace keymac {

Trivium::Iv80 ExpandedKeySource::layer_iv(uint64_t nonce, int64_t layer) {
  if (layer < 0 || layer > 65535) throw Error("expanded key: layer index " + std::to_string(layer) + " is outside 0..65535");
  Trivium::Iv80 iv{};
  for (int i = 0; i < 8; ++i) iv[static_cast<size_t>(i)] = static_cast<uint8_t>((nonce >> (8 * i)) & 0xff);
  iv[8] = static_cast<uint8_t>(layer & 0xff);
  iv[9] = static_cast<uint8_t>((layer >> 8) & 0xff);
  return iv;
}

std::vector<uint8_t> ExpandedKeySource::bits() const {
  std::vector<uint8_t> b(MasterKey::kBits);
  for (int i = 0; i < MasterKey::kBits; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(key_.bit(i));
  return b;
}

uint64_t ExpandedKeySource::warmup_cycles() const {
  return static_cast<uint64_t>((Trivium::kWarmupRounds + g_.cols - 1) / g_.cols);
}

void ExpandedKeySource::fold_plane(int64_t layer, int64_t fold, uint8_t* plane) const {
  if (fold < 0) throw Error("expanded key: negative fold index");
  const size_t pes = static_cast<size_t>(g_.pes());
  const size_t need = (static_cast<size_t>(fold) + 1) * pes;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(layer);
  if (it == streams_.end()) it = streams_.emplace(layer, Stream{Trivium(key_.bytes(), layer_iv(nonce_, layer)), {}}).first;
  Stream& s = it->second;
  if (s.bits.size() < need) s.cipher.generate(static_cast<int64_t>(std::max(need, 2 * s.bits.size()) - s.bits.size()), s.bits);
  std::memcpy(plane, s.bits.data() + static_cast<size_t>(fold) * pes, pes);
}

std::unique_ptr<KeySource> ExpandedKeySource::with_bits_flipped(const std::vector<int>& positions) const {
  MasterKey k = key_;
  for (int p : positions) {
    if (p < 0 || p >= MasterKey::kBits) throw Error("expanded key: master-key bit " + std::to_string(p) + " is outside 0..79");
    k.flip(p);
  }
  return std::make_unique<ExpandedKeySource>(g_, k, nonce_);
}

std::unique_ptr<KeySource> ExpandedKeySource::random_like(uint64_t seed) const {
  return std::make_unique<ExpandedKeySource>(g_, MasterKey::seeded_random(seed), nonce_);
}

}  // namespace keymac
