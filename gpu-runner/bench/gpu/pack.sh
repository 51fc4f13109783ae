#!/usr/bin/env bash
# Packs bench:engine for a GPU machine that has no Node.js and no network: one esbuild bundle, the
# node binary and the native parts of onnxruntime-node and sharp (xz-compressed to fit a 64 MiB
# transfer). Writes <repo>/.gpu, which `run.sh` unpacks and runs there. Not part of CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out="$repo/.gpu"
rm -rf "$out" && mkdir -p "$out/node_modules/@img"
cd "$repo/gpu-runner"
npx esbuild bench/engine.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --external:sharp \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
  --outfile="$out/bench.mjs" --log-level=warning
nm="$repo/node_modules"
ort="$out/node_modules/onnxruntime-node"
mkdir -p "$ort/bin/napi-v6/linux/x64"
cp -r "$nm/onnxruntime-node/package.json" "$nm/onnxruntime-node/dist" "$ort/"
cp "$nm/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node" "$ort/bin/napi-v6/linux/x64/"
xz -9 -T0 -c "$nm/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1" > "$ort/bin/napi-v6/linux/x64/libonnxruntime.so.1.xz"
cp -r "$nm/onnxruntime-common" "$nm/sharp" "$out/node_modules/"
cp -r "$nm/@img/sharp-linux-x64" "$nm/@img/colour" "$out/node_modules/@img/"
cp -r "$nm/@img/sharp-libvips-linux-x64" "$out/node_modules/@img/"
for so in "$out"/node_modules/@img/sharp-libvips-linux-x64/lib/*.so*; do xz -9 -T0 "$so"; done
xz -9 -T0 -c "$(command -v node)" > "$out/node.xz"
cp "$here/run.sh" "$out/"
du -sh "$out"
