#!/usr/bin/env bash
# Runs on the GPU machine from the repository root (see pack.sh): Vulkan loader from .gl, the
# packed node and native libraries, then bench:engine on the WebGPU EP. Results go to $OUT.
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
cd .gpu
xz -d -T0 node.xz && chmod +x node
find node_modules -name '*.xz' -exec xz -d -T0 {} +
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export SHOWO_BENCH_DIR=/tmp/showo-bench
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
# The CUDA EP needs CUDA 12 + cuDNN 9 provider libraries that this package cannot fetch offline.
./node -e "require('onnxruntime-node').InferenceSession.create(process.argv[1], { executionProviders: ['cuda'] }).then(() => console.log('cuda: loaded'), (e) => console.log('cuda:', e.message.split('\n')[0]))" /dev/null 2>&1 | tee "$OUT/cuda.txt"
./node bench.mjs "$@" --gpu "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1), WebGPU EP over Vulkan" 2>&1 | tee "$OUT/log.txt"
cp "$SHOWO_BENCH_DIR"/bench-results/*.json "$OUT/" 2>/dev/null
