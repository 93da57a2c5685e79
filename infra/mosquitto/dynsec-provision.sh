#!/bin/sh
# Per-device credentials bound to client ids, with Mosquitto's dynamic-security
# plugin (Mosquitto 2.0+, `mosquitto_dynamic_security.so`).
#
# With the password file and ACL, every device of a venue shares one user and
# may connect with any client id, including the twin's: it can take over the
# ingest's persistent session (docs/mqtt-security.md). Here each device is its
# own client, bound to its own client id, so a device credential cannot be used
# under any other id. The twin and the viewers keep unbound users (they use
# several client ids: ingest workers, commands, state publisher).
#
# Usage (a broker running with the dynsec block of mosquitto.conf enabled):
#   dynsec-provision.sh base                     roles twin + viewer, users venue-twin, venue-twin-viewer
#   dynsec-provision.sh venue VENUE              the role of one venue's devices
#   dynsec-provision.sh device VENUE DEVICE_ID   a device client, bound to client id DEVICE_ID
#
# Environment:
#   MQTT_HOST (127.0.0.1), MQTT_PORT (1883), DYNSEC_ADMIN (admin),
#   DYNSEC_ADMIN_PASSWORD_FILE          the admin password (from `mosquitto_ctrl dynsec init`)
#   TWIN_PASSWORD_FILE, VIEWER_PASSWORD_FILE   for `base`
#   DEVICE_PASSWORD_FILE                for `device`
# Passwords are read from files and handed to mosquitto_ctrl on its standard
# input, at its password prompts (the client's, twice, then the admin's), so
# they never show on a command line (`ps`, /proc/PID/cmdline) or in shell
# history; `printf` is a shell builtin, not a process.
# mosquitto_ctrl warns when the connection is not encrypted: run it on the
# broker's host or through its TLS listener (add --cafile via MOSQ_CTRL_TLS).
set -eu

die() { echo "dynsec-provision: $*" >&2; exit 2; }
secret() { [ -r "$1" ] || die "cannot read $1"; head -n 1 "$1"; }

[ -n "${DYNSEC_ADMIN_PASSWORD_FILE:-}" ] || die "set DYNSEC_ADMIN_PASSWORD_FILE"
ADMIN_PASSWORD=$(secret "$DYNSEC_ADMIN_PASSWORD_FILE")

ctrl_fed() {
  # $1: what mosquitto_ctrl reads at its prompts (without the admin password,
  # which it asks for last); the rest: the dynsec command.
  # mosquitto_ctrl exits 0 even when the plugin refuses ("createClient: Error:
  # Client already exists"), so its output is checked too.
  answers=$1
  shift
  # shellcheck disable=SC2086  # MOSQ_CTRL_TLS holds several options on purpose
  out=$(printf '%s%s\n' "$answers" "$ADMIN_PASSWORD" |
    mosquitto_ctrl -h "${MQTT_HOST:-127.0.0.1}" -p "${MQTT_PORT:-1883}" ${MOSQ_CTRL_TLS:-} \
      -u "${DYNSEC_ADMIN:-admin}" dynsec "$@" 2>&1) && status=0 || status=$?
  # The prompts (no newline after them) are not part of the answer.
  said=$(printf '%s\n' "$out" | sed -e 's/New password for [^:]*: //g' \
    -e 's/Reenter password for [^:]*: //g' -e 's/Password for [^:]*: //g' \
    -e 's/^Enter new password for .*//' |
    grep -v -e 'without encryption' -e 'visible on the network' -e '^$' || true)
  if [ "$status" -ne 0 ] || printf '%s' "$said" | grep -q 'Error'; then
    die "dynsec $1 $2: $(printf '%s' "$said" | tr '\n' ' ')"
  fi
}

ctrl() { ctrl_fed '' "$@"; }

# createClient NAME [-c ID] with the password of file $1, asked twice.
create_client() {
  pw=$(secret "$1")
  case "$pw" in '') die "$1: empty password" ;; esac
  shift
  ctrl_fed "$(printf '%s\n%s\n' "$pw" "$pw")
" createClient "$@"
}

venue_id() {
  case "$1" in
    ''|*[!A-Za-z0-9_.-]*|[!A-Za-z0-9]*) die "not a venue or device id: '$1'" ;;
  esac
}

case "${1:-}" in
  base)
    ctrl createRole twin
    ctrl addRoleACL twin subscribePattern 'venues/#' allow
    # Ingest workers share the stream: the plugin checks the $share filter as written.
    ctrl addRoleACL twin subscribePattern '$share/+/venues/#' allow
    ctrl addRoleACL twin publishClientSend 'venues/+/commands/+' allow
    ctrl addRoleACL twin publishClientSend 'venues/+/twin/#' allow
    ctrl addRoleACL twin subscribePattern '$SYS/#' allow
    ctrl createRole viewer
    ctrl addRoleACL viewer subscribePattern 'venues/+/twin/#' allow
    ctrl addRoleACL viewer publishClientSend 'venues/+/twin/actions' allow
    ctrl addRoleACL viewer publishClientSend 'venues/+/twin/resync' allow
    create_client "${TWIN_PASSWORD_FILE:?set TWIN_PASSWORD_FILE}" venue-twin
    ctrl addClientRole venue-twin twin
    create_client "${VIEWER_PASSWORD_FILE:?set VIEWER_PASSWORD_FILE}" venue-twin-viewer
    ctrl addClientRole venue-twin-viewer viewer
    ;;
  venue)
    [ $# -eq 2 ] || die "usage: venue VENUE"
    venue_id "$2"
    ctrl createRole "venue-$2"
    for topic in "venues/$2/sensors/#" "venues/$2/batch" "venues/$2/status/#" "venues/$2/commands/+/ack"; do
      ctrl addRoleACL "venue-$2" publishClientSend "$topic" allow
    done
    ctrl addRoleACL "venue-$2" subscribePattern "venues/$2/commands/+" allow
    ;;
  device)
    [ $# -eq 3 ] || die "usage: device VENUE DEVICE_ID"
    venue_id "$2"
    venue_id "$3"
    create_client "${DEVICE_PASSWORD_FILE:?set DEVICE_PASSWORD_FILE}" "$3" -c "$3"
    ctrl addClientRole "$3" "venue-$2"
    ;;
  *)
    sed -n '2,27p' "$0" >&2
    exit 2
    ;;
esac
