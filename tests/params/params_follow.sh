#!/usr/bin/env bash
# The generated SystemVerilog package and C++ header follow the parameter
# file: in a scratch copy, change every shared parameter, regenerate, and
# check that the C++ header compiles to the new values (static_assert) and
# that the SV package elaborates to them under Verilator (an elaboration-time
# $error fires otherwise). Then the same with the shipped file's values, read
# from the JSON by Python (independently of the generator).
set -euo pipefail
: "${KEYMAC_SRC:?}" "${CXX:?}" "${CMAKE:?}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3
check() {  # json-file weight act psum min rows expected_row_width
  local json=$1 wb=$2 ab=$3 pb=$4 mn=$5 rows=$6 rw=$7 out="$TMP/gen_$RANDOM"
  "$CMAKE" -DIN="$json" -DOUT_DIR="$out" -P "$KEYMAC_SRC/params/gen_params.cmake"
  cat > "$TMP/check.cc" <<CC
#include "params/keymac_params.h"
using namespace keymac::params;
static_assert(kWeightBits == $wb && kActBits == $ab && kPsumBits == $pb, "data widths");
static_assert(kRowIndexMinBits == $mn, "index minimum");
static_assert(index_width($rows) == $rw, "index width");
int main() { return 0; }
CC
  "$CXX" -std=c++17 -I"$out" -fsyntax-only "$TMP/check.cc"
  cat > "$TMP/check.sv" <<SV
module check;
  import km_params_pkg::*;
  if (WeightBits != $wb || ActBits != $ab || PsumBits != $pb || RowIndexMinBits != $mn)
    begin : g_bad_widths \$error("data widths do not follow the JSON"); end
  if (index_width($rows) != $rw) begin : g_bad_index \$error("index width does not follow the JSON"); end
endmodule
SV
  verilator --lint-only -Wall -Wno-DECLFILENAME -Wno-UNUSEDPARAM --top-module check "$out/km_params_pkg.sv" "$TMP/check.sv"
}
# Shipped values, read independently.
read -r WB AB PB MN < <("$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); d=j['data']; print(d['weight_bits'], d['act_bits'], d['psum_bits'], j['counters']['row_index_min_bits'])" "$KEYMAC_SRC/params/keymac_params.json")
check "$KEYMAC_SRC/params/keymac_params.json" "$WB" "$AB" "$PB" "$MN" 16 4
check "$KEYMAC_SRC/params/keymac_params.json" "$WB" "$AB" "$PB" "$MN" 1 "$MN"
# A scratch copy with every parameter changed.
"$PY" - "$KEYMAC_SRC/params/keymac_params.json" "$TMP/changed.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["data"].update(weight_bits=6, act_bits=4, psum_bits=24)
j["counters"]["row_index_min_bits"] = 3
json.dump(j, open(sys.argv[2], "w"))
PY
check "$TMP/changed.json" 6 4 24 3 16 4
check "$TMP/changed.json" 6 4 24 3 2 3
# The shipped header must not be affected by the scratch copy, and a bad value is refused.
"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); j['data']['psum_bits']=0; json.dump(j, open(sys.argv[2],'w'))" "$KEYMAC_SRC/params/keymac_params.json" "$TMP/bad.json"
if "$CMAKE" -DIN="$TMP/bad.json" -DOUT_DIR="$TMP/bad" -P "$KEYMAC_SRC/params/gen_params.cmake" 2>"$TMP/err"; then
  echo "FAIL: psum_bits = 0 accepted" >&2; exit 1
fi
grep -q "data.psum_bits" "$TMP/err" || { cat "$TMP/err" >&2; echo "FAIL: error does not name data.psum_bits" >&2; exit 1; }
echo "params follow the JSON on both sides"
