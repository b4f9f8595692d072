// Prices activity counts with an EnergyTable and writes them as Accelergy
// action counts.
//
// Contract:
//  * price() gives pJ per component (docs/TRACES.md "Energy"):
//      mac.multiply, mac.add   executed PE operations (array_macs; zero-operand
//                              ones times zero_operand_mac_factor)
//      key.xor                 key_xor_ops x key_pj_per_mac (keyed only)
//      key.load                R*C key bits x key_reg_bit_load_pj, once per
//                              reset, divided over images_per_reset (keyed only)
//      sram.weight|input|accum row accesses x row bytes x SRAM pJ/byte
//      dram                    bytes x DRAM pJ/byte
//      key.cipher, key.pe_bits  expanded key only (energy_table.h): cipher
//                              cycles x (C x cipher_gates_per_round x xor_bit_pj
//                              + cipher_state_bits x key_reg_bit_load_pj), and
//                              key_bit_writes x key_reg_bit_load_pj; 0 otherwise.
//                              An expanded key's key.load is 80 master-key bits.
//    A keyed and a plain run with the same activity differ only in key.*.
//  * energy_json() builds the report's "energy" object: keyed_pj and plain_pj
//    per inference (one batch's energy / images in it), extra_pj, breakdown
//    {component: {keyed, plain}}, per-layer activity, the table.
//  * accelergy_yaml() writes the action counts of both runs (keyed and plain)
//    as Accelergy 0.4 action_counts, the file of accelergy_files() (accelergy.h);
//    component names in docs/TRACES.md.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/energy/activity.h"
#include "host/energy/energy_table.h"

namespace keymac {

struct EnergyInputs {
  Geometry geometry;
  std::vector<LayerActivity> keyed, plain;  // one batch, per layer
  int64_t batch_images = 1;
  int64_t images_per_reset = 1;
};

std::map<std::string, double> price(const std::vector<LayerActivity>& layers, Geometry g, bool keyed,
                                    const EnergyTable& t, int64_t images_per_reset);
nlohmann::json energy_json(const EnergyInputs& in, const EnergyTable& t);
std::string accelergy_yaml(const EnergyInputs& in);
// Human-readable summary of the "energy" object (for `keymac run`).
std::string energy_text(const nlohmann::json& energy);
// Component names written by accelergy_yaml() under each array ("keyed_array", "plain_array").
std::vector<std::string> accelergy_components();

}  // namespace keymac
