# Installed as /etc/profile.d/activate-venv.sh. Debian's and Ubuntu's /etc/profile reset
# PATH for login shells (the entrypoint runs under `bash -l`), which drops the image's
# PATH entries; this puts them back in front, in the image's order:
#   $HOME/.local/bin : $REPO_DIR/.local/bin : $NB_PYTHON_PREFIX/bin : $NPM_DIR/bin : rest
# Sourced by any POSIX sh: no bashisms, no `set`, and it must work under `set -u`
# and `set -e` without ending the shell.

# Moves $1 to the front of PATH, dropping other copies; does nothing for an empty $1.
_r2d_path_front() {
    if [ -z "$1" ]; then
        return 0
    fi
    _r2d_rest=":${PATH:-}:"
    while :; do
        case "$_r2d_rest" in
            *":$1:"*) _r2d_rest="${_r2d_rest%%:"$1":*}:${_r2d_rest#*:"$1":}" ;;
            *) break ;;
        esac
    done
    _r2d_rest="${_r2d_rest#:}"
    _r2d_rest="${_r2d_rest%:}"
    PATH="$1${_r2d_rest:+:$_r2d_rest}"
    return 0
}

# Last call ends up first.
_r2d_path_front "${NPM_DIR:+${NPM_DIR}/bin}"
_r2d_path_front "${NB_PYTHON_PREFIX:+${NB_PYTHON_PREFIX}/bin}"
_r2d_path_front "${REPO_DIR:+${REPO_DIR}/.local/bin}"
_r2d_path_front "${HOME:+${HOME}/.local/bin}"
export PATH

unset -f _r2d_path_front
unset _r2d_rest
:
