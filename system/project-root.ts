import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The clone or image root: the nearest directory up from here with a package.json (this file
 * may run from system/ under tsx or from dist/system compiled).
 */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}
