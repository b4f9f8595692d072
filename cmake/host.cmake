# host/: the runtime (import, quantize, lock, map, backends, report) and CLI.
add_library(keymac_backends STATIC
  host/backend/backend_registry.cc
  host/backend/functional_backend.cc
)
target_link_libraries(keymac_backends PUBLIC keymac_core)
keymac_warnings(keymac_backends)
