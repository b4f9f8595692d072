# examples/: programs a user copies. The virtual platform (two KmAccel
# TLM-2.0 components, a router, a memory and a host driver) is built and run
# as a ctest (label vp) that compares it with `keymac run`.
add_executable(keymac_vp examples/vp/vp_main.cc examples/vp/tlm_host_backend.cc)
target_link_libraries(keymac_vp PRIVATE keymac_runtime keymac_sc_model)
keymac_warnings(keymac_vp)
add_test(NAME vp.two_accelerators COMMAND bash ${CMAKE_SOURCE_DIR}/examples/vp/vp_test.sh)
set_tests_properties(vp.two_accelerators PROPERTIES LABELS "vp;e2e" TIMEOUT 600
  ENVIRONMENT "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_VP=$<TARGET_FILE:keymac_vp>;KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
