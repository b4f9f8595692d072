#!/usr/bin/env bash
# The structural facts OpenSTA's read_saif relies on, checked without OpenSTA
# (CI has none; scripts/check_opensta.sh runs the real one, docs/TRACES.md
# "OpenSTA"): a SAIF of the RTL written with --saif-names yosys-hier names
# instances that OpenSTA finds in a Yosys netlist of the same array, and every
# port bit of the top and of every such instance has a SAIF net (OpenSTA
# annotates the top ports; it skips pins of module instances).
# Netlist: km_array 2x3, hierarchy kept, flip-flops mapped with dfflibmap onto
# the only Liberty file Debian packages (Yosys' /usr/share/yosys/cells.lib:
# flip-flops only, no timing or power), gates left as Yosys' generic cells.
# OpenSTA's lookup rules are emulated by tests/traces/opensta_names.py.
source "$KEYMAC_SRC/tests/e2e/lib.sh"
cd "$TMP"
lib=/usr/share/yosys/cells.lib
[ -f "$lib" ] || fail "$lib missing (Debian package yosys)"
cmake -DIN="$KEYMAC_SRC/params/keymac_params.json" -DOUT_DIR="$TMP/params_gen" -P "$KEYMAC_SRC/params/gen_params.cmake" >/dev/null
rtl=$KEYMAC_SRC/rtl
cat > syn.ys <<YS
read_verilog -sv params_gen/km_params_pkg.sv $rtl/km_delay.sv $rtl/km_pe.sv $rtl/km_keyreg.sv $rtl/km_array.sv
chparam -set Rows 2 -set Cols 3 -set Keyed 1 km_array
synth -top km_array
dfflibmap -liberty $lib
opt_clean
write_verilog -noattr -noexpr netlist.v
YS
"${YOSYS:-yosys}" -q -s syn.ys >/dev/null
grep -q "DFF_P" netlist.v || fail "dfflibmap mapped no flip-flop onto $lib"
$KEYMAC run --backend rtl --array 2x3 --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --key-seed 1 \
  --saif r.saif --saif-names yosys-hier --trace-window 0:300 >/dev/null 2>&1
# 2x3: 6 PEs, 2 input skews, 3 output deskews, the key register, and the
# km_delay instances inside them: every one must be found.
n_inst=$(grep -c "(INSTANCE" r.saif)
"$PY" "$KEYMAC_SRC/tests/traces/opensta_names.py" netlist.v r.saif km_array $((n_inst - 1))
grep -q '(INSTANCE g_row\\\[0\\\]\.g_col\\\[0\\\]\.u_pe$' r.saif || fail "PE instance not named as OpenSTA names it"
echo "opensta_names ok"
