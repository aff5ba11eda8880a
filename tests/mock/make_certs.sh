#!/bin/sh
# make_certs.sh DIR [NAME] -- throwaway test PKI for the kgiot mock platform server.
#
# Writes into DIR (created if needed):
#   ca.pem, ca.key                 trusted test CA (basicConstraints CA:TRUE, keyCertSign)
#   server.pem, server.key         leaf for CN=localhost, SAN DNS:localhost + IP:127.0.0.1, 30 days
#   wrongname.pem, wrongname.key   leaf from the same CA, SAN DNS:wrong.example only
#   other_ca.pem, other_ca.key     an unrelated CA, for "untrusted CA" tests
# and, only when NAME is given (a DNS name: letters, digits, '.', '-'):
#   NAME.pem, NAME.key             leaf from the same CA for CN=NAME, SAN DNS:NAME only
#                                  (e.g. kgtest.lwip for tests/lwip: mbedTLS 2.28
#                                  matches a host name, not an IP SAN)
#
# All keys are ECDSA P-256, all signatures SHA-256. The extensions are the ones
# mbedTLS 2.28 and 3.6 check (keyUsage/extendedKeyUsage on the leaf, keyCertSign
# on the CA), so a verify failure in a client test means a client bug, not a
# sloppy certificate.
#
# Idempotent: if every file is present and the leaves verify against ca.pem for
# at least one more day, nothing is regenerated. Otherwise everything is made
# afresh in a private temp dir and moved into place, so a half-made set is never
# visible under the final names. The NAME leaf is checked the same way and, when
# missing or stale, made again from the CA in DIR.
set -eu

dir=${1:?usage: make_certs.sh DIR [NAME]}
extra=${2:-}
case "$extra" in
*[!A-Za-z0-9.-]* | .* | -*)
    echo "make_certs.sh: NAME must be a DNS name: $extra" >&2
    exit 2
    ;;
ca | server | wrongname)
    echo "make_certs.sh: NAME would overwrite $extra.pem of the base set" >&2
    exit 2
    ;;
esac
mkdir -p "$dir"
cd "$dir"

files="ca.pem ca.key server.pem server.key wrongname.pem wrongname.key other_ca.pem other_ca.key"

all_present() {
    for f in $files; do [ -s "$f" ] || return 1; done
}

still_good() {
    openssl verify -CAfile ca.pem server.pem wrongname.pem >/dev/null 2>&1 &&
        openssl x509 -noout -checkend 86400 -in server.pem >/dev/null 2>&1 &&
        openssl x509 -noout -checkend 86400 -in wrongname.pem >/dev/null 2>&1
}

extra_good() {
    [ -z "$extra" ] && return 0
    [ -s "$extra.pem" ] && [ -s "$extra.key" ] &&
        openssl verify -CAfile ca.pem "$extra.pem" >/dev/null 2>&1 &&
        openssl x509 -noout -checkend 86400 -in "$extra.pem" >/dev/null 2>&1
}

base_good=0
if all_present && still_good; then
    base_good=1
    extra_good && exit 0
fi

tmp=$(mktemp -d ".make_certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# One config file holds every extension profile: using our own file (not the
# system openssl.cnf) means no default extensions sneak into the certificates.
cat >"$tmp/ext.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no

[dn]
CN = placeholder

[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_wrongname]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
if [ -n "$extra" ]; then
    cat >>"$tmp/ext.cnf" <<EOF

[v3_extra]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$extra
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
fi

new_key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1" 2>/dev/null
}

# Random positive serial: a leading 1 keeps the top bit clear of sign trouble.
serial() {
    echo "0x1$(openssl rand -hex 8)"
}

# make_ca NAME CN
make_ca() {
    new_key "$1.key"
    openssl req -x509 -new -config "$tmp/ext.cnf" -extensions v3_ca \
        -key "$tmp/$1.key" -subj "/CN=$2" -sha256 -days 365 \
        -set_serial "$(serial)" -out "$tmp/$1.pem"
}

# make_leaf NAME CN PROFILE
make_leaf() {
    new_key "$1.key"
    openssl req -new -config "$tmp/ext.cnf" -key "$tmp/$1.key" -subj "/CN=$2" \
        -out "$tmp/$1.csr"
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
        -set_serial "$(serial)" -days 30 -sha256 \
        -extfile "$tmp/ext.cnf" -extensions "$3" -out "$tmp/$1.pem" 2>/dev/null
}

if [ "$base_good" = 0 ]; then
    make_ca ca "kgiot test CA"
    make_ca other_ca "kgiot unrelated test CA"
    make_leaf server localhost v3_server
    make_leaf wrongname wrong.example v3_wrongname

    for f in $files; do
        mv -f "$tmp/$f" "$f"
    done
fi

# The NAME leaf, from the CA now in DIR (just made or kept).
if [ -n "$extra" ]; then
    cp ca.pem ca.key "$tmp/"
    make_leaf "$extra" "$extra" v3_extra
    mv -f "$tmp/$extra.key" "$extra.key"
    mv -f "$tmp/$extra.pem" "$extra.pem"
fi
