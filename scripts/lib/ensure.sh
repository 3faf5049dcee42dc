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
