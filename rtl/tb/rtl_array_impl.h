// VerilatedArray<V>: RtlArray over a verilated km_array class V (--cc, with or
// without --trace).
// Include only from a translation unit that includes V's header.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "rtl_array.h"
#include "sim/core/array_ports.h"
#include "verilated.h"
#include "verilated_syms.h"
#include "verilated_vcd_c.h"

namespace keymac::rtl {
namespace port {

// Bit-field access on verilated ports of any width (CData ... QData, VlWide).
template <typename T>
std::enable_if_t<std::is_integral_v<T>> put(T& p, unsigned lsb, unsigned width, uint32_t v) {
  const uint64_t mask = ((width >= 64) ? ~0ULL : ((1ULL << width) - 1)) << lsb;
  p = static_cast<T>((static_cast<uint64_t>(p) & ~mask) | ((static_cast<uint64_t>(v) << lsb) & mask));
}
template <std::size_t N>
void put(VlWide<N>& p, unsigned lsb, unsigned width, uint32_t v) {
  if (width > 0 && lsb % 32 + width <= 32) {  // inside one word (the byte lanes): one masked write
    const uint32_t mask = (width == 32 ? ~0u : ((1u << width) - 1)) << (lsb % 32);
    p[lsb / 32] = (p[lsb / 32] & ~mask) | ((v << (lsb % 32)) & mask);
    return;
  }
  for (unsigned i = 0; i < width; ++i) {
    const unsigned b = lsb + i;
    const uint32_t bit = 1u << (b % 32);
    if ((v >> i) & 1u) p[b / 32] |= bit; else p[b / 32] &= ~bit;
  }
}
template <typename T>
std::enable_if_t<std::is_integral_v<T>, uint32_t> get32(const T& p, unsigned lsb) {
  return static_cast<uint32_t>(static_cast<uint64_t>(p) >> lsb);
}
template <std::size_t N>
uint32_t get32(const VlWide<N>& p, unsigned lsb) {
  // Column sums are 32-bit aligned (bits [32c+31:32c]).
  return p[lsb / 32];
}
// Bits [lsb+width-1 : lsb] (width <= 32).
template <typename T>
std::enable_if_t<std::is_integral_v<T>, uint64_t> get(const T& p, unsigned lsb, unsigned width) {
  return (static_cast<uint64_t>(p) >> lsb) & ((1ULL << width) - 1);
}
template <std::size_t N>
uint64_t get(const VlWide<N>& p, unsigned lsb, unsigned width) {
  if (lsb % 32 == 0 && width == 32) return p[lsb / 32];
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= static_cast<uint64_t>((p[(lsb + i) / 32] >> ((lsb + i) % 32)) & 1u) << i;
  return v;
}

// f(s) when On (a port of the wanted direction), else nothing (f is not instantiated).
template <bool On, class S, class F>
void when(S& s, F&& f) {
  if constexpr (On) f(s);
}

// One port of the table (sim/core/array_ports.h) from / into its field,
// lane by lane; a field with the wrong number of lanes is refused.
template <class F>
void check_lanes(const char* name, int width, const F& field) {
  const size_t n = keymac::port_lanes::count(field);
  const int b = keymac::port_lanes::bits(field, width);
  if (b > 0 && static_cast<size_t>(width) != n * static_cast<size_t>(b))
    throw std::invalid_argument(std::string("rtl_array: ") + name + " needs " + std::to_string(width / b) +
                                " lanes, got " + std::to_string(n));
}
// A vector field's lanes are whole bytes at the port's bit 0 up (8*sizeof(T)
// bits each, port_lanes::bits): on a little-endian host they are the bytes of
// the verilated port (CData ... QData, or VlWide's 32-bit words), so they are
// copied as one block. Bits of the port's last word above its width stay 0.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "rtl_array_impl.h: byte-lane copies assume little endian");
template <class P>
uint8_t* port_bytes(P& p) {
  if constexpr (std::is_integral_v<P>) return reinterpret_cast<uint8_t*>(&p);
  else return reinterpret_cast<uint8_t*>(p.data());
}
template <class P>
const uint8_t* port_bytes(const P& p) {
  if constexpr (std::is_integral_v<P>) return reinterpret_cast<const uint8_t*>(&p);
  else return reinterpret_cast<const uint8_t*>(p.data());
}
template <class P, class F>
void put_field(P& p, const char* name, int width, const F& field) {
  check_lanes(name, width, field);
  if constexpr (keymac::port_lanes::is_vector<F>) {
    const size_t n = field.size() * sizeof(typename F::value_type);
    std::memcpy(port_bytes(p), field.data(), n);
    std::memset(port_bytes(p) + n, 0, sizeof(P) - n);
  } else {
    const size_t n = keymac::port_lanes::count(field);
    const auto b = static_cast<unsigned>(keymac::port_lanes::bits(field, width));
    for (size_t l = 0; l < n; ++l) put(p, static_cast<unsigned>(l) * b, b, static_cast<uint32_t>(keymac::port_lanes::lane(field, l)));
  }
}
template <class P, class F>
void get_field(const P& p, const char* name, int width, F& field) {
  check_lanes(name, width, field);
  if constexpr (keymac::port_lanes::is_vector<F>) {
    std::memcpy(field.data(), port_bytes(p), field.size() * sizeof(typename F::value_type));
  } else {
    const size_t n = keymac::port_lanes::count(field);
    const auto b = static_cast<unsigned>(keymac::port_lanes::bits(field, width));
    for (size_t l = 0; l < n; ++l) keymac::port_lanes::set_lane(field, l, get(p, static_cast<unsigned>(l) * b, b));
  }
}

// Does the verilated class have the expanded key mode's ports?
template <class T, class = void>
struct HasKeyStart : std::false_type {};
template <class T>
struct HasKeyStart<T, std::void_t<decltype(std::declval<T&>().kx_start_i)>> : std::true_type {};

// Was the verilated class built with --trace (it has trace())?
template <class T, class = void>
struct HasTrace : std::false_type {};
template <class T>
struct HasTrace<T, std::void_t<decltype(std::declval<T&>().trace(std::declval<VerilatedVcdC*>(), 0))>>
    : std::true_type {};

}  // namespace port

// Verilator's VCD file with checked writes: a symbolic link at the path is
// not followed (O_NOFOLLOW), a failed write is remembered in `err` and reported as
// written, so Verilator never calls its fatal handler (which deadlocks).
struct CheckedVcdFile : VerilatedVcdFile {
  int fd = -1, err = 0;
  bool open(const std::string& name) override {
    fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) err = errno;
    return fd >= 0;
  }
  void close() override {
    if (fd >= 0 && ::close(fd) != 0 && !err) err = errno;
    fd = -1;
  }
  ssize_t write(const char* p, ssize_t len) override {
    ssize_t left = len;
    while (left > 0 && !err) {
      const ssize_t n = ::write(fd, p, static_cast<size_t>(left));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n < 0 ? errno : EIO;
        break;
      }
      p += n;
      left -= n;
    }
    return len;
  }
};

template <class V>
class VerilatedArray final : public RtlArray {
 public:
  explicit VerilatedArray(RtlGeometry g) : geom_(g), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->traceEverOn(true);
    Verilated::threadContextp(ctx_.get());  // public scopes register in this context (see the destructor)
    top_ = std::make_unique<V>(ctx_.get(), "km_array");
    top_->clk_i = 0;
    top_->rst_ni = 1;
    set_idle();
    top_->eval();
  }
  ~VerilatedArray() override {
    trace_close();
    top_->final();
    // Verilator 5.006's VerilatedScope constructor and destructor insert and
    // erase the model's public scopes (km_array's ParamsId) in
    // Verilated::threadContextp(), not in
    // the model's own context: with several models in one thread that is
    // another model's (or a destroyed) context and the erase deadlocks.
    Verilated::threadContextp(ctx_.get());
    top_.reset();
  }

  RtlGeometry geometry() const override { return geom_; }

  void set_rst_n(bool rst_n) override { top_->rst_ni = rst_n; }
  void set_key(bool valid, bool bit) override {
    top_->key_valid_i = valid;
    top_->key_bit_i = bit;
  }
  void set_weights(bool valid, uint32_t row, bool bank, const std::vector<int8_t>& w) override {
    if (static_cast<int>(w.size()) != geom_.cols)
      throw std::invalid_argument("rtl_array: set_weights needs cols() weights");
    top_->w_valid_i = valid;
    top_->w_row_i = row;
    top_->w_bank_i = bank;
    port::put_field(top_->w_data_i, "w_data_i", 8 * geom_.cols, w);
  }
  void set_activations(bool valid, bool bank, const std::vector<int8_t>& a) override {
    if (static_cast<int>(a.size()) != geom_.rows)
      throw std::invalid_argument("rtl_array: set_activations needs rows() activations");
    top_->a_valid_i = valid;
    top_->a_bank_i = bank;
    port::put_field(top_->a_data_i, "a_data_i", 8 * geom_.rows, a);
  }
  void set_key_start(bool start, const std::array<uint8_t, 10>& iv) override {
    if constexpr (port::HasKeyStart<V>::value) {
      top_->kx_start_i = start;
      for (unsigned i = 0; i < 80; ++i) port::put(top_->kx_iv_i, i, 1, (iv[i / 8] >> (i % 8)) & 1u);
    } else if (start) {
      throw std::logic_error("rtl_array: this km_array has no expanded key unit (kx_start_i)");
    }
  }
  void poke_key_bit(int bank, int r, int c, bool v) override { *key_bit_ptr(bank, r, c) = v; }
  bool peek_key_bit(int bank, int r, int c) const override { return *key_bit_ptr(bank, r, c) != 0; }
  void set_idle() override {
    if constexpr (port::HasKeyStart<V>::value) set_key_start(false, {});
    if (idle_.a_data.empty()) idle_.resize(keymac::Geometry{geom_.rows, geom_.cols});
    set_inputs(idle_);
  }
  void set_inputs(const keymac::ArrayInputs& in) override {
    const int R = geom_.rows, C = geom_.cols;
    (void)R;
    (void)C;
#define KEYMAC_RTL_SET_(n, i, w, fld) \
    port::when<i>(in, [&](const auto& s) { port::put_field(top_->n, #n, w, s.fld); });
    KEYMAC_ARRAY_PORTS(KEYMAC_RTL_SET_)
#undef KEYMAC_RTL_SET_
  }
  void get_outputs(keymac::ArrayOutputs& out) const override {
    const int R = geom_.rows, C = geom_.cols;
    (void)R;
    (void)C;
#define KEYMAC_RTL_GET_(n, i, w, fld) \
    port::when<!(i)>(out, [&](auto& s) { port::get_field(top_->n, #n, w, s.fld); });
    KEYMAC_ARRAY_PORTS(KEYMAC_RTL_GET_)
#undef KEYMAC_RTL_GET_
  }

  bool key_sealed() const override { return top_->key_sealed_o; }
  bool key_err() const override { return top_->key_err_o; }
  bool psum_valid() const override { return top_->psum_valid_o; }
  int32_t psum(int col) const override {
    return static_cast<int32_t>(port::get32(top_->psum_data_o, 32u * static_cast<unsigned>(col)));
  }

  void step() override {
    if (vcd_) {
      top_->eval();  // settle this cycle's inputs for the waveform
      vcd_->dump(trace_time(0));
    }
    // Inputs changed with the rising clock in one eval() are settled first
    // (Verilator's input-combinational region), then the edge samples them.
    top_->clk_i = 1;
    top_->eval();
    if (vcd_) vcd_->dump(trace_time(period_ps_ / 2));
    top_->clk_i = 0;
    top_->eval();
    ++cycle_;
  }
  uint64_t cycle() const override { return cycle_; }

  bool traceable() const override { return port::HasTrace<V>::value; }
  void trace_open(const std::string& vcd_path, uint64_t period_ps, uint64_t first) override {
    if constexpr (!port::HasTrace<V>::value) {
      (void)vcd_path;
      (void)period_ps;
      (void)first;
      throw std::logic_error("rtl_array: this model was verilated without --trace (make_rtl_array_untraced)");
    } else {
      trace_close();
      if (period_ps < 2 || period_ps % 2) throw std::invalid_argument("rtl_array: trace period must be an even number of ps");
      period_ps_ = period_ps;
      first_ = first == UINT64_MAX ? cycle_ : first;
      open_cycle_ = cycle_;
      file_ = std::make_unique<CheckedVcdFile>();
      vcd_ = std::make_unique<VerilatedVcdC>(file_.get());
      top_->trace(vcd_.get(), 99);
      vcd_->set_time_unit("1ps");
      vcd_->set_time_resolution("1ps");  // dump times are in ps
      vcd_->open(vcd_path.c_str());
      if (!vcd_->isOpen()) {
        vcd_.reset();
        throw std::runtime_error("rtl_array: cannot open trace file " + vcd_path);
      }
    }
  }
  void trace_close() override {
    if (vcd_) {
      top_->eval();
      vcd_->dump(trace_time(0));
      vcd_->close();
      vcd_.reset();
    }
  }
  std::string trace_error() const override {
    return file_ && file_->err ? std::string(std::strerror(file_->err)) : std::string();
  }

 private:
  // The public kb<bank>_q flop of PE (r, c) (rtl/km_array.sv, g_kbit).
  CData* key_bit_ptr(int bank, int r, int c) const {
    if (!geom_.expanded || r < 0 || r >= geom_.rows || c < 0 || c >= geom_.cols)
      throw std::logic_error("rtl_array: no stored key bit at that PE (expanded arrays only)");
    // Verilator names the scope <model instance>.km_array.g_row[r].g_col[c].g_kbit.
    const std::string scope = ".g_row[" + std::to_string(r) + "].g_col[" + std::to_string(c) + "].g_kbit";
    const VerilatedScope* sc = nullptr;
    for (const auto& [name, s] : *ctx_->scopeNameMap())
      if (std::string(name).size() >= scope.size() &&
          std::string(name).compare(std::string(name).size() - scope.size(), scope.size(), scope) == 0)
        sc = s;
    const VerilatedVar* var = sc ? sc->varFind(bank ? "kb1_q" : "kb0_q") : nullptr;
    if (!var) throw std::logic_error("rtl_array: " + scope + " has no public key bit");
    return static_cast<CData*>(var->datap());
  }
  RtlGeometry geom_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  keymac::ArrayInputs idle_;  // all ports 0 (set_idle)
  std::unique_ptr<CheckedVcdFile> file_;  // outlives vcd_ (declared first)
  std::unique_ptr<VerilatedVcdC> vcd_;
  uint64_t cycle_ = 0;
  uint64_t period_ps_ = 1000, first_ = 0, open_cycle_ = 0;
  // VCD time (ps) of `offset` ps into the current cycle, numbered from first_.
  uint64_t trace_time(uint64_t offset) const { return (cycle_ - open_cycle_ + first_) * period_ps_ + offset; }
};

}  // namespace keymac::rtl
