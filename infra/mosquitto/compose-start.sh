#!/bin/sh
# The broker's entrypoint in docker-compose: on first start, initialise dynamic
# security and provision the twin, the viewers and one device from the
# environment; then run Mosquitto.
#
# Passwords come from the environment and reach mosquitto_ctrl only on its
# standard input (through files in a private temporary directory), never on
# a command line. Changing a password in .env later does not change the
# broker's: use `mosquitto_ctrl dynsec setClientPassword` (docs/mqtt-security.md).
set -eu

# The paths of the eclipse-mosquitto image (overridable for tests).
STORE=${DYNSEC_STORE:-/mosquitto/data/dynamic-security.json}
CONF=${MOSQUITTO_CONF:-/mosquitto/config/mosquitto.conf}
BROKER=${MOSQUITTO_BIN:-/usr/sbin/mosquitto}
PROVISION=${DYNSEC_PROVISION:-/mosquitto/config/dynsec-provision.sh}

# The image's own entrypoint, replaced here, gives /mosquitto to the user the
# broker runs as; so does this (DATA_OWNER= skips it, e.g. in tests).
owner=${DATA_OWNER-mosquitto:mosquitto}
if [ -n "$owner" ] && [ "$(id -u)" = 0 ]; then
  chown -R "$owner" "$(dirname "$STORE")" 2>/dev/null || true
fi

fresh=false
if [ ! -f "$STORE" ]; then
  printf '%s\n%s\n' "$DYNSEC_ADMIN_PASSWORD" "$DYNSEC_ADMIN_PASSWORD" |
    mosquitto_ctrl dynsec init "$STORE" admin >/dev/null
  [ -z "$owner" ] || chown "$owner" "$STORE" 2>/dev/null || true
  chmod 0600 "$STORE"
  fresh=true
fi

"$BROKER" -c "$CONF" &
broker=$!
trap 'kill -TERM "$broker"' TERM INT

if [ "$fresh" = true ]; then
  umask 077
  secrets=$(mktemp -d)
  printf '%s\n' "$DYNSEC_ADMIN_PASSWORD" >"$secrets/admin"
  printf '%s\n' "$MQTT_TWIN_PASSWORD" >"$secrets/twin"
  printf '%s\n' "$MQTT_VIEWER_PASSWORD" >"$secrets/viewer"
  printf '%s\n' "$MQTT_DEVICE_PASSWORD" >"$secrets/device"
  export DYNSEC_ADMIN_PASSWORD_FILE="$secrets/admin" TWIN_PASSWORD_FILE="$secrets/twin" \
    VIEWER_PASSWORD_FILE="$secrets/viewer" DEVICE_PASSWORD_FILE="$secrets/device"
  i=0
  until sh "$PROVISION" base; do
    i=$((i + 1))
    [ "$i" -lt 30 ] || { echo "compose-start: the broker never answered" >&2; kill -TERM "$broker"; exit 1; }
    sleep 1
  done
  sh "$PROVISION" venue "$MQTT_DEVICE_VENUE"
  sh "$PROVISION" device "$MQTT_DEVICE_VENUE" "$MQTT_DEVICE_ID"
  rm -rf "$secrets"
fi

status=0
wait "$broker" || status=$?
# A signal interrupts `wait`: wait again while the broker saves and exits.
if kill -0 "$broker" 2>/dev/null; then
  status=0
  wait "$broker" || status=$?
fi
exit "$status"
