#!/usr/bin/env bash
# mmdebstrap --customize-hook for the test base image: $1 is the finished rootfs.
# Makes the image trust the CAs the host added to its stock Mozilla set (the network is
# TLS-inspected, so HTTPS to PyPI needs the proxy's CA), and drops apt lists and caches.
set -euo pipefail

rootfs=$1
host_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -f "$host_bundle" ]] || { echo "base-image-hook: ERROR: $host_bundle missing on the host" >&2; exit 1; }

# The host's extra CAs are those in its bundle that its ca-certificates package did not ship.
# They go to /usr/local/share/ca-certificates so any later update-ca-certificates in the image
# keeps them. The host bundle is not copied wholesale: it may be older than the image's and
# still hold roots Debian has since distrusted.
stock=$(mktemp)
trap 'rm -f "$stock"' EXIT
find /usr/share/ca-certificates -name '*.crt' -type f -exec awk 1 {} + >"$stock" 2>/dev/null || true
extra_dir="$rootfs/usr/local/share/ca-certificates"
mkdir -p "$extra_dir"
awk -v dir="$extra_dir" -v stockfile="$stock" '
  function key(line) { gsub(/[ \t\r]/, "", line); return line }
  BEGIN {
    while ((getline line < stockfile) > 0) {
      if (line ~ /-----BEGIN CERTIFICATE-----/) { body = "" }
      else if (line ~ /-----END CERTIFICATE-----/) { stock[body] = 1 }
      else { body = body key(line) }
    }
  }
  /-----BEGIN CERTIFICATE-----/ { inside = 1; body = ""; pem = "" }
  inside { pem = pem $0 "\n"; if ($0 !~ /-----/) { body = body key($0) } }
  /-----END CERTIFICATE-----/ {
    inside = 0
    if (!(body in stock) && !(body in seen)) { seen[body] = 1; n++; printf "%s", pem > (dir "/host-extra-" n ".crt") }
  }
  END { print "base-image-hook: added " n + 0 " host CA certificate(s) beyond the Debian set" }
' "$host_bundle"
chroot "$rootfs" update-ca-certificates >/dev/null

rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/cache/apt/archives/partial/* "$rootfs"/var/log/apt/* "$rootfs"/var/log/dpkg.log
