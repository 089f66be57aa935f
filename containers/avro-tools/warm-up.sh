#!/bin/bash
# Image build step: one round of every tool the wrapper runs (rpcreceive and rpcsend over http:// and
# avro://, fromjson, tojson) while the JVM lists the classes it loads, then one class-data-sharing
# archive of them all. Every case starts a JVM or two, and on two shared cores class loading from the
# 70 MB jar dominates that start; the archive changes how classes load, not what the tools do.
# The rounds double as a smoke test: the two tools must talk to each other here.
#   warm-up.sh JAR PROTOCOL ARCHIVE
set -euo pipefail
jar=$1 protocol=$2 archive=$3
java=(java -Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.apache.avro $AVRO_TOOLS_JVM_OPTIONS)
work=$(mktemp -d)
cd "$work"

round() {
  local scheme=$1 port=
  # Made here, not by the background job's redirection: the loop below may read it first (awk
  # failed on a missing receive-http.out once, on a cold build, and set -e ended the build).
  : >"receive-$scheme.out"
  "${java[@]}" -XX:DumpLoadedClassList="receive-$scheme.classes" -jar "$jar" \
    rpcreceive "$scheme://127.0.0.1:0/" "$protocol" greet -data '"Greetings, warm-up."' >"receive-$scheme.out" 2>"receive-$scheme.err" &
  local receiver=$!
  for _ in $(seq 300); do
    port=$(awk '/^Port:/ {print $2}' "receive-$scheme.out")
    [ -n "$port" ] && break
    sleep 0.2
  done
  [ -n "$port" ] || { cat "receive-$scheme.err" >&2; exit 1; }
  "${java[@]}" -XX:DumpLoadedClassList="send-$scheme.classes" -jar "$jar" \
    rpcsend "$scheme://127.0.0.1:$port/" "$protocol" greet -data '{"name": "warm-up"}' >"send-$scheme.out"
  wait "$receiver"
  grep -qx '"Greetings, warm-up."' "send-$scheme.out"
  grep -q $'^greet\t{"name":"warm-up"}' "receive-$scheme.out"
  echo "rpcsend -> rpcreceive over $scheme:// answered"
}
round http
round avro
echo '{"name": "warm-up"}' >request.json
echo '{"type": "record", "name": "greet", "fields": [{"name": "name", "type": "string"}]}' >request.avsc
"${java[@]}" -XX:DumpLoadedClassList=fromjson.classes -jar "$jar" fromjson --schema-file request.avsc request.json >request.avro
"${java[@]}" -XX:DumpLoadedClassList=tojson.classes -jar "$jar" tojson request.avro | grep -qx '{"name":"warm-up"}'
# The lists of different runs number their classes each their own way: keep the names only.
cat ./*.classes | grep -v '^[#@]' | awk '{print $1}' | sort -u >all.classes
java -Xshare:dump $AVRO_TOOLS_JVM_OPTIONS -XX:SharedClassListFile=all.classes -XX:SharedArchiveFile="$archive" -cp "$jar" \
  | grep -E "^(Loading classes|Number of classes|Shared common)" || true
ls -l "$archive"
cd / && rm -rf "$work"
