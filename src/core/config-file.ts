/**
 * Finding and loading `wix-media.config.{ts,mts,mjs,js,json}` (Node ≥ 22.18 runs TypeScript
 * configs natively): the project's options, shared by the `wix-media` command and the plugin.
 */
import { access, readFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isWixMediaError, WixMediaError } from './errors.ts'
import { checkOptionNames } from './option-names.ts'
import { resolveOptions, type WixMediaOptions } from './options.ts'

const CONFIG_NAMES = ['wix-media.config.ts', 'wix-media.config.mts', 'wix-media.config.mjs', 'wix-media.config.js', 'wix-media.config.json']

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

export interface ConfigSearch {
  /** What relative paths (`explicit`) and messages are relative to. */
  cwd: string
  /** A config file named by the user (`--config`, the plugin's `configFile`): it must exist. */
  explicit?: string
  /** Where to look for one otherwise, in order. @default [cwd] */
  folders?: readonly string[]
  /** The option names the file may use: any other is an error (with the closest name). */
  known: readonly string[]
}

/**
 * The config file's options, or `{}` when there is none; names checked, and a relative `root` made
 * the config file's folder's (wherever the command or the build runs).
 */
export async function loadConfig<T extends WixMediaOptions = WixMediaOptions>(search: ConfigSearch): Promise<{ file?: string; options: T }> {
  const { cwd, explicit, folders = [cwd], known } = search
  let file: string | undefined
  if (explicit) {
    file = resolve(cwd, explicit)
    if (!(await exists(file))) {
      throw new WixMediaError('WIX_MEDIA_CONFIG', 'the config file does not exist', { file: explicit, hint: 'Check the path (`--config`, or the plugin\'s `configFile`)' })
    }
  } else {
    search: for (const folder of folders) {
      for (const name of CONFIG_NAMES) {
        if (await exists(resolve(folder, name))) {
          file = resolve(folder, name)
          break search
        }
      }
    }
  }
  if (!file) return { options: {} as T }
  let loaded: unknown
  try {
    loaded = file.endsWith('.json')
      ? JSON.parse(await readFile(file, 'utf8'))
      : ((await import(pathToFileURL(file).href)) as { default?: unknown }).default
    if (typeof loaded !== 'object' || loaded === null || Array.isArray(loaded)) {
      throw new Error('it must export an options object (`export default defineConfig({ … })`)')
    }
  } catch (error) {
    throw new WixMediaError('WIX_MEDIA_CONFIG', `the config file cannot be loaded: ${(error as Error).message}`, {
      file, hint: 'Fix the file; it must `export default defineConfig({ … })` (or be a JSON object)', cause: error,
    })
  }
  const options = loaded as T
  const label = relative(cwd, file) || file
  checkOptionNames(options, known, label)
  const rooted = options.root === undefined ? options : { ...options, root: resolve(dirname(file), options.root) }
  try {
    // A wrong value is the file's to fix: say which file (the options are resolved again, with the flags, later).
    resolveOptions({ root: dirname(file), ...rooted }, {})
  } catch (error) {
    if (!isWixMediaError(error)) throw error
    throw new WixMediaError(error.code, error.reason, { file: label, hint: 'Fix the value in the config file', cause: error })
  }
  return { file, options: rooted }
}
