#!/usr/bin/env bash
# Writes a fixed key file scripts/sweeps/keys/<RxC>.key for every geometry the
# example sweeps use (existing files are kept), so reruns are reproducible.
# Usage: scripts/sweeps/make_keys.sh [path/to/keymac]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keymac=${1:-$here/../../build/keymac}
mkdir -p "$here/keys"
tmp="$here/.nokey.$$.json"
trap 'rm -f "$tmp"' EXIT
for spec in "$here"/array_size.json "$here"/memory_bandwidth.json; do
  # The geometries of the spec, listed by a dry run of it without its key.
  /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["base"].pop("key",None); json.dump(s,open(sys.argv[2],"w"))' "$spec" "$tmp"
  for a in $("$keymac" sweep "$tmp" --dry-run | grep -o '"array":"[0-9]*x[0-9]*"' | cut -d'"' -f4 | sort -u); do
    [ -e "$here/keys/$a.key" ] || "$keymac" keygen --array "$a" --out "$here/keys/$a.key" >/dev/null
  done
done
ls "$here/keys"
