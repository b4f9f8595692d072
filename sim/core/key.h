// A per-PE key: one bit per PE of an R x C array (ARCHITECTURE.md sections 3-5).
// Contract: bit(r, c) is k[r][c]; serial() is the order in which the bits enter
// the key port (row-major, j = r*C + c). Key files use the text format in
// docs/FORMATS.md; read() throws keymac::Error naming the file on any problem.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/geometry.h"

namespace keymac {

// A 256x256 key file is about 17 KB; anything over this cap is not a key file.
constexpr uint64_t kMaxKeyFileBytes = uint64_t(1) << 20;

class Key {
 public:
  Key() = default;
  explicit Key(Geometry g) : geometry_(g), bits_(static_cast<size_t>(g.pes()), 0) {}

  // Fresh key from the operating system's secure random source (getrandom).
  static Key secure_random(Geometry g);
  // Reproducible pseudo-random key (for wrong-key experiments), from a seed.
  static Key seeded_random(Geometry g, uint64_t seed);
  static Key read(const std::string& path);
  // Writes atomically (temporary file + rename); throws keymac::Error.
  void write(const std::string& path) const;
  std::string to_text() const;
  static Key from_text(const std::string& text, const std::string& origin);

  const Geometry& geometry() const { return geometry_; }
  int bit(int r, int c) const { return bits_[static_cast<size_t>(r * geometry_.cols + c)]; }
  void set(int r, int c, int v) { bits_[static_cast<size_t>(r * geometry_.cols + c)] = v ? 1 : 0; }
  void flip(int r, int c) { set(r, c, !bit(r, c)); }
  // Row-major bits as they enter the serial key port.
  const std::vector<uint8_t>& serial() const { return bits_; }
  int hamming_distance(const Key& other) const;
  bool operator==(const Key& o) const { return geometry_ == o.geometry_ && bits_ == o.bits_; }
  bool operator!=(const Key& o) const { return !(*this == o); }

 private:
  Geometry geometry_;
  std::vector<uint8_t> bits_;
};

// The two key modes of the array (ARCHITECTURE.md sections 4 and 11).
//  * periodic: the R*C-bit key register; W[k][n] meets key[k mod R][n mod C]
//    in every fold of every layer (the default; today's behaviour).
//  * expanded: an 80-bit master key and a public per-layer IV drive Trivium;
//    PE (r, c) gets a fresh key bit kbit(layer, f, r, c) for every fold f.
enum class KeyMode { kPeriodic, kExpanded };
const char* key_mode_name(KeyMode m);
// Parses "periodic" / "expanded"; throws keymac::Error naming `what`.
KeyMode parse_key_mode(const std::string& text, const std::string& what = "--key-mode");

// Where the PEs' key bits come from: the one protocol every model, backend,
// the locking code and the attack harness see, whatever the key mode.
// Contract:
//  * bits() are the bits entering the serial key port after reset, in order
//    (periodic: the R*C key bits, row-major; expanded: the 80 master-key bits);
//    load_cycles() = bits().size() cycles, once per reset, outside any layer.
//  * fold_plane(layer, f, plane) writes the R x C key plane (row-major,
//    plane[r*C + c]) with which PE (r, c) computes fold f (ARCHITECTURE.md
//    section 6 order) of GEMM layer `layer` (0-based, counting Gemm/Conv
//    layers in model order). A periodic source returns the same plane for
//    every (layer, f).
//  * warmup_cycles() are the cycles a layer's key unit needs before the
//    layer's first weight write (expanded: the cipher warm-up); they are
//    added to every layer's cycle count. 0 for a periodic key.
//  * key_bit_writes_per_fold() is the key-port activity during a layer: key
//    bits written beside the weight registers per fold (0 periodic, R*C expanded).
//  * clone() copies the source (a backend keeps its own copy after reset()).
//  * Wrong keys (issue 11): secret_bits() = bits().size(), the bits a key
//    search works on (periodic: R*C key bits, j = r*C + c; expanded: the 80
//    master-key bits). with_bits_flipped(P) is the same kind of source (same
//    geometry, nonce) with secret bits P flipped; at_distance(d, seed) flips d
//    distinct bits chosen from `seed`: d = 1 flips bit seed mod secret_bits()
//    (consecutive seeds cover every bit), d > 1 the first d of a std::shuffle
//    of 0..secret_bits()-1 by std::mt19937_64(seed); d = 0 is a copy.
//    random_like(seed) is an unrelated reproducible key of the same kind.
//    hamming_distance() compares bits(). Throws keymac::Error for d out of range.
class KeySource {
 public:
  virtual ~KeySource() = default;
  virtual Geometry geometry() const = 0;
  virtual KeyMode mode() const { return KeyMode::kPeriodic; }
  virtual std::vector<uint8_t> bits() const = 0;
  uint64_t load_cycles() const { return bits().size(); }
  virtual void fold_plane(int64_t layer, int64_t fold, uint8_t* plane) const;
  virtual uint64_t warmup_cycles() const { return 0; }
  virtual uint64_t key_bit_writes_per_fold() const { return 0; }
  virtual std::unique_ptr<KeySource> clone() const;
  int secret_bits() const { return static_cast<int>(bits().size()); }
  virtual std::unique_ptr<KeySource> with_bits_flipped(const std::vector<int>& positions) const;
  virtual std::unique_ptr<KeySource> random_like(uint64_t seed) const;
  std::unique_ptr<KeySource> at_distance(int d, uint64_t seed) const;
  int hamming_distance(const KeySource& other) const;
};

class SerialKeySource : public KeySource {
 public:
  explicit SerialKeySource(Key key) : key_(std::move(key)) {}
  Geometry geometry() const override { return key_.geometry(); }
  std::vector<uint8_t> bits() const override { return key_.serial(); }
  const Key& key() const { return key_; }

 private:
  Key key_;
};

}  // namespace keymac
