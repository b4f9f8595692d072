// Caps and checked arithmetic behind the input validation (docs/RELIABILITY.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <string>

#include "base/checked.h"
#include "host/model/graph.h"
#include "host/sweep/filter_expr.h"
#include "sim/core/capped_read.h"
#include "sim/core/error.h"
#include "sim/core/json_depth.h"

namespace keymac {
namespace {

TEST(ErrorMessage, TextFromAHostileInputCannotAddASecondLine) {
  // An ONNX node named "conv\nkeymac: ok" must not forge a second stderr line.
  EXPECT_EQ(std::string(Error("m.onnx: node 'conv\nkeymac: ok\r\t' failed").what()), "m.onnx: node 'conv?keymac: ok?" "?' failed");
}

TEST(CheckedArithmetic, ProductsThatOverflowInt64AreRefusedNotWrapped) {
  // 2^31 * 2^31 = 2^62 fits; 2^32 * 2^32 = 2^64 does not.
  EXPECT_EQ(checked_mul(int64_t(1) << 31, int64_t(1) << 31), int64_t(1) << 62);
  EXPECT_FALSE(checked_mul(int64_t(1) << 32, int64_t(1) << 32));
  EXPECT_FALSE(checked_add(std::numeric_limits<int64_t>::max(), 1));
  EXPECT_EQ(checked_numel(std::vector<int64_t>{784, 10}, 1 << 28), 7840);
  EXPECT_FALSE(checked_numel(std::vector<int64_t>{784, int64_t(1) << 60}, int64_t(1) << 28));
  EXPECT_FALSE(checked_numel(std::vector<int64_t>{int64_t(1) << 32, int64_t(1) << 32, int64_t(1) << 32}, INT64_MAX));
  EXPECT_FALSE(checked_numel(std::vector<int64_t>{-1, 5}, 100));
  EXPECT_EQ(checked_numel(std::vector<int64_t>{}, 100), 1);  // a scalar
}

TEST(CheckedArithmetic, NumelOfAnOverflowingShapeIsMinusOneNeverAPlausibleSize) {
  // [2^32, 2^32, 2^32] wraps to 0 in plain int64 arithmetic.
  EXPECT_EQ(numel(Shape{int64_t(1) << 32, int64_t(1) << 32, int64_t(1) << 32}), -1);
  EXPECT_EQ(numel(Shape{-784}), -1);
  EXPECT_EQ(numel(Shape{1, 28, 28}), 784);
}

TEST(CappedRead, ReadsAFileOfExactlyTheCapAndRefusesOneByteMore) {
  const std::string path = ::testing::TempDir() + "/capped.bin";
  std::ofstream(path, std::ios::binary) << std::string(100, 'a');
  EXPECT_EQ(read_file_capped(path, "test file", 100).size(), 100u);
  try {
    read_file_capped(path, "test file", 99);
    FAIL() << "a 100-byte file passed a 99-byte cap";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(CappedRead, AnEndlessDeviceIsRefusedAfterCapPlusOneBytes) {
  EXPECT_THROW(read_file_capped("/dev/zero", "key file", 1 << 20), Error);
}

TEST(JsonDepth, CountsBracketsOutsideStringsOnly) {
  EXPECT_EQ(json_nesting_depth(R"({"a": [1, {"b": []}]})"), 4u);
  EXPECT_EQ(json_nesting_depth(R"({"a": "[[[[\"[[["})"), 1u);
  EXPECT_EQ(json_nesting_depth("1"), 0u);
}

std::string nested(int depth) { return std::string(static_cast<size_t>(depth), '(') + "rows" + std::string(static_cast<size_t>(depth), ')'); }

TEST(DropIfLimits, SixtyFourNestedParenthesesParseAndSixtyFiveAreOneLineOfError) {
  auto look = [](const std::string&) -> std::optional<FilterValue> { return 3.0; };
  EXPECT_TRUE(FilterExpr::parse(nested(64)).eval(look));
  try {
    FilterExpr::parse(nested(65));
    FAIL() << "65 nested parentheses accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("nesting deeper than 64"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos);
    EXPECT_LT(m.size(), 200u);  // the expression is quoted short, not in full
  }
}

TEST(DropIfLimits, ALongSumIsRefusedByLengthBeforeParsing) {
  std::string sum = "1";
  while (sum.size() <= 4096) sum += "+1";
  EXPECT_THROW(FilterExpr::parse(sum), Error);
  // Under the length limit, the same sum parses and evaluates: 1+1+...+1 over 2000 terms.
  std::string ok = "1";
  for (int i = 1; i < 2000; ++i) ok += "+1";
  auto look = [](const std::string&) -> std::optional<FilterValue> { return std::nullopt; };
  EXPECT_TRUE(FilterExpr::parse(ok + " == 2000").eval(look));
}

}  // namespace
}  // namespace keymac
