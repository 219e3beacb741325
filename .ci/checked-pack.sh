#!/usr/bin/env bash
# Usage: checked-pack.sh PACKAGE INTEGRITY DIR
# Has npm fetch PACKAGE's tarball into DIR (a tarball already there is reused when its hash matches) and
# prints the tarball's path; refuses it, exit 1, unless its SHA-512 is INTEGRITY. No lock file is written:
# it would record where packages were downloaded from.
set -euo pipefail
package="$1" expected="$2" dir="$3"
integrity() { python3 -c 'import base64, hashlib, sys
digest = hashlib.sha512()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
print("sha512-" + base64.b64encode(digest.digest()).decode())' "$1"; }
mkdir -p "$dir"
cd "$dir"
for existing in *.tgz; do
    if [[ -f "$existing" ]] && [[ "$(integrity "$existing")" == "$expected" ]]; then
        echo "$dir/$existing"
        exit 0
    fi
done
tarball="$(npm pack --silent "$package" | tail -1)"
actual="$(integrity "$tarball")"
if [[ "$actual" != "$expected" ]]; then
    rm -f "$tarball"
    echo "checked-pack.sh: $package has integrity $actual, expected $expected: refused" >&2
    exit 1
fi
echo "$dir/$tarball"
