package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * The "datafile" role: Avro object container files with Avro's own DataFileWriter and
 * DataFileReader (generic data). The same command line as the Python peer:
 *
 * <pre>
 * datafile write  --schema FILE --codec C --records FILE --out FILE [--block-size N]
 * datafile append --records FILE --out FILE
 * datafile read   --in FILE [--reader-schema FILE] [--out FILE]
 * datafile batch  --jobs FILE
 * </pre>
 *
 * Records files are JSON arrays in the case notation (suites/avro/data/README.md). "read" prints
 * one JSON line per record, read against the reader's schema (or the writer's), and when the
 * library throws, a last line {"$error": "exception: message"}. "batch" runs a JSON list of jobs
 * in one JVM and prints one result line per job: {"job", "ok", "error", "records", "seconds",
 * "cpuSeconds"}, the last being the process's CPU time over the job (every thread).
 */
final class DataFiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private DataFiles() {}

  static int main(String[] args) throws Exception {
    if (args.length == 0) throw new IllegalArgumentException("datafile needs write|append|read|batch");
    ObjectNode job = JSON.createObjectNode().put("op", args[0]);
    for (int i = 1; i + 1 < args.length; i += 2) {
      String key = args[i].replaceFirst("^--", "");
      String name = switch (key) {
        case "reader-schema" -> "readerSchema";
        case "block-size" -> "blockSize";
        default -> key;
      };
      job.put(name, args[i + 1]);
    }
    switch (args[0]) {
      case "batch":
        return batch(new File(job.path("jobs").asText()));
      case "read":
        if (!job.has("out")) {
          PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
          try {
            read(job, line -> out.println(line));
            return 0;
          } catch (Exception e) {
            out.println(errorLine(e));
            return 1;
          } finally {
            out.flush();
          }
        }
        return run(job) == null ? 0 : 1;
      default:
        run(job);
        return 0;
    }
  }

  interface Lines {
    void emit(String line) throws IOException;
  }

  private static int batch(File jobsFile) throws IOException {
    JsonNode jobs = JSON.readTree(jobsFile);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    // CPU time of the whole process (the JIT compilers and the collector are Java's cost too); -1 where unsupported.
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int i = 0; i < jobs.size(); i++) {
      long started = System.nanoTime();
      long cpuStarted = os.getProcessCpuTime();
      ObjectNode result = NODES.objectNode().put("job", i);
      String error;
      long[] count = {0};
      try {
        error = runCounting(jobs.get(i), count);
      } catch (Exception | StackOverflowError | OutOfMemoryError e) {
        error = describe(e);
      }
      result.put("ok", error == null);
      if (error == null) result.putNull("error"); else result.put("error", error);
      long cpuEnded = os.getProcessCpuTime();
      result.put("records", count[0]).put("seconds", (System.nanoTime() - started) / 1e9);
      if (cpuStarted >= 0 && cpuEnded >= 0) result.put("cpuSeconds", (cpuEnded - cpuStarted) / 1e9);
      out.println(result);
    }
    return 0;
  }

  /** Runs one job; read errors are written into the job's output and returned. */
  private static String run(JsonNode job) throws Exception {
    return runCounting(job, new long[1]);
  }

  private static String runCounting(JsonNode job, long[] count) throws Exception {
    switch (job.path("op").asText()) {
      case "write":
        count[0] = write(job);
        return null;
      case "append":
        count[0] = append(job);
        return null;
      case "read":
        if (job.path("discard").asBoolean(false)) {
          count[0] = read(job, null);
          return null;
        }
        try (Writer sink = Files.newBufferedWriter(new File(job.path("out").asText()).toPath(), StandardCharsets.UTF_8)) {
          try {
            count[0] = read(job, line -> sink.write(line + "\n"));
            return null;
          } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            sink.write(errorLine(e) + "\n");
            return describe(e);
          }
        }
      default:
        throw new IllegalArgumentException("unknown op " + job.path("op").asText());
    }
  }

  private static long write(JsonNode job) throws IOException {
    Schema schema = new Schema.Parser().parse(new File(job.path("schema").asText()));
    try (DataFileWriter<Object> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
      writer.setCodec(CodecFactory.fromString(job.path("codec").asText("null")));
      if (job.hasNonNull("blockSize")) writer.setSyncInterval(job.get("blockSize").asInt());
      writer.create(schema, new File(job.path("out").asText()));
      return appendAll(writer, schema, job.path("records").asText(), job.path("repeat").asInt(1));
    }
  }

  private static long append(JsonNode job) throws IOException {
    File file = new File(job.path("out").asText());
    Schema schema;
    try (DataFileReader<Object> existing = new DataFileReader<>(file, new GenericDatumReader<>())) {
      schema = existing.getSchema();
    }
    // appendTo reuses the file's schema, codec and sync marker.
    try (DataFileWriter<Object> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema)).appendTo(file)) {
      return appendAll(writer, schema, job.path("records").asText(), 1);
    }
  }

  /** Appends the records, repeat times over (the benchmark writes the same records many times). */
  private static long appendAll(DataFileWriter<Object> writer, Schema schema, String recordsPath, int repeat) throws IOException {
    java.util.List<Object> records = new java.util.ArrayList<>();
    for (JsonNode record : JSON.readTree(new File(recordsPath))) records.add(fromNotation(schema, record));
    long count = 0;
    for (int r = 0; r < repeat; r++) {
      for (Object record : records) {
        writer.append(record);
        count++;
      }
    }
    return count;
  }

  /**
   * Records may leave fields out (the seed's example does): the record is built as an
   * application would, setting only the fields given, so the library sees what it would see there.
   */
  private static Object fromNotation(Schema schema, JsonNode node) {
    if (schema.getType() != Schema.Type.RECORD || !node.isObject()) return Notation.read(schema, node);
    GenericData.Record record = new GenericData.Record(schema);
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      Schema.Field field = schema.getField(name);
      if (field == null) throw new IllegalArgumentException("field " + name + " is not in " + schema.getFullName());
      record.put(field.pos(), Notation.read(field.schema(), node.get(name)));
    }
    return record;
  }

  private static long read(JsonNode job, Lines lines) throws Exception {
    Schema readerSchema = job.hasNonNull("readerSchema") ? new Schema.Parser().parse(new File(job.get("readerSchema").asText())) : null;
    long count = 0;
    try (DataFileReader<Object> reader = new DataFileReader<>(new File(job.path("in").asText()), new GenericDatumReader<>(null, readerSchema))) {
      Schema schema = readerSchema != null ? readerSchema : reader.getSchema();
      for (Object record : reader) {
        if (lines != null) lines.emit(JSON.writeValueAsString(render(schema, record)));
        count++;
      }
    }
    return count;
  }

  private static String errorLine(Throwable e) throws IOException {
    return JSON.writeValueAsString(NODES.objectNode().put("$error", describe(e)));
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(e.getClass().getName() + ": " + e.getMessage());
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      text.append(" / caused by ").append(cause.getClass().getName()).append(": ").append(cause.getMessage());
    }
    return text.toString();
  }

  /** A value read by GenericDatumReader -> the case notation, exactly (no abbreviation). */
  static JsonNode render(Schema schema, Object value) {
    switch (schema.getType()) {
      case NULL: return NODES.nullNode();
      case BOOLEAN: return NODES.booleanNode((Boolean) value);
      case INT: return NODES.numberNode((Integer) value);
      case LONG: {
        long l = (Long) value;
        return Math.abs(l) <= (1L << 53) ? NODES.numberNode(l) : NODES.textNode(Long.toString(l));
      }
      case FLOAT: return real(((Float) value).doubleValue());
      case DOUBLE: return real((Double) value);
      case BYTES: {
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal decimal && bytes.length > 0)
          return NODES.objectNode().put("$decimal", new BigDecimal(new BigInteger(bytes), decimal.getScale()).toPlainString());
        return hex(bytes);
      }
      case FIXED: return hex(((GenericFixed) value).bytes());
      case STRING: return NODES.textNode(value.toString());
      case ENUM: return NODES.textNode(((GenericEnumSymbol<?>) value).toString());
      case ARRAY: {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Collection<?>) value) array.add(render(schema.getElementType(), item));
        return array;
      }
      case MAP: {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet())
          object.set(entry.getKey().toString(), render(schema.getValueType(), entry.getValue()));
        return object;
      }
      case UNION: {
        Schema branch = schema.getTypes().get(GenericData.get().resolveUnion(schema, value));
        if (branch.getType() == Schema.Type.NULL) return NODES.nullNode();
        return NODES.objectNode().set(branch.getFullName(), render(branch, value));
      }
      case RECORD: {
        GenericRecord record = (GenericRecord) value;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) object.set(field.name(), render(field.schema(), record.get(field.pos())));
        return object;
      }
      default: throw new IllegalArgumentException("unsupported schema type " + schema.getType());
    }
  }

  private static JsonNode real(double d) {
    if (Double.isNaN(d)) return NODES.textNode("NaN");
    if (Double.isInfinite(d)) return NODES.textNode(d > 0 ? "Infinity" : "-Infinity");
    if (d == 0 && 1 / d < 0) return NODES.textNode("-0.0");
    return NODES.numberNode(d);
  }

  private static JsonNode hex(byte[] bytes) {
    StringBuilder text = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) text.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    return NODES.objectNode().put("$hex", text.toString());
  }
}
