#!/bin/sh
# Build step: records the classes a server plan loads and dumps them into a class-data-sharing
# archive (AppCDS), which takes roughly 40% off the JVM's start-to-READY. The training plan starts
# one listener per transport (mail protocol) on this build container's own loopback; the archive
# only speeds things up: a JVM that cannot use it (-Xshare:auto, the default) starts without it.
set -eu
JAVA="java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
CP="/app/peer.jar:/app/lib/*"
DIR=/tmp/cds-training
mkdir -p $DIR/protocols
cp /app/cds/mail.avpr $DIR/protocols/mail.avpr
cat > $DIR/plan.json <<'PLAN'
{"listeners": [
 {"key": "http", "transport": "http", "protocol": "mail", "serverKind": "jetty", "host": "127.0.0.1", "port": 47101},
 {"key": "tcp", "transport": "tcp", "protocol": "mail", "serverKind": "SocketServer", "host": "127.0.0.1", "port": 47102},
 {"key": "sasl", "transport": "sasl", "protocol": "mail", "serverKind": "SaslSocketServer", "host": "127.0.0.1", "port": 47103},
 {"key": "netty", "transport": "netty", "protocol": "mail", "serverKind": "NettyServer", "host": "127.0.0.1", "port": 47104}
]}
PLAN
$JAVA -XX:DumpLoadedClassList=$DIR/classes.lst -Dconformance.data=$DIR -cp "$CP" org.conformance.avro.peer.Main \
  server --plan $DIR/plan.json > $DIR/out 2> $DIR/err &
SERVER=$!
i=0
until grep -q '^READY' $DIR/out; do
  i=$((i + 1))
  if [ $i -gt 600 ]; then echo "training server never printed READY" >&2; cat $DIR/err >&2; exit 1; fi
  sleep 0.1
done
if grep -q '^FAILED' $DIR/out; then cat $DIR/out $DIR/err >&2; exit 1; fi
kill $SERVER
wait $SERVER || true
$JAVA -Xshare:dump -XX:SharedClassListFile=$DIR/classes.lst -XX:SharedArchiveFile=/app/peer.jsa -cp "$CP" > $DIR/dump 2>&1 \
  || { cat $DIR/dump >&2; exit 1; }
echo "CDS archive: $(wc -l < $DIR/classes.lst) classes, $(du -k /app/peer.jsa | cut -f1) KiB"
rm -rf $DIR /app/cds
