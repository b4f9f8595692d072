# traces/: trace writers (SAIF, VCD, SCALE-Sim CSV) behind traces/trace_sink.h,
# the VCD -> SAIF converter, and the cycle-core boundary tracer.
# host/energy/: activity counts, energy table, Accelergy action counts.
# Tests in tests/traces (labels unit;traces). The library is linked into
# keymac_runtime / keymac by a deferred call, since host.cmake comes later.
add_library(keymac_traces STATIC
  traces/array_tracer.cc
  traces/saif_tree.cc
  traces/saif_writer.cc
  traces/scalesim_trace.cc
  traces/trace_sink.cc
  traces/vcd_scrub.cc
  traces/vcd_to_saif.cc
  traces/vcd_writer.cc
)
target_link_libraries(keymac_traces PUBLIC keymac_core)
target_link_libraries(keymac_traces PRIVATE fmt::fmt)  # SCALE-Sim reports
keymac_warnings(keymac_traces)

add_library(keymac_energy STATIC
  host/energy/activity.cc
  host/energy/activity_probe.cc
  host/energy/energy_model.cc
  host/energy/energy_table.cc
  host/energy/area_table.cc
  host/energy/accelergy.cc
)
# keymac_backends is defined in host.cmake (resolved at generate time).
target_link_libraries(keymac_energy PUBLIC keymac_traces keymac_backends yaml-cpp fmt::fmt
  nlohmann_json::nlohmann_json)
keymac_warnings(keymac_energy)

function(keymac_attach_traces)
  target_link_libraries(keymac_runtime PUBLIC keymac_energy)
  target_link_libraries(keymac_backends PUBLIC keymac_traces)  # rtl backend: VCD -> SAIF
  target_sources(keymac PRIVATE ${CMAKE_SOURCE_DIR}/host/cli/cmd_saif.cc)
endfunction()
cmake_language(DEFER CALL keymac_attach_traces)

add_executable(keymac_traces_tests
  tests/traces/saif_test.cc
  tests/traces/energy_test.cc
  tests/traces/scalesim_test.cc
  tests/traces/vcd_scrub_test.cc
  tests/traces/accelergy_test.cc
)
target_link_libraries(keymac_traces_tests PRIVATE keymac_energy GTest::gtest_main)
target_compile_definitions(keymac_traces_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_compile_definitions(keymac_traces_tests PRIVATE KEYMAC_YOSYS="${YOSYS_EXECUTABLE}"  # energy default vs the RTL
  KEYMAC_PARAMS_SV="${KEYMAC_PARAMS_SV}")
keymac_warnings(keymac_traces_tests)
# gtest_discover_tests (CMake 3.25) flattens list-valued PROPERTIES: the two
# labels are set by an include file that runs after discovery.
gtest_discover_tests(keymac_traces_tests PROPERTIES TIMEOUT 120 DISCOVERY_TIMEOUT 60)
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/keymac_traces_tests_labels.cmake"
  "if(keymac_traces_tests_TESTS)\n  set_tests_properties(\${keymac_traces_tests_TESTS} PROPERTIES LABELS \"unit;traces\")\nendif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
  "${CMAKE_CURRENT_BINARY_DIR}/keymac_traces_tests_labels.cmake")

# `keymac run --topology` (host/runtime/topology_*): labels unit;traces.
add_executable(keymac_topology_tests tests/traces/topology_test.cc)
target_link_libraries(keymac_topology_tests PRIVATE keymac_runtime GTest::gtest_main)
target_compile_definitions(keymac_topology_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
keymac_warnings(keymac_topology_tests)
gtest_discover_tests(keymac_topology_tests PROPERTIES TIMEOUT 120 DISCOVERY_TIMEOUT 60)
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/keymac_topology_tests_labels.cmake"
  "if(keymac_topology_tests_TESTS)\n  set_tests_properties(\${keymac_topology_tests_TESTS} PROPERTIES LABELS \"unit;traces\")\nendif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
  "${CMAKE_CURRENT_BINARY_DIR}/keymac_topology_tests_labels.cmake")

# SAIF of the RTL hierarchy from the verilated km_array (labels unit;traces;rtl).
if(TARGET keymac_rtl_models)
  add_executable(keymac_traces_rtl_tests tests/traces/rtl_saif_test.cc)
  target_link_libraries(keymac_traces_rtl_tests PRIVATE keymac_traces keymac_rtl_models GTest::gtest_main)
  keymac_warnings(keymac_traces_rtl_tests)
  gtest_discover_tests(keymac_traces_rtl_tests PROPERTIES TIMEOUT 300 DISCOVERY_TIMEOUT 60)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/keymac_traces_rtl_tests_labels.cmake"
    "if(keymac_traces_rtl_tests_TESTS)\n  set_tests_properties(\${keymac_traces_rtl_tests_TESTS} PROPERTIES LABELS \"unit;traces;rtl\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
    "${CMAKE_CURRENT_BINARY_DIR}/keymac_traces_rtl_tests_labels.cmake")
endif()

# SAIF names as Yosys names the synthesized netlist (keymac saif --names yosys-*).
if(TARGET keymac_rtl_models)
  add_test(NAME traces.yosys_names COMMAND bash ${CMAKE_SOURCE_DIR}/tests/traces/yosys_names.sh)
  set_tests_properties(traces.yosys_names PROPERTIES LABELS "e2e;traces;rtl" TIMEOUT 300
    ENVIRONMENT "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR};YOSYS=${YOSYS_EXECUTABLE}")
endif()
# What OpenSTA's read_saif finds in a Yosys netlist, by its rules, without OpenSTA (docs/TRACES.md "OpenSTA").
if(TARGET keymac_rtl_models)
  add_test(NAME traces.opensta_names COMMAND bash ${CMAKE_SOURCE_DIR}/tests/traces/opensta_names.sh)
  set_tests_properties(traces.opensta_names PROPERTIES LABELS "e2e;traces;rtl" TIMEOUT 300
    ENVIRONMENT "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR};YOSYS=${YOSYS_EXECUTABLE}")
endif()
