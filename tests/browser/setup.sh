#!/usr/bin/env bash
# What the browser test needs on a fresh machine: Debian's Chromium and CJK fonts (as root, via
# apt), and MathJax 3 from the npm registry (the book loads it from a CDN; tests run offline).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "Install Chromium (Debian/Ubuntu: apt-get install chromium) to run the browser test." >&2
    exit 1
  fi
fi
if [ ! -d .cache/mathjax/node_modules/mathjax ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/mathjax mathjax@3.2.2 >/dev/null
fi
chromium --version
