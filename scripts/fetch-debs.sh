#!/usr/bin/env bash
# Debian packages a test runs, without root: `apt-get download` into DEST/debs and `dpkg-deb -x`
# into DEST (binaries in DEST/usr/bin, libraries in DEST/usr/lib/<triplet>). Dependencies two
# levels down are fetched too when the machine does not have them installed.
#   scripts/fetch-debs.sh DEST PACKAGE...
set -euo pipefail
dest=$1
shift
wanted=("$@")

depends() {
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
        --no-enhances "$@" 2>/dev/null | awk '/^ *(Pre)?Depends:/ && $2 !~ /^</ {print $2}' | sort -u
}
if ! apt-cache show "${wanted[0]}" >/dev/null 2>&1; then
    # No package lists yet (a fresh image): only root can read them in.
    if [ "$(id -u)" -ne 0 ]; then
        echo "fetch-debs: apt knows no package ${wanted[0]}: run 'apt-get update' once" >&2
        exit 2
    fi
    apt-get update -qq
fi
first=$(depends "${wanted[@]}")
second=$(depends $first)
for package in $first $second; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || wanted+=("$package")
done

rm -rf "$dest.partial"
mkdir -p "$dest.partial/debs"
(cd "$dest.partial/debs" && apt-get download "${wanted[@]}")
for deb in "$dest.partial"/debs/*.deb; do
    dpkg-deb -x "$deb" "$dest.partial"
done
rm -rf "$dest"
mv "$dest.partial" "$dest"
