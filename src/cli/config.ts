/** Finding and loading `wix-media.config.{ts,mts,mjs,js,json}` (Node ≥ 22.18 runs TypeScript configs natively). */
import { access, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { WixMediaError } from '../core/errors.ts'
import type { WixMediaOptions } from '../core/options.ts'

export const CONFIG_NAMES = ['wix-media.config.ts', 'wix-media.config.mts', 'wix-media.config.mjs', 'wix-media.config.js', 'wix-media.config.json']

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

/** The config file's options, or `{}` when there is none; `explicit` must exist. */
export async function loadConfig(cwd: string, explicit?: string): Promise<{ file?: string; options: WixMediaOptions }> {
  let file: string | undefined
  if (explicit) {
    file = resolve(cwd, explicit)
    if (!(await exists(file))) {
      throw new WixMediaError('WIX_MEDIA_CONFIG', 'the config file does not exist', { file: explicit, hint: 'Check the --config path' })
    }
  } else {
    for (const name of CONFIG_NAMES) {
      if (await exists(resolve(cwd, name))) {
        file = resolve(cwd, name)
        break
      }
    }
  }
  if (!file) return { options: {} }
  try {
    const loaded: unknown = file.endsWith('.json')
      ? JSON.parse(await readFile(file, 'utf8'))
      : ((await import(pathToFileURL(file).href)) as { default?: unknown }).default
    if (typeof loaded !== 'object' || loaded === null || Array.isArray(loaded)) {
      throw new Error('it must export an options object (`export default defineConfig({ … })`)')
    }
    return { file, options: loaded as WixMediaOptions }
  } catch (error) {
    throw new WixMediaError('WIX_MEDIA_CONFIG', `the config file cannot be loaded: ${(error as Error).message}`, {
      file, hint: 'Fix the file; it must `export default defineConfig({ … })` (or be a JSON object)', cause: error,
    })
  }
}
