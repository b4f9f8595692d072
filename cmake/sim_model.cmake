# sim/model: thin SystemC shells around the plain C++ cycle semantics of
# sim/core, the SystemC backend's pieces and their tests (labels unit, sim).

# gtest_discover_tests (CMake 3.25) flattens list-valued PROPERTIES, so the
# two labels are set by a second include file that runs after discovery, on
# the discovered list <target>_TESTS. Each test runs in its own process.
function(keymac_sim_discover_tests target)
  gtest_discover_tests(${target} PROPERTIES TIMEOUT 120 DISCOVERY_TIMEOUT 60)
  set(f "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${f}" "if(${target}_TESTS)\n  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS \"unit;sim\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${f}")
endfunction()

# Plain C++ cycle-semantics tests (no SystemC, ordinary gtest_main).
add_executable(keymac_sim_core_tests tests/sim/core_cycle_test.cc)
target_link_libraries(keymac_sim_core_tests PRIVATE keymac_core GTest::gtest_main)
keymac_warnings(keymac_sim_core_tests)
keymac_sim_discover_tests(keymac_sim_core_tests)

# The SystemC shell: the TLM-2.0 component and the process-wide host
# platform the systemc backend drives (elaborated once per process).
add_library(keymac_sc_model STATIC
  sim/model/boundary_tracer.cc
  sim/model/km_accel_context.cc
  sim/model/km_host_platform.cc
)
target_link_libraries(keymac_sc_model PUBLIC keymac_core keymac_systemc)
keymac_warnings(keymac_sc_model)

# The SystemC backend lives in host/backend but is compiled into
# keymac_backends here, once host.cmake has defined that target (deferred to
# the end of the top-level directory).
function(keymac_attach_systemc_backend)
  target_sources(keymac_backends PRIVATE
    ${CMAKE_SOURCE_DIR}/host/backend/memory_config.cc
    ${CMAKE_SOURCE_DIR}/host/backend/systemc_backend.cc)
  target_link_libraries(keymac_backends PUBLIC keymac_sc_model nlohmann_json::nlohmann_json)
endfunction()
cmake_language(DEFER CALL keymac_attach_systemc_backend)

find_program(VCD2FST_EXECUTABLE vcd2fst)

# SystemC tests: libsystemc.so defines main(), so each binary has its own
# sc_main (tests/sim/sc_main.cc) calling RUN_ALL_TESTS; gtest_discover_tests
# runs every test in its own process (one elaboration per process).
add_executable(keymac_sim_systemc_tests
  tests/sim/sc_main.cc
  tests/sim/systemc_backend_test.cc
  tests/sim/vcd_trace_test.cc
  tests/sim/systemc_expanded_test.cc
  tests/sim/systemc_platform_test.cc
)
target_link_libraries(keymac_sim_systemc_tests PRIVATE keymac_backends keymac_sc_model GTest::gtest)
target_compile_definitions(keymac_sim_systemc_tests PRIVATE
  KEYMAC_VCD2FST="${VCD2FST_EXECUTABLE}")
keymac_warnings(keymac_sim_systemc_tests)
keymac_sim_discover_tests(keymac_sim_systemc_tests)

add_executable(keymac_sim_ports_tests tests/sim/sc_main.cc tests/sim/km_array_ports_test.cc)
target_link_libraries(keymac_sim_ports_tests PRIVATE keymac_sc_model GTest::gtest)
keymac_warnings(keymac_sim_ports_tests)
keymac_sim_discover_tests(keymac_sim_ports_tests)

# TLM-2.0 component (docs/SYSTEMC.md "TLM-2.0 component"): KmAccel, its host
# driver, a memory and a router for virtual platforms; no global state.
target_sources(keymac_sc_model PRIVATE
  sim/model/km_accel.cc
  sim/model/km_accel_driver.cc
  sim/model/km_memory.cc
  sim/model/km_router.cc
)
add_executable(keymac_sim_accel_tests tests/sim/sc_main.cc tests/sim/km_accel_test.cc
  tests/sim/km_accel_context_test.cc)
target_link_libraries(keymac_sim_accel_tests PRIVATE keymac_sc_model GTest::gtest)
keymac_warnings(keymac_sim_accel_tests)
keymac_sim_discover_tests(keymac_sim_accel_tests)
# The port-table test reads rtl/km_array.sv.
target_compile_definitions(keymac_sim_ports_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_sources(keymac_sim_core_tests PRIVATE tests/sim/cycle_memory_test.cc)

# Expanded key mode in the register-level core (key unit, per-PE key bits).
add_executable(keymac_sim_expanded_tests tests/sim/expanded_core_test.cc)
target_link_libraries(keymac_sim_expanded_tests PRIVATE keymac_core GTest::gtest_main)
keymac_warnings(keymac_sim_expanded_tests)
keymac_sim_discover_tests(keymac_sim_expanded_tests)
