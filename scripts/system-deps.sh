#!/usr/bin/env bash
# What the full test suite needs besides Node: Mono (mcs, mono), nunit-console with NUnit 2.6 and
# Debian's Newtonsoft.Json for the Unity bridge's C# tests, Chromium for the dashboard test, and
# strace and a C compiler for the durability test (it watches the store's system calls).
# Installs whatever is missing with apt-get when run as root; otherwise says what to install.
# Exit status 0 when everything is there afterwards.
set -euo pipefail
NEWTONSOFT=/usr/lib/cli/Newtonsoft.Json-5.0/Newtonsoft.Json.dll
NUNIT=/usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

missing() {
  need=()
  if ! command -v mcs >/dev/null || ! command -v mono >/dev/null || ! command -v nunit-console >/dev/null \
     || [ ! -f "$NEWTONSOFT" ] || [ ! -f "$NUNIT" ]; then
    need+=(mono-devel nunit-console libnewtonsoft-json-cil-dev)
  fi
  [ -x "$CHROMIUM" ] || need+=(chromium)
  command -v strace >/dev/null || need+=(strace)
  command -v cc >/dev/null || need+=(gcc libc6-dev)
}

missing
if [ ${#need[@]} -eq 0 ]; then
  echo "system-deps: Mono, NUnit, Newtonsoft.Json, Chromium ($CHROMIUM), strace and cc are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: missing ${need[*]}; install them as root: apt-get install ${need[*]}" >&2
  [ -z "${CHROMIUM_PATH:-}" ] || echo "system-deps: (or point CHROMIUM_PATH at a Chromium; it is $CHROMIUM now)" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]} with apt-get (a few minutes on a fresh machine)"
# Another apt run (unattended upgrades, a second checkout's tests) may hold the lock: wait for it.
apt=(-o DPkg::Lock::Timeout=600)
apt-get "${apt[@]}" update -qq
DEBIAN_FRONTEND=noninteractive apt-get "${apt[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
missing
if [ ${#need[@]} -gt 0 ]; then
  echo "system-deps: still missing after apt-get install: ${need[*]}" >&2
  exit 1
fi
echo "system-deps: installed"
