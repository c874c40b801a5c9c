#!/usr/bin/env bash
# Install llama-cpp-python (the [local] extra's server) built for any x86-64 CPU with AVX2, not
# for the build machine's own CPU: a native build can crash with SIGSEGV on a CPU unlike the
# build machine's (AVX-512, AMX). The wheel is built once per machine and version, kept in
# ~/.cache/news-assistant/wheels, and never taken from pip's cache (which may hold a native one).
set -euo pipefail
spec="llama-cpp-python[server]>=0.3.2"
flags="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/news-assistant/wheels/portable-$(echo "$flags" | sha1sum | cut -c1-8)"
mkdir -p "$dir"
if ! ls "$dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "Building llama-cpp-python portably ($flags); this takes several minutes once per machine."
  CMAKE_ARGS="$flags" FORCE_CMAKE=1 pip wheel --no-deps --no-binary llama-cpp-python --no-cache-dir -w "$dir" "$spec"
fi
pip install --force-reinstall --no-deps "$(ls -t "$dir"/llama_cpp_python-*.whl | head -n 1)"
pip install "$spec"  # its dependencies (the server's), the portable build already in place
