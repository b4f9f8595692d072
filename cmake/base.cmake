# base/: what every layer uses and nothing else owns: errors, the output layer
# (atomic files, streams, stdout check), running tools without a shell, shell
# quoting for generated scripts. Linked into keymac_core (sim_core.cmake).
add_library(keymac_base STATIC
  base/output_file.cc
  base/shell_quote.cc
  base/spawn.cc
  base/temp_dir.cc
  base/thread_pool.cc
)
target_include_directories(keymac_base PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(keymac_base PUBLIC Threads::Threads)
keymac_warnings(keymac_base)

if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
  add_executable(keymac_base_tests tests/base/output_file_test.cc)
  target_link_libraries(keymac_base_tests PRIVATE keymac_base GTest::gtest_main)
  keymac_warnings(keymac_base_tests)
  gtest_discover_tests(keymac_base_tests PROPERTIES TIMEOUT 60 DISCOVERY_TIMEOUT 60)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/keymac_base_tests_labels.cmake"
    "if(keymac_base_tests_TESTS)\n  set_tests_properties(\${keymac_base_tests_TESTS} PROPERTIES LABELS \"unit;base\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
    "${CMAKE_CURRENT_BINARY_DIR}/keymac_base_tests_labels.cmake")
endif()
