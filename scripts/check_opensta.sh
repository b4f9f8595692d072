#!/usr/bin/env bash
# keymac's power traces in the real OpenSTA (docs/TRACES.md "OpenSTA").
# Maps km_array (RxC, keyed) with Yosys onto a Liberty library (Nangate45),
# writes three activity files of the same RTL-backend cycle window with keymac
#   (a) SAIF of the RTL with Yosys' hierarchical names (run --saif --saif-names yosys-hier)
#   (b) the RTL VCD itself (run --vcd)
#   (c) the SystemC model's VCD converted with `keymac saif --scope km_array`
#   (d) the SystemC model's VCD itself (read_vcd -scope SystemC/km_array)
# and reads each into OpenSTA (read_liberty, read_verilog, link_design,
# create_clock at --clock-mhz, read_saif / read_vcd, report_power). Checks:
#   * every source annotates pins, and OpenSTA never warns "vcd period ... differs";
#   * (a), (b) and (c) annotate the same pins (OpenSTA annotates the top-level
#     ports; it skips pins of module instances) and give the same total power
#     within TOL_AB (default 10 %);
#   * at twice the clock (same cycles) switching power doubles and the switching
#     energy per cycle stays the same (within 5 %).
# Not part of ctest (CI has no OpenSTA). Usage:
#   scripts/check_opensta.sh [WORKDIR]
# Env: STA (default `sta` on PATH), LIBERTY (a .lib or .lib.gz, e.g. OpenSTA's
#   examples/nangate45_typ.lib.gz), KEYMAC (default build/keymac), ARRAY (4x4),
#   MHZ (500), WINDOW (trace window, default 200:1199), YOSYS (yosys).
# Exit status: 0 checks passed, 1 a check failed, 77 not run (no OpenSTA or no
# Liberty file: says which, nothing is checked).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sta=${STA:-$(command -v sta || true)}
if [[ -z $sta || ! -x $sta ]]; then
  echo "check_opensta: NOT RUN: OpenSTA not found (set STA=/path/to/sta; build it from github.com/The-OpenROAD-Project/OpenSTA, docs/TRACES.md)" >&2
  exit 77
fi
if [[ -z ${LIBERTY:-} || ! -f ${LIBERTY} ]]; then
  echo "check_opensta: NOT RUN: no Liberty file (set LIBERTY=<OpenSTA checkout>/examples/nangate45_typ.lib.gz)" >&2
  exit 77
fi
keymac=${KEYMAC:-$here/build/keymac}
yosys=${YOSYS:-yosys}
array=${ARRAY:-4x4}
mhz=${MHZ:-500}
window=${WINDOW:-200:1199}
tol_ab=${TOL_AB:-0.10}
rows=${array%x*}; cols=${array#*x}
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
echo "check_opensta: work directory $work; $("$sta" -version 2>/dev/null | head -1 || true) ($sta); $("$yosys" -V | head -1)"

# --- Liberty, netlist --------------------------------------------------------
case $LIBERTY in
  *.gz) gzip -dc "$LIBERTY" > lib.lib ;;
  *) cp "$LIBERTY" lib.lib ;;
esac
cmake -DIN="$here/params/keymac_params.json" -DOUT_DIR="$work/params_gen" -P "$here/params/gen_params.cmake" > /dev/null
rtl=$here/rtl
cat > syn.ys <<EOF
read_verilog -sv params_gen/km_params_pkg.sv $rtl/km_delay.sv $rtl/km_pe.sv $rtl/km_keyreg.sv $rtl/km_array.sv
chparam -set Rows $rows -set Cols $cols -set Keyed 1 km_array
synth -top km_array
dfflibmap -liberty lib.lib
abc -liberty lib.lib
opt_clean
hilomap -hicell LOGIC1_X1 Z -locell LOGIC0_X1 Z
setundef -zero
opt_clean -purge
tee -o stat.txt stat -liberty lib.lib -top km_array
write_verilog -noattr -noexpr -nohex -nodec netlist.v
EOF
"$yosys" -q -l syn.log -s syn.ys > /dev/null 2>&1
echo "netlist: netlist.v ($(grep -c '_X[0-9]' netlist.v) cell lines; Yosys hierarchy kept: PEs are instances 'g_row[r].g_col[c].u_pe')"

# --- keymac traces (same cycles, two clocks) ---------------------------------
common=(--array "$array" --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --key-seed 1 --trace-window "$window")
for f in "$mhz" $((2 * mhz)); do
  "$keymac" run --backend rtl "${common[@]}" --clock-mhz "$f" --vcd "rtl_$f.vcd" --saif "rtl_$f.saif" --saif-names yosys-hier > /dev/null 2> "run_rtl_$f.log"
  "$keymac" run --backend systemc "${common[@]}" --clock-mhz "$f" --vcd "sc_$f.vcd" > /dev/null 2> "run_sc_$f.log"
  "$keymac" saif "sc_$f.vcd" -o "sc_$f.saif" --scope km_array > /dev/null
done
grep -h "^wrote" run_*.log | sed 's/^/keymac: /'

# --- OpenSTA -----------------------------------------------------------------
# sta_power NAME MHZ READ-COMMAND: runs OpenSTA, keeps its output in NAME.log.
sta_power() {
  local name=$1 f=$2 read_cmd=$3
  local period; period=$(awk -v f="$f" 'BEGIN { printf "%.6g", 1000.0 / f }')  # ns (the library's time unit)
  cat > "$name.tcl" <<EOF
read_liberty lib.lib
read_verilog netlist.v
link_design km_array
create_clock -name clk -period $period [get_ports clk_i]
$read_cmd
report_activity_annotation
report_power
exit
EOF
  "$sta" -no_init -no_splash -exit "$name.tcl" > "$name.log" 2>&1 || { cat "$name.log" >&2; echo "check_opensta: FAIL: OpenSTA failed on $name" >&2; exit 1; }
}
for f in "$mhz" $((2 * mhz)); do
  sta_power "a_saif_$f" "$f" "read_saif -scope km_array rtl_$f.saif"
  sta_power "b_vcd_$f" "$f" "read_vcd -scope km_array/km_array rtl_$f.vcd"
  sta_power "c_scsaif_$f" "$f" "read_saif -scope km_array sc_$f.saif"
  sta_power "d_scvcd_$f" "$f" "read_vcd -scope SystemC/km_array sc_$f.vcd"
done

/usr/bin/python3 - "$mhz" "$tol_ab" <<'PY'
import re, sys
mhz, tol = int(sys.argv[1]), float(sys.argv[2])
bad = []
def parse(name):
    t = open(name + ".log").read()
    ann = re.search(r"Annotated (\d+) pin activities", t)
    tot = re.search(r"^Total\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", t, re.M)
    if not ann or not tot:
        bad.append(f"{name}: no annotation count or no 'Total' line in OpenSTA's output")
        return None
    if "differs from SDC clock period" in t:
        bad.append(f"{name}: OpenSTA warns: " + re.search(r".*differs from SDC.*", t).group(0))
    internal, switching, leakage, total = (float(x) for x in tot.groups())
    return dict(ann=int(ann.group(1)), internal=internal, switching=switching, leakage=leakage, total=total)
r = {f"{s}_{f}": parse(f"{s}_{f}") for s in ("a_saif", "b_vcd", "c_scsaif", "d_scvcd") for f in (mhz, 2 * mhz)}
if bad:
    print("\n".join("check_opensta: FAIL: " + b for b in bad)); sys.exit(1)
print(f"{'source':<16}{'MHz':>6}{'annotated':>11}{'internal W':>13}{'switching W':>13}{'leakage W':>12}{'total W':>12}{'dyn pJ/cycle':>14}")
for k, v in r.items():
    f = int(k.rsplit("_", 1)[1])
    print(f"{k.rsplit('_', 1)[0]:<16}{f:>6}{v['ann']:>11}{v['internal']:>13.4e}{v['switching']:>13.4e}{v['leakage']:>12.4e}"
          f"{v['total']:>12.4e}{(v['internal'] + v['switching']) / (f * 1e6) * 1e12:>14.4f}")
for k, v in r.items():
    if v["ann"] == 0: bad.append(f"{k}: no pin annotated")
for f in (mhz, 2 * mhz):
    a, b, c, d = r[f"a_saif_{f}"], r[f"b_vcd_{f}"], r[f"c_scsaif_{f}"], r[f"d_scvcd_{f}"]
    if abs(d["total"] - b["total"]) > tol * b["total"]:
        bad.append(f"{f} MHz: SystemC VCD total {d['total']:.4e} W vs RTL VCD {b['total']:.4e} W differ by more than {tol:.0%}")
    if abs(a["total"] - b["total"]) > tol * b["total"]:
        bad.append(f"{f} MHz: SAIF total {a['total']:.4e} W vs VCD {b['total']:.4e} W differ by more than {tol:.0%}")
    if abs(c["total"] - b["total"]) > tol * b["total"]:
        bad.append(f"{f} MHz: SystemC SAIF total {c['total']:.4e} W vs RTL VCD {b['total']:.4e} W differ by more than {tol:.0%}")
    if not a["ann"] == b["ann"] == c["ann"]:
        bad.append(f"{f} MHz: annotated pins differ: SAIF {a['ann']}, VCD {b['ann']}, SystemC SAIF {c['ann']}")
for s in ("a_saif", "b_vcd", "c_scsaif", "d_scvcd"):
    lo, hi = r[f"{s}_{mhz}"], r[f"{s}_{2 * mhz}"]
    ratio = hi["switching"] / lo["switching"]
    if abs(ratio - 2) > 0.1:
        bad.append(f"{s}: switching power x{ratio:.3f} at twice the clock (want x2)")
    e_lo, e_hi = lo["switching"] / mhz, hi["switching"] / (2 * mhz)
    if abs(e_hi - e_lo) > 0.05 * e_lo:
        bad.append(f"{s}: switching energy per cycle {e_lo:.4e} vs {e_hi:.4e} changes with the clock")
if bad:
    print("\n".join("check_opensta: FAIL: " + b for b in bad)); sys.exit(1)
print("check_opensta: ok")
PY
