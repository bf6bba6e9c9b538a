// Size limits: over the soft limits (messages, batches, replies) a client gets a clear -32008
// answer; the hard frame limit protects memory (ws closes the connection with 1009 "message too big" above it).
export const LIMITS = {
  /** a WebSocket message or an HTTP body larger than this is answered with -32008 */
  messageBytes: 4 * 1024 * 1024,
  /** a WebSocket message larger than this closes the connection (code 1009) */
  hardFrameBytes: 16 * 1024 * 1024,
  /** requests in one batch */
  batch: 256,
  /** one response's JSON; a larger one is answered -32008 instead */
  replyBytes: 4 * 1024 * 1024,
  /** a batch's responses together; past it the rest are answered -32008 without being run */
  batchReplyBytes: 4 * 1024 * 1024,
  /** a request's headers must arrive within this, and the whole request (body too) as well */
  requestTimeoutMs: 10_000,
  /** concurrent connections (HTTP and WebSocket); one more gets 503 */
  connections: 1024,
  /** on SIGTERM, how long requests being answered may still take (the CLI ends the process after 5 s) */
  shutdownDrainMs: 3_000,
  /** a WebSocket peer silent for this long (no pong) is dropped */
  pingIntervalMs: 10_000,
} as const;
