#!/bin/bash
# Installs a pinned uv (and uvx) into /usr/local/bin. Run as root at image build time,
# before any repository file is copied. Needs only bash, curl, unzip and sha256sum: the
# base image may have no Python at all.
#
# The wheel comes from a PEP 503 simple index, ${UV_INDEX_URL:-https://pypi.org/simple},
# so a mirror set for uv also serves uv itself. The file is refused unless its sha256
# matches the one pinned here.
set -euo pipefail

UV_VERSION="0.13.9"
UV_WHEEL_X86_64="uv-0.13.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
UV_SHA256_X86_64="d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19"
UV_WHEEL_AARCH64="uv-0.13.9-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64.whl"
UV_SHA256_AARCH64="5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe"

die() {
    echo "install-uv: $*" >&2
    exit 1
}

# Index URLs may carry credentials (https://user:token@host/simple): never print them.
redact() {
    printf '%s' "$1" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@#\1***@#'
}

case "$(uname -m)" in
    x86_64 | amd64) wheel="$UV_WHEEL_X86_64" sha256="$UV_SHA256_X86_64" ;;
    aarch64 | arm64) wheel="$UV_WHEEL_AARCH64" sha256="$UV_SHA256_AARCH64" ;;
    *) die "no pinned uv ${UV_VERSION} wheel for machine '$(uname -m)' (only x86_64 and aarch64)" ;;
esac

for tool in curl unzip sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not installed in this image"
done

index_url="${UV_INDEX_URL:-https://pypi.org/simple}"
index_url="${index_url%/}"
page_url="${index_url}/uv/"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Ask for HTML: an index that also speaks PEP 691 JSON would otherwise be free to pick.
if ! curl --fail --silent --show-error --location --retry 3 \
        --header 'Accept: text/html' --output "$tmp/index.html" "$page_url"; then
    die "could not fetch the package page $(redact "$page_url") (set UV_INDEX_URL to a reachable PEP 503 simple index)"
fi

# Find the href whose file name (without #fragment or ?query) is exactly the pinned wheel.
mapfile -t hrefs < <(grep -oE "href=(\"[^\"]*\"|'[^']*')" "$tmp/index.html" | sed -E "s/^href=[\"']//; s/[\"']\$//" || true)
href=""
for candidate in "${hrefs[@]}"; do
    candidate="${candidate//&amp;/&}"
    path="${candidate%%#*}"
    path="${path%%\?*}"
    if [ "${path##*/}" = "$wheel" ]; then
        href="${candidate%%#*}"
        break
    fi
done
[ -n "$href" ] || die "$(redact "$page_url") does not list ${wheel} (uv ${UV_VERSION})"

# Resolve the href against the page URL (absolute, scheme-relative, host-relative or relative).
case "$href" in
    http://* | https://* | file://*) wheel_url="$href" ;;
    //*) wheel_url="${page_url%%://*}:${href}" ;;
    /*)
        origin="$(printf '%s' "$page_url" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://[^/]*).*#\1#')"
        wheel_url="${origin}${href}"
        ;;
    *) wheel_url="${page_url}${href}" ;; # page_url ends in '/'; curl folds any ../
esac

if ! curl --fail --silent --show-error --location --retry 3 --output "$tmp/$wheel" "$wheel_url"; then
    die "could not download $(redact "$wheel_url")"
fi

actual="$(sha256sum "$tmp/$wheel" | cut -d ' ' -f 1)"
if [ "$actual" != "$sha256" ]; then
    die "sha256 mismatch for $(redact "$wheel_url"): expected ${sha256}, got ${actual}; refusing to install it"
fi

if ! unzip -q -o -j "$tmp/$wheel" "uv-${UV_VERSION}.data/scripts/uv" "uv-${UV_VERSION}.data/scripts/uvx" -d "$tmp/bin"; then
    die "${wheel} does not contain uv-${UV_VERSION}.data/scripts/uv and uvx"
fi
install -m 0755 "$tmp/bin/uv" "$tmp/bin/uvx" /usr/local/bin/

installed="$(/usr/local/bin/uv --version)"
case "$installed" in
    "uv ${UV_VERSION}" | "uv ${UV_VERSION} "*) echo "install-uv: installed ${installed} from $(redact "$wheel_url")" ;;
    *) die "/usr/local/bin/uv reports '${installed}', expected uv ${UV_VERSION}" ;;
esac
