#!/usr/bin/env bash
# Quick start, command 2: install what the tests need (system packages included) and run them.
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/system-packages.sh
ensure_debian_packages "${CMDESK_BASE_PACKAGES[@]}" "${CMDESK_QT_PACKAGES[@]}" "${CMDESK_TEST_PACKAGES[@]}"
make_venv .venv "[test]"
# Tests never touch a real display or keyring: Qt draws offscreen, secrets go to a memory back end
# (tests/conftest.py selects it).
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
