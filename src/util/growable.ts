// A typed array that grows as values are written past its end: a million numbers take 8 MB in a
// Float64Array, several times that as a JS array of boxed values.

/** Capacity doubles, so writing n values copies O(n) in all. */
export class Growable<T extends Float64Array | Int32Array | Uint8Array> {
  data: T;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  set(row: number, v: number): void {
    if (row >= this.data.length) {
      const bigger = this.make(Math.max(2 * this.data.length, row + 1));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[row] = v;
  }
}
