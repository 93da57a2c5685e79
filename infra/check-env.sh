#!/bin/sh
# Refuses to start the stack with missing, short or example secrets.
#
# docker-compose runs this first (service `preflight`); every other service
# waits for it to succeed. infra/env.example ships working-looking values
# ("change-me..."): a stack started with them would be open to anyone who has
# read this repository, so they are refused here, and again by the app itself
# (venue_twin/example_secrets.py).
#
# Checks the variables below, and that the broker's TLS files exist in
# $CERT_DIR (default /mosquitto/certs) unless CERT_DIR is empty.
set -eu

SECRETS="POSTGRES_PASSWORD MQTT_TWIN_PASSWORD MQTT_VIEWER_PASSWORD MQTT_DEVICE_PASSWORD DYNSEC_ADMIN_PASSWORD"
MIN_LENGTH=12
problems=""

note() { problems="${problems}  - $1
"; }

for name in $SECRETS MQTT_INGEST_CLIENT_ID MQTT_DEVICE_ID; do
  eval "value=\${$name:-}"
  case "$value" in
    '') note "$name is not set" ;;
    *change-me*|*CHANGE-ME*|*Change-Me*) note "$name still has the example value of infra/env.example" ;;
  esac
done
for name in $SECRETS; do
  eval "value=\${$name:-}"
  if [ -n "$value" ] && [ "${#value}" -lt "$MIN_LENGTH" ]; then
    note "$name is shorter than $MIN_LENGTH characters"
  fi
done

cert_dir=${CERT_DIR-/mosquitto/certs}
if [ -n "$cert_dir" ]; then
  for f in ca.crt server.crt server.key; do
    [ -r "$cert_dir/$f" ] || note "$cert_dir/$f is missing: make the broker's TLS files (docs/mqtt-security.md, Certificates)"
  done
fi

if [ -n "$problems" ]; then
  printf 'venue-twin refuses to start:\n%sSet these in .env (generate with: openssl rand -base64 24), then start again.\n' "$problems" >&2
  exit 1
fi
echo "venue-twin preflight: secrets and certificates are set"
