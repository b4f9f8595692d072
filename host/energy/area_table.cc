#include "host/energy/area_table.h"

namespace keymac {

nlohmann::json AreaTable::array_json(Geometry g, bool keyed, uint64_t buffer_bytes) const {
  const double pes = static_cast<double>(g.pes());
  const double array = pes * pe_um2(keyed), buffers = sram_um2(buffer_bytes);
  return {{"pe_um2", pe_um2(keyed)},
          {"array_um2", array},
          {"key_um2", keyed ? pes * (xor_um2 + flip_flop_um2) : 0.0},
          {"buffers_um2", buffers},
          {"total_um2", array + buffers},
          {"source", "Horowitz ISSCC 2014 (mult, add); NanGate 45 nm DFF_X1, XOR2_X1; 45 nm 6T SRAM cell / 0.7"}};
}

}  // namespace keymac
