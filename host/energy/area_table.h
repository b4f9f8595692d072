// AreaTable: silicon area per component, in um^2 at 45 nm, for the area column
// of `keymac run --topology` and Accelergy's area (ART) file.
// Defaults and sources (docs/TRACES.md "Area"):
//   int8 multiplier 282 um^2, int32 adder 137 um^2: Horowitz ISSCC 2014 (45 nm);
//   flip-flop 4.522 um^2 per bit (DFF_X1), XOR 1.596 um^2 (XOR2_X1): NanGate
//     45 nm Open Cell Library;
//   SRAM 0.346 um^2 6T bit cell (45 nm, Mistry et al., IEDM 2007) over a 70 %
//     array efficiency = 0.494 um^2 per bit.
// A PE: multiplier + adder + act (8), two weight banks (16) and psum (32)
// register bits; keyed: + one XOR and one key flip-flop per PE (the default
// RTL's one XOR per keyed MAC, ARCHITECTURE.md section 2).
#pragma once
#include <nlohmann/json.hpp>

#include "sim/core/geometry.h"

namespace keymac {

struct AreaTable {
  double mult_int8_um2 = 282;
  double add_int32_um2 = 137;
  double flip_flop_um2 = 4.522;
  double xor_um2 = 1.596;
  double sram_bit_um2 = 0.346 / 0.7;

  double pe_um2(bool keyed) const {
    return mult_int8_um2 + add_int32_um2 + (8 + 16 + 32) * flip_flop_um2 + (keyed ? xor_um2 + flip_flop_um2 : 0.0);
  }
  double sram_um2(uint64_t bytes) const { return static_cast<double>(bytes) * 8 * sram_bit_um2; }
  // {"pe_um2", "array_um2", "key_um2" (keyed - plain array), "buffers_um2", "total_um2"}.
  nlohmann::json array_json(Geometry g, bool keyed, uint64_t buffer_bytes) const;
};

}  // namespace keymac
