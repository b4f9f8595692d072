# params/: the one parameter file (params/keymac_params.json) generates the
# SystemVerilog package km_params_pkg (rtl/) and the C++ header
# params/keymac_params.h (everything else) at configure time, in the build tree.
set(KEYMAC_PARAMS_JSON ${CMAKE_SOURCE_DIR}/params/keymac_params.json)
set(KEYMAC_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${KEYMAC_PARAMS_JSON} ${CMAKE_SOURCE_DIR}/params/gen_params.cmake)
set(IN ${KEYMAC_PARAMS_JSON})
set(OUT_DIR ${KEYMAC_GEN_DIR})
include(${CMAKE_SOURCE_DIR}/params/gen_params.cmake)  # sets KEYMAC_PARAM_GEOMETRIES
unset(IN)
unset(OUT_DIR)
set(KEYMAC_PARAMS_SV ${KEYMAC_GEN_DIR}/km_params_pkg.sv)
add_library(keymac_params INTERFACE)
target_include_directories(keymac_params INTERFACE ${KEYMAC_GEN_DIR})

# Changing a parameter in a scratch copy of the JSON makes both generated
# files follow (the C++ header compiles to the new values, the SV package
# elaborates to them under Verilator).
add_test(NAME params.both_sides_follow_the_json
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/params/params_follow.sh)
set_tests_properties(params.both_sides_follow_the_json PROPERTIES LABELS "unit;params" TIMEOUT 120
  ENVIRONMENT "KEYMAC_SRC=${CMAKE_SOURCE_DIR};CXX=${CMAKE_CXX_COMPILER};CMAKE=${CMAKE_COMMAND}")
