// Size limits: over the soft limits a client gets a clear -32008 answer; the hard frame limit
// protects memory (ws closes the connection with 1009 "message too big" above it).
export const LIMITS = {
  /** a WebSocket message or an HTTP body larger than this is answered with -32008 */
  messageBytes: 4 * 1024 * 1024,
  /** a WebSocket message larger than this closes the connection (code 1009) */
  hardFrameBytes: 16 * 1024 * 1024,
  /** requests in one batch */
  batch: 256,
  /** a WebSocket peer silent for this long (no pong) is dropped */
  pingIntervalMs: 10_000,
} as const;
