# Sourced by the bin/ shims: find uv and a Python 3.9+, nothing else.
# All build logic lives in lib/pybuildpack.

PYBUILDPACK_UV_VERSION="0.13.9"

# PYTHONHOME and PYTHONPATH from the build machine are for some other Python:
# a PYTHONHOME of another install makes every python3 fail to start, which
# would look like no python3 at all. Neither may steer pybuildpack's own Python,
# nor the app's, which pybuildpack installs and runs with its own paths.
unset PYTHONHOME PYTHONPATH
# (The shims source this file by a path with a slash: no dirname process needed.)
PYBUILDPACK_DIR="$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)"

# Where bootstrap progress and errors go: the build log (stdout) for Heroku and
# CNB; bin/pybuildpack sets 2, since the local command's stdout may be data
# (`explain --json`, `run`).
PYBUILDPACK_BOOTSTRAP_FD="${PYBUILDPACK_BOOTSTRAP_FD:-1}"

pybuildpack_fail() {
    {
        printf '\n !     Error: %s\n !\n' "$1"
        shift
        for line in "$@"; do printf ' !     %s\n' "$line"; done
        printf '\n'
    } >&"$PYBUILDPACK_BOOTSTRAP_FD"
    exit 1
}

# The uv wheel on PyPI for this machine: URL, sha256 and size in bytes (uv's own release, pinned;
# the checksum vouches for the size, which the download's progress is measured against).
pybuildpack_uv_wheel() {
    case "$(uname -m)" in
        x86_64|amd64)
            echo "https://files.pythonhosted.org/packages/3d/aa/26d64642d808de4a652579ef950d7cd2d37f080a8babf9c67c6b75fc4c3f/uv-0.13.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19 17606939" ;;
        aarch64|arm64)
            echo "https://files.pythonhosted.org/packages/fe/2f/51a5de367c602592c018a42a23d57fba5f2689fe6c3bf025dcf043b39c61/uv-0.13.9-py3-none-manylinux_2_28_aarch64.whl ecb6028d79dc96fbeafffe5c8af62a7099487ebc05a701e76714eebcffd06375 16864124" ;;
        *)
            pybuildpack_fail "Unsupported architecture $(uname -m)" \
                "pybuildpack runs on x86_64 and aarch64 Linux." ;;
    esac
}

# pybuildpack_mib BYTES: "16.8 MiB" (bash arithmetic: no process started).
pybuildpack_mib() {
    local tenths=$(( ($1 * 10 + 524288) / 1048576 ))  # rounded, as uv and progress.py do
    echo "$(( tenths / 10 )).$(( tenths % 10 )) MiB"
}

# pybuildpack_download URL FILE SIZE LABEL: curl URL to FILE, showing progress
# against SIZE bytes as pybuildpack's Python code does (progress.py): on a
# terminal a bar rewritten in place from 1 s on, in a build log a line every
# 5 s from 5 s on, nothing when the download is done before then. curl's
# errors go to FILE.err. Returns curl's exit status.
pybuildpack_download() {
    local url="$1" file="$2" size="$3" label="$4" fd="$PYBUILDPACK_BOOTSTRAP_FD"
    local tty=0 tick=0 next=50 every=50 shown=0 done_bytes percent filled line result status=1
    if [ -t "$fd" ]; then tty=1 next=10 every=5; fi
    # curl's exit status arrives on this pipe the moment it ends, so waiting on
    # it (0.1 s at a time, to report progress meanwhile) adds no delay.
    # (In a list, so the shims' `set -e` does not end the subshell before it says.)
    exec {result}< <(curl --fail --silent --show-error --location --retry 3 --connect-timeout 10 \
        -o "$file" "$url" 2>"$file.err" && echo 0 || echo "$?")
    local got="" chunk code
    while :; do
        # A read that times out keeps what it read so far: on a loaded machine the
        # timeout can fall between the status's digits and its newline.
        code=0
        read -r -t 0.1 -u "$result" chunk || code=$?
        got="$got$chunk"
        if [ "$code" -eq 0 ]; then status="$got"; break; fi
        [ "$code" -gt 128 ] || { status="${got:-1}"; break; }  # not a timeout: the pipe closed
        tick=$(( tick + 1 ))
        [ "$tick" -ge "$next" ] || continue
        next=$(( tick + every ))
        done_bytes=$(stat -c %s "$file" 2>/dev/null || echo 0)
        percent=$(( done_bytes * 100 / size ))
        [ "$percent" -le 100 ] || percent=100
        line="Downloading $label ($(pybuildpack_mib "$size")): $(pybuildpack_mib "$done_bytes"), $percent%"
        if [ "$tty" = 1 ]; then
            filled=$(( percent / 5 ))
            line="$line [$(printf '%*s' "$filled" '' | tr ' ' '#')$(printf '%*s' $(( 20 - filled )) '' | tr ' ' '-')]"
            # Padded to the last line's width, so a shorter line leaves nothing of it.
            printf '\r       %-*s' "$shown" "$line" >&"$fd"
            [ "${#line}" -le "$shown" ] || shown=${#line}
        else
            printf '       %s\n' "$line" >&"$fd"
        fi
    done
    exec {result}<&-
    if [ "$shown" -gt 0 ]; then printf '\r%*s\r' $(( shown + 7 )) '' >&"$fd"; fi
    return "${status:-1}"
}

# pybuildpack_now: microseconds since the epoch, or nothing on a bash older than 5.
pybuildpack_now() {
    echo "${EPOCHREALTIME//[!0-9]/}"
}

# pybuildpack_find_uv CACHE_ROOT: sets PYBUILDPACK_UV_BIN.
pybuildpack_find_uv() {
    local cache_root="$1"
    if [ -n "${PYBUILDPACK_UV:-}" ]; then
        [ -x "$PYBUILDPACK_UV" ] || pybuildpack_fail "PYBUILDPACK_UV is not an executable file" \
            "PYBUILDPACK_UV=$PYBUILDPACK_UV" "Point it at a uv binary, or unset it to let pybuildpack download uv."
        PYBUILDPACK_UV_BIN="$PYBUILDPACK_UV"
        export PYBUILDPACK_UV_BIN
        return
    fi
    local dir="$cache_root/uv/$PYBUILDPACK_UV_VERSION-$(uname -m)"
    if [ -x "$dir/uv" ]; then
        PYBUILDPACK_UV_BIN="$dir/uv"
        export PYBUILDPACK_UV_BIN
        return
    fi
    local url sha size started
    started="$(pybuildpack_now)"
    read -r url sha size <<<"$(pybuildpack_uv_wheel)"
    echo "-----> Downloading uv $PYBUILDPACK_UV_VERSION ($(pybuildpack_mib "$size"))" >&"$PYBUILDPACK_BOOTSTRAP_FD"
    local scratch
    scratch="$(mktemp -d "${TMPDIR:-/tmp}/pybuildpack-uv.XXXXXX")"
    if ! pybuildpack_download "$url" "$scratch/uv.whl" "$size" "uv $PYBUILDPACK_UV_VERSION"; then
        pybuildpack_fail "Could not download uv" "$(cat "$scratch/uv.whl.err")" \
            "pybuildpack needs uv from the Python Package Index (files.pythonhosted.org)." \
            "Allow access to it, or set PYBUILDPACK_UV to a uv binary on the build machine."
    fi
    if [ "$(sha256sum "$scratch/uv.whl" | cut -d' ' -f1)" != "$sha" ]; then
        rm -rf "$scratch"
        pybuildpack_fail "The uv download does not match its checksum" \
            "The file from $url is not the uv $PYBUILDPACK_UV_VERSION release pybuildpack pins." \
            "Retry the build; if it keeps failing, something between you and PyPI alters downloads."
    fi
    local member="uv-$PYBUILDPACK_UV_VERSION.data/scripts/uv"
    if command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$scratch/uv.whl" "$member" -d "$scratch"
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' \
            "$scratch/uv.whl" "$member" "$scratch"
    else
        pybuildpack_fail "Cannot unpack uv" "The build machine has neither unzip nor python3."
    fi
    chmod +x "$scratch/$member"
    mkdir -p "$dir"
    # Rename into place: a concurrent or interrupted build never sees half a binary.
    mv "$scratch/$member" "$dir/uv.tmp.$$" && mv -f "$dir/uv.tmp.$$" "$dir/uv"
    rm -rf "$scratch"
    # A step that took a second or more says how long, as pybuildpack's Log.timed does.
    local tenths
    if [ -n "$started" ]; then
        tenths=$(( ($(pybuildpack_now) - started) / 100000 ))
        if [ "$tenths" -ge 10 ]; then
            echo "       Done ($(( tenths / 10 )).$(( tenths % 10 ))s)" >&"$PYBUILDPACK_BOOTSTRAP_FD"
        fi
    fi
    PYBUILDPACK_UV_BIN="$dir/uv"
    export PYBUILDPACK_UV_BIN
}

# pybuildpack_find_python CACHE_ROOT: sets PYBUILDPACK_BOOT_PYTHON to a Python 3.9+,
# the machine's own when it has one, else one installed by uv into the cache.
pybuildpack_find_python() {
    local cache_root="$1" candidate
    for candidate in python3 python3.13 python3.12 python3.11 python3.10 python3.9; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
            PYBUILDPACK_BOOT_PYTHON="$(command -v "$candidate")"
            export PYBUILDPACK_BOOT_PYTHON
            return
        fi
    done
    [ -n "${PYBUILDPACK_UV_BIN:-}" ] || pybuildpack_find_uv "$cache_root"
    local found
    if ! found="$(UV_PYTHON_INSTALL_DIR="$cache_root/python" UV_PYTHON_INSTALL_BIN=0 \
        UV_CACHE_DIR="$cache_root/installer-cache/uv" "$PYBUILDPACK_UV_BIN" python find --managed-python '>=3.9' 2>/dev/null)"; then
        UV_PYTHON_INSTALL_DIR="$cache_root/python" UV_PYTHON_INSTALL_BIN=0 UV_CACHE_DIR="$cache_root/installer-cache/uv" \
            "$PYBUILDPACK_UV_BIN" python install --no-bin 3.12 >/dev/null 2>&1 \
            || pybuildpack_fail "Could not install a Python for pybuildpack" \
                "The build machine has no python3 (3.9 or newer), and uv could not download one."
        found="$(UV_PYTHON_INSTALL_DIR="$cache_root/python" "$PYBUILDPACK_UV_BIN" python find --managed-python '>=3.9')"
    fi
    PYBUILDPACK_BOOT_PYTHON="$found"
    export PYBUILDPACK_BOOT_PYTHON
}

# pybuildpack_run_stdlib COMMAND ARGS...: run a command that needs only the
# standard library (detect, release) on the machine's Python.
pybuildpack_run_stdlib() {
    local scratch="${TMPDIR:-/tmp}/pybuildpack-bootstrap"
    pybuildpack_find_python "$scratch"
    exec "$PYBUILDPACK_BOOT_PYTHON" "$PYBUILDPACK_DIR/bin/support/entry.py" "$@"
}

# pybuildpack_run_tools CACHE_ROOT COMMAND ARGS...: run a command inside the
# cached tool environment, creating it first when needed.
pybuildpack_run_tools() {
    local cache_root="$1"
    shift
    [ -d "$cache_root" ] || mkdir -p "$cache_root"
    pybuildpack_find_uv "$cache_root"
    pybuildpack_find_python "$cache_root"
    exec "$PYBUILDPACK_BOOT_PYTHON" "$PYBUILDPACK_DIR/bin/support/entry.py" --bootstrap "$cache_root" "$@"
}
