// Store writes one at a time, in arrival order, whatever transport they came by.
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(write: () => Promise<T>): Promise<T> {
    const next = this.tail.then(write);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** resolves when every queued write has settled */
  async drain(): Promise<void> {
    await this.tail;
  }
}
