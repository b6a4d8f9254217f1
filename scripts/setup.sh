#!/usr/bin/env bash
# Set up halqa on a fresh Debian machine with Python 3.11: system packages
# (when run as root), a virtual environment in .venv, and the package with
# the extras named in $HALQA_EXTRAS (default: dev, everything the tests use).
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${HALQA_EXTRAS:-dev}"
python="${PYTHON:-python3}"

apt_packages=()
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_packages+=(python3-venv)
fi
# Extra system packages the optional parts need are listed in scripts/apt-packages.txt.
if [ -f scripts/apt-packages.txt ]; then
  while read -r pkg; do
    [ -z "$pkg" ] || [[ "$pkg" == \#* ]] || dpkg -s "$pkg" >/dev/null 2>&1 || apt_packages+=("$pkg")
  done < scripts/apt-packages.txt
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages first: ${apt_packages[*]}" >&2
    exit 2
  fi
fi

# llama-cpp-python (studio-llm, dev) builds from source: skip its multimodal library and tools.
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DGGML_NATIVE=OFF}"
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".[${extras}]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import halqa" && echo "setup: halqa installed in .venv (extras: ${extras})"
