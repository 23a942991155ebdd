/**
 * This package's version, from its package.json: the nearest one above this module that names the
 * package (src/core/ in a checkout, dist/ once built). For `wix-media --version`, and for the last
 * sync's record, which a new version must not trust (it may scan or check otherwise).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const NAME = 'unplugin-wix-media'

export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (manifest.name === NAME && manifest.version) return manifest.version
    } catch {
      // No package.json here: look further up.
    }
    if (dirname(dir) === dir) return 'unknown'
  }
}
