# bench/packages.sh - sourced by bench/run_*.sh: install_missing NAME TOOL:PACKAGE...
# installs (as root, with apt-get) the Debian package of every TOOL not on the
# PATH; a PACKAGE given as "-:PACKAGE" is installed unconditionally if missing
# from dpkg. Anything it cannot install is left to the script's own checks.
install_missing() {
    local name=$1 missing="" t
    shift
    for t in "$@"; do
        if [ "${t%%:*}" = "-" ]; then
            dpkg -s "${t#*:}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
        else
            command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
        fi
    done
    if [ -n "$missing" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "$name: installing missing Debian packages:$missing"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
    fi
}
