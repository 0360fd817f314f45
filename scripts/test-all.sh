#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian 12 with Node 20, then runs
# it: Debian packages (Samba AD DC, OpenLDAP clients), npm packages, the build, the
# linter, and every test. Servers the tests need are started by the test run itself
# on 127.0.0.1 and stopped by PID. Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(samba samba-dsdb-modules samba-vfs-modules samba-ad-provision ldb-tools ldap-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-all: installing ${missing[*]}" >&2
  sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    { sudo_ apt-get update -q >&2 && sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
fi

# npm ci needs every optional platform package in the lock file; a registry mirror that
# lacks some (biome's builds for other platforms) makes it refuse: then npm install
npm ci --no-audit --no-fund || {
  echo "test-all: npm ci refused the lock file; installing with npm install instead" >&2
  npm install --no-audit --no-fund
}
npm run build
npm run lint

results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""))
' "$results" || echo "0 passed, 0 failed (no results: the test run did not finish)"
rm -f "$results"
exit $status
