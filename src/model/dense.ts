// Small dense linear algebra on row-major Float64Array matrices: what the context posterior
// (a Z×Z Laplace step, Z ≈ 4) and the per-level residual GP (a few dozen distinct settings) need.
// Plain typed-array loops rather than a matrix library: at these sizes allocation and object
// overhead, not flops, is the cost, and these few routines are all that is used.

/**
 * Lower Cholesky factor L (L·Lᵀ = A) of a symmetric n×n matrix, into a new array. A tiny ridge
 * that grows ×10 per retry is added when A is not numerically positive definite; `jitter` reports
 * the ridge used (0 when none was needed).
 */
export function cholesky(a: ArrayLike<number>, n: number): { l: Float64Array; jitter: number } {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + i]!));
  let jitter = 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    const l = tryCholesky(a, n, jitter);
    if (l) return { l, jitter };
    jitter = jitter === 0 ? 1e-10 * Math.max(scale, 1e-12) : jitter * 10;
  }
  throw new Error(`cholesky: matrix is not positive definite even with a ridge of ${jitter}`);
}

function tryCholesky(a: ArrayLike<number>, n: number, ridge: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}

/** Solves L·x = b (L lower triangular) in place of a copy of b. */
export function forwardSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Solves Lᵀ·x = b (L lower triangular). */
export function backSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** A⁻¹·b from A's Cholesky factor. */
export function cholSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return backSolve(l, n, forwardSolve(l, n, b));
}

/** log det A from A's Cholesky factor. */
export function cholLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += 2 * Math.log(l[i * n + i]!);
  return s;
}

/** A⁻¹ from A's Cholesky factor (symmetric, row-major). */
export function cholInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = cholSolve(l, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i]!;
  }
  return inv;
}

/** out = mean + L·u for a lower-triangular L (a draw from N(mean, L·Lᵀ) when u is standard normal). */
export function affine(mean: ArrayLike<number>, l: ArrayLike<number>, n: number, u: ArrayLike<number>, uOffset = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = mean[i]!;
    for (let k = 0; k <= i; k++) v += l[i * n + k]! * u[uOffset + k]!;
    out[i] = v;
  }
  return out;
}
