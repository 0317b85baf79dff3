import type { Position } from '../problems.js';
import { pathKey, type NodePosition } from './yaml.js';

/**
 * Finds where a front-matter path sits in the file. For a missing path, the nearest
 * existing ancestor; for the root, the opening `---` line.
 */
export function locate(
  positions: Record<string, NodePosition>,
  path: readonly PropertyKey[],
  options: { key?: boolean; rootLine?: number } = {},
): Position {
  for (let n = path.length; n > 0; n--) {
    const key = pathKey(path.slice(0, n));
    // Keys are the user's: `constructor` must not find what every object inherits.
    const found = Object.hasOwn(positions, key) ? positions[key] : undefined;
    if (found) {
      if (n === path.length && options.key && found.keyLine !== undefined) {
        return { line: found.keyLine, column: found.keyColumn! };
      }
      if (n < path.length && found.keyLine !== undefined) {
        // The path is missing inside this value: point at the key that owns it.
        return { line: found.keyLine, column: found.keyColumn! };
      }
      return { line: found.line, column: found.column };
    }
  }
  return { line: options.rootLine ?? 1, column: 1 };
}
