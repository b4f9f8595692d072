#!/usr/bin/env bash
# A SAIF of the RTL written with `keymac saif --names yosys-hier|yosys-flat`
# names its instances and nets the way Yosys names them in the netlists that
# rtl/synth/run_synth.sh writes (FLATTEN=0: hierarchical, FLATTEN=1: flat), so
# it annotates a keymac synthesis netlist; the nested names do not.
# Checked against the netlists themselves (tests/traces/yosys_netlist.py reads
# Yosys' write_verilog output).
source "$KEYMAC_SRC/tests/e2e/lib.sh"
cd "$TMP"
FLATTEN=0 bash "$KEYMAC_SRC/rtl/synth/run_synth.sh" 2x3 1 syn >/dev/null
FLATTEN=1 bash "$KEYMAC_SRC/rtl/synth/run_synth.sh" 2x3 1 syn >/dev/null
$KEYMAC run --backend rtl --array 2x3 --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --key-seed 1 \
  --vcd r.vcd --trace-window 0:300 >/dev/null 2>&1
for n in nested yosys-hier yosys-flat; do
  $KEYMAC saif r.vcd -o "r_$n.saif" --scope km_array.km_array --names $n >/dev/null
done
"$PY" - "$KEYMAC_SRC/tests/traces" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
import yosys_netlist as yn
hier, flat = yn.netlist("syn/km_array_2x3_k1_s1_hier.v"), yn.netlist("syn/km_array_2x3_k1_s1.v")

def check(saif, nl):
    inst_hit = inst_tot = reg_hit = reg_tot = 0
    seen = set()
    for path, nets in yn.saif_instances(saif):
        mod = "km_array"
        for p in path[1:]:
            inst_tot += 1
            mod = nl[mod]["cells"].get(p) if mod else None
            inst_hit += mod is not None
        if mod is None:
            continue
        if len(path) == 2:
            seen.add(path[1])
        for n in nets:
            # Registers (_q) and module ports survive synthesis under their RTL names.
            if n.endswith("_q") or (len(path) > 1 and re.search(r"_(i|o|ni)$", n)):
                reg_tot += 1
                reg_hit += n in nl[mod]["wires"]
    return inst_hit, inst_tot, reg_hit, reg_tot, seen

ih, it, rh, rt, seen = check("r_yosys-hier.saif", hier)
assert it > 0 and ih == it, f"yosys-hier: {ih} of {it} SAIF instances are netlist instances"
pe = {c for c in hier["km_array"]["cells"] if c.endswith(".u_pe")}
assert len(pe) == 6 and pe <= seen, (sorted(pe), sorted(seen))
assert rt > 1000 and rh == rt, f"yosys-hier: {rh} of {rt} register/port nets found in the netlist"
print(f"ok: yosys-hier: all {it} instances (the 6 PEs as 'g_row[r].g_col[c].u_pe') and all {rt} register/port nets are in the hierarchical netlist")
ih, it, rh, rt, _ = check("r_yosys-flat.saif", flat)
assert it == 0, "yosys-flat: every net belongs in the top instance"
assert rt > 400 and rh >= 0.9 * rt, f"yosys-flat: {rh} of {rt} register nets in the flat netlist"
print(f"ok: yosys-flat: {rh} of {rt} register nets ('g_row[0].g_col[0].u_pe.psum_q') are in the flat netlist "
      "(the rest merged by synthesis)")
ih, it, _, _, _ = check("r_nested.saif", hier)
assert ih == 0 and it > 0, "nested names are expected not to match Yosys' instance names"
print(f"ok: nested names: 0 of {it} instances match (why the option exists)")
PY
echo "yosys_names ok"
