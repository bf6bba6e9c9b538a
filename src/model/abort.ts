// Cooperative cancellation of the training loops (the meta-model's and the typing network's).

export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('training aborted');
  }
}

/** Lets the event loop run (a worker's abort message, a progress reader) between two steps. */
export const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Yields to the event loop, then throws AbortError if `signal` fired meanwhile. */
export async function abortPoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToLoop();
  if (signal?.aborted) throw new AbortError();
}
