/** The plugin's options: the engine's, plus what only a bundler needs. */
import { OPTION_NAMES } from '../core/option-names.ts'
import type { WixMediaOptions } from '../core/options.ts'

export interface WixMediaPluginOptions extends WixMediaOptions {
  /**
   * What a build does with a file it cannot host (no credentials, or the upload failed):
   * `'error'` fails the build (never a broken URL); `'local'` keeps the file local, with a warning.
   * @default 'error'
   */
  fallback?: 'error' | 'local'
  /**
   * Dev server (`vite serve`): `'local'` serves local files and never touches the network;
   * `'lockfile'` uses the lockfile's hosted URLs for the files it has (still no network).
   * @default 'local'
   */
  dev?: 'local' | 'lockfile'
  /**
   * Start hashing and uploading every `include` file when the build starts, instead of when the
   * bundler first meets each import.
   * @default false
   */
  prewarm?: boolean
  /**
   * The project's `wix-media.config.*` (the options `wix-media` reads), under the options given
   * here: a path to it, or `false` to read none.
   * @default the first `wix-media.config.{ts,mts,mjs,js,json}` in `root` (else the bundler's root), then in the current folder
   */
  configFile?: string | false
}

/** The plugin's own option names (with OPTION_NAMES, every name a config may use). */
export const PLUGIN_OPTION_NAMES: readonly string[] = Object.keys({
  fallback: true, dev: true, prewarm: true, configFile: true,
} satisfies Record<Exclude<keyof WixMediaPluginOptions, keyof WixMediaOptions>, true>)

/** Every name the plugin's options, and `wix-media.config.*`, may use. */
export const KNOWN_OPTIONS: readonly string[] = [...OPTION_NAMES, ...PLUGIN_OPTION_NAMES]

export interface ResolvedPluginSettings {
  readonly fallback: 'error' | 'local'
  readonly dev: 'local' | 'lockfile'
  readonly prewarm: boolean
}

export function resolvePluginSettings(options: WixMediaPluginOptions): ResolvedPluginSettings {
  const fallback = options.fallback ?? 'error'
  const dev = options.dev ?? 'local'
  if (fallback !== 'error' && fallback !== 'local') throw new TypeError(`Expected \`fallback\` to be 'error' or 'local', got ${JSON.stringify(fallback)}`)
  if (dev !== 'local' && dev !== 'lockfile') throw new TypeError(`Expected \`dev\` to be 'local' or 'lockfile', got ${JSON.stringify(dev)}`)
  return Object.freeze({ fallback, dev, prewarm: options.prewarm ?? false })
}
