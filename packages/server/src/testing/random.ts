// Deterministic random numbers for generated test and benchmark data (mulberry32: small, with usable low bits).

/** A generator of integers in [0, n), the same sequence for the same seed. */
export function mulberry32(seed: number): (n: number) => number {
  let s = seed | 0;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
