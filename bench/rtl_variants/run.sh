#!/usr/bin/env bash
# Build one verilated km_array variant by hand and measure its raw speed
# (bench/rtl_variants/raw_driver.cc): docs/RTL.md "Verilated model speed".
#   run.sh NAME ROWS COLS BUILD_DIR -- [verilator args...] [-- compiler flags for the model]
# BUILD_DIR is a configured keymac build (for gen/km_params_pkg.sv). Prints
# the verilation and compile CPU times (user + sys, GNU time) and the driver's
# CPU time per simulated cycle. Work files go to ${KM_VARIANT_DIR:-/tmp/km_rtl_variants}/NAME.
set -euo pipefail
if [[ $# -lt 5 || $5 != -- ]]; then
  echo "usage: $0 NAME ROWS COLS BUILD_DIR -- [verilator args] [-- cflags]" >&2
  exit 2
fi
name=$1; rows=$2; cols=$3; build=$(cd "$4" && pwd); shift 5
vargs=(); cflags=()
while [[ $# -gt 0 && $1 != -- ]]; do vargs+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
cflags=("$@")
[[ ${#cflags[@]} -gt 0 ]] || cflags=(-Os)
here=$(cd "$(dirname "$0")" && pwd)
out=${KM_VARIANT_DIR:-/tmp/km_rtl_variants}/$name
rm -rf "$out"; mkdir -p "$out/rtl/lint"
# A snapshot of the RTL (${KM_RTL_DIR:-rtl/}), so later edits don't race the build.
src=${KM_RTL_DIR:-$here/../../rtl}
cp "$src"/*.sv "$out/rtl/"; cp "$src/lint/waivers.vlt" "$out/rtl/lint/"
rtl=$out/rtl
prefix=Vkm_${rows}x${cols}
T=(/usr/bin/time -f "%U %S")
cxx=${KM_CXX:-g++}  # the C++ compiler for the model, its runtime and the driver
"${T[@]}" -o "$out/verilate.time" verilator --cc --top-module km_array --prefix "$prefix" -Mdir "$out/obj" \
  -GRows="$rows" -GCols="$cols" "-GKeyed=1'b1" "-GSignMag=1'b1" "${vargs[@]}" \
  "$rtl/lint/waivers.vlt" "$build/gen/km_params_pkg.sv" "$rtl/km_delay.sv" "$rtl/km_pe.sv" \
  "$rtl/km_keyreg.sv" "$rtl/km_array.sv" >"$out/verilate.log" 2>&1
inc=$(verilator --getenv VERILATOR_ROOT)/include
vmtrace=0
for a in "${vargs[@]}"; do [[ $a == --trace ]] && vmtrace=1; done
objs=()
rt=("$inc/verilated.cpp" "$inc/verilated_threads.cpp")
for a in "${vargs[@]}"; do [[ $a == --trace ]] && rt+=("$inc/verilated_vcd_c.cpp"); done
start_u=0
: >"$out/compile.times"
for f in "$out"/obj/*.cpp; do
  o=${f%.cpp}.o
  opt=("${cflags[@]}")
  [[ $f == *__Slow.cpp || $f == *Syms.cpp ]] && opt=(-O0)
  "${T[@]}" -a -o "$out/compile.times" "$cxx" -std=c++17 -c "${opt[@]}" -w -I"$inc" -I"$inc/vltstd" -I"$out/obj" \
    -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=$vmtrace "$f" -o "$o"
  objs+=("$o")
done
rtdir=${KM_VARIANT_DIR:-/tmp/km_rtl_variants}/runtime-$(basename "$cxx")
mkdir -p "$rtdir"
for f in "${rt[@]}"; do
  o=$rtdir/$(basename "${f%.cpp}").o
  [[ -f $o ]] || "$cxx" -std=c++17 -c -O2 -w -I"$inc" -I"$inc/vltstd" -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=1 "$f" -o "$o"
  objs+=("$o")
done
"$cxx" -std=c++17 -O2 -I"$inc" -I"$inc/vltstd" -I"$out/obj" -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=$vmtrace \
  "-DKM_HEADER=\"$prefix.h\"" -DKM_CLASS="$prefix" -DKM_ROWS="$rows" -DKM_COLS="$cols" "-DKM_NAME=\"$name\"" \
  "$here/raw_driver.cc" "${objs[@]}" -pthread -latomic -o "$out/driver"
vt=$(awk '{s+=$1+$2} END {printf "%.1f", s}' "$out/verilate.time")
ct=$(grep -E '^[0-9.]+ [0-9.]+$' "$out/compile.times" | awk '{s+=$1+$2} END {printf "%.1f", s}')
echo "$name: verilate ${vt} s, model compile ${ct} s CPU (flags: ${vargs[*]} / ${cflags[*]})"
"$out/driver" "${KM_CYCLES:-200000}"
