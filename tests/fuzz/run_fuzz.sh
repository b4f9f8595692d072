#!/usr/bin/env bash
# The fuzz label's steps (cmake/fuzz.cmake; docs/RELIABILITY.md):
#   run_fuzz.sh build   SRC BIN CLANGXX        configure + build tests/fuzz with clang into BIN
#   run_fuzz.sh regress SRC BIN HARNESS        run the seed corpus and the regression inputs once each
#   run_fuzz.sh fuzz    SRC BIN HARNESS SECS   fuzz for SECS seconds from the seed corpus
# A crash, sanitizer report, leak, timeout or allocation over the cap fails the step.
set -euo pipefail
mode=$1 src=$2 bin=$3
# Caps: no single allocation over 1100 MB (the largest cap keymac allows for one
# input is 1 GiB), 3 GB resident, 10 s per input.
limits=(-malloc_limit_mb=1100 -rss_limit_mb=3072 -timeout=10)
# Harnesses that take a path write each input to a scratch file: keep it in RAM.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
case "$mode" in
  build)
    launcher=()
    if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
    cmake -S "$src/tests/fuzz" -B "$bin" -G Ninja -DCMAKE_CXX_COMPILER="$4" "${launcher[@]}" >/dev/null
    cmake --build "$bin" -j2
    ;;
  regress)
    h=$4
    files=()
    for d in "$src/tests/fuzz/corpus/$h" "$src/tests/fuzz/regress/$h"; do
      [ -d "$d" ] && for f in "$d"/*; do files+=("$f"); done
    done
    [ "${#files[@]}" -gt 0 ] || { echo "no inputs for $h" >&2; exit 1; }
    cd "$bin"
    "./fuzz_$h" "${limits[@]}" "${files[@]}"
    echo "fuzz_$h: ${#files[@]} seed and regression inputs ran clean"
    ;;
  fuzz)
    h=$4 secs=$5
    work="$bin/run_$h"
    rm -rf "$work" && mkdir -p "$work/corpus"
    cd "$work"
    "$bin/fuzz_$h" "${limits[@]}" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" \
      "$work/corpus" "$src/tests/fuzz/corpus/$h" 2>"$work/log" || { tail -n 60 "$work/log" >&2; exit 1; }
    grep -E "^#[0-9]+.*(DONE|pulse|REDUCE|NEW)" "$work/log" | tail -n 1
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/log"
    ;;
  *) echo "usage: run_fuzz.sh build|regress|fuzz ..." >&2; exit 2 ;;
esac
