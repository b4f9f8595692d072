#!/usr/bin/env bash
# Installs every dependency of keymac from Debian 12 (bookworm) packages.
# Usage: scripts/setup.sh [--no-torch]   (python3-torch is needed only for
# training the shipped models and for the tests that train their own model)
set -euo pipefail
want_torch=1
for a in "$@"; do
  case "$a" in
    --no-torch) want_torch=0 ;;
    *) echo "setup.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done
pkgs=(
  build-essential cmake ninja-build pkg-config git
  libsystemc-dev verilator yosys gtkwave
  libfmt-dev nlohmann-json3-dev libgtest-dev googletest libbenchmark-dev
  libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev libcli11-dev libyaml-cpp-dev
  dataset-fashion-mnist gnuplot-nox parallel slurm-wlm munge
)
if [ "$want_torch" = 1 ]; then pkgs+=(python3-torch python3-numpy python3-pandas); fi
pkgs+=(clang libclang-rt-14-dev python3-onnx)  # fuzz label (tests/fuzz) and tests/e2e/bad_inputs.sh
pkgs+=(libonnx-testdata python3-numpy)  # issue 12: the onnx-conformance label (ONNX node tests through keymac infer)
# libtorch-dev: the gradient/finetune attacks (cmake/torch.cmake); without it they are not built
if [ "$want_torch" = 1 ]; then pkgs+=(libtorch-dev); fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup.sh: all dependencies present"
