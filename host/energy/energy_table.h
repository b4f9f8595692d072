// EnergyTable: energy per action, in pJ, that activity counts are priced with.
// Defaults: Horowitz, "Computing's energy problem (and what we can do about
// it)", ISSCC 2014, 45 nm, 0.9 V (docs/TRACES.md gives the basis of each):
//   int8 multiply 0.2 pJ, int32 add 0.1 pJ (one of each per MAC),
//   8 KB SRAM 64-bit access 10 pJ, scaled per byte (1.25 pJ/byte) for every
//     buffer access whatever the buffer size (an underestimate for 64 KiB),
//   DRAM 64-bit access 1.3-2.6 nJ: the mid-point 1.95 nJ, per byte 243.75 pJ,
//   key XOR: 1 XOR bit per MAC, as in the default RTL (km_array SignMag = 1,
//     rtl/km_pe.sv: the key is one more input of the sign XOR; the adder's
//     conditional negate is there with or without a key). The two's-complement
//     PE (SignMag = 0) XORs the product instead: set key_xor_bits_per_mac: 16
//     (its 16 product bits; the +1 rides the adder's carry-in). Each XOR bit
//     is 1/96 of the int32 add (32 full-adder bits of about three
//     XOR-equivalent gates each) = 1.04 fJ,
//   key register: one flip-flop write per key bit per reset, 1/32 of the int32
//     add (3.1 fJ).
//   expanded key (ARCHITECTURE.md 11): the Trivium unit runs one cycle per
//     weight-row write (C rounds, C key bits) plus its warm-up per layer and
//     batch; a round is 3 AND + 11 XOR gates (cipher_gates_per_round = 14,
//     each priced as one XOR bit, xor_bit_pj: an AND costs less, so this is
//     an upper estimate) and every cycle writes the 288 state flip-flops
//     (cipher_state_bits, each a flop write of key_reg_bit_load_pj); each key
//     bit written beside a PE weight register is one more flop write. The
//     master-key register loads 80 bits per reset.
// load() overrides any subset from a YAML or JSON file of the same keys; an
// unknown key or a non-number is an Error naming the file and key.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace keymac {

struct EnergyTable {
  std::string source = "Horowitz ISSCC 2014, 45 nm";
  double mult_int8_pj = 0.2;
  double add_int32_pj = 0.1;
  double sram_access_64bit_pj = 10.0;
  double dram_access_64bit_pj = 1950.0;
  double key_xor_bits_per_mac = 1;   // default RTL: sign-magnitude PE (SignMag = 1)
  double xor_bit_pj = 0.1 / 96;
  double key_reg_bit_load_pj = 0.1 / 32;
  double zero_operand_mac_factor = 1.0;  // 1: no zero gating; 0: a zero-operand MAC costs nothing
  double cipher_gates_per_round = 14;    // Trivium: 3 AND + 11 XOR per keystream bit
  double cipher_state_bits = 288;        // Trivium state flip-flops, written every cipher cycle

  double sram_pj_per_byte() const { return sram_access_64bit_pj / 8; }
  double dram_pj_per_byte() const { return dram_access_64bit_pj / 8; }
  double key_pj_per_mac() const { return key_xor_bits_per_mac * xor_bit_pj; }

  static EnergyTable load(const std::string& path);  // defaults, overridden by the file
  nlohmann::json to_json() const;
};

}  // namespace keymac
