package org.conformance.thrift.peer;

import java.util.Map;

/** The implementation of one service: answers a call by function name with the argument values by name. */
interface Handler {
  /**
   * Returns the answer (null for void and one-way). A declared exception is thrown as
   * {@link Raised}; a TApplicationException reaches the client as it is; anything else is
   * undeclared and answered as INTERNAL_ERROR by the processor.
   */
  Object call(Idl.Function function, Map<String, Object> arguments) throws Exception;

  /** A declared exception of the IDL, carrying its value. */
  final class Raised extends Exception {
    private static final long serialVersionUID = 1L;
    final transient StructValue value;

    Raised(StructValue value) {
      super(value.definition().name(), null, false, false);
      this.value = value;
    }
  }
}
