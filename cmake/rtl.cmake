# rtl/: lint, verilated km_array models (C++ mode, VCD tracing), the RtlArray
# registry, synthesis checks, and the tests in tests/rtl.
#
#   keymac_verilate_array(<target> ROWS r COLS c KEYED k [SIGNMAG s] [EXPANDED])
#     STATIC library with km_array verilated for that geometry, prefix
#     Vkm_array_<r>x<c>_k<k>, plus a factory make_<prefix>() (rtl/tb).
#     EXPANDED: the expanded key mode (KeyMode = 1, KM_KEY_EXPANDED, with
#     km_keyexp), prefix Vkm_array_<r>x<c>_kx.
#     NOTRACE: verilated without --trace (prefix ..._nt): the registry's
#     make_rtl_array_untraced() for runs that write no trace.
#     SIMGRID: the PE grid in its simulation form (km_array SimGrid = 1);
#     with NOTRACE only (it has no per-PE scopes to trace).
#   keymac_rtl_registry(<target>)
#     STATIC library implementing rtl/tb/rtl_models.h over every geometry
#     verilated so far; link it to get make_rtl_array(rows, cols, keyed).

set(KEYMAC_RTL_DIR ${CMAKE_SOURCE_DIR}/rtl)
set(KEYMAC_RTL_SOURCES
  ${KEYMAC_PARAMS_SV}  # generated from params/keymac_params.json (cmake/params.cmake)
  ${KEYMAC_RTL_DIR}/km_delay.sv
  ${KEYMAC_RTL_DIR}/km_pe.sv
  ${KEYMAC_RTL_DIR}/km_keyreg.sv
  ${KEYMAC_RTL_DIR}/km_array.sv)
set(KEYMAC_RTL_WAIVERS ${KEYMAC_RTL_DIR}/lint/waivers.vlt)

# --- lint ---------------------------------------------------------------------
find_program(VERILATOR_EXECUTABLE verilator REQUIRED)
# "R C Keyed SignMag [SimGrid]": the km_pe form in 8 configurations, and the
# simulation form of the PE grid (SimGrid = 1) in every number format.
set(_km_lint_cases "4 4 1 1" "4 4 0 1" "4 4 1 0" "1 1 1 1" "2 3 1 1" "2 3 0 0" "8 4 1 1" "16 16 1 1"
    "16 16 1 1 1" "8 8 1 1 1" "4 4 0 1 1" "4 4 1 0 1" "1 1 1 1 1" "2 3 0 0 1" "3 5 1 1 1")
foreach(_case IN LISTS _km_lint_cases)
  separate_arguments(_p UNIX_COMMAND "${_case}")
  list(GET _p 0 _r)
  list(GET _p 1 _c)
  list(GET _p 2 _k)
  list(GET _p 3 _s)
  set(_name rtl_lint_${_r}x${_c}_k${_k}_s${_s})
  set(_g 0)
  list(LENGTH _p _n)
  if(_n GREATER 4)
    list(GET _p 4 _g)
  endif()
  if(_g)
    string(APPEND _name _simgrid)
  endif()
  add_test(NAME ${_name}
    COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall --top-module km_array
            -GRows=${_r} -GCols=${_c} "-GKeyed=1'b${_k}" "-GSignMag=1'b${_s}" "-GSimGrid=1'b${_g}"
            ${KEYMAC_RTL_WAIVERS} ${KEYMAC_RTL_SOURCES})
  set_tests_properties(${_name} PROPERTIES LABELS "rtl;lint")
endforeach()

# The expanded key mode: km_array with KeyMode = 1 and its km_keyexp.
foreach(_case "4 4 1" "8 4 1" "1 1 1" "2 3 0" "16 16 1")
  separate_arguments(_p UNIX_COMMAND "${_case}")
  list(GET _p 0 _r)
  list(GET _p 1 _c)
  list(GET _p 2 _s)
  add_test(NAME rtl_lint_${_r}x${_c}_kx_s${_s}
    COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall --top-module km_array -DKM_KEY_EXPANDED
            -GRows=${_r} -GCols=${_c} "-GKeyed=1'b1" "-GSignMag=1'b${_s}" -GKeyMode=1
            ${KEYMAC_RTL_WAIVERS} ${KEYMAC_RTL_SOURCES} ${KEYMAC_RTL_DIR}/km_keyexp.sv)
  set_tests_properties(rtl_lint_${_r}x${_c}_kx_s${_s} PROPERTIES LABELS "rtl;lint")
endforeach()

# --- Verilator runtime, compiled once for every verilated library ------------
# verilate() adds verilated.cpp & co. to each library; several libraries in one
# binary would then carry several copies. We strip them and build one runtime
# with the same VM_* definitions, which are PUBLIC on every library.
set(KEYMAC_VM_DEFS VM_COVERAGE=0 VM_SC=0 VM_TRACE=1 VM_TRACE_VCD=1 VM_TRACE_FST=0)
add_library(keymac_verilated_rt STATIC
  ${VERILATOR_ROOT}/include/verilated.cpp
  ${VERILATOR_ROOT}/include/verilated_vcd_c.cpp
  ${VERILATOR_ROOT}/include/verilated_threads.cpp)
target_include_directories(keymac_verilated_rt PUBLIC
  ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd ${KEYMAC_RTL_DIR}/tb)
target_compile_definitions(keymac_verilated_rt PUBLIC ${KEYMAC_VM_DEFS})
target_compile_options(keymac_verilated_rt PRIVATE -O2 -w)
target_link_libraries(keymac_verilated_rt PUBLIC Threads::Threads)
set_target_properties(keymac_verilated_rt PROPERTIES POSITION_INDEPENDENT_CODE ON)

set_property(GLOBAL PROPERTY KEYMAC_RTL_GEOMETRIES "")

# --- the compiler of the verilated models -----------------------------------
# The generated C++ of each model (and its factory) is compiled by clang++
# when it is installed, the rest of the project by the project's compiler
# (both use libstdc++ and the same ABI). On the 16x16 array clang -Os runs
# about 14 % fewer instructions per simulated cycle than g++ -Os and
# compiles in about half the CPU time (docs/RTL.md "Verilated model speed").
# KEYMAC_RTL_CXX= (empty) keeps the project's compiler. Each such target's
# CXX_COMPILER_LAUNCHER is a generated script that swaps the compiler in the
# command line (and keeps CMAKE_CXX_COMPILER_LAUNCHER, e.g. ccache, in front).
find_program(KEYMAC_RTL_CXX NAMES clang++-14 clang++
             DOC "C++ compiler for the verilated models (empty: the project's compiler)")
set(KEYMAC_RTL_LAUNCHER "")
if(KEYMAC_RTL_CXX)
  string(REPLACE ";" " " KM_RTL_CXX_PREFIX "${CMAKE_CXX_COMPILER_LAUNCHER}")
  set(KEYMAC_RTL_LAUNCHER ${CMAKE_CURRENT_BINARY_DIR}/rtl_gen/rtl_cxx.sh)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/rtl_cxx.sh.in ${KEYMAC_RTL_LAUNCHER} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  message(STATUS "keymac: verilated models compiled by ${KEYMAC_RTL_CXX}")
else()
  message(STATUS "keymac: verilated models compiled by ${CMAKE_CXX_COMPILER} (no clang++ found)")
endif()
function(keymac_rtl_compiler target)
  if(KEYMAC_RTL_LAUNCHER)
    set_target_properties(${target} PROPERTIES CXX_COMPILER_LAUNCHER ${KEYMAC_RTL_LAUNCHER})
  endif()
endfunction()

function(keymac_verilate_array target)
  cmake_parse_arguments(A "EXPANDED;NOTRACE;SIMGRID" "ROWS;COLS;KEYED;SIGNMAG" "" ${ARGN})
  if(NOT DEFINED A_SIGNMAG)
    set(A_SIGNMAG 1)
  endif()
  set(prefix Vkm_array_${A_ROWS}x${A_COLS}_k${A_KEYED})
  set(_kx_sources "")
  set(_kx_args "")
  set(KM_EXPANDED_BOOL false)
  if(A_EXPANDED)
    set(prefix Vkm_array_${A_ROWS}x${A_COLS}_kx)
    set(_kx_sources ${KEYMAC_RTL_DIR}/km_keyexp.sv)
    set(_kx_args -DKM_KEY_EXPANDED -GKeyMode=1)
    set(KM_EXPANDED_BOOL true)
  endif()
  if(NOT A_SIGNMAG)
    string(APPEND prefix _s0)  # two's-complement datapath (same ports and results)
  endif()
  set(_trace TRACE)
  set(KM_TRACED_BOOL true)
  if(A_NOTRACE)
    string(APPEND prefix _nt)
    set(_trace "")
    set(KM_TRACED_BOOL false)
  endif()
  set(_simgrid_args "")
  if(A_SIMGRID)
    if(NOT A_NOTRACE OR A_EXPANDED)
      message(FATAL_ERROR "keymac_verilate_array(${target}): SIMGRID needs NOTRACE and a periodic or plain array")
    endif()
    set(_simgrid_args "-GSimGrid=1'b1")
  endif()
  add_library(${target} STATIC)
  # -O3 for Verilator's own optimiser. Generated C++: per-cycle code -Os (big
  # models compile much faster than at -O3 and run about as fast); the *Slow
  # files only construct the model and declare trace signals, so -O0 (16x16:
  # trace declarations 45 s at -Os, 6 s at -O0). Compile times: docs/RTL.md.
  verilate(${target} ${_trace}
    PREFIX ${prefix}
    TOP_MODULE km_array
    SOURCES ${KEYMAC_RTL_SOURCES} ${_kx_sources}
    VERILATOR_ARGS -O3 --x-assign fast --x-initial fast --output-split 20000
                   -GRows=${A_ROWS} -GCols=${A_COLS}
                   "-GKeyed=1'b${A_KEYED}" "-GSignMag=1'b${A_SIGNMAG}"
                   ${_kx_args} ${_simgrid_args}
                   ${KEYMAC_RTL_WAIVERS}
    OPT_FAST -Os OPT_SLOW -O0 OPT_GLOBAL -Os)
  # One set of VM_* definitions for every library and the shared runtime
  # (an untraced model has no trace code; VM_TRACE only declares the API).
  set_target_properties(${target} PROPERTIES VERILATOR_TRACE ON VERILATOR_TRACE_VCD ON)
  # Drop the per-library copy of the runtime (keymac_verilated_rt has it).
  get_target_property(_srcs ${target} SOURCES)
  list(FILTER _srcs EXCLUDE REGEX "/include/verilated[a-z_]*\\.cpp$")
  set_property(TARGET ${target} PROPERTY SOURCES ${_srcs})
  # Factory for the RtlArray interface.
  set(KM_PREFIX ${prefix})
  set(KM_ROWS ${A_ROWS})
  set(KM_COLS ${A_COLS})
  if(A_KEYED)
    set(KM_KEYED_BOOL true)
  else()
    set(KM_KEYED_BOOL false)
  endif()
  set(_gen ${CMAKE_CURRENT_BINARY_DIR}/rtl_gen/${prefix}_factory.cc)
  configure_file(${KEYMAC_RTL_DIR}/tb/rtl_model.cc.in ${_gen} @ONLY)
  target_sources(${target} PRIVATE ${_gen})
  target_compile_definitions(${target} PUBLIC ${KEYMAC_VM_DEFS})
  target_link_libraries(${target} PUBLIC keymac_verilated_rt keymac_params)
  set_source_files_properties(${_gen} PROPERTIES INCLUDE_DIRECTORIES ${CMAKE_SOURCE_DIR})  # rtl_array_impl.h: sim/core/array_ports.h
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  keymac_rtl_compiler(${target})
  set_property(GLOBAL APPEND PROPERTY KEYMAC_RTL_GEOMETRIES "${A_ROWS} ${A_COLS} ${A_KEYED} ${prefix} ${target} ${KM_EXPANDED_BOOL} ${KM_TRACED_BOOL}")
endfunction()

function(keymac_rtl_registry target)
  get_property(_geoms GLOBAL PROPERTY KEYMAC_RTL_GEOMETRIES)
  set(_decl "")
  set(_list "")
  set(_make "")
  set(_make_nt "")
  set(_libs "")
  foreach(_g IN LISTS _geoms)
    separate_arguments(_p UNIX_COMMAND "${_g}")
    list(GET _p 0 _r)
    list(GET _p 1 _c)
    list(GET _p 2 _k)
    list(GET _p 3 _prefix)
    list(GET _p 4 _lib)
    list(GET _p 5 _xb)
    list(GET _p 6 _tb)
    if(_k)
      set(_kb true)
    else()
      set(_kb false)
    endif()
    string(APPEND _decl "std::unique_ptr<RtlArray> make_${_prefix}();\n")
    if(_tb)
      string(APPEND _list "      {${_r}, ${_c}, ${_kb}, ${_xb}},\n")
      string(APPEND _make "  if (rows == ${_r} && cols == ${_c} && keyed == ${_kb} && expanded == ${_xb}) return make_${_prefix}();\n")
    else()
      string(APPEND _make_nt "  if (rows == ${_r} && cols == ${_c} && keyed == ${_kb} && expanded == ${_xb}) return make_${_prefix}();\n")
    endif()
    list(APPEND _libs ${_lib})
  endforeach()
  set(_src ${CMAKE_CURRENT_BINARY_DIR}/rtl_gen/rtl_models.cc)
  file(WRITE ${_src}.tmp
"// Generated by cmake/rtl.cmake (keymac_rtl_registry): do not edit.
#include \"rtl_models.h\"

namespace keymac::rtl {

${_decl}
std::vector<RtlGeometry> rtl_geometries() {
  return {
${_list}  };
}

std::unique_ptr<RtlArray> make_rtl_array(int rows, int cols, bool keyed, bool expanded) {
${_make}  return nullptr;
}

std::unique_ptr<RtlArray> make_rtl_array(int rows, int cols, bool keyed) {
  return make_rtl_array(rows, cols, keyed, false);
}

std::unique_ptr<RtlArray> make_rtl_array_untraced(int rows, int cols, bool keyed, bool expanded) {
${_make_nt}  return make_rtl_array(rows, cols, keyed, expanded);
}

}  // namespace keymac::rtl
")
  configure_file(${_src}.tmp ${_src} COPYONLY)
  add_library(${target} STATIC ${_src})
  target_include_directories(${target} PUBLIC ${KEYMAC_RTL_DIR}/tb)
  target_link_libraries(${target} PUBLIC ${_libs})
endfunction()

# --- the geometries built by default: verilated_geometries of params/keymac_params.json
foreach(_g IN LISTS KEYMAC_PARAM_GEOMETRIES)
  separate_arguments(_p UNIX_COMMAND "${_g}")
  list(GET _p 0 _r)
  list(GET _p 1 _c)
  list(GET _p 2 _k)
  keymac_verilate_array(keymac_rtl_${_r}x${_c}_k${_k} ROWS ${_r} COLS ${_c} KEYED ${_k})
  # Its untraced copy with the PE grid in its simulation form (SimGrid = 1):
  # about twice the traced model's cycles per second at 16x16 (docs/RTL.md
  # "The simulation form of the PE grid"), for runs that write no trace.
  keymac_verilate_array(keymac_rtl_${_r}x${_c}_k${_k}_nt ROWS ${_r} COLS ${_c} KEYED ${_k} NOTRACE SIMGRID)
endforeach()
# The expanded key mode (ARCHITECTURE.md 11): the co-simulation geometries
# (square 4x4 and 8x8, non-square 8x4), about a minute of build each.
foreach(_g "4 4" "8 8" "8 4")
  separate_arguments(_p UNIX_COMMAND "${_g}")
  list(GET _p 0 _r)
  list(GET _p 1 _c)
  keymac_verilate_array(keymac_rtl_${_r}x${_c}_kx ROWS ${_r} COLS ${_c} KEYED 1 EXPANDED)
endforeach()
# 32x32, for the RTL speed benchmark (bench/rtl_bench.cc) and `--backend rtl
# --array 32x32`: its generated C++ takes minutes to compile (docs/RTL.md), so
# it is built only with -DKEYMAC_RTL_BENCH_32=ON, never in the default/CI build.
option(KEYMAC_RTL_BENCH_32 "Also verilate a 32x32 km_array (slow to compile; keymac_bench_rtl)" OFF)
if(KEYMAC_RTL_BENCH_32)
  keymac_verilate_array(keymac_rtl_32x32_k1 ROWS 32 COLS 32 KEYED 1)
  keymac_verilate_array(keymac_rtl_32x32_k1_nt ROWS 32 COLS 32 KEYED 1 NOTRACE SIMGRID)
endif()
keymac_rtl_registry(keymac_rtl_models)

# --- synthesis (Yosys) -----------------------------------------------------------
add_test(NAME rtl_synth_4x4_key_overhead
  COMMAND ${CMAKE_COMMAND} -E env YOSYS=${YOSYS_EXECUTABLE}
          bash ${KEYMAC_RTL_DIR}/synth/check_synth.sh 4 4 ${CMAKE_CURRENT_BINARY_DIR}/rtl_synth)
set_tests_properties(rtl_synth_4x4_key_overhead PROPERTIES LABELS "rtl;synth" TIMEOUT 600)

# --- tests/rtl ----------------------------------------------------------------
include(${CMAKE_SOURCE_DIR}/tests/rtl/rtl_tests.cmake)

# --- km_ctrl: the layer sequencer (lint and verilated models) -----------------
#   keymac_verilate_ctrl(<target> ROWS r COLS c)
#     STATIC library with km_ctrl verilated (C++ mode, --trace) for that
#     geometry, prefix Vkm_ctrl_<r>x<c>; the Verilator runtime comes from
#     keymac_verilated_rt as for the arrays. No factory and no registry: the
#     test includes the generated headers itself (tests/rtl/km_ctrl_test.cc).
set(KEYMAC_RTL_CTRL_SOURCE ${KEYMAC_PARAMS_SV} ${KEYMAC_RTL_DIR}/km_ctrl.sv)
foreach(_case IN ITEMS "1 1" "2 3" "8 4" "16 16" "3 5")
  separate_arguments(_p UNIX_COMMAND "${_case}")
  list(GET _p 0 _r)
  list(GET _p 1 _c)
  add_test(NAME rtl_lint_ctrl_${_r}x${_c}
    COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall --top-module km_ctrl
            -GRows=${_r} -GCols=${_c}
            ${KEYMAC_RTL_WAIVERS} ${KEYMAC_RTL_CTRL_SOURCE})
  set_tests_properties(rtl_lint_ctrl_${_r}x${_c} PROPERTIES LABELS "rtl;lint")
endforeach()

# keymac_verilate_unit(<target> TOP <module> PREFIX <prefix> SOURCES <files...>
#                      [ARGS <verilator args...>]): a STATIC library with one
# verilated block (traced, the flags of the arrays) over keymac_verilated_rt.
function(keymac_verilate_unit target)
  cmake_parse_arguments(A "" "TOP;PREFIX" "SOURCES;ARGS" ${ARGN})
  add_library(${target} STATIC)
  verilate(${target} TRACE
    PREFIX ${A_PREFIX}
    TOP_MODULE ${A_TOP}
    SOURCES ${A_SOURCES}
    VERILATOR_ARGS -O3 --x-assign fast --x-initial fast ${A_ARGS} ${KEYMAC_RTL_WAIVERS}
    OPT_FAST -Os OPT_SLOW -O0 OPT_GLOBAL -Os)
  get_target_property(_srcs ${target} SOURCES)
  list(FILTER _srcs EXCLUDE REGEX "/include/verilated[a-z_]*\\.cpp$")
  set_property(TARGET ${target} PROPERTY SOURCES ${_srcs})
  target_compile_definitions(${target} PUBLIC ${KEYMAC_VM_DEFS})
  target_link_libraries(${target} PUBLIC keymac_verilated_rt)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

function(keymac_verilate_ctrl target)
  cmake_parse_arguments(A "" "ROWS;COLS" "" ${ARGN})
  keymac_verilate_unit(${target} TOP km_ctrl PREFIX Vkm_ctrl_${A_ROWS}x${A_COLS}
    SOURCES ${KEYMAC_RTL_CTRL_SOURCE} ARGS -GRows=${A_ROWS} -GCols=${A_COLS})
endfunction()

keymac_verilate_ctrl(keymac_rtl_ctrl_1x1 ROWS 1 COLS 1)
keymac_verilate_ctrl(keymac_rtl_ctrl_2x3 ROWS 2 COLS 3)
keymac_verilate_ctrl(keymac_rtl_ctrl_8x4 ROWS 8 COLS 4)

# --- km_keyexp: Trivium key expansion (ARCHITECTURE.md section 11) ----------
set(KEYMAC_RTL_KEYEXP_SOURCE ${KEYMAC_RTL_DIR}/km_keyexp.sv)
foreach(_p IN ITEMS 1 5 16 32 64)
  add_test(NAME rtl_lint_keyexp_p${_p}
    COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall --top-module km_keyexp -GPar=${_p}
            ${KEYMAC_RTL_WAIVERS} ${KEYMAC_RTL_KEYEXP_SOURCE})
  set_tests_properties(rtl_lint_keyexp_p${_p} PROPERTIES LABELS "rtl;lint")
endforeach()
function(keymac_verilate_keyexp target)
  cmake_parse_arguments(A "" "PAR" "" ${ARGN})
  keymac_verilate_unit(${target} TOP km_keyexp PREFIX Vkm_keyexp_p${A_PAR}
    SOURCES ${KEYMAC_RTL_KEYEXP_SOURCE} ARGS -GPar=${A_PAR})
endfunction()
keymac_verilate_keyexp(keymac_rtl_keyexp_p16 PAR 16)
keymac_verilate_keyexp(keymac_rtl_keyexp_p5 PAR 5)
keymac_verilate_keyexp(keymac_rtl_keyexp_p64 PAR 64)
add_executable(keymac_rtl_keyexp_tests ${CMAKE_SOURCE_DIR}/tests/rtl/km_keyexp_test.cc)
target_link_libraries(keymac_rtl_keyexp_tests PRIVATE
  keymac_rtl_keyexp_p16 keymac_rtl_keyexp_p5 keymac_rtl_keyexp_p64 keymac_core GTest::gtest_main)
target_include_directories(keymac_rtl_keyexp_tests SYSTEM PRIVATE
  ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
keymac_warnings(keymac_rtl_keyexp_tests)
gtest_discover_tests(keymac_rtl_keyexp_tests PROPERTIES LABELS rtl DISCOVERY_TIMEOUT 60)

# --- the two forms of the PE grid side by side (rtl/tb/km_grid_equiv.sv) -------
# km_array with SimGrid = 0 and 1 on the same inputs, in geometries and number
# formats the registry's models do not cover (non-square, non-power-of-2 rows,
# two's complement, plain). tests/rtl/km_grid_equiv_test.cc drives them.
set(_km_equiv_libs "")
set(_km_equiv_includes "")
set(_km_equiv_cases "")
foreach(_case "1 1 1 1" "2 3 0 0" "3 5 1 1" "5 2 1 0" "4 4 0 1" "8 8 1 1")
  separate_arguments(_p UNIX_COMMAND "${_case}")
  list(GET _p 0 _r)
  list(GET _p 1 _c)
  list(GET _p 2 _k)
  list(GET _p 3 _s)
  set(_tag ${_r}x${_c}_k${_k}_s${_s})
  keymac_verilate_unit(keymac_rtl_equiv_${_tag} TOP km_grid_equiv PREFIX Vkm_grid_equiv_${_tag}
    SOURCES ${KEYMAC_RTL_SOURCES} ${KEYMAC_RTL_DIR}/tb/km_grid_equiv.sv
    ARGS -GRows=${_r} -GCols=${_c} "-GKeyed=1'b${_k}" "-GSignMag=1'b${_s}")
  list(APPEND _km_equiv_libs keymac_rtl_equiv_${_tag})
  string(APPEND _km_equiv_includes "#include \"Vkm_grid_equiv_${_tag}.h\"\n")
  string(APPEND _km_equiv_cases "  X(Vkm_grid_equiv_${_tag}, ${_r}, ${_c}, ${_k}, ${_s}) \\\n")
endforeach()
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/rtl_gen/km_grid_equiv_cases.h CONTENT
"// Generated by cmake/rtl.cmake: the verilated km_grid_equiv models.
#pragma once
${_km_equiv_includes}
#define KM_GRID_EQUIV_CASES(X) \\
${_km_equiv_cases}
" @ONLY)
add_executable(keymac_rtl_equiv_tests ${CMAKE_SOURCE_DIR}/tests/rtl/km_grid_equiv_test.cc)
target_link_libraries(keymac_rtl_equiv_tests PRIVATE ${_km_equiv_libs} keymac_params GTest::gtest_main)
target_include_directories(keymac_rtl_equiv_tests PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/rtl_gen)
target_include_directories(keymac_rtl_equiv_tests SYSTEM PRIVATE
  ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
keymac_warnings(keymac_rtl_equiv_tests)
gtest_discover_tests(keymac_rtl_equiv_tests PROPERTIES LABELS rtl DISCOVERY_TIMEOUT 60)
