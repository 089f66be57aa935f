"""The avro-tools peer: `peer server --plan FILE` / `peer client --plan FILE` (containers/README.md)."""

import sys

from avrotools.program import AvroTools
from tooldriver.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], AvroTools()))
