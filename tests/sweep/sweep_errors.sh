#!/usr/bin/env bash
# A malformed sweep spec is refused before any point runs: one line on stderr
# naming the spec and the axis, non-zero exit, and no results file.
source "$KEYMAC_SRC/tests/sweep/sweep_lib.sh"
cd "$TMP"
spec() { echo "$2" >"$TMP/$1.json"; }
refused() {  # NAME FRAGMENT
  expect_error "$1" "$2" -- $KEYMAC sweep "$TMP/$1.json" -o "$TMP/$1.jsonl"
  [ ! -e "$TMP/$1.jsonl" ] || fail "$1: a results file was written"
}
spec unknown_axis '{"axes": {"arrray": ["8x8"], "batch": [64]}}'
refused unknown_axis "axis 'arrray': unknown axis"
spec empty_axis '{"axes": {"array": ["8x8"], "batch": []}}'
refused empty_axis "axis 'batch': empty list"
spec bad_type '{"axes": {"array": ["8x8"], "wrong_keys": ["two"]}}'
refused bad_type "axis 'wrong_keys': value \"two\" is not an integer"
spec bad_geometry '{"axes": {"array": ["8x8", "0x4"]}}'
refused bad_geometry "axis 'array'"
spec out_of_range '{"axes": {"batch": [0]}}'
refused out_of_range "axis 'batch': value 0 is out of range"
spec not_a_list '{"axes": {"batch": 64}}'
refused not_a_list "axis 'batch': must be a list"
spec bad_backend '{"axes": {"backend": ["functional", "verilog"]}}'
refused bad_backend "unknown backend \"verilog\""
spec bad_base '{"base": {"limt": 10}, "axes": {"batch": [64]}}'
refused bad_base "base 'limt': unknown parameter"
spec both_ways '{"axes": {"array": ["8x8"], "rows": [4]}}'
refused both_ways "not both"
spec bad_filter_syntax '{"axes": {"batch": [64]}, "drop_if": "batch >> 3"}'
refused bad_filter_syntax "drop_if \"batch >> 3\""
spec bad_filter_name '{"axes": {"batch": [64]}, "drop_if": "bach > 3"}'
refused bad_filter_name "unknown parameter 'bach'"
spec bad_filter_type '{"axes": {"batch": [64]}, "drop_if": "backend > 3"}'
refused bad_filter_type "needs numbers"
spec drops_all '{"axes": {"batch": [64]}, "drop_if": "batch > 1"}'
refused drops_all "drops all 1 points"
spec missing_model '{"axes": {"model": ["models/fmnist_mlp.onnx", "nope.onnx"]}}'
refused missing_model "nope.onnx does not exist"
spec missing_key '{"base": {"key": "keys/{array}.key"}, "axes": {"array": ["8x8"]}}'
refused missing_key "key file for 8x8"
printf '{"axes": {' >"$TMP/not_json.json"
refused not_json "not valid JSON"
spec unknown_top '{"axis": {"batch": [64]}}'
refused unknown_top "unknown top-level field 'axis'"
spec good '{"axes": {"batch": [64]}}'
expect_error "bad shard" "--shard" -- $KEYMAC sweep "$TMP/good.json" --shard 4/3
echo "all malformed specs refused"
