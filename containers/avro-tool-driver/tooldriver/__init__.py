"""The plan-driven wrapper shared by the peers that are released rpcsend / rpcreceive programs.

A program (avro-tools, Python's avro.tool) handles one message per invocation. This package turns a
plan (containers/README.md) into invocations: a client cell runs the program once per call and
compares what it prints with the case; a server listener runs one rpcreceive per case, in the order
the plan lists, behind a relay that owns the plan's port (server.py). The program-specific parts
(command lines, how values go in and come out) are an adapter each peer supplies (program.py).
"""
