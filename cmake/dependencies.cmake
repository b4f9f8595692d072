# All external dependencies, from Debian bookworm packages (scripts/setup.sh).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
# Debian's SystemC has no CMake config: wrap the pkg-config target and alias it
# as Verilator::systemc *before* find_package(verilator) so it is reused.
add_library(keymac_systemc INTERFACE)
target_link_libraries(keymac_systemc INTERFACE PkgConfig::SYSTEMC)
target_compile_definitions(keymac_systemc INTERFACE SC_CPLUSPLUS=201703L)
add_library(Verilator::systemc ALIAS keymac_systemc)
find_package(verilator HINTS /usr/share/verilator)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(Protobuf REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Threads REQUIRED)
find_program(YOSYS_EXECUTABLE yosys REQUIRED)
find_program(PYTHON3_SYSTEM /usr/bin/python3)

# Debian's libonnx-dev: headers + libonnx_proto, no CMake config.
find_library(ONNX_PROTO_LIB onnx_proto REQUIRED)
add_library(keymac_onnx INTERFACE)
target_link_libraries(keymac_onnx INTERFACE ${ONNX_PROTO_LIB} protobuf::libprotobuf)
target_compile_definitions(keymac_onnx INTERFACE ONNX_ML=1 ONNX_NAMESPACE=onnx)
