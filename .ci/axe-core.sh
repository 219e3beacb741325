#!/usr/bin/env bash
# Installs axe-core for the accessibility test into tests/a11y/node_modules/axe-core, from the pinned version's
# tarball, refused unless its SHA-512 is the one pinned here (checked-pack.sh).
set -euo pipefail
PACKAGE="axe-core@4.10.3"
INTEGRITY="sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(bash "$(dirname "$0")/checked-pack.sh" "$PACKAGE" "$INTEGRITY" "$work")"
cd "$(dirname "$0")/../tests/a11y"
rm -rf node_modules/axe-core
mkdir -p node_modules/axe-core
tar -xzf "$tarball" -C node_modules/axe-core --strip-components=1
