# Sourced by demo.sh and test.sh (not run on its own): finds a Python >= 3.11, makes .venv and
# installs a requirements file into it, only when that file (or requirements.txt, which the dev
# file includes) changed since the last install: a hash of both is kept as a stamp inside .venv.

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3; do
        # A pyenv shim exists even when its version is not installed, so ask the interpreter itself.
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 or newer is needed: install python3.11 (or set PYTHON=/path/to/python3.x)." >&2
    return 1
}

# ensure_venv REQUIREMENTS_FILE
ensure_venv() {
    local requirements=$1 python stamp wanted
    if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        python=$(find_python)
        echo "==> Creating .venv with $("$python" --version 2>&1)"
        rm -rf .venv
        if ! "$python" -m venv .venv; then
            echo "error: '$python -m venv' failed; on Debian/Ubuntu install python3-venv (or python3.11-venv)." >&2
            return 1
        fi
    fi
    stamp=".venv/.installed-${requirements%.txt}"
    wanted=$(.venv/bin/python -c 'import hashlib, sys
print(hashlib.sha256(b"".join(open(p, "rb").read() for p in sys.argv[1:])).hexdigest())' \
        "$requirements" requirements.txt)
    if [[ ! -f $stamp || $(<"$stamp") != "$wanted" ]]; then
        echo "==> Installing $requirements into .venv"
        .venv/bin/python -m pip install -qq --disable-pip-version-check -r "$requirements"
        echo "$wanted" >"$stamp"
    fi
}
