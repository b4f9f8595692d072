# Issue 12 (hacc12): `keymac run --dataset` (the lock report on any labelled
# dataset, docs/DATASETS.md) and the trained graph-feature models (float =
# PyTorch, int8 within 2 points; docs/MODELS.md).
if(TARGET keymac_runtime)
  target_sources(keymac_runtime PRIVATE host/runtime/dataset_run.cc)

  if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
    set(_hacc12_env "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
    add_test(NAME e2e.run_dataset COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/run_dataset_test.py)
    set_tests_properties(e2e.run_dataset PROPERTIES LABELS "e2e;datasets" ENVIRONMENT "${_hacc12_env}" TIMEOUT 600)
    add_test(NAME e2e.trained_models COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/models/train_graph_models.py)
    set_tests_properties(e2e.trained_models PROPERTIES LABELS "e2e;trained" ENVIRONMENT "${_hacc12_env}" TIMEOUT 900)
  endif()
endif()
