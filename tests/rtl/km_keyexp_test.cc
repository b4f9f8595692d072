// km_keyexp (verilated at Par = 16, 5 and 64) against the official eSTREAM
// Trivium test vectors (profile H3, 80-bit key and IV, "verified.test-vectors"
// of the eSTREAM submission as republished in avr-crypto-lib
// testvectors/trivium-80.80.test-vectors) and against the C++ Trivium of
// sim/core on random keys and IVs: the serial master-key port (seal, refusal),
// the warm-up latency ceil(1152 / Par), and the stream under stalls.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vkm_keyexp_p16.h"
#include "Vkm_keyexp_p5.h"
#include "Vkm_keyexp_p64.h"
#include "sim/core/trivium.h"
#include "tests/sim/trivium_vectors.h"
#include "verilated.h"

namespace keymac::rtl {
namespace {

using test::hex10;

// One verilated km_keyexp; step() is one clock cycle.
class KeyExp {
 public:
  virtual ~KeyExp() = default;
  virtual int par() const = 0;
  virtual void step(bool rst, bool kv, bool kb, bool start, const Trivium::Iv80& iv, bool next) = 0;
  virtual bool ready() = 0;
  virtual bool sealed() = 0;
  virtual bool err() = 0;
  virtual std::vector<uint8_t> ks() = 0;  // Par bits, bit p first
};

template <class V>
class Verilated final : public KeyExp {
 public:
  explicit Verilated(int par) : par_(par), ctx_(std::make_unique<VerilatedContext>()) {
    top_ = std::make_unique<V>(ctx_.get(), "km_keyexp");
    top_->clk_i = 0;
    top_->eval();
  }
  ~Verilated() override { top_->final(); }
  int par() const override { return par_; }
  void step(bool rst, bool kv, bool kb, bool start, const Trivium::Iv80& iv, bool next) override {
    top_->rst_ni = !rst;
    top_->key_valid_i = kv;
    top_->key_bit_i = kb;
    top_->start_i = start;
    for (int w = 0; w < 3; ++w) {
      uint32_t v = 0;
      for (int b = 0; b < 32 && 32 * w + b < 80; ++b) {
        const int i = 32 * w + b;
        v |= static_cast<uint32_t>((iv[static_cast<size_t>(i / 8)] >> (i % 8)) & 1) << b;
      }
      top_->iv_i[w] = v;
    }
    top_->next_i = next;
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->start_i = 0;
    top_->next_i = 0;
    top_->key_valid_i = 0;
    top_->eval();
  }
  bool ready() override { return top_->ready_o; }
  bool sealed() override { return top_->sealed_o; }
  bool err() override { return top_->err_o; }
  std::vector<uint8_t> ks() override {
    std::vector<uint8_t> out(static_cast<size_t>(par_));
    const auto v = static_cast<uint64_t>(top_->ks_o);
    for (int p = 0; p < par_; ++p) out[static_cast<size_t>(p)] = static_cast<uint8_t>((v >> p) & 1);
    return out;
  }

 private:
  int par_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
};

std::vector<std::unique_ptr<KeyExp>> units() {
  std::vector<std::unique_ptr<KeyExp>> u;
  u.push_back(std::make_unique<Verilated<Vkm_keyexp_p16>>(16));
  u.push_back(std::make_unique<Verilated<Vkm_keyexp_p5>>(5));
  u.push_back(std::make_unique<Verilated<Vkm_keyexp_p64>>(64));
  return u;
}

// Reset, load the master key serially, start with `iv`; returns the cycles
// from the start cycle to the first cycle with ready_o = 1.
int load_and_start(KeyExp& u, const Trivium::Key80& key, const Trivium::Iv80& iv) {
  const Trivium::Iv80 zero{};
  u.step(true, false, false, false, zero, false);
  for (int i = 0; i < 80; ++i) {
    EXPECT_FALSE(u.sealed());
    u.step(false, true, (key[static_cast<size_t>(i / 8)] >> (i % 8)) & 1, false, zero, false);
  }
  EXPECT_TRUE(u.sealed());
  u.step(false, false, false, true, iv, false);  // start cycle
  int cycles = 1;
  while (!u.ready() && cycles < 5000) {
    u.step(false, false, false, false, zero, false);
    ++cycles;
  }
  return cycles;
}

// n keystream bits, consuming Par per cycle; `stall_every` > 0 idles next_i
// in every stall_every-th cycle.
std::vector<uint8_t> stream(KeyExp& u, size_t n, int stall_every = 0) {
  const Trivium::Iv80 zero{};
  std::vector<uint8_t> bits;
  int t = 0;
  while (bits.size() < n) {
    const bool stall = stall_every > 0 && ++t % stall_every == 0;
    if (!stall) {
      const auto k = u.ks();
      bits.insert(bits.end(), k.begin(), k.end());
    }
    u.step(false, false, false, false, zero, !stall);
  }
  bits.resize(n);
  return bits;
}

TEST(KmKeyexp, MatchesTheOfficialEstreamTestVectorsAtEveryParallelism) {
  for (auto& u : units())
    for (const auto& v : test::kTriviumVectors) {
      const int warm = load_and_start(*u, hex10(v.key), hex10(v.iv));
      EXPECT_EQ(warm, (1152 + u->par() - 1) / u->par()) << "Par " << u->par();
      const auto bits = stream(*u, 8 * (v.to + 1));
      EXPECT_EQ(test::stream_bytes_hex(bits, v.from, v.to), v.stream) << v.name << ", Par " << u->par();
    }
}

TEST(KmKeyexp, EqualsTheCppTriviumOnRandomKeysAndIvsAlsoUnderStalls) {
  std::mt19937_64 rng(5);
  for (auto& u : units())
    for (int t = 0; t < 4; ++t) {
      Trivium::Key80 key;
      Trivium::Iv80 iv;
      for (auto& b : key) b = static_cast<uint8_t>(rng());
      for (auto& b : iv) b = static_cast<uint8_t>(rng());
      Trivium ref(key, iv);
      std::vector<uint8_t> want;
      ref.generate(1000, want);
      load_and_start(*u, key, iv);
      EXPECT_EQ(stream(*u, 1000, t % 2 ? 3 : 0), want) << "Par " << u->par() << " case " << t;
    }
}

TEST(KmKeyexp, SealedMasterKeyRefusesMoreBitsAndKeepsTheStream) {
  for (auto& u : units()) {
    const auto key = hex10("80000000000000000000");
    const Trivium::Iv80 zero{};
    load_and_start(*u, key, zero);
    EXPECT_FALSE(u->err());
    u->step(false, true, true, false, zero, false);  // an 81st bit: refused
    EXPECT_TRUE(u->err());
    u->step(false, false, false, true, zero, false);  // restart the stream
    while (!u->ready()) u->step(false, false, false, false, zero, false);
    EXPECT_EQ(test::stream_bytes_hex(stream(*u, 128), 0, 15), "38EB86FF730D7A9CAF8DF13A4420540D") << "Par " << u->par();
    EXPECT_TRUE(u->err());  // sticky
    u->step(true, false, false, false, zero, false);
    EXPECT_FALSE(u->err());
    EXPECT_FALSE(u->sealed());
    EXPECT_FALSE(u->ready());
  }
}

}  // namespace
}  // namespace keymac::rtl
