"""Broker options shared by the commands that connect as a device (simulate, record, replay)."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulators.mqtt_config import MqttConfig

__all__ = ["add_broker_args", "mqtt_config"]


def add_broker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="broker host (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=1883, help="broker port (default 1883)")
    p.add_argument("--username", help="broker user name")
    p.add_argument("--password-file", type=Path, help="file holding the broker password")
    p.add_argument("--tls", action="store_true", help="connect with TLS")
    p.add_argument("--ca-file", help="CA certificate for TLS")
    p.add_argument("--cert-file", help="client certificate for TLS (brokers that require one)")
    p.add_argument("--key-file", help="private key of --cert-file (if not in that file)")
    p.add_argument(
        "--client-id",
        default="",
        help="MQTT client id; a device provisioned with dynamic security must use the id "
        "it is bound to (its device id). Default: a random venue-twin-<role>-<hex>",
    )


def mqtt_config(args: argparse.Namespace) -> MqttConfig:
    # A file, not a flag: a password on the command line shows in `ps`.
    password = args.password_file.read_text().strip() if args.password_file else None
    return MqttConfig(
        host=args.host,
        port=args.port,
        username=args.username,
        password=password,
        tls=args.tls or args.cert_file is not None,
        ca_file=args.ca_file,
        cert_file=args.cert_file,
        key_file=args.key_file,
        client_id=getattr(args, "client_id", ""),
    )
