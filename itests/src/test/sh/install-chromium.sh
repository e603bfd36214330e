#!/bin/sh
# The browser tests drive Debian's Chromium through its ChromeDriver (/usr/bin/chromium,
# /usr/bin/chromedriver). The build installs both when they are missing, as it installs azurite.
set -e
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium and chromedriver are missing: run 'apt-get install chromium chromium-driver' as root for the browser tests" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
