# Issue 12 (h12b): tensor files (host/tensor), datasets (host/data), `keymac
# infer`, and their tests, including the onnx-conformance label (Debian's
# libonnx-testdata node tests through `keymac infer`; docs/CONFORMANCE.md).
if(TARGET keymac_runtime)
  target_sources(keymac_runtime PRIVATE
    host/tensor/tensor.cc
    host/tensor/element_codec.cc
    host/tensor/npy.cc
    host/tensor/npz.cc
    host/tensor/tensor_pb.cc
    host/tensor/tensor_file.cc
    host/runtime/infer_job.cc
    host/data/dataset.cc
    host/data/dataset_loaders.cc
  )
  target_sources(keymac PRIVATE host/cli/cmd_infer.cc)

  if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
    # Converts one tensor file (or an .npz member) to another: the tests check
    # keymac's readers and writers against NumPy / ONNX's own.
    add_executable(keymac_tensor_tool tests/host/tensor_tool.cc)
    target_link_libraries(keymac_tensor_tool PRIVATE keymac_runtime)
    keymac_warnings(keymac_tensor_tool)
    set(_h12b_env "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR};TENSOR_TOOL=$<TARGET_FILE:keymac_tensor_tool>")
    add_test(NAME host.tensor_files COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/host/tensor_files_test.py)
    set_tests_properties(host.tensor_files PROPERTIES LABELS unit ENVIRONMENT "${_h12b_env}" TIMEOUT 120)
    add_test(NAME e2e.infer COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/infer_test.py)
    set_tests_properties(e2e.infer PROPERTIES LABELS e2e ENVIRONMENT "${_h12b_env}" TIMEOUT 300)
    add_test(NAME e2e.datasets COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/datasets_test.py)
    # 77: every check passed but a part needs an importer that takes 3x32x32 inputs (issue 12, h12a).
    set_tests_properties(e2e.datasets PROPERTIES LABELS e2e ENVIRONMENT "${_h12b_env}" TIMEOUT 300 SKIP_RETURN_CODE 77)
    add_test(NAME onnx_conformance COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/conformance/run_onnx_conformance.py
      --keymac $<TARGET_FILE:keymac> --docs ${CMAKE_SOURCE_DIR}/docs/CONFORMANCE.md)
    set_tests_properties(onnx_conformance PROPERTIES LABELS onnx-conformance TIMEOUT 300)
  endif()
endif()
# libFuzzer harness of the tensor readers (tests/fuzz/fuzz_tensor.cc), as the other harnesses.
if(KEYMAC_FUZZ)
  add_test(NAME fuzz.tensor.regress COMMAND bash ${_fuzz_sh} regress ${CMAKE_SOURCE_DIR} ${_fuzz_bin} tensor)
  add_test(NAME fuzz.tensor COMMAND bash ${_fuzz_sh} fuzz ${CMAKE_SOURCE_DIR} ${_fuzz_bin} tensor ${KEYMAC_FUZZ_SECONDS})
  set_tests_properties(fuzz.tensor.regress fuzz.tensor PROPERTIES LABELS fuzz FIXTURES_REQUIRED keymac_fuzz_build)
  set_tests_properties(fuzz.tensor PROPERTIES TIMEOUT 600)
endif()
