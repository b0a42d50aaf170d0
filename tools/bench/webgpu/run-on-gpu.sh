#!/usr/bin/env bash
# Trains cnn64 on tfjs' webgpu backend (through @fedbiomed/training's selectBackend) on an NVIDIA
# GPU machine without network, beside PyTorch CUDA on the same machine when python3 has it, and
# writes the results as JSON to $OUT/webgpu-bench.json (or ./webgpu-bench.json without $OUT).
#
# Needs, carried from the repository root (both ignored by git):
#   .gl  - Debian Vulkan/GL loader packages (see /work/.library/device/README.md: apt-get download
#          libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 into .gl)
#   .gpu - .gpu/webgpu-bench.tar.xz made by `node tools/bench/webgpu/prepare-carry.mjs`
# Usage: bash tools/bench/webgpu/run-on-gpu.sh [samplesPerEpoch=2048] [repeats=3]
set -uo pipefail
SAMPLES="${1:-2048}"
REPEATS="${2:-3}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
OUT_DIR="${OUT:-$ROOT}"
RESULT="$OUT_DIR/webgpu-bench.json"
WORK="$(mktemp -d /tmp/webgpu-bench.XXXXXX)"
log() { echo "[run-on-gpu] $*" >&2; }
fail() {
  log "$1"
  printf '{"ok":false,"reason":%s}\n' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')" > "$RESULT"
  exit "${2:-2}"
}

# Vulkan/GL loaders, on a GPU machine that lacks them, when they were carried (never on a dev box).
if command -v nvidia-smi > /dev/null && ! ldconfig -p 2>/dev/null | grep -q libvulkan; then
  if compgen -G "$ROOT/.gl/*.deb" > /dev/null; then
    for f in "$ROOT"/.gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    log "unpacked $(ls "$ROOT"/.gl/*.deb | wc -l) loader packages from .gl"
  else
    log "no libvulkan on this machine and no .gl/*.deb carried"
  fi
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES="${VK_DRIVER_FILES:-$icd}"; break; fi
done
[ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
log "VK_DRIVER_FILES=${VK_DRIVER_FILES:-(unset)}"
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2

ARCHIVE="$ROOT/.gpu/webgpu-bench.tar.xz"
[ -f "$ARCHIVE" ] || fail "missing $ARCHIVE: run node tools/bench/webgpu/prepare-carry.mjs here and carry .gpu" 3
tar -C "$WORK" -xJf "$ARCHIVE" || fail "cannot unpack $ARCHIVE" 3
BENCH="$WORK/webgpu-bench"
NODE="$(command -v node || true)"
if [ -z "$NODE" ] || ! "$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then NODE="$BENCH/bin/node"; fi
log "node: $NODE ($("$NODE" --version))"

OURS="$(cd "$BENCH" && "$NODE" webgpu-bench.js "$SAMPLES" "$REPEATS" 2> "$WORK/ours.err")"
STATUS=$?
[ -s "$WORK/ours.err" ] && tail -5 "$WORK/ours.err" >&2
[ -n "$OURS" ] || OURS='{"ok":false,"reason":"the tfjs bench printed nothing (see stderr)"}'

TORCH='{"ok":false,"reason":"python3 with CUDA-enabled torch not found"}'
if python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2> /dev/null; then
  TORCH="$(PYTHONUNBUFFERED=1 python3 "$BENCH/training-backends-torch.py" cnn64 "$SAMPLES" "$REPEATS" cuda 16 2> "$WORK/torch.err" | tail -1)"
  [ -n "$TORCH" ] || TORCH="{\"ok\":false,\"reason\":\"pytorch bench failed: $(tail -1 "$WORK/torch.err" | sed 's/"/\\"/g')\"}"
fi

printf '{"tfjs_webgpu":%s,"pytorch_cuda":%s,"samples_per_epoch":%s,"repeats":%s,"date":"%s"}\n' "$OURS" "$TORCH" "$SAMPLES" "$REPEATS" "$(date -u +%FT%TZ)" > "$RESULT"
cat "$RESULT"
rm -rf "$WORK"
if [ "$STATUS" -ne 0 ]; then
  log "webgpu backend unavailable or failed (exit $STATUS); see tfjs_webgpu.reason in $RESULT"
  exit "$STATUS"
fi
