#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the demo need, unless they are present.
set -euo pipefail

packages=(
    pkg-config
    libyaml-dev
    libcurl4-gnutls-dev
    libmicrohttpd-dev
    libgnutls28-dev
    libsqlite3-dev
    sqlite3
    libpq-dev
    postgresql
    openssl
    curl
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
