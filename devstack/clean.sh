#!/usr/bin/env bash
#
# devstack/clean.sh: unstack, then remove what stack.sh created: the Stratus
# databases on MariaDB/PostgreSQL, the RabbitMQ virtual host and user, the
# libvirt guests of Stratus servers, the host networking of the network
# agent (namespaces, bridges, taps, filter chains) and the external bridge,
# /var/lib/stratus (with the volume files and backups), /etc/stratus
# (config, Fernet keys, generated passwords), /var/log/stratus, the Stratus
# clouds in /etc/openstack/clouds.yaml and devstack/openrc. The virtualenv
# /opt/stratus/venv and the system packages are kept, so the next stack.sh
# is quicker.

set -Eeuo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/lib/common
source "$TOP_DIR/lib/common"
trap 'on_error $LINENO "$BASH_COMMAND"' ERR

require_privileges
"$TOP_DIR/unstack.sh"

remove_stratus_guests
remove_stratus_networking
drop_stratus_databases
remove_rabbitmq_account
remove_clouds_yaml
for path in "$STRATUS_STATE_DIR" "$STRATUS_CONF_DIR" "$STRATUS_LOG_DIR" "$STRATUS_RUN_DIR"; do
    if [[ -e $path ]]; then
        step "Removing $path"
        $SUDO rm -rf "$path"
    fi
done
if [[ -e $DEVSTACK_DIR/openrc ]]; then
    step "Removing $DEVSTACK_DIR/openrc"
    rm -f "$DEVSTACK_DIR/openrc" 2>/dev/null || $SUDO rm -f "$DEVSTACK_DIR/openrc"
fi
log "Stratus is cleaned"
