# Shared by run_synth.sh and run_synth_keyexp.sh (sourced, not run): runs the
# Yosys script OUT.ys and writes the JSON summary OUT.json both scripts print.
#   synth_run OUT                  yosys -q -l OUT.log -s OUT.ys; sets synth_secs
#   synth_summary OUT HEAD         writes OUT.json: the caller's fields HEAD
#                                  ('"name": value,' lines) then the common ones
#   synth_module OUT MODULE_RE     "cells flops cmos" of the first `stat` block
#                                  whose module name matches MODULE_RE (hierarchy
#                                  kept: one module's own cells), empty if none
# Common JSON fields (docs/RTL.md "Synthesis"):
#   cells            all cells after synth + dffunmap (gates and flops)
#   flops            $_DFF_P_ cells (one per register bit)
#   comb_cells       cells - flops
#   cmos_transistors Yosys `stat -tech cmos` estimate (it counts 16 per DFF)
#   comb_transistors cmos_transistors - 16 * flops (Yosys 0.23 prices $_DFF_P_
#                    at 16 transistors in `stat -tech cmos`; checked in docs/RTL.md)
#   area_proxy       comb_transistors + TRANSISTORS_PER_FLOP * flops
# TRANSISTORS_PER_FLOP = 24 (env overrides): a static master-slave D flip-flop
# with local clock inverters is 20-24 transistors (docs/RTL.md); Yosys' own 16
# per DFF is kept as cmos_transistors for reference. YOSYS=path.

synth_run() {
  local out=$1 start
  start=$(date +%s)
  "${YOSYS:-yosys}" -q -l "$out.log" -s "$out.ys" > /dev/null
  synth_secs=$(( $(date +%s) - start ))
}

# The last block of `stat` is the whole design (with the hierarchy kept, the
# "design hierarchy" totals come last).
synth_summary() {
  local out=$1 head=$2 tpf=${TRANSISTORS_PER_FLOP:-24} cells flops cmos comb version
  cells=$(awk '/Number of cells:/ {v = $4} END {print v}' "$out.stat.txt")
  flops=$(awk '/Number of cells:/ {v = 0} $1 == "$_DFF_P_" {v = $2} END {print v + 0}' "$out.stat.txt")
  cmos=$(awk '/Estimated number of transistors:/ {v = $5} END {print v}' "$out.cmos.txt")
  [[ -n $cells ]] || { echo "$0: could not parse 'cells' from Yosys output in $out.stat.txt" >&2; return 1; }
  [[ -n $cmos ]] || { echo "$0: could not parse 'cmos' from Yosys output in $out.cmos.txt" >&2; return 1; }
  comb=$(( cmos - 16 * flops ))
  version=$("${YOSYS:-yosys}" -V | head -1)
  cat > "$out.json" <<JSON
{
$head
  "cells": $cells,
  "flops": $flops,
  "comb_cells": $(( cells - flops )),
  "cmos_transistors": $cmos,
  "comb_transistors": $comb,
  "transistors_per_flop": $tpf,
  "area_proxy": $(( comb + tpf * flops )),
  "seconds": $synth_secs,
  "tool": "$version",
  "script": "$out.ys"
}
JSON
}

synth_module() {
  local out=$1 re=$2 cells flops cmos
  read -r cells flops < <(awk -v re="$re" '
    /^=== / {inb = ($0 ~ re) && !done; if (!inb && seen) done = 1; if (inb) seen = 1; next}
    inb && /Number of cells:/ {c = $4}
    inb && $1 == "$_DFF_P_" {f = $2}
    END {if (seen) print c, f + 0}' "$out.stat.txt")
  cmos=$(awk -v re="$re" '
    /^=== / {inb = ($0 ~ re) && !done; if (!inb && seen) done = 1; if (inb) seen = 1; next}
    inb && /Estimated number of transistors:/ {t = $5}
    END {if (seen) print t}' "$out.cmos.txt")
  [[ -n ${cells:-} && -n $cmos ]] && echo "$cells $flops $cmos"
}
