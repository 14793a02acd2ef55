#!/usr/bin/env bash
# What the browser and PDF tests need on a fresh machine: a Chromium (Debian's package, or a
# Chrome a hosted runner already has), CJK fonts, pdftotext (poppler-utils), and MathJax 3
# from the npm registry (the book loads it from a CDN; tests run offline). Packages come from
# apt, as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/../.."
have_browser() { command -v chromium || command -v chromium-browser || command -v google-chrome; } >/dev/null 2>&1
have_fonts() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }
if ! have_browser || ! have_fonts || ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "Install Chromium, fonts-noto-cjk and poppler-utils (apt-get install chromium fonts-noto-cjk poppler-utils) to run the browser test." >&2
    exit 1
  fi
  packages="fonts-noto-cjk poppler-utils"
  have_browser || packages="chromium $packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $packages >/dev/null
fi
if [ ! -d .cache/mathjax/node_modules/mathjax ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/mathjax mathjax@3.2.2 >/dev/null
fi
{ command -v chromium || command -v chromium-browser || command -v google-chrome; } | head -1
