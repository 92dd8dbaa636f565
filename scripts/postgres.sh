#!/usr/bin/env bash
# Install (as root, from Debian's packages) and start a local PostgreSQL for the tests; print its URL.
# Idempotent: a second run finds the server running and the role and database in place.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then echo "postgres: not root, cannot install postgresql" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 30); do runuser -u postgres -- pg_isready -q -h 127.0.0.1 && break; sleep 1; done
runuser -u postgres -- psql -qtc "SELECT 1 FROM pg_roles WHERE rolname='heatproof'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE ROLE heatproof LOGIN PASSWORD 'heatproof'" >&2
# the tests run in parallel workers, each with a database of its own (tests/conftest.py)
runuser -u postgres -- psql -qc "ALTER ROLE heatproof CREATEDB" >&2
runuser -u postgres -- psql -qtc "SELECT 1 FROM pg_database WHERE datname='heatproof'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE DATABASE heatproof OWNER heatproof" >&2
echo "postgresql+psycopg://heatproof:heatproof@127.0.0.1:5432/heatproof"
