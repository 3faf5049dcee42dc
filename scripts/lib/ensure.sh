# Shared by scripts/test and scripts/linq: install what a bare machine lacks.

# libedit's headers (histedit.h) and library, for the line editor.
ensure_libedit() {
    if [ -f /usr/include/histedit.h ]; then return 0; fi
    echo "==> installing libedit-dev (apt)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq && $sudo apt-get install -y -qq libedit-dev >/dev/null
}

# .venv with the pinned conformance requirements; reinstalls only when they change.
ensure_venv() {
    local req=Tests/conformance/requirements.txt
    local stamp=.venv/.requirements
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv || {
            echo "==> installing python3-venv (apt)"
            local sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
            $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >/dev/null && python3 -m venv .venv
        } || return 1
    fi
    if [ ! -f "$stamp" ] || ! cmp -s "$req" "$stamp"; then
        .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req" || return 1
        cp "$req" "$stamp"
    fi
}

# curl: a test runs `last --curl`'s command as printed.
ensure_curl() {
    if command -v curl >/dev/null; then return 0; fi
    echo "==> installing curl (apt)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq && $sudo apt-get install -y -qq curl >/dev/null
}

# The release build of PRODUCT (default linq) that scripts/linq, scripts/install and scripts/bench
# run: static Swift runtime (starts in ~9 ms instead of 12), in its own build folder so the tests'
# debug build is untouched. Position-dependent and exporting no symbols: a PIE needs ~87,000
# relocations at start and exported symbols put the loader's lookups in 3 MB of symbol tables
# (resident memory 17.4 → 13.4 MB at start, 23.6 → 19.6 MB for a 100,000-line script; see
# scripts/bench). Only for the static build: a position-dependent executable against the shared
# Swift runtime gets loader warnings. All three scripts use exactly these flags, so none of them
# invalidates the others' build. libstdc++ (which the Swift runtime needs) is linked in statically
# too when its archive is installed: only the parts used are kept, 0.7 MB less resident than
# mapping the whole shared library. Usage: release_build PRODUCT LOG (the build's output goes to
# LOG); returns the build's status.
release_build() {
    local product=$1 log=$2 archive="" cxx=()
    local clang
    clang="$(dirname "$(command -v swift)")/clang"
    [ -x "$clang" ] && archive=$("$clang" -print-file-name=libstdc++.a 2>/dev/null || true)
    if [ -f "$archive" ]; then
        # A folder holding only the archive, searched first: -lstdc++ then finds no shared library.
        mkdir -p .build-static/static-libstdc++
        ln -sf "$archive" .build-static/static-libstdc++/libstdc++.a
        cxx=(-Xlinker "-L$PWD/.build-static/static-libstdc++")
    fi
    swift build -c release --product "$product" --static-swift-stdlib --scratch-path .build-static \
        -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xlinker --no-export-dynamic "${cxx[@]}" >"$log" 2>&1
}
