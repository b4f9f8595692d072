#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim/core/error.h"
#include "sim/core/key.h"

namespace keymac {
namespace {

TEST(Key, TextRoundTripsForAnyGeometry) {
  for (auto [r, c] : {std::pair{1, 1}, {2, 3}, {16, 16}, {5, 13}, {64, 7}}) {
    Key k = Key::seeded_random(Geometry::make(r, c), static_cast<uint64_t>(r * 100 + c));
    EXPECT_EQ(Key::from_text(k.to_text(), "t"), k);
  }
}

TEST(Key, ColumnZeroIsTheMostSignificantBitOfTheFirstDigit) {
  Key k = Key::from_text("array 2x6\n80\n14\n", "t");
  EXPECT_EQ(k.bit(0, 0), 1);
  for (int c = 1; c < 6; ++c) EXPECT_EQ(k.bit(0, c), 0);
  EXPECT_EQ(k.bit(1, 3), 1);  // 0x1 in the first digit -> column 3
  EXPECT_EQ(k.bit(1, 5), 1);  // 0x4 in the second digit -> column 5
}

TEST(Key, SecureRandomKeysDiffer) {
  const Geometry g = Geometry::make(16, 16);
  EXPECT_NE(Key::secure_random(g), Key::secure_random(g));
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    Key::from_text(text, "k.key");
    FAIL() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("k.key"), std::string::npos) << e.what();
  }
}

TEST(Key, MalformedKeyFilesAreRefusedNamingTheFile) {
  expect_error("", "empty key file");
  expect_error("array 2x4\nf\n", "rows");
  expect_error("array 2x4\nf\nff\n", "hex digits");
  expect_error("array 2x4\nf\ng\n", "not a hex digit");
  expect_error("array 2x3\ne\nf\n", "padding");
  expect_error("array 0x4\n", "out of range");
  expect_error("hello\n", "not a keymac key file");
}

TEST(Geometry, ParsesAndRefusesBadGeometries) {
  EXPECT_EQ(Geometry::parse("8x4"), Geometry::make(8, 4));
  for (const char* bad : {"0x4", "100000x1", "16", "x", "16x", "-1x4", "4x4x4", "257x1"})
    EXPECT_THROW(Geometry::parse(bad), Error) << bad;
}

TEST(Key, ReadOfMissingFileNamesIt) {
  try {
    Key::read("/nonexistent/k.key");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/k.key"), std::string::npos);
  }
}

}  // namespace
}  // namespace keymac
