#!/usr/bin/env bash
# The production topology as separate processes on this machine's loopback interface: three Kafka
# nodes (KRaft, replication factor 3), Redis, two engines, two streams instances, two edges behind
# nginx, and the simulated traders. A thin wrapper around `app cluster`; docs/operations.md has the
# ports, variables and procedures.
#
#   infra/local-cluster.sh start [--port-base 20000] [--rate 50] [--dir DIR]   # waits until ready
#   infra/local-cluster.sh status [--dir DIR]
#   infra/local-cluster.sh kill engine-1 [--dir DIR]        # SIGKILL, as a crash would
#   infra/local-cluster.sh start engine-1 [--dir DIR]       # brings back what is missing
#   infra/local-cluster.sh stop [--dir DIR]
#
# Needs a JDK 17+, the built jar (./mvnw -q -DskipTests package) and nginx (Debian: apt-get install nginx).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="${MARKETSTREAM_JAR:-$root/app/target/marketstream.jar}"
if [ ! -f "$jar" ]; then
  echo "no $jar: build it first with ./mvnw -q -DskipTests package (or set MARKETSTREAM_JAR)" >&2
  exit 1
fi
if [ "${1:-}" = "start" ]; then
  shift
  exec java -jar "$jar" cluster start --jar "$jar" "$@"
fi
exec java -jar "$jar" cluster "$@"
