#!/usr/bin/env bash
# Installs axe-core for the accessibility test into tests/a11y/node_modules/axe-core. npm fetches the pinned
# tarball; it is refused unless its SHA-512 is the one pinned here (no lock file: it would record where
# packages were downloaded from).
set -euo pipefail
PACKAGE="axe-core@4.10.3"
INTEGRITY="sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
cd "$(dirname "$0")/../tests/a11y"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$work/$(cd "$work" && npm pack --silent "$PACKAGE" | tail -1)"
actual="$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")"
if [[ "$actual" != "$INTEGRITY" ]]; then
    echo "axe-core.sh: $PACKAGE has integrity $actual, expected $INTEGRITY: refused" >&2
    exit 1
fi
rm -rf node_modules/axe-core
mkdir -p node_modules/axe-core
tar -xzf "$tarball" -C node_modules/axe-core --strip-components=1
