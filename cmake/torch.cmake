# libtorch (Debian libtorch-dev 1.13, the PyTorch C++ API) for the security
# attacks that need gradients: host/security/torch_net + the gradient and
# finetune attacks, in their own static library keymac_torch. Nothing else
# includes torch headers (they cost ~10-20 s of compile per TU, docs/SECURITY.md),
# so the rest of the build is as fast without it. KEYMAC_WITH_TORCH=OFF, or no
# libtorch installed, leaves keymac_torch out; `keymac attack --attack gradient`
# then says it was built without libtorch.
option(KEYMAC_WITH_TORCH "build the libtorch-based attacks (gradient, finetune)" ON)
if(KEYMAC_WITH_TORCH)
  find_package(Torch QUIET CONFIG)
endif()
if(KEYMAC_WITH_TORCH AND Torch_FOUND)
  message(STATUS "keymac: libtorch found (${TORCH_INSTALL_PREFIX}): building keymac_torch")
  add_library(keymac_torch STATIC
    host/security/torch_net.cc
  )
  target_link_libraries(keymac_torch PUBLIC keymac_runtime PRIVATE ${TORCH_LIBRARIES})
  target_include_directories(keymac_torch SYSTEM PRIVATE ${TORCH_INCLUDE_DIRS})
  target_compile_definitions(keymac_torch PUBLIC KEYMAC_HAVE_TORCH=1)
  keymac_warnings(keymac_torch)
  # The attacks implement host/security/attack.h and are registered by
  # keymac_security's registry (cyclic static libraries: CMake repeats them).
  if(TARGET keymac_security)
    target_sources(keymac_torch PRIVATE host/security/attack_gradient.cc host/security/attack_finetune.cc)
    target_link_libraries(keymac_torch PUBLIC keymac_security)
    target_link_libraries(keymac_security PUBLIC keymac_torch)
    target_link_libraries(keymac PRIVATE keymac_torch)
  endif()

  if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
    add_executable(keymac_torch_tests
      tests/security/torch_net_test.cc
      $<$<TARGET_EXISTS:keymac_security>:${CMAKE_SOURCE_DIR}/tests/security/torch_attacks_test.cc>
    )
    target_link_libraries(keymac_torch_tests PRIVATE keymac_torch ${TORCH_LIBRARIES} GTest::gtest_main)
    target_compile_definitions(keymac_torch_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    keymac_warnings(keymac_torch_tests)
    gtest_discover_tests(keymac_torch_tests TEST_PREFIX torch. PROPERTIES LABELS security DISCOVERY_TIMEOUT 120)
  endif()
else()
  message(STATUS "keymac: libtorch not built (KEYMAC_WITH_TORCH=${KEYMAC_WITH_TORCH}, Torch_FOUND=${Torch_FOUND}): no gradient/finetune attacks")
endif()
