// The Thrift conformance service. Written for this suite: every reference peer and the TypeScript
// implementation generate their code from this one file, so a disagreement is a wire disagreement.
//
// What each method answers is fixed in README.md ("Server semantics"); cases.json says what to send.

namespace py conformance
namespace java org.conformance.thrift
namespace js conformance

// ---- enums and typedefs -------------------------------------------------------------------------

// Sparse values (not 0..n-1) so that an implementation that sends ordinals instead of values shows.
enum Color {
  RED = 1,
  GREEN = 2,
  BLUE = 4,
  ULTRAVIOLET = 1000000,
}

typedef i64 Millis
typedef map<string, string> Labels
typedef list<Point> Polyline

// uuid (Thrift 0.19+): 16 bytes on the wire in binary and compact, the canonical string in JSON.
// Any 16 bytes are a valid uuid; cases send values that are not RFC 4122 on purpose. Debian's
// thrift-compiler 0.19.0 cannot generate py or js code for it (see README.md, "uuid").

// ---- structs ------------------------------------------------------------------------------------

struct Empty {
}

struct Point {
  1: required i32 x,
  2: required i32 y,
}

// One field of every scalar type, all default requiredness.
struct Scalars {
  1: bool flag,
  2: i8 tiny,
  3: i16 small,
  4: i32 medium,
  5: i64 large,
  6: double real,
  7: string text,
  8: binary blob,
  9: Color color,
}

struct Shape {
  1: string name,
  2: Polyline outline,
  3: optional Point center,
  4: map<string, Point> anchors,
  5: set<string> tags,
}

// A struct holding structs holding structs: nesting three levels down, in containers and not.
struct Drawing {
  1: Shape frame,
  2: list<Shape> shapes,
  3: map<string, Shape> byName,
  4: Scalars meta,
  5: optional Drawing inset,
}

// Requiredness and defaults. A reader fills in defaults for default-requiredness fields that are
// absent; optional fields stay absent; a required field must be on the wire.
struct Defaults {
  1: required i64 id,
  2: i32 count = 7,
  3: string label = "seven",
  4: optional string note,
  5: optional i32 limit = 42,
  6: list<i32> primes = [2, 3, 5, 7],
  7: Color color = Color.GREEN,
  8: double ratio = 0.5,
}

// Large and irregular gaps between field ids: ids above 15 need the long field header in compact.
struct Sparse {
  1: optional string first,
  16: optional string sixteen,
  255: optional i32 byteEdge,
  1000: optional list<i64> thousand,
  32767: optional string last,
}

union Choice {
  1: i32 number,
  2: string text,
  3: Point point,
  4: binary raw,
  5: list<string> words,
  6: Empty nothing,
}

// Containers of containers of structs, with non-string and negative map keys.
struct Deep {
  1: list<map<string, list<Point>>> layers,
  2: map<i32, map<i64, string>> grid,
  3: list<list<list<i32>>> cube,
  4: map<string, set<i64>> buckets,
  5: list<Choice> choices,
}

// Every uuid position: a plain field, an optional one, list and set elements, map keys.
struct Tagged {
  1: uuid id,
  2: optional uuid parent,
  3: list<uuid> trail,
  4: map<uuid, string> names,
  5: set<uuid> seen,
}

// Schema evolution. Every server knows Evolving; EvolvingV2 is "the same struct in a newer release
// of the IDL": field 1 plus a field of every type. A client may write an EvolvingV2 where an
// Evolving is declared ($as in the value notation), and evolvedAnswer's servers write an
// EvolvingV2 in place of the declared Evolving: the reader must skip every field it does not know.
struct Evolving {
  1: i32 id,
}

struct EvolvingV2 {
  1: i32 id,
  2: bool flag,
  3: i8 tiny,
  4: i16 small,
  5: i32 medium,
  6: i64 large,
  7: double real,
  8: string text,
  9: binary blob,
  10: uuid tag,
  11: Color color,
  12: Point point,
  13: Choice choice,
  14: list<uuid> tags,
  15: set<string> names,
  16: map<i64, Point> byId,
  17: list<list<i32>> nested,
  18: Empty nothing,
  19: map<uuid, list<binary>> blobsByTag,
}

// ---- exceptions ---------------------------------------------------------------------------------

exception ConformanceError {
  1: i32 code,
  2: string reason,
}

exception OtherError {
  1: string detail,
  2: list<i32> trail,
  3: optional Point where,
}

// ---- the services -------------------------------------------------------------------------------

service Conformance {
  // Nothing in, nothing out: the smallest round trip.
  void ping(),

  // Every echo* method answers its argument unchanged.
  string echoString(1: string value),
  bool echoBool(1: bool value),
  i8 echoByte(1: i8 value),
  i16 echoI16(1: i16 value),
  i32 echoI32(1: i32 value),
  i64 echoI64(1: i64 value),
  double echoDouble(1: double value),
  binary echoBinary(1: binary value),
  Color echoEnum(1: Color value),
  Millis echoTypedef(1: Millis value),

  Point echoPoint(1: Point value),
  Scalars echoScalars(1: Scalars value),
  Drawing echoDrawing(1: Drawing value),
  Defaults echoDefaults(1: Defaults value),
  Sparse echoSparse(1: Sparse value),
  Empty echoEmpty(1: Empty value),
  Choice echoChoice(1: Choice value),
  Deep echoDeep(1: Deep value),

  list<i32> echoList(1: list<i32> value),
  set<i32> echoSet(1: set<i32> value),
  map<i32, i32> echoMap(1: map<i32, i32> value),
  Labels echoLabels(1: Labels value),
  map<i64, string> echoI64Map(1: map<i64, string> value),
  map<i32, map<i32, i32>> echoMapOfMaps(1: map<i32, map<i32, i32>> value),
  list<binary> echoBinaryList(1: list<binary> value),
  map<Color, list<Point>> echoEnumMap(1: map<Color, list<Point>> value),

  // Many arguments of different types, numbered out of order: the answer gathers them.
  Scalars gather(3: i16 small, 1: bool flag, 2: i8 tiny, 4: i32 medium, 5: i64 large,
                 6: double real, 7: string text, 8: binary blob, 9: Color color),

  // a + b with 64-bit wrap-around.
  i64 add(1: i64 a, 2: i64 b),

  // kind "conformance" raises ConformanceError{code, reason}; "other" raises
  // OtherError{detail: reason, trail: [code]}; anything else returns normally.
  void fail(1: string kind, 2: i32 code, 3: string reason)
    throws (1: ConformanceError conformance, 2: OtherError other),

  // Raises an exception the IDL does not declare, whose message contains reason.
  string failUndeclared(1: string reason),

  // One-way: remembers note; lastNote answers the last note remembered ("" if none).
  oneway void notify(1: string note),
  string lastNote(),

  // uuid: echoes, unchanged.
  uuid echoUuid(1: uuid value),
  Tagged echoTagged(1: Tagged value),

  // Unknown fields in a request: answers Evolving{id: value.id}, whatever else arrived.
  Evolving echoEvolving(1: Evolving value),
  // Unknown fields in an answer: the server writes EvolvingV2 with the fixed values of README.md
  // ("evolvedAnswer") and id, in place of the declared Evolving.
  Evolving evolvedAnswer(1: i32 id),

  // Raises TApplicationException{type, message} itself: it reaches the client as it was raised.
  void failApplication(1: i32 type, 2: string message),
  // One-way, and raises an undeclared exception: nothing is answered; the connection carries on.
  oneway void failOneway(1: string reason),
}

// A second service, registered beside Conformance under the multiplexed protocols only, so that
// routing by service name is tested: the same method name answers differently.
service Secondary {
  string echoString(1: string value),
}
