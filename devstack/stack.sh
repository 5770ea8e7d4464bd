#!/usr/bin/env bash
#
# devstack/stack.sh: bring up the Stratus all-in-one cloud from this checkout.
#
# Idempotent: run it again after changing code or devstack/local.conf.
# Runs as root, or as a user who may use sudo. Settings come from the
# environment, then devstack/local.conf (see local.conf.sample), then
# defaults; generated passwords persist in /etc/stratus/stack-credentials.

set -Eeuo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/lib/common
source "$TOP_DIR/lib/common"
trap 'on_error $LINENO "$BASH_COMMAND"' ERR

STACK_START=$SECONDS
BASE_PACKAGES=(python3-venv python3-dev build-essential curl rabbitmq-server
    "${LIBVIRT_BUILD_PACKAGES[@]}")

step "Stratus all-in-one from $STRATUS_CHECKOUT (running as $STACK_USER)"
require_privileges

# Settings: DATABASE, HOST_IP, ENABLED_SERVICES, passwords ...
load_settings
for service in $ENABLED_SERVICES; do
    [[ -f $TOP_DIR/lib/$service ]] || die "ENABLED_SERVICES: unknown service '$service' (no devstack/lib/$service)"
    # shellcheck disable=SC1090
    source "$TOP_DIR/lib/$service"
done
log "DATABASE=$DATABASE HOST_IP=$HOST_IP ENABLED_SERVICES=\"$ENABLED_SERVICES\""

# System packages: the base set, the database server, and each service's.
packages=("${BASE_PACKAGES[@]}")
read -r -a more <<<"$(database_packages)"
packages+=("${more[@]}")
for service in $ENABLED_SERVICES; do
    read -r -a more <<<"$("${service}_packages")"
    packages+=("${more[@]}")
done
step "Checking system packages"
install_packages "${packages[@]}"

prepare_directories
save_credentials

ensure_rabbitmq
ensure_rabbitmq_account
ensure_database_server
ensure_venv

for service in $ENABLED_SERVICES; do
    step "Installing $service"
    "install_$service"
    step "Configuring $service"
    "configure_$service"
done

start_supervisord
for service in $ENABLED_SERVICES; do
    step "Initialising $service"
    "init_$service"
    step "Starting $service"
    "start_$service"
done
prune_programs

write_clouds_yaml
write_openrc
write_stack_source

cat <<EOF

Stratus is up ($((SECONDS - STACK_START)) s); deployed from $STRATUS_CHECKOUT, database $DATABASE.
EOF
for service in $ENABLED_SERVICES; do
    if declare -F "${service}_summary" >/dev/null; then
        "${service}_summary"
    fi
done
cat <<EOF

  Credentials     $CLOUDS_YAML (clouds stratus-admin, stratus)
                  $DEVSTACK_DIR/openrc (source devstack/openrc [admin])
                  passwords in $CREDENTIALS_FILE
  Log in          export OS_CLOUD=stratus-admin; openstack token issue
                  (./run_tests.sh installs the openstack client in .venv/bin)
  Programs        $STRATUS_VENV/bin/supervisorctl -c $SUPERVISORD_CONF status
  Logs            $STRATUS_LOG_DIR/
EOF
