#!/bin/sh
# HAProxy's health check for a Galera node (`external-check command`): passes only if the node is
# Synced (wsrep_local_state 4), ready for clients (wsrep_ready ON) and in the primary component.
# A port that answers is not enough: a node that is joining, donating its state, cut off from the
# majority or not yet caught up accepts connections and then refuses or stalls their statements.
#
# HAProxy calls it with <proxy address> <proxy port> <server address> <server port> and an empty
# environment. It logs in as the user and password of the [client] section of
# /etc/haproxy/galera_check.cnf if that file exists (a user with no privilege at all: see
# docs/galera.md), else as `clustercheck` without a password (the test cluster's). A node that
# does not answer within two seconds (paused, unreachable) fails the check.
set -u
PATH=/usr/bin:/bin:/usr/sbin:/sbin
host=$3
port=$4
options_file=/etc/haproxy/galera_check.cnf
if [ -r "$options_file" ]; then
    login="--defaults-extra-file=$options_file"
else
    login="--no-defaults --user=clustercheck"
fi

# $login is two words when it is the default: unquoted on purpose.
# shellcheck disable=SC2086
status=$(timeout 2 mariadb $login --connect-timeout=1 --protocol=TCP -h "$host" -P "$port" -N -B \
    -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_ready', 'wsrep_cluster_status')" \
    2>/dev/null) || exit 1
printf '%s\n' "$status" | grep -qx 'wsrep_local_state	4' || exit 1
printf '%s\n' "$status" | grep -qx 'wsrep_ready	ON' || exit 1
printf '%s\n' "$status" | grep -qx 'wsrep_cluster_status	Primary' || exit 1
exit 0
