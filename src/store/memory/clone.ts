/**
 * A deep copy of a stored record for a caller, as structuredClone makes it for the values
 * records hold (plain objects, arrays, strings, numbers, booleans, null, undefined) at a
 * fraction of its cost: it runs for every game a page lists. Anything else (a Date, a Map,
 * a class instance, a function, a symbol, a cycle) is handed to structuredClone, so the
 * result, or the error, is the same as before.
 */
export function cloneRecord<T>(value: T): T {
  try {
    return clone(value, 0) as T;
  } catch (err) {
    if (err === NOT_PLAIN) return structuredClone(value);
    throw err;
  }
}

const NOT_PLAIN = Symbol("not plain");
// Deeper than any record (settings are JSON a client sent): treated as a possible cycle.
const MAX_DEPTH = 100;

function clone(v: unknown, depth: number): unknown {
  if (typeof v !== "object") {
    if (typeof v === "function" || typeof v === "symbol") throw NOT_PLAIN;
    return v;
  }
  if (v === null) return v;
  if (depth > MAX_DEPTH) throw NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    const n = v.length;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      // A hole (never in JSON) would become undefined here: structuredClone keeps it.
      if (!(i in v)) throw NOT_PLAIN;
      out[i] = clone(v[i], depth + 1);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) {
    // for…in also walks inherited keys: a plain object's prototype has no enumerable ones, but be exact.
    if (!Object.hasOwn(src, k)) continue;
    const c = clone(src[k], depth + 1);
    // An own data property even for "__proto__" (assignment would set the prototype).
    if (k === "__proto__") Object.defineProperty(out, k, { value: c, writable: true, enumerable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
