// Accelergy 0.4 inputs for keymac's activity (docs/TRACES.md "Accelergy"):
//   arch.yaml            architecture: system (technology 45, cycle from the
//                        clock) with two arrays, keyed_array and plain_array,
//                        each R*C PE instances pe[0..R*C-1] (n_instances R*C),
//                        the weight/input/accumulator SRAMs, its DRAM traffic
//                        and (keyed) the key register
//   components.yaml      compound-component classes keymac_keyed_pe,
//                        keymac_plain_pe, keymac_sram, keymac_dram,
//                        keymac_key_register whose actions map onto the
//                        primitive classes intmultiplier, intadder, bitwise,
//                        reg, SRAM, DRAM (Accelergy's table and Aladdin plug-ins)
//   action_counts.yaml   version 0.4 action counts of one batch
//   keymac_tables/       keymac's energy (ERT) and area (ART) table as a set of
//                        tables for Accelergy's table-based plug-in:
//                        keymac.table.yaml + data/<primitive class>.csv
//
// Contract:
//  * Evaluated as Accelergy does (per action: sum over subcomponent actions of
//    table energy x action_share; times counts), the keyed and plain arrays'
//    energies equal price() of the same activity (energy_model.h) with
//    images_per_reset = 1, component by component; register toggles are not
//    priced by keymac's table and are not counted.
//  * Every (primitive class, attributes, action) used has exactly one table
//    row; area rows come from AreaTable.
//  * accelergy_primitive_classes() lists the primitive classes used.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "host/energy/area_table.h"
#include "host/energy/energy_model.h"
#include "host/energy/energy_table.h"

namespace keymac {

struct AccelergyBuffers {
  uint64_t weight_bytes = 64 * 1024, input_bytes = 64 * 1024, accum_bytes = 64 * 1024;
};

struct AccelergyFiles {
  std::string arch, components, action_counts, table_identifier;
  std::map<std::string, std::string> table_csv;  // file name in keymac_tables/data -> content
};

AccelergyFiles accelergy_files(const EnergyInputs& in, const EnergyTable& t, const AreaTable& a,
                               const AccelergyBuffers& buffers, double clock_mhz);
// Writes the files under dir (created if needed), atomically each.
void write_accelergy_dir(const std::string& dir, const AccelergyFiles& f);
std::vector<std::string> accelergy_primitive_classes();

}  // namespace keymac
