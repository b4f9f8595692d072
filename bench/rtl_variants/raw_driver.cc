// Raw speed of one verilated km_array (built by bench/rtl_variants/run.sh with
// the Verilator/compiler flags under test): drives random valid activation rows
// and, every fourth cycle, a weight row, one eval() per clock edge as
// rtl/tb/rtl_array_impl.h does, and prints CPU time (user + sys) per cycle.
// Not a correctness check (the rtl and cosim tests are); a speed probe only.
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "verilated.h"
#include KM_HEADER

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

template <typename P>
void put_bytes(P& port, const uint8_t* b, int n) {
  if constexpr (sizeof(port) <= 8) {
    uint64_t v = 0;
    std::memcpy(&v, b, size_t(n));
    port = static_cast<std::remove_reference_t<P>>(v);
  } else {
    std::memcpy(port.data(), b, size_t(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long cycles = argc > 1 ? std::atol(argv[1]) : 200000;
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<KM_CLASS>(ctx.get(), "km_array");
  std::mt19937_64 rng(1);
  std::vector<uint8_t> bytes(1 << 16);
  for (auto& b : bytes) b = uint8_t(std::uniform_int_distribution<int>(-127, 127)(rng));
  auto edge = [&] {
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
  };
  top->rst_ni = 0;
  edge();
  top->rst_ni = 1;
  // Load a key (Rows*Cols serial bits).
  for (int i = 0; i < KM_ROWS * KM_COLS; ++i) {
    top->key_valid_i = 1;
    top->key_bit_i = bytes[size_t(i)] & 1;
    edge();
  }
  top->key_valid_i = 0;
  const double t0 = cpu_seconds();
  size_t off = 0;
  uint64_t sink = 0;
  for (long t = 0; t < cycles; ++t) {
    off = (off + KM_ROWS + KM_COLS) & 0x7fff;
    top->a_valid_i = 1;
    top->a_bank_i = (t >> 8) & 1;
    put_bytes(top->a_data_i, &bytes[off], KM_ROWS);
    top->w_valid_i = (t & 3) == 0;
    top->w_row_i = (t >> 2) % KM_ROWS;
    top->w_bank_i = !((t >> 8) & 1);
    put_bytes(top->w_data_i, &bytes[off + KM_ROWS], KM_COLS);
    edge();
    if (top->psum_valid_o) sink += top->psum_data_o[0];
  }
  const double dt = cpu_seconds() - t0;
  std::printf("%s cycles %ld cpu_s %.3f cycles_per_cpu_s %.0f (sink %llu)\n", KM_NAME, cycles, dt,
              double(cycles) / dt, (unsigned long long)sink);
  top->final();
  return 0;
}
