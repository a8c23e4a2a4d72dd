#!/usr/bin/env bash
# Install (first time), train the model if there is none or the data changed,
# then serve Boussole on http://localhost:8000 (Ctrl-C to stop).
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_venv ""
exec .venv/bin/boussole run
