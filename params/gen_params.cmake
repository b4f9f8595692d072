# Generates the SystemVerilog package and the C++ header from
# params/keymac_params.json. Run at configure time by cmake/params.cmake, or
# by hand / by tests:  cmake -DIN=<json> -DOUT_DIR=<dir> -P params/gen_params.cmake
# Writes <dir>/km_params_pkg.sv and <dir>/params/keymac_params.h (only when
# their text changes, so unchanged parameters rebuild nothing).
if(NOT IN OR NOT OUT_DIR)
  message(FATAL_ERROR "gen_params.cmake: set IN (the JSON file) and OUT_DIR")
endif()
file(READ "${IN}" _j)
foreach(_k weight_bits act_bits psum_bits)
  string(JSON _v ERROR_VARIABLE _e GET "${_j}" data ${_k})
  if(_e OR NOT _v MATCHES "^[0-9]+$" OR _v LESS 1 OR _v GREATER 64)
    message(FATAL_ERROR "${IN}: data.${_k} must be an integer 1..64 (${_e})")
  endif()
  set(P_${_k} ${_v})
endforeach()
string(JSON P_row_min ERROR_VARIABLE _e GET "${_j}" counters row_index_min_bits)
if(_e OR NOT P_row_min MATCHES "^[0-9]+$" OR P_row_min LESS 1 OR P_row_min GREATER 16)
  message(FATAL_ERROR "${IN}: counters.row_index_min_bits must be an integer 1..16 (${_e})")
endif()
string(JSON _n ERROR_VARIABLE _e LENGTH "${_j}" verilated_geometries)
if(_e)
  message(FATAL_ERROR "${IN}: verilated_geometries must be a list (${_e})")
endif()
set(_cpp_geoms "")
set(_sv_geoms "")
set(KEYMAC_PARAM_GEOMETRIES "")
math(EXPR _last "${_n} - 1")
foreach(_i RANGE ${_last})
  foreach(_f rows cols keyed)
    string(JSON _g_${_f} ERROR_VARIABLE _e GET "${_j}" verilated_geometries ${_i} ${_f})
    if(_e OR NOT _g_${_f} MATCHES "^[0-9]+$")
      message(FATAL_ERROR "${IN}: verilated_geometries[${_i}].${_f} must be a non-negative integer")
    endif()
  endforeach()
  if(_g_keyed)
    set(_kb true)
  else()
    set(_kb false)
  endif()
  string(APPEND _cpp_geoms "    {${_g_rows}, ${_g_cols}, ${_kb}},\n")
  list(APPEND KEYMAC_PARAM_GEOMETRIES "${_g_rows} ${_g_cols} ${_g_keyed}")
endforeach()

set(_h "// Generated from params/keymac_params.json by params/gen_params.cmake: do not edit.
// The parameters the RTL (package km_params_pkg) and the C++ models share.
#pragma once
#include <array>

namespace keymac::params {

constexpr int kWeightBits = ${P_weight_bits};
constexpr int kActBits = ${P_act_bits};
constexpr int kPsumBits = ${P_psum_bits};
constexpr int kRowIndexMinBits = ${P_row_min};

// ceil(log2(n)), at least `min_bits`: the width of an index over n values.
constexpr int index_bits(int n, int min_bits) {
  int b = 0;
  while ((1LL << b) < n) ++b;
  return b < min_bits ? min_bits : b;
}
// Width of an index or counter over n rows / columns: the weight-row port
// w_row_i (n = rows) and the key register's row and column counters.
constexpr int index_width(int n) { return index_bits(n, kRowIndexMinBits); }

struct VerilatedGeometry {
  int rows, cols;
  bool keyed;
};
constexpr std::array<VerilatedGeometry, ${_n}> kVerilatedGeometries{{
${_cpp_geoms}}};

// Changes whenever a shared parameter changes; the verilated RTL carries the
// same value (km_params_pkg::ParamsId) so a program can check at start-up
// that it was built against the RTL it drives.
constexpr unsigned kParamsId = ${P_weight_bits}u | (${P_act_bits}u << 8) | (${P_psum_bits}u << 16) | (${P_row_min}u << 24);

}  // namespace keymac::params
")

set(_sv "// Generated from params/keymac_params.json by params/gen_params.cmake: do not edit.
// The parameters the RTL and the C++ models (params/keymac_params.h) share.
package km_params_pkg;
  /* verilator lint_off UNUSEDPARAM */
  parameter int WeightBits = ${P_weight_bits};
  parameter int ActBits = ${P_act_bits};
  parameter int PsumBits = ${P_psum_bits};
  parameter int RowIndexMinBits = ${P_row_min};
  parameter int unsigned ParamsId = 32'(WeightBits) | (32'(ActBits) << 8) | (32'(PsumBits) << 16) |
                                    (32'(RowIndexMinBits) << 24);

  // ceil(log2(n)), at least min_bits: the width of an index over n values.
  function automatic int index_bits(input int n, input int min_bits);
    index_bits = ($clog2(n) < min_bits) ? min_bits : $clog2(n);
  endfunction
  // Width of an index or counter over n rows / columns: the weight-row port
  // w_row_i (n = Rows) and the key register's row and column counters.
  function automatic int index_width(input int n);
    index_width = index_bits(n, RowIndexMinBits);
  endfunction
  /* verilator lint_on UNUSEDPARAM */
endpackage
")
file(MAKE_DIRECTORY "${OUT_DIR}/params")
foreach(_pair "keymac_params.h;${OUT_DIR}/params/keymac_params.h;_h" "sv;${OUT_DIR}/km_params_pkg.sv;_sv")
  list(GET _pair 1 _path)
  list(GET _pair 2 _var)
  set(_old "")
  if(EXISTS "${_path}")
    file(READ "${_path}" _old)
  endif()
  if(NOT _old STREQUAL "${${_var}}")
    file(WRITE "${_path}" "${${_var}}")
  endif()
endforeach()
