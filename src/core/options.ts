/**
 * The options of the CLI config (`wix-media.config.*`) and of the bundler plugin: one object,
 * resolved once into a frozen, fully-defaulted {@link ResolvedOptions}.
 */
import { isAbsolute, resolve } from 'node:path'
import type { Dispatcher } from 'undici'
import { DEFAULT_API_BASE_URL } from '../client/wire.ts'
import { WixMediaError } from './errors.ts'
import { DEFAULT_MEDIA_EXTENSIONS, isTimedMediaType, TIMED_MEDIA_TYPES, type MediaType, type TimedMediaType } from './media-types.ts'

export interface WixMediaOptions {
  /**
   * API key with the "Manage Media Manager" permission (read-only commands need "Read").
   * @default process.env.WIX_API_KEY
   */
  apiKey?: string
  /**
   * The Wix site whose Media Manager receives the files.
   * @default process.env.WIX_SITE_ID
   */
  siteId?: string
  /**
   * Base URL of the Wix REST API (point it at the emulator for tests).
   * @default process.env.WIX_API_BASE_URL ?? 'https://www.wixapis.com'
   */
  apiBaseUrl?: string
  /**
   * Project root: globs, the lockfile and paths in messages are relative to it.
   * @default process.cwd()
   */
  root?: string
  /**
   * Globs of the media files to host.
   * @default the media the Media Manager hosts: images, SVG, video, audio, PDF and office documents
   * (`DEFAULT_MEDIA_EXTENSIONS`; text, archives and 3D models only when you include them)
   */
  include?: string[]
  /**
   * Globs to leave out (on top of `.gitignore`).
   * @default `DEFAULT_EXCLUDE`: `node_modules`, `dist`, `.git`, and the build output and cache
   * folders of the common frameworks and tools (`.next`, `.nuxt`, `.svelte-kit`, `.vercel`, …)
   */
  exclude?: string[]
  /**
   * The lockfile that maps content hashes to media files; commit it.
   * @default 'wix-media.lock.json'
   */
  lockfile?: string
  /**
   * Folder for the local, git-ignored stat cache.
   * @default 'node_modules/.cache/unplugin-wix-media'
   */
  cacheDir?: string
  /**
   * Media Manager folder that this tool owns: uploads go there, and only files there are adopted
   * or pruned.
   * @default '/unplugin-wix-media'
   */
  folder?: string
  /**
   * Uploads in flight at once.
   * @default 6
   */
  concurrency?: number
  /**
   * Cap on API calls per minute. Unset, calls are not paced until Wix answers 429; then the pace
   * halves on every 429 and rises by one call a minute per success, settling below the site's limit.
   * @default undefined
   */
  requestsPerMinute?: number
  /**
   * Attempts per request or upload, the first included (5xx, 408, network errors). A 429 uses up
   * no attempt: the run slows down instead, and gives up when Wix has refused every call for 2 min.
   * @default 6
   */
  attempts?: number
  /**
   * ms without progress before a request is given up.
   * @default 60_000
   */
  timeout?: number
  /**
   * Files larger than this many bytes go through the resumable (TUS) upload.
   * @default 10_000_000
   */
  resumableThreshold?: number
  /**
   * Wait until uploaded files are READY (polling), at most this many ms; `false` does not wait.
   * @default 120_000
   */
  waitForReady?: number | false
  /**
   * Fail instead of uploading when a file is missing from the lockfile (for CI).
   * @default false
   */
  frozen?: boolean
  /**
   * Largest file per media type, checked before any upload, in bytes.
   * @default { IMAGE: 25 MB, VECTOR: 25 MB, VIDEO: 4 GB, AUDIO: 50 MB, DOCUMENT: 300 MB, ARCHIVE: 300 MB, MODEL3D: 300 MB, OTHER: 300 MB }
   */
  maxFileSize?: Partial<Record<MediaType, number>>
  /**
   * Longest video and audio, in seconds, checked before each upload (the length read from the
   * file's headers; a file whose length cannot be read is left to Wix). Wix's own limits depend on
   * the plan and are not part of its API: set them to fail before a long upload does.
   * @default {} (no limit checked here)
   */
  maxDuration?: Partial<Record<TimedMediaType, number>>
  /**
   * undici dispatcher for every request: a proxy (`new EnvHttpProxyAgent()`), or tests. Uploads
   * through a dispatcher of your own read every chunk into a fresh buffer (it may keep chunks), so a
   * large upload peaks ~70 MB higher than through the default.
   * @default an undici `Agent` of the run's own (not undici's global dispatcher)
   */
  dispatcher?: Dispatcher
}

export interface ResolvedOptions {
  readonly apiKey: string | undefined
  readonly siteId: string | undefined
  readonly apiBaseUrl: string
  readonly root: string
  readonly include: readonly string[]
  readonly exclude: readonly string[]
  readonly lockfile: string
  readonly cacheDir: string
  readonly folder: string
  readonly concurrency: number
  readonly requestsPerMinute: number | undefined
  readonly attempts: number
  readonly timeout: number
  readonly resumableThreshold: number
  readonly waitForReady: number | false
  readonly frozen: boolean
  readonly maxFileSize: Readonly<Record<MediaType, number>>
  readonly maxDuration: Readonly<Partial<Record<TimedMediaType, number>>>
  readonly dispatcher: Dispatcher | undefined
  /** Globs from the command line (`wix-media sync 'img/**'`): the run covers the `include` files that match one of them. */
  readonly only?: readonly string[]
}

/**
 * What `exclude` leaves out by default: dependencies, build output, and the output and cache
 * folders of the common frameworks and tools. They hold copies of a project's media (`.next/static/media`,
 * `.vercel/output/static`, `.svelte-kit/output`), and git usually ignores them, but not always
 * (a project before `git init`, a copied tree, a CI cache restored into the workspace).
 */
export const DEFAULT_EXCLUDE: readonly string[] = Object.freeze([
  '**/node_modules/**', '**/dist/**', '**/.git/**',
  // One pattern for the lot, and no braces (fast-glob expands them): the walk tests every entry
  // against every pattern, and 15 more would double its time.
  '**/@(.next|.nuxt|.output|.svelte-kit|.vercel|.netlify|.astro|.angular|.docusaurus|.expo|.turbo|.nx|.cache|.parcel-cache|.wrangler)/**',
  '**/.vitepress/@(cache|dist)/**',
])

const MB = 1_000_000
const DEFAULT_MAX_FILE_SIZE: Record<MediaType, number> = {
  IMAGE: 25 * MB, VECTOR: 25 * MB, VIDEO: 4000 * MB, AUDIO: 50 * MB,
  DOCUMENT: 300 * MB, ARCHIVE: 300 * MB, MODEL3D: 300 * MB, OTHER: 300 * MB,
}

function invalid(name: string, expected: string, value: unknown): never {
  // An option's name in code style; a description (the command line's globs) as it is.
  const what = name.includes(' ') ? name : `\`${name}\``
  throw new WixMediaError('WIX_MEDIA_CONFIG', `Expected ${what} to be ${expected}, got ${JSON.stringify(value)}`, {
    hint: 'Fix the option (in wix-media.config, the plugin options or the command line)',
  })
}

/** An http(s) URL, without trailing slashes; `from` names where it came from. */
function apiBaseUrl(value: unknown, from: string): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) invalid(from, 'an http(s) URL such as "https://www.wixapis.com"', value)
  return (value as string).replace(/\/+$/, '')
}

/**
 * Globs name files under the root: an `include` glob with a leading `/` or `../` would walk outside
 * it, an `exclude` one with `../` would match nothing (`exclude` takes absolute paths under the root).
 */
function inRootGlobs(name: string, list: readonly string[], absoluteAllowed = false): readonly string[] {
  const outside = list.find((glob) => (absoluteAllowed ? /^\.\.(\/|$)/ : /^(\/|\.\.(\/|$)|[A-Za-z]:[\\/])/).test(glob.replace(/^!/, '')))
  if (outside !== undefined) {
    invalid(name, absoluteAllowed
      ? 'globs under `root` (no leading "../": nothing outside the root is scanned, so there is nothing to leave out)'
      : 'globs relative to `root` (no leading "/" or "../"; set `root` to a folder above instead)', outside)
  }
  return list
}

function int(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) invalid(name, `an integer ≥ ${min}`, value)
  return value
}

function globs(name: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return Object.freeze([...fallback])
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) invalid(name, 'an array of glob strings', value)
  return Object.freeze([...list as string[]])
}

/** `options` narrowed to the `include` files that also match one of `globs` (the command line's). */
export function narrowTo(options: ResolvedOptions, list: readonly string[]): ResolvedOptions {
  return Object.freeze({ ...options, only: inRootGlobs('the command line\'s globs', globs('the command line\'s globs', list, [])) })
}

export function resolveOptions(options: WixMediaOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const root = resolve(options.root ?? process.cwd())
  const inRoot = (path: string) => (isAbsolute(path) ? path : resolve(root, path))
  const folder = options.folder ?? '/unplugin-wix-media'
  if (typeof folder !== 'string' || !/^\/?[^/]+(\/[^/]+)*\/?$/.test(folder) || folder.length > 100) {
    invalid('folder', 'a folder path such as "/site-assets/build" (at most 100 characters)', folder)
  }
  const maxFileSize = { ...DEFAULT_MAX_FILE_SIZE }
  for (const [type, size] of Object.entries(options.maxFileSize ?? {})) {
    if (!(type in maxFileSize)) invalid('maxFileSize', `keyed by a media type (${Object.keys(maxFileSize).join(', ')})`, type)
    maxFileSize[type as MediaType] = int(`maxFileSize.${type}`, size, 0, 1)
  }
  const maxDuration: Partial<Record<TimedMediaType, number>> = {}
  for (const [type, seconds] of Object.entries(options.maxDuration ?? {})) {
    if (!isTimedMediaType(type)) invalid('maxDuration', `keyed by ${TIMED_MEDIA_TYPES.join(' or ')}`, type)
    if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds)) invalid(`maxDuration.${type}`, 'a number of seconds > 0', seconds)
    maxDuration[type] = seconds
  }
  const waitForReady = options.waitForReady === false ? false : int('waitForReady', options.waitForReady, 120_000, 0)
  const requestsPerMinute = options.requestsPerMinute === undefined ? undefined : int('requestsPerMinute', options.requestsPerMinute, 0, 1)
  return Object.freeze({
    apiKey: options.apiKey ?? (env.WIX_API_KEY || undefined),
    siteId: options.siteId ?? (env.WIX_SITE_ID || undefined),
    apiBaseUrl: options.apiBaseUrl !== undefined ? apiBaseUrl(options.apiBaseUrl, 'apiBaseUrl')
      : env.WIX_API_BASE_URL ? apiBaseUrl(env.WIX_API_BASE_URL, 'WIX_API_BASE_URL') : DEFAULT_API_BASE_URL,
    root,
    include: inRootGlobs('include', globs('include', options.include, [`**/*.{${DEFAULT_MEDIA_EXTENSIONS.join(',')}}`])),
    exclude: inRootGlobs('exclude', globs('exclude', options.exclude, DEFAULT_EXCLUDE), true),
    lockfile: inRoot(options.lockfile ?? 'wix-media.lock.json'),
    cacheDir: inRoot(options.cacheDir ?? 'node_modules/.cache/unplugin-wix-media'),
    folder: `/${folder.replace(/^\/+|\/+$/g, '')}`,
    concurrency: int('concurrency', options.concurrency, 6, 1),
    requestsPerMinute,
    attempts: int('attempts', options.attempts, 6, 1),
    timeout: int('timeout', options.timeout, 60_000, 1),
    resumableThreshold: int('resumableThreshold', options.resumableThreshold, 10_000_000, 1),
    waitForReady,
    frozen: options.frozen ?? false,
    maxFileSize: Object.freeze(maxFileSize),
    maxDuration: Object.freeze(maxDuration),
    dispatcher: options.dispatcher,
  })
}

/** For config files: `export default defineConfig({ … })` with types. */
export function defineConfig(options: WixMediaOptions): WixMediaOptions {
  return options
}
