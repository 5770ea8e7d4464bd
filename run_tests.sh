#!/usr/bin/env bash
#
# run_tests.sh: the Stratus test command (also what .ci/run runs).
#
#   ./run_tests.sh [LAYER ...] [-- PYTEST ARGS]
#
# LAYERs: unit functional e2e compat browser (default: all, in that order).
# The test virtualenv is <checkout>/.venv (rebuilt when setup.cfg,
# pyproject.toml or requirements-test.txt change). Before `functional`,
# RabbitMQ, MariaDB and PostgreSQL are started (installed if missing); before
# `e2e`, `compat` and `browser`, an all-in-one deployed from this checkout
# must answer, or devstack/stack.sh is run. A layer without test files is
# reported and skipped; any other pytest failure fails the run.
#
# Environment: PYTHON (interpreter for .venv, default python3),
# PYTEST_TIMEOUT (per-test timeout in seconds, default 600).

set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$REPO"
# shellcheck source=devstack/lib/common
source "$REPO/devstack/lib/common"

ALL_LAYERS=(unit functional e2e compat browser)
VENV=$REPO/.venv
PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-600}

usage() {
    awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"
}

# --- arguments --------------------------------------------------------------

LAYERS=()
PYTEST_ARGS=()
while (($#)); do
    case $1 in
        --)
            shift
            PYTEST_ARGS=("$@")
            break
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            valid=0
            for layer in "${ALL_LAYERS[@]}"; do
                [[ $1 == "$layer" ]] && valid=1
            done
            if ((valid == 0)); then
                echo "run_tests.sh: unknown layer '$1' (layers: ${ALL_LAYERS[*]})" >&2
                exit 2
            fi
            LAYERS+=("$1")
            shift
            ;;
    esac
done
((${#LAYERS[@]})) || LAYERS=("${ALL_LAYERS[@]}")

# --- test virtualenv ----------------------------------------------------------

ensure_test_venv() {
    local base want have=""
    base=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
        die "cannot run $PYTHON (set PYTHON to a Python 3.11 interpreter)"
    "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "$base is older than Python 3.11"
    want="python=$base
checkout=$REPO
deps=$(file_hash setup.cfg pyproject.toml requirements-test.txt)"
    [[ -f $VENV/.stratus-test-stamp ]] && have=$(cat "$VENV/.stratus-test-stamp")
    if [[ $have == "$want" ]] && "$VENV/bin/python" -c '' 2>/dev/null; then
        log "Test virtualenv $VENV is up to date"
        return 0
    fi
    if [[ $(sed -n 's/^python=//p' <<<"$have") != "$base" ]] || ! "$VENV/bin/python" -c '' 2>/dev/null; then
        step "Creating test virtualenv $VENV with $base"
        if ! "$base" -c 'import ensurepip' 2>/dev/null && command -v dpkg-query >/dev/null; then
            # A fresh Debian's python3 cannot make a virtualenv (no ensurepip)
            # until python3-venv is installed; stack.sh installs it too.
            require_privileges
            install_packages python3-venv
        fi
        rm -rf "$VENV"
        "$base" -m venv "$VENV" || die "could not create $VENV (is python3-venv installed?)"
    fi
    if command -v dpkg-query >/dev/null; then
        # libvirt-python compiles against libvirt's headers.
        require_privileges
        install_packages "${LIBVIRT_BUILD_PACKAGES[@]}"
    fi
    step "Installing -e . and requirements-test.txt into $VENV"
    rm -f "$VENV/.stratus-test-stamp"
    pip_install "$VENV/bin/python" -e "$REPO" -r "$REPO/requirements-test.txt" ||
        die "pip install into $VENV failed"
    printf '%s\n' "$want" >"$VENV/.stratus-test-stamp"
}

# --- what each layer needs ------------------------------------------------------

# Opportunistic test databases, with OpenStack's usual CI credentials.
CITEST=openstack_citest

# Debian packages the functional tests run: qemu-img (cross-checks of the
# image format inspector), libvirt with QEMU (the libvirt virt driver), what
# the guest image is built from, and the host networking of the network
# agent (iproute2, iptables, dnsmasq; busybox's udhcpc plays the guest).
FUNCTIONAL_PACKAGES=(qemu-utils "${GUEST_IMAGE_PACKAGES[@]}" iproute2 iptables conntrack
    dnsmasq-base busybox-static openssh-client)

prepare_functional() {
    require_privileges
    install_packages "${FUNCTIONAL_PACKAGES[@]}"
    ensure_libvirt
    ensure_rabbitmq
    ensure_mariadb
    ensure_postgresql
    step "Ensuring the $CITEST user and database on MariaDB and PostgreSQL"
    mysql_root <<EOF || die "could not create the $CITEST user on MariaDB"
CREATE USER IF NOT EXISTS '$CITEST'@'localhost' IDENTIFIED BY '$CITEST';
CREATE USER IF NOT EXISTS '$CITEST'@'127.0.0.1' IDENTIFIED BY '$CITEST';
ALTER USER '$CITEST'@'localhost' IDENTIFIED BY '$CITEST';
ALTER USER '$CITEST'@'127.0.0.1' IDENTIFIED BY '$CITEST';
GRANT ALL PRIVILEGES ON *.* TO '$CITEST'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO '$CITEST'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS $CITEST CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
FLUSH PRIVILEGES;
EOF
    psql_admin <<EOF || die "could not create the $CITEST role on PostgreSQL"
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$CITEST') THEN
        CREATE ROLE $CITEST LOGIN;
    END IF;
END
\$\$;
ALTER ROLE $CITEST WITH LOGIN CREATEDB PASSWORD '$CITEST';
EOF
    if [[ -z $(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$CITEST'") ]]; then
        psql_admin -c "CREATE DATABASE $CITEST OWNER $CITEST ENCODING 'UTF8' TEMPLATE template0" ||
            die "could not create the $CITEST database on PostgreSQL"
    fi
}

# Server URLs without a database name (tests/servers/ appends one): the
# openstack_citest user may create and drop databases on both servers, which
# works on a fresh Debian too (where root/postgres have no password login).
export_functional_env() {
    export STRATUS_TEST_TRANSPORT_URL=${STRATUS_TEST_TRANSPORT_URL:-$RABBIT_GUEST_URL}
    export STRATUS_TEST_MYSQL_URL=${STRATUS_TEST_MYSQL_URL:-mysql+pymysql://$CITEST:$CITEST@127.0.0.1:3306}
    export STRATUS_TEST_POSTGRESQL_URL=${STRATUS_TEST_POSTGRESQL_URL:-postgresql+psycopg2://$CITEST:$CITEST@127.0.0.1:5432}
}

# The running all-in-one is usable when it was deployed from this checkout
# with exactly this source (committed and uncommitted) and answers.
stack_is_ours() {
    local path fingerprint
    path=$(sed -n 's/^path=//p' "$STACK_SOURCE_FILE" 2>/dev/null || true)
    fingerprint=$(sed -n 's/^fingerprint=//p' "$STACK_SOURCE_FILE" 2>/dev/null || true)
    [[ $path == "$REPO" ]] && [[ $fingerprint == "$(source_fingerprint "$REPO")" ]] &&
        curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:5000/healthz 2>/dev/null
}

# The e2e tests log in to guests over SSH.
E2E_PACKAGES=(openssh-client)

prepare_stack() {
    install_packages "${E2E_PACKAGES[@]}"
    if stack_is_ours; then
        log "The all-in-one deployed from $REPO is answering"
        return 0
    fi
    step "No all-in-one running this checkout's source is answering: running devstack/stack.sh"
    "$REPO/devstack/stack.sh" </dev/null
}

# --- run ------------------------------------------------------------------------

has_tests() {
    [[ -d tests/$1 ]] &&
        [[ -n $(find "tests/$1" -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit) ]]
}

declare -A RESULT=() DURATION=()
STACK_STATE=unknown # unknown | up | failed
FUNCTIONAL_STATE=unknown

ensure_test_venv

for layer in "${LAYERS[@]}"; do
    start=$SECONDS
    echo
    step "Layer $layer"
    if ! has_tests "$layer"; then
        echo "$layer: no tests yet"
        RESULT[$layer]="no tests"
        DURATION[$layer]=0
        continue
    fi

    ready=1
    case $layer in
        functional)
            if [[ $FUNCTIONAL_STATE == unknown ]]; then
                if (prepare_functional); then FUNCTIONAL_STATE=up; else FUNCTIONAL_STATE=failed; fi
            fi
            if [[ $FUNCTIONAL_STATE == failed ]]; then
                echo "$layer: FAILED: RabbitMQ, MariaDB or PostgreSQL could not be started (see above)" >&2
                ready=0
            fi
            export_functional_env
            ;;
        e2e | compat | browser)
            if [[ $STACK_STATE == unknown ]]; then
                if (prepare_stack); then STACK_STATE=up; else STACK_STATE=failed; fi
            fi
            if [[ $STACK_STATE == failed ]]; then
                echo "$layer: FAILED: the all-in-one could not be brought up (devstack/stack.sh, see above)" >&2
                ready=0
            fi
            export OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML
            ;;
    esac

    rc=1
    if ((ready)); then
        set +e
        "$VENV/bin/python" -m pytest "tests/$layer" --timeout="$PYTEST_TIMEOUT" ${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"}
        rc=$?
        set -e
    fi
    DURATION[$layer]=$((SECONDS - start))
    if ((rc == 0)); then
        RESULT[$layer]=passed
    else
        RESULT[$layer]="FAILED (exit $rc)"
        ((ready)) && echo "$layer: FAILED (pytest exit $rc)" >&2
    fi
done

echo
echo "==== run_tests.sh summary ===="
failed=0
for layer in "${LAYERS[@]}"; do
    printf '  %-11s %-18s %5s s\n' "$layer" "${RESULT[$layer]}" "${DURATION[$layer]}"
    [[ ${RESULT[$layer]} == FAILED* ]] && failed=1
done
if ((failed)); then
    echo "run_tests.sh: some layers FAILED"
    exit 1
fi
echo "run_tests.sh: every layer with tests passed"
