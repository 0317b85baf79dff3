/**
 * The keys of pages' layouts (see `layouts.ts`, `pieces.ts`) as their kept text: each piece's
 * key, joined by \u0001.
 */
/**
 * Arrays of keys known to be a kept text split (never changed: a layout's keys are read-only),
 * or what a splice that kept every key made of such an array (`sameKeys`), with that text. An
 * edit at 10,000 splices pages of ~60,000 keys that stay the same: joining them again to keep
 * them cost 3–7 ms (thirteenth round: e15site), and their text is where an edit's few fresh
 * incidents' keys are found (`keyPlaces`).
 */
const joinedKeys = new WeakMap<readonly string[], string>();

/** Keys split from a kept text (remembered with it). */
export function keysOf(text: string): string[] {
  const keys = text === '' ? [] : text.split('\u0001');
  joinedKeys.set(keys, text);
  return keys;
}

/** Keys as kept: joined by \u0001 (not joined again when known). */
export function keysText(keys: readonly string[]): string {
  return joinedKeys.get(keys) ?? keys.join('\u0001');
}

/** Keys made by copying `from` with some replaced, each by the same key: their text is `from`'s. */
export function sameKeys(keys: readonly string[], from: readonly string[]): void {
  const text = joinedKeys.get(from);
  if (text !== undefined) joinedKeys.set(keys, text);
}

const SEPARATOR = 1;
const SLASH = '/'.charCodeAt(0);

/**
 * The places (in order) of the keys that are one of `ids` or start with one and `/` (see
 * `reusableBesides` in `plan.ts`), found in the keys' kept text: a few searches in native code
 * instead of a call per key (~60,000 at 10,000: ~5–10 ms, the callbacks unoptimised at first).
 * Undefined when the keys' text is not known.
 */
export function keyPlaces(keys: readonly string[], ids: readonly string[]): number[] | undefined {
  const text = joinedKeys.get(keys);
  if (text === undefined) return undefined;
  if (ids.includes('')) return undefined;
  const places = new Set<number>();
  for (const id of ids) {
    let from = 0;
    for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + 1)) {
      const after = at + id.length;
      const next = text.charCodeAt(after); // NaN at the end
      if ((at > 0 && text.charCodeAt(at - 1) !== SEPARATOR) || !(after === text.length || next === SEPARATOR || next === SLASH)) continue;
      const end = text.indexOf('\u0001', after);
      // the keys equal to this one come in the text's order
      const n = keys.indexOf(text.slice(at, end < 0 ? text.length : end), from);
      if (n < 0) return undefined;
      places.add(n);
      from = n + 1;
    }
  }
  return [...places].sort((a, b) => a - b);
}
