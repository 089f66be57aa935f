"""The avro-tools peer's adapter for tooldriver (containers/avro-tool-driver)."""
