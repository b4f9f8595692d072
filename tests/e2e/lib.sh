# Shared helpers of the end-to-end scripts. $KEYMAC is the binary, $KEYMAC_SRC the source tree.
set -euo pipefail
: "${KEYMAC:?set KEYMAC to the keymac binary}"
: "${KEYMAC_SRC:?set KEYMAC_SRC to the source tree}"
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# json FILE EXPR: evaluates a Python expression over the report `r`.
json() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
# expect_error NAME FRAGMENT -- CMD...: CMD must exit non-zero with one stderr
# line containing FRAGMENT, and no crash (exit code < 128).
expect_error() {
  local name=$1 frag=$2; shift 3
  local rc=0
  "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  [ "$rc" -ne 0 ] || fail "$name: exit code 0"
  [ "$rc" -lt 128 ] || fail "$name: crashed with exit code $rc"
  local lines; lines=$(wc -l <"$TMP/err")
  [ "$lines" -eq 1 ] || { cat "$TMP/err" >&2; fail "$name: expected one line on stderr, got $lines"; }
  grep -qF -- "$frag" "$TMP/err" || { cat "$TMP/err" >&2; fail "$name: stderr does not mention '$frag'"; }
  echo "ok: $name -> $(cat "$TMP/err")"
}
