# Shared by backup.sh and restore.sh (sourced): encrypt/decrypt a stream with BACKUP_KEY through gpg.
# gpg runs with a throw-away home (no keyring, agent or cache of the operator is touched; its agent is
# stopped on exit) and reads the key from a pipe (a file descriptor), never from argv or a file.

GPG_HOME=""

check_key() {
    if [[ -n "${BACKUP_KEY:-}" ]]; then
        if (( ${#BACKUP_KEY} < 16 )); then
            echo "backup: BACKUP_KEY is too short (at least 16 characters; e.g. openssl rand -base64 32)" >&2
            exit 1
        fi
        command -v gpg >/dev/null || { echo "backup: gpg is not installed (apt-get install gnupg)" >&2; exit 1; }
        GPG_HOME=$(mktemp -d)
    fi
}

_gpg() {
    gpg --homedir "$GPG_HOME" --batch --quiet --yes --no-symkey-cache --pinentry-mode loopback \
        --passphrase-fd 3 "$@" 3< <(printf '%s' "$BACKUP_KEY")
}

# seal NAME: stdin -> NAME.gpg (encrypted) with a key, else -> NAME.
seal() {
    if [[ -n "${BACKUP_KEY:-}" ]]; then
        _gpg --symmetric --cipher-algo AES256 --s2k-digest-algo SHA512 --compress-algo none --output "$1.gpg"
    else
        cat > "$1"
    fi
}

# unseal FILE.gpg OUT: decrypt, checking integrity (gpg fails on a wrong key or a modified file).
unseal() {
    _gpg --decrypt --output "$2" "$1"
}

crypto_cleanup() {
    if [[ -n "$GPG_HOME" ]]; then
        gpgconf --homedir "$GPG_HOME" --kill all >/dev/null 2>&1 || true
        rm -rf "$GPG_HOME"
    fi
}
