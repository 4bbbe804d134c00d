#!/usr/bin/env bash
# Installs the Debian packages cmdesk needs, only those missing (sourced by the two quick-start
# scripts). Usage: ensure_debian_packages PKG...
# Uses sudo when not root; prints the apt-get line to run by hand when neither is possible.

ensure_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian-like: nothing to do here
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "cmdesk: please install these packages as root, then run this again:" >&2
      echo "  apt-get install ${missing[*]}" >&2
      return 1
    fi
  fi
  echo "==> Installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Python with venv, and the libraries Qt needs for a real window (xcb) and for offscreen tests.
CMDESK_BASE_PACKAGES=(python3 python3-venv python3-pip)
CMDESK_QT_PACKAGES=(
  libegl1 libgl1 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 libdbus-1-3 libx11-6
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0
  libxcb-xkb1 libxkbcommon-x11-0 fonts-dejavu-core
)
# postgresql: tests/core/test_postgres_arrivals.py starts a throw-away cluster of its own (not the
# package's service) to prove that concurrent inbox inserts and announcement claims keep order.
CMDESK_TEST_PACKAGES=(xvfb xauth postgresql)

# make_venv DIR EXTRAS: a virtual environment with cmdesk installed (editable) from this checkout.
make_venv() {
  local venv="$1" extras="$2" python="${PYTHON:-python3}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "==> Creating $venv"
    "$python" -m venv "$venv"
  fi
  echo "==> Installing cmdesk${extras} into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".${extras}"
}
