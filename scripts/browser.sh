#!/usr/bin/env bash
# As root, install Debian's chromium (the PDF reports' engine, driven by Playwright: never
# `playwright install`) and poppler-utils (pdftoppm, for the tests' PDF screenshots) when absent.
# The tests need both; the demo needs neither.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "browser.sh: not root, cannot install ${missing[*]} (PDF reports need chromium)" >&2
  fi
fi
