# libtorch (Debian libtorch-dev 1.13, the PyTorch C++ API) for the security
# attacks that need gradients: host/security/torch_net + the gradient and
# finetune attacks, in their own shared module keymac_torch.so. Nothing else
# includes torch headers (they cost ~10-20 s of compile per TU, docs/SECURITY.md),
# so the rest of the build is as fast without it. KEYMAC_WITH_TORCH=OFF, or no
# libtorch installed, leaves keymac_torch out; `keymac attack --attack gradient`
# then says it was built without libtorch.
option(KEYMAC_WITH_TORCH "build the libtorch-based attacks (gradient, finetune)" ON)
if(KEYMAC_WITH_TORCH)
  find_package(Torch QUIET CONFIG)
endif()
if(KEYMAC_WITH_TORCH AND Torch_FOUND)
  message(STATUS "keymac: libtorch found (${TORCH_INSTALL_PREFIX}): building keymac_torch.so")
  # The torch sources compile once (position independent) into an object
  # library, used by the shared module keymac_torch.so and by the torch tests.
  # `keymac` does not link libtorch: the attacks are loaded with dlopen on
  # first use (host/security/torch_loader.h), so every other command starts
  # without mapping libtorch (docs/SCALESIM.md "Start-up").
  add_library(keymac_torch OBJECT
    host/security/torch_net.cc
  )
  set_target_properties(keymac_torch PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_link_libraries(keymac_torch PUBLIC keymac_runtime ${TORCH_LIBRARIES})
  target_include_directories(keymac_torch SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS})
  target_compile_definitions(keymac_torch PUBLIC KEYMAC_HAVE_TORCH=1)
  keymac_warnings(keymac_torch)
  if(TARGET keymac_security)
    target_sources(keymac_torch PRIVATE host/security/attack_gradient.cc host/security/attack_finetune.cc
      host/security/torch_module.cc)
    # keymac_torch.so: the attacks plus their C entry point. Its undefined
    # symbols (keymac's own code) resolve against the executable that loads
    # it, which therefore exports its symbols (ENABLE_EXPORTS).
    add_library(keymac_torch_module MODULE $<TARGET_OBJECTS:keymac_torch>)
    set_target_properties(keymac_torch_module PROPERTIES PREFIX "" OUTPUT_NAME keymac_torch
      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    target_link_libraries(keymac_torch_module PRIVATE ${TORCH_LIBRARIES})
    target_sources(keymac_security PRIVATE host/security/torch_loader.cc)
    target_compile_definitions(keymac_security PRIVATE KEYMAC_TORCH_MODULE=1)
    target_link_libraries(keymac_security PUBLIC ${CMAKE_DL_LIBS})
    set_target_properties(keymac PROPERTIES ENABLE_EXPORTS ON)
    add_dependencies(keymac keymac_torch_module)
    if(TARGET keymac_security_tests)
      set_target_properties(keymac_security_tests PROPERTIES ENABLE_EXPORTS ON)
      add_dependencies(keymac_security_tests keymac_torch_module)
    endif()
  endif()

  if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
    add_executable(keymac_torch_tests
      tests/security/torch_net_test.cc
      $<$<TARGET_EXISTS:keymac_security>:${CMAKE_SOURCE_DIR}/tests/security/torch_attacks_test.cc>
    )
    target_link_libraries(keymac_torch_tests PRIVATE keymac_torch $<$<TARGET_EXISTS:keymac_security>:keymac_security> ${TORCH_LIBRARIES} GTest::gtest_main)
    target_compile_definitions(keymac_torch_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    keymac_warnings(keymac_torch_tests)
    gtest_discover_tests(keymac_torch_tests TEST_PREFIX torch. PROPERTIES LABELS security DISCOVERY_TIMEOUT 120)
  endif()
else()
  message(STATUS "keymac: libtorch not built (KEYMAC_WITH_TORCH=${KEYMAC_WITH_TORCH}, Torch_FOUND=${Torch_FOUND}): no gradient/finetune attacks")
endif()
