import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../kb/config.js';
import type { Position } from '../problems.js';
import { locate } from '../source/locate.js';
import { readYaml } from '../source/yaml.js';

/** Where `documents[index]` (or one of its keys) is written in the config, for located build problems. */
export function documentPosition(root: string, index: number, key?: string): Position {
  try {
    const yaml = readYaml(CONFIG_FILE, readFileSync(join(root, CONFIG_FILE), 'utf8'), 0);
    return locate(yaml.positions, key ? ['documents', index, key] : ['documents', index]);
  } catch {
    return { line: 1, column: 1 };
  }
}
