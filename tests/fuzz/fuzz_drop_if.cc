// libFuzzer harness: drop_if expression parser and evaluator (host/sweep/filter_expr.cc).
#include <cstdint>
#include <optional>
#include <string>

#include "host/sweep/filter_expr.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  keymac::fuzz::run_reader([&] {
    const auto e = keymac::FilterExpr::parse(text);
    e.eval([](const std::string& id) -> std::optional<keymac::FilterValue> {
      if (id == "rows" || id == "cols") return 16.0;
      if (id == "backend") return keymac::FilterValue(std::string("systemc"));
      return std::nullopt;
    });
  });
  return 0;
}
