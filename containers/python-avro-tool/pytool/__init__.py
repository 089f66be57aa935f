"""The python-avro-tool peer's adapter for tooldriver (containers/avro-tool-driver)."""
