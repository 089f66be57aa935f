// The byte recorders the suite hands to an implementation (optional to use): an implementation that
// reports what it writes and reads gets its bytes shown as hex dumps on failures and with --trace.
// Same shapes as impls/wire/recorder.ts, restated here so that an adapter needs no runtime import.
export interface WireRecorder {
  sent(bytes: Uint8Array): void;
  received(bytes: Uint8Array): void;
}

/** A server asks for one recorder per accepted connection (HTTP: per exchange). */
export interface ConnectionRecorders {
  connection(peer: string): WireRecorder;
}
