# sim/model: thin SystemC shells around the plain C++ cycle semantics of
# sim/core, the SystemC backend's pieces and their tests (labels unit, sim).

# Plain C++ cycle-semantics tests (no SystemC, ordinary gtest_main).
add_executable(keymac_sim_core_tests tests/sim/core_cycle_test.cc)
target_link_libraries(keymac_sim_core_tests PRIVATE keymac_core GTest::gtest_main)
keymac_warnings(keymac_sim_core_tests)
gtest_discover_tests(keymac_sim_core_tests PROPERTIES LABELS "unit;sim")

# The SystemC shell: one geometry-agnostic module elaborated once per process.
add_library(keymac_sc_model STATIC
  sim/model/boundary_tracer.cc
  sim/model/km_system.cc
)
target_link_libraries(keymac_sc_model PUBLIC keymac_core keymac_systemc)
keymac_warnings(keymac_sc_model)

# The SystemC backend lives in host/backend but is compiled into
# keymac_backends here, once host.cmake has defined that target (deferred to
# the end of the top-level directory). Lead: these lines may move to host.cmake.
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
)
target_link_libraries(keymac_sim_systemc_tests PRIVATE keymac_backends keymac_sc_model GTest::gtest)
target_compile_definitions(keymac_sim_systemc_tests PRIVATE
  KEYMAC_VCD2FST="${VCD2FST_EXECUTABLE}")
keymac_warnings(keymac_sim_systemc_tests)
gtest_discover_tests(keymac_sim_systemc_tests PROPERTIES LABELS "unit;sim" TIMEOUT 120)

add_executable(keymac_sim_ports_tests tests/sim/sc_main.cc tests/sim/km_array_ports_test.cc)
target_link_libraries(keymac_sim_ports_tests PRIVATE keymac_sc_model GTest::gtest)
keymac_warnings(keymac_sim_ports_tests)
gtest_discover_tests(keymac_sim_ports_tests PROPERTIES LABELS "unit;sim" TIMEOUT 120)
