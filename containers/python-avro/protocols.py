"""The protocol files of suites/avro/data/protocols, parsed once per process."""

import json
import os
import threading

import avro.protocol

DATA_DIR = os.environ.get("AVRO_CONFORMANCE_DATA", "/spec/suites/avro/data")

_cache = {}
_lock = threading.Lock()


def load(name):
    """The parsed protocol and the names of its one-way messages.

    avro.protocol.Message does not keep the "one-way" attribute (it is neither stored nor written
    back by str(protocol)), so we read it from the protocol's JSON ourselves.
    """
    with _lock:
        if name not in _cache:
            if "/" in name or name.startswith("."):
                raise ValueError(f"not a protocol name: {name!r}")
            with open(os.path.join(DATA_DIR, "protocols", f"{name}.avpr"), encoding="utf-8") as f:
                text = f.read()
            oneway = {m for m, spec in json.loads(text).get("messages", {}).items() if spec.get("one-way")}
            _cache[name] = (avro.protocol.parse(text), frozenset(oneway))
        return _cache[name]
