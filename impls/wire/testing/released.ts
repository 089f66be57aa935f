// What a test's servers freed with releaseNow (wire/release.ts): every ArrayBuffer detached by
// transfer() while recording, with its size then. Observed at ArrayBuffer.prototype.transfer, not
// by mocking the module: the unit project shares modules between test files (isolate: false),
// where vi.mock does not reliably replace one already loaded.

export interface ReleaseRecording {
  /** Sizes of the ArrayBuffers detached so far. */
  readonly sizes: readonly number[];
  /** Puts transfer back as it was. */
  stop(): void;
}

/** Records the ArrayBuffers detached (transferred to length 0) in this process until stop(). */
export function recordReleases(): ReleaseRecording {
  const original = ArrayBuffer.prototype.transfer;
  const sizes: number[] = [];
  ArrayBuffer.prototype.transfer = function transfer(this: ArrayBuffer, newLength?: number): ArrayBuffer {
    if (newLength === 0) sizes.push(this.byteLength);
    return original.call(this, newLength);
  };
  return { sizes, stop: () => { ArrayBuffer.prototype.transfer = original; } };
}
