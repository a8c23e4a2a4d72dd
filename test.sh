#!/usr/bin/env bash
# Install with the test extras, train the model if needed (visible progress),
# then run the whole test suite with pytest. Extra arguments go to pytest.
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_venv "[test]"
ensure_chromium
ensure_services
.venv/bin/boussole train
exec .venv/bin/python -m pytest "$@"
