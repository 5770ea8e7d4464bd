#!/usr/bin/env bash
#
# devstack/unstack.sh: stop every Stratus program and supervisord.
# RabbitMQ, MariaDB and PostgreSQL are left running; nothing is deleted.

set -Eeuo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=SCRIPTDIR/lib/common
source "$TOP_DIR/lib/common"
trap 'on_error $LINENO "$BASH_COMMAND"' ERR

require_privileges
stop_supervisord
log "Stratus is stopped (devstack/stack.sh brings it back)"
