# tests/rtl: GoogleTest suite over the verilated km_array models (label rtl).
# Included from cmake/rtl.cmake.
add_executable(keymac_rtl_tests ${CMAKE_SOURCE_DIR}/tests/rtl/km_array_test.cc)
target_link_libraries(keymac_rtl_tests PRIVATE keymac_rtl_models keymac_params GTest::gtest GTest::gtest_main)
target_include_directories(keymac_rtl_tests PRIVATE ${CMAKE_SOURCE_DIR})  # sim/core/array_ports.h
keymac_warnings(keymac_rtl_tests)
gtest_discover_tests(keymac_rtl_tests
  PROPERTIES LABELS rtl
  DISCOVERY_MODE PRE_TEST
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})

# km_ctrl against the C++ Sequencer (sim/core) cycle by cycle, and km_ctrl
# driving the verilated km_array. Needs keymac_core (left out with sim_core).
if(TARGET keymac_core)
  add_executable(keymac_rtl_ctrl_tests ${CMAKE_SOURCE_DIR}/tests/rtl/km_ctrl_test.cc)
  target_link_libraries(keymac_rtl_ctrl_tests PRIVATE
    keymac_rtl_ctrl_1x1 keymac_rtl_ctrl_2x3 keymac_rtl_ctrl_8x4
    keymac_rtl_models keymac_core GTest::gtest GTest::gtest_main)
  # The verilated headers are not ours: no -Wall -Wextra -Wpedantic noise from them.
  target_include_directories(keymac_rtl_ctrl_tests SYSTEM PRIVATE
    ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  keymac_warnings(keymac_rtl_ctrl_tests)
  gtest_discover_tests(keymac_rtl_ctrl_tests
    PROPERTIES LABELS rtl
    DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endif()
