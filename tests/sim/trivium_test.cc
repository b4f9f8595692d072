// Trivium against the official eSTREAM test vectors (tests/sim/trivium_vectors.h),
// and its byte stream against its bit stream.
#include <gtest/gtest.h>

#include <vector>

#include "sim/core/trivium.h"
#include "tests/sim/trivium_vectors.h"

namespace keymac {
namespace {

using test::hex10;

TEST(Trivium, MatchesTheOfficialEstreamTestVectors) {
  for (const auto& v : test::kTriviumVectors) {
    Trivium t(hex10(v.key), hex10(v.iv));
    std::vector<uint8_t> bits;
    t.generate(static_cast<int64_t>(8 * (v.to + 1)), bits);
    EXPECT_EQ(test::stream_bytes_hex(bits, v.from, v.to), v.stream) << v.name;
  }
}

TEST(Trivium, BitStreamIsTheByteStreamLsbFirst) {
  Trivium a(hex10("0053A6F94C9FF24598EB"), hex10("0D74DB42A91077DE45AC"));
  Trivium b(hex10("0053A6F94C9FF24598EB"), hex10("0D74DB42A91077DE45AC"));
  const auto bytes = a.keystream_bytes(64);
  std::vector<uint8_t> bits;
  b.generate(64 * 8, bits);
  for (size_t i = 0; i < bits.size(); ++i) ASSERT_EQ(bits[i], (bytes[i / 8] >> (i % 8)) & 1) << i;
}

}  // namespace
}  // namespace keymac
