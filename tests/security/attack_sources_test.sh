#!/bin/bash
# The attack translation units cannot reach the true key: they include no
# harness internals and name no sealed implementation (issue 10).
set -u
SRC="${KEYMAC_SRC:?}/host/security"
fail=0
for f in "$SRC"/attack_*.cc; do
  [ "$(basename "$f")" = attack_registry.cc ] && continue
  if grep -nE '#include "host/security/harness.h"|DeviceOracle::Impl|KeyProbe::Impl|Harness::State|Key::read|key_path' "$f"; then
    echo "FAIL: $f reaches for harness internals or key files"; fail=1
  fi
done
# The sealed implementations are defined in harness.cc only.
if grep -lE 'struct (DeviceOracle|KeyProbe)::Impl \{' "$SRC"/*.cc "$SRC"/*.h | grep -v '/harness.cc$'; then
  echo "FAIL: a sealed Impl is defined outside harness.cc"; fail=1
fi
[ $fail = 0 ] && echo "attack sources: OK"
exit $fail
