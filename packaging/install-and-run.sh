#!/usr/bin/env bash
# Quick start, command 1: install cmdesk into .venv and start it.
# On a first start the plan is empty, so a demo workspace is created to show a living plan.
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/system-packages.sh
ensure_debian_packages "${CMDESK_BASE_PACKAGES[@]}" "${CMDESK_QT_PACKAGES[@]}"
make_venv .venv ""
.venv/bin/cmdesk demo
exec .venv/bin/cmdesk "$@"
