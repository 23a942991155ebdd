import { getHashes } from 'node:crypto'
import type { MediaType } from '../core/media-types.ts'
import type { FaultRule, LatencyOption } from './faults.ts'

/** What a file looked like when it was uploaded, for {@link EmulatorOptions.failProcessing}. */
export interface UploadedFileInfo {
  displayName: string
  mimeType: string
  mediaType: MediaType
  sizeInBytes: number
  labels: readonly string[]
}

export interface EmulatorOptions {
  /**
   * TCP port; `0` picks a free one.
   * @default 0
   */
  port?: number
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string
  /**
   * The API key with "Manage Media Manager" permission, sent as `Authorization: <key>`.
   * @default 'emulator-api-key'
   */
  apiKey?: string
  /**
   * Further keys and what they may do: `'read'` keys may get, list and search but not write.
   * @default {}
   */
  apiKeys?: Record<string, 'manage' | 'read'>
  /**
   * The site id every API call must name in `wix-site-id`.
   * @default 'emulator-site'
   */
  siteId?: string
  /**
   * Keep files and descriptors in this folder so that a restart keeps them; in memory when unset.
   * @default undefined
   */
  dataDir?: string
  /**
   * Origin used in the media URLs the emulator hands out (when it sits behind a proxy).
   * @default the listening URL
   */
  publicUrl?: string
  /**
   * Added delay in ms before each answer: one number for every route, or per route name
   * (`{ default: 5, upload: 40 }`).
   * @default 0
   */
  latency?: LatencyOption
  /**
   * API requests per minute allowed per site, as a token bucket; `0` turns the limit off.
   * @default 0
   */
  rateLimit?: number
  /**
   * Seconds to send in `Retry-After` with a 429; `'auto'` sends the time until a request is allowed
   * again, `false` sends none (Wix documents none).
   * @default false
   */
  rateLimitRetryAfter?: number | 'auto' | false
  /**
   * Probability (0–1) that an API or upload request fails with 500, 503 or 429 (drawn from `seed`).
   * @default 0
   */
  failRate?: number
  /**
   * Scripted or random faults: status codes, connection resets, stalls. See {@link FaultRule}.
   * @default []
   */
  faults?: FaultRule[]
  /**
   * Seed for every random choice (ids, faults, jitter), so a run can be replayed.
   * @default a random seed
   */
  seed?: number
  /**
   * How long, in ms, a new file of each media type stays `PENDING` before it is `READY`.
   * @default { VIDEO: 1000, AUDIO: 300 } (others 0)
   */
  processingMs?: Partial<Record<MediaType, number>>
  /**
   * Which uploads end `FAILED` instead of `READY`: display names, or a predicate.
   * @default none
   */
  failProcessing?: readonly string[] | ((file: UploadedFileInfo) => boolean)
  /**
   * Largest accepted file per media type, in bytes (Wix's real limits are listed on its support pages).
   * @default { IMAGE: 25 MB, VECTOR: 25 MB, VIDEO: 4 GB, AUDIO: 50 MB, DOCUMENT: 300 MB, ARCHIVE: 300 MB, MODEL3D: 300 MB, OTHER: 300 MB }
   */
  maxFileSize?: Partial<Record<MediaType, number>>
  /**
   * Total bytes the site may store; uploads past it are refused with `SITE_QUOTA_EXCEEDED`.
   * @default Infinity
   */
  quotaBytes?: number
  /**
   * Lifetime of a plain upload URL in ms.
   * @default 86_400_000 (24 h)
   */
  uploadUrlTtlMs?: number
  /**
   * Lifetime of a resumable (TUS) upload token in ms.
   * @default 604_800_000 (7 days)
   */
  resumableUploadTtlMs?: number
  /**
   * Largest JSON request body in bytes; larger ones get 413.
   * @default 1_048_576
   */
  maxJsonBodyBytes?: number
  /**
   * Whether the upload host's errors (the PUT to an upload URL, every TUS step) carry Wix's JSON
   * error body. The contract promises only a status code there; `false` answers with an empty
   * body, so a client can be tested against the least it may get.
   * @default true
   */
  uploadErrorBodies?: boolean
  /**
   * The digest a file's `hash` field holds. The contract shows 32 hex characters (MD5's length) and
   * leaves the algorithm unknown; clients must not rely on it (this project never reads it).
   * @default 'md5'
   */
  hashAlgorithm?: string
  /**
   * How `/files/search` matches its free text (case-insensitively) against a file's display name,
   * MIME type and labels; the contract leaves Wix's rules unknown. `'substring'`: anywhere in one of
   * them; `'word-prefix'`: at the start of one of their words; `'exact'`: the whole of one.
   * @default 'substring'
   */
  searchMatch?: SearchMatch
}

export type SearchMatch = 'substring' | 'word-prefix' | 'exact'

const MB = 1_000_000

export interface ResolvedEmulatorOptions {
  readonly port: number
  readonly host: string
  readonly keys: ReadonlyMap<string, 'manage' | 'read'>
  readonly apiKey: string
  readonly siteId: string
  readonly dataDir: string | undefined
  readonly publicUrl: string | undefined
  readonly latency: LatencyOption
  readonly rateLimit: number
  readonly rateLimitRetryAfter: number | 'auto' | false
  readonly failRate: number
  readonly faults: readonly FaultRule[]
  readonly seed: number
  readonly processingMs: Readonly<Record<MediaType, number>>
  readonly failProcessing: (file: UploadedFileInfo) => boolean
  readonly maxFileSize: Readonly<Record<MediaType, number>>
  readonly quotaBytes: number
  readonly uploadUrlTtlMs: number
  readonly resumableUploadTtlMs: number
  readonly maxJsonBodyBytes: number
  readonly uploadErrorBodies: boolean
  readonly hashAlgorithm: string
  readonly searchMatch: SearchMatch
}

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`Expected emulator option \`${name}\` to be ${expected}, got ${JSON.stringify(value)}`)
}

function integer(name: string, value: unknown, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, value)
  }
  return value
}

function probability(name: string, value: unknown): number {
  if (value === undefined) return 0
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(name, 'a number from 0 to 1', value)
  return value
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') fail(name, 'true or false', value)
  return value
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) fail(name, allowed.map((item) => `'${item}'`).join(', ').replace(/, ([^,]+)$/, ' or $1'), value)
  return value as T
}

function hashAlgorithm(value: unknown): string {
  if (value === undefined) return 'md5'
  if (typeof value !== 'string' || !getHashes().includes(value.toLowerCase())) fail('hashAlgorithm', 'a hash algorithm Node knows (md5, sha1, sha256, …)', value)
  return value.toLowerCase()
}

function nonEmpty(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string', value)
  return value
}

function perType(
  name: string,
  value: Partial<Record<MediaType, number>> | undefined,
  defaults: Record<MediaType, number>,
): Readonly<Record<MediaType, number>> {
  const out = { ...defaults }
  for (const [type, amount] of Object.entries(value ?? {})) {
    if (!(type in defaults)) fail(name, `keyed by a media type (${Object.keys(defaults).join(', ')})`, type)
    if (typeof amount !== 'number' || !(amount >= 0)) fail(`${name}.${type}`, 'a number ≥ 0', amount)
    out[type as MediaType] = amount
  }
  return Object.freeze(out)
}

/** Validates the options once and fills in every default. */
export function resolveEmulatorOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const apiKey = nonEmpty('apiKey', options.apiKey, 'emulator-api-key')
  const keys = new Map<string, 'manage' | 'read'>([[apiKey, 'manage']])
  for (const [key, role] of Object.entries(options.apiKeys ?? {})) {
    if (role !== 'manage' && role !== 'read') fail(`apiKeys[…]`, `'manage' or 'read'`, role)
    keys.set(key, role)
  }
  const retryAfter = options.rateLimitRetryAfter ?? false
  if (!(retryAfter === false || retryAfter === 'auto' || (typeof retryAfter === 'number' && retryAfter >= 0))) {
    fail('rateLimitRetryAfter', `a number of seconds, 'auto' or false`, retryAfter)
  }
  const failProcessing = options.failProcessing
  const names = Array.isArray(failProcessing) ? new Set<string>(failProcessing) : undefined
  return Object.freeze({
    port: integer('port', options.port, 0, 0, 65_535),
    host: nonEmpty('host', options.host, '127.0.0.1'),
    keys,
    apiKey,
    siteId: nonEmpty('siteId', options.siteId, 'emulator-site'),
    dataDir: options.dataDir,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    latency: options.latency ?? 0,
    rateLimit: integer('rateLimit', options.rateLimit, 0),
    rateLimitRetryAfter: retryAfter,
    failRate: probability('failRate', options.failRate),
    faults: Object.freeze([...(options.faults ?? [])]),
    seed: integer('seed', options.seed, Math.floor(Math.random() * 2 ** 31)),
    processingMs: perType('processingMs', options.processingMs, {
      IMAGE: 0, VECTOR: 0, VIDEO: 1000, AUDIO: 300, DOCUMENT: 0, ARCHIVE: 0, MODEL3D: 0, OTHER: 0,
    }),
    failProcessing: names
      ? (file: UploadedFileInfo) => names.has(file.displayName)
      : typeof failProcessing === 'function'
        ? failProcessing as (file: UploadedFileInfo) => boolean
        : () => false,
    maxFileSize: perType('maxFileSize', options.maxFileSize, {
      IMAGE: 25 * MB, VECTOR: 25 * MB, VIDEO: 4000 * MB, AUDIO: 50 * MB,
      DOCUMENT: 300 * MB, ARCHIVE: 300 * MB, MODEL3D: 300 * MB, OTHER: 300 * MB,
    }),
    quotaBytes: options.quotaBytes ?? Number.POSITIVE_INFINITY,
    uploadUrlTtlMs: integer('uploadUrlTtlMs', options.uploadUrlTtlMs, 86_400_000, 1),
    resumableUploadTtlMs: integer('resumableUploadTtlMs', options.resumableUploadTtlMs, 604_800_000, 1),
    maxJsonBodyBytes: integer('maxJsonBodyBytes', options.maxJsonBodyBytes, 1_048_576, 1),
    uploadErrorBodies: flag('uploadErrorBodies', options.uploadErrorBodies, true),
    hashAlgorithm: hashAlgorithm(options.hashAlgorithm),
    searchMatch: oneOf('searchMatch', options.searchMatch, ['substring', 'word-prefix', 'exact'] as const, 'substring'),
  })
}
