#!/bin/sh
# Installs the headless Chromium the browser tests drive (make browser):
# Debian's chromium package, when /usr/bin/chromium is missing. Set
# CHROMIUM to use a browser installed elsewhere instead.
set -eu

if [ -n "${CHROMIUM:-}" ]; then
	[ -x "$CHROMIUM" ] || { echo "install-browser: CHROMIUM=$CHROMIUM is not an executable" >&2; exit 1; }
	exit 0
fi
if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-browser: no /usr/bin/chromium and no apt-get; install Chromium and set CHROMIUM to its path" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
echo "install-browser: installing chromium with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
