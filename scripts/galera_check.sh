#!/bin/sh
# HAProxy's health check for a Galera node (`external-check command`): passes only if the node is
# Synced (wsrep_local_state 4), ready for clients (wsrep_ready ON) and in the primary component.
# A port that answers is not enough: a node that is joining, donating its state, cut off from the
# majority or not yet caught up accepts connections and then refuses or stalls their statements.
#
# HAProxy calls it with <proxy address> <proxy port> <server address> <server port>. It logs in
# as GALERA_CHECK_USER (default clustercheck), a user with no privilege at all, and with the
# options in GALERA_CHECK_DEFAULTS if set (a client option file holding its password); set both
# with `setenv` in haproxy.cfg's global section. A node that does not answer within a second
# (paused, unreachable) fails the check.
set -u
host=$3
port=$4
user=${GALERA_CHECK_USER:-clustercheck}
defaults=--no-defaults
[ -n "${GALERA_CHECK_DEFAULTS:-}" ] && defaults=--defaults-extra-file=$GALERA_CHECK_DEFAULTS

status=$(timeout 2 mariadb "$defaults" --connect-timeout=1 --protocol=TCP -h "$host" -P "$port" -u "$user" -N -B \
    -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_ready', 'wsrep_cluster_status')" 2>/dev/null) \
    || exit 1
printf '%s\n' "$status" | grep -qx 'wsrep_local_state	4' || exit 1
printf '%s\n' "$status" | grep -qx 'wsrep_ready	ON' || exit 1
printf '%s\n' "$status" | grep -qx 'wsrep_cluster_status	Primary' || exit 1
exit 0
