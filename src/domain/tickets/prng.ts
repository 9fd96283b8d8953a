/**
 * A tiny seeded PRNG for the simulation, so the same seed replays the same arrivals exactly.
 * mulberry32 (Tommy Ettinger, public domain): 32 bits of state, period 2^32, passes the usual
 * statistical batteries well enough for load shapes. Not for anything secret.
 */

/** Uniform in [0, 1). */
export type Random = () => number;

/** A generator seeded with `seed` (any number; only its low 32 bits count). Never throws. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A normal variate (Box–Muller; uses two draws). */
export function normal(random: Random, mean: number, sd: number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** An exponential variate with `rate` events per unit: the gap to the next Poisson arrival. */
export function exponential(random: Random, rate: number): number {
  return -Math.log(1 - random()) / rate;
}
