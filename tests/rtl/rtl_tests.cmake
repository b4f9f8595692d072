# tests/rtl: GoogleTest suite over the verilated km_array models (label rtl).
# Included from cmake/rtl.cmake.
add_executable(keymac_rtl_tests ${CMAKE_SOURCE_DIR}/tests/rtl/km_array_test.cc)
target_link_libraries(keymac_rtl_tests PRIVATE keymac_rtl_models GTest::gtest GTest::gtest_main)
keymac_warnings(keymac_rtl_tests)
gtest_discover_tests(keymac_rtl_tests
  PROPERTIES LABELS rtl
  DISCOVERY_MODE PRE_TEST
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
