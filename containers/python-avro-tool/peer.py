"""The python-avro-tool peer: `peer server --plan FILE` / `peer client --plan FILE` (containers/README.md)."""

import sys

from pytool.program import PythonAvroTool
from tooldriver.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], PythonAvroTool()))
