// How our Avro HTTP client and server cut a message into standard frames.

/**
 * Frames are cut at this size (the framing module's default is 1 MiB). Java's HttpTransceiver, on
 * either side (Jetty's servlet reading a request, the client reading an answer), reads each frame
 * into a ByteBuffer of the frame's length; under G1 (the JVM's choice on a machine of 2 CPUs) an
 * allocation of half a region or more (regions are 1 MiB at least, so 512 KiB) is a humongous
 * object, and each started a concurrent cycle: a 1 MiB echo in 1 MiB frames cost Jetty two
 * humongous allocations per call (the frame and the decoded value), where Java's own client, which
 * writes 8 KiB frames, costs one (-Xlog:gc: 33 "G1 Humongous Allocation" pauses in ~950 calls,
 * 9 in ~440 with 256 KiB frames). Below half the smallest region, and large enough that a frame
 * header per 256 KiB costs nothing.
 */
export const HTTP_FRAME_BYTES = 256 * 1024;
