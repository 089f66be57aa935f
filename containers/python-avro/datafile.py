"""The `datafile` role of the Python Avro peer: Avro object container files with avro's own
DataFileWriter / DataFileReader, as the first seed article uses them.

    peer.py datafile write  --schema FILE --codec C --records FILE --out FILE [--block-size N] [--meta K=V ...]
    peer.py datafile append --records FILE --out FILE
    peer.py datafile read   --in FILE [--reader-schema FILE] [--out FILE]
    peer.py datafile batch  --jobs FILE

Records files are JSON arrays of values in the case notation (suites/avro/data/README.md), read
against the writer's schema. `read` prints one JSON line per record in the same notation, read
against the reader's schema (or the writer's); when the library raises, it prints a last line
{"$error": "<exception type>: <message>"} and exits 1.

`batch` runs a JSON list of jobs ({"op": "write" | "append" | "read", and the options above as
keys without dashes}) in one process, so that the suite starts this peer once per batch; read jobs
need "out". It prints one JSON line per job: {"job": i, "ok": bool, "error": str|null,
"records": n, "seconds": t, "cpuSeconds": c}, c being the process's CPU time over the job.
"""

import datetime
import decimal
import json
import time
import uuid

import avro.datafile
import avro.io
import avro.schema

import values
from scalars import float_notation, integer_notation


def notation(schema, value):
    """Python value read by avro -> the case notation, exactly (unlike values.to_notation, which is for diagnostics)."""
    kind = schema.type
    lt = values.logical(schema)
    if isinstance(value, datetime.datetime):
        micros = (value - values.EPOCH) // datetime.timedelta(microseconds=1)
        return integer_notation(micros // 1000 if lt == "timestamp-millis" else micros)
    if isinstance(value, datetime.date):
        return (value - values.EPOCH_DATE).days
    if isinstance(value, datetime.time):
        micros = (datetime.datetime.combine(values.MIDNIGHT, value) - values.MIDNIGHT) // datetime.timedelta(microseconds=1)
        return micros // 1000 if lt == "time-millis" else integer_notation(micros)
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return str(value)
    if kind in ("union", "error_union"):
        if value is None:
            return None
        branch = values.chosen_branch(schema, value)
        if branch is None:
            raise ValueError(f"value {value!r} fits no branch of {schema}")
        return {values.branch_name(branch): notation(branch, value)}
    if kind in ("int", "long"):
        return integer_notation(value)
    if kind in ("float", "double"):
        return float_notation(float(value))
    if kind in ("bytes", "fixed"):
        return {"$hex": bytes(value).hex()}
    if kind == "array":
        return [notation(schema.items, item) for item in value]
    if kind == "map":
        return {key: notation(schema.values, item) for key, item in value.items()}
    if kind in ("record", "error"):
        return {field.name: notation(field.type, value.get(field.name)) for field in schema.fields}
    return value  # null, boolean, string, enum


def _parse_schema_file(path):
    with open(path, encoding="utf-8") as f:
        return avro.schema.parse(f.read())


def _load_records(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write(schema, codec, records, out, block_size=None, meta=None, repeat=1):
    parsed = _parse_schema_file(schema)
    if block_size is not None:
        # The library's block size is the module constant SYNC_INTERVAL, read on every append.
        avro.datafile.SYNC_INTERVAL = int(block_size)
    count = 0
    with open(out, "wb") as f:
        writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), parsed, codec=codec)
        for key, value in (meta or {}).items():
            writer.set_meta(key, value.encode("utf-8"))
        converted = [values.to_python(parsed, record) for record in _load_records(records)]
        for _ in range(repeat):  # the benchmark writes the same records many times
            for record in converted:
                writer.append(record)
                count += 1
        writer.close()
    return count


def append(records, out):
    count = 0
    with open(out, "a+b") as f:
        # Given no schema, DataFileWriter reads the file's header and appends with its schema,
        # codec and sync marker.
        writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter())
        parsed = avro.schema.parse(writer.get_meta("avro.schema").decode("utf-8"))
        for record in _load_records(records):
            writer.append(values.to_python(parsed, record))
            count += 1
        writer.close()
    return count


def read(path, emit, reader_schema=None, render=True):
    readers = _parse_schema_file(reader_schema) if reader_schema else None
    count = 0
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader(readers_schema=readers))
        schema = readers or avro.schema.parse(reader.get_meta("avro.schema").decode("utf-8"))
        for record in reader:
            if render:
                emit(json.dumps(notation(schema, record), ensure_ascii=False, allow_nan=False))
            count += 1
        reader.close()
    return count


def _describe(error):
    return f"{type(error).__name__}: {error}"


def run_read_to(path, out, reader_schema=None):
    """Reads into a JSON-lines file; an error becomes the last line. Returns (count, error)."""
    with open(out, "w", encoding="utf-8") as sink:
        emitted = [0]

        def emit(line):
            sink.write(line + "\n")
            emitted[0] += 1

        try:
            read(path, emit, reader_schema)
            return emitted[0], None
        except Exception as error:  # the library's own refusal, recorded as the outcome
            sink.write(json.dumps({"$error": _describe(error)}) + "\n")
            return emitted[0], _describe(error)


def batch(jobs_path):
    with open(jobs_path, encoding="utf-8") as f:
        jobs = json.load(f)
    for index, job in enumerate(jobs):
        started, cpu_started = time.perf_counter(), time.process_time()
        error, count = None, 0
        try:
            op = job["op"]
            if op == "write":
                count = write(job["schema"], job["codec"], job["records"], job["out"], job.get("blockSize"), job.get("meta"), job.get("repeat", 1))
            elif op == "append":
                count = append(job["records"], job["out"])
            elif op == "read" and job.get("discard"):
                count = read(job["in"], lambda line: None, job.get("readerSchema"), render=False)
            elif op == "read":
                count, error = run_read_to(job["in"], job["out"], job.get("readerSchema"))
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as caught:
            error = _describe(caught)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        print(json.dumps({"job": index, "ok": error is None, "error": error, "records": count, "seconds": seconds, "cpuSeconds": cpu_seconds}), flush=True)
    return 0


def main(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="peer datafile", description="Avro object container files (Python avro)")
    parser.add_argument("op", choices=["write", "append", "read", "batch"])
    parser.add_argument("--schema")
    parser.add_argument("--codec", default="null")
    parser.add_argument("--records")
    parser.add_argument("--out")
    parser.add_argument("--in", dest="input")
    parser.add_argument("--reader-schema")
    parser.add_argument("--block-size", type=int)
    parser.add_argument("--meta", action="append", default=[], help="K=V user metadata")
    parser.add_argument("--jobs")
    args = parser.parse_args(argv)
    if args.op == "batch":
        return batch(args.jobs)
    if args.op == "write":
        meta = dict(item.split("=", 1) for item in args.meta)
        write(args.schema, args.codec, args.records, args.out, args.block_size, meta)
        return 0
    if args.op == "append":
        append(args.records, args.out)
        return 0
    if args.out:
        _, error = run_read_to(args.input, args.out, args.reader_schema)
        return 1 if error else 0
    try:
        read(args.input, print, args.reader_schema)
        return 0
    except Exception as error:
        print(json.dumps({"$error": _describe(error)}), flush=True)
        return 1
