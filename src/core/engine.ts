/**
 * The engine: makes each project file exist in the Media Manager exactly once, and remembers where.
 * hash (stat cache) → lookup (lockfile, then the managed folder by hash label) → upload (bounded
 * concurrency, one in-flight upload per content hash) → wait until READY → record (lockfile,
 * flushed as uploads finish). One engine per run or per bundler process; state lives here only.
 */
import { basename } from 'node:path'
import pLimit from 'p-limit'
import type { MediaClient, Setback } from '../client/client.ts'
import type { FileDescriptor } from '../client/wire.ts'
import { DEFAULT_RETRY_POLICY } from '../client/retry.ts'
import { ChangedDuringUpload, isWixMediaError } from './errors.ts'
import { createInspector, type HashEvents, type Inspected, type LocalAsset } from './inspect.ts'
import { checkDuration } from './media-duration.ts'
import type { TreeFingerprint } from './tree-fingerprint.ts'
import { openLockfile, type LockEntry, type Lockfile } from './lockfile.ts'
import { createPathOwners } from './path-owners.ts'
import { toProjectPath } from './project-path.ts'
import type { ResolvedOptions } from './options.ts'
import { waitUntilReady } from './readiness.ts'
import { entryFromDescriptor, hashLabel } from './record.ts'
import { createRemoteIndex, type RemoteIndex } from './remote-index.ts'
import { loadStatCache, type StatCache } from './stat-cache.ts'
import { blockedUploadError, uploadBlock } from './upload-gate.ts'
import { uploadFile } from './upload.ts'

export type Outcome = 'reused' | 'uploaded' | 'adopted'

export interface HostedAsset {
  path: string
  hash: string
  entry: LockEntry
  outcome: Outcome
}

export type { Inspected, LocalAsset }

export interface EngineCounters {
  uploaded: number
  uploadedBytes: number
  reused: number
  adopted: number
  failed: number
  /** HTTP requests sent (API calls and transfers). */
  requests: number
  /**
   * Uploads that Wix is processing: recorded (and counted in `uploaded`) once READY. After an
   * interrupted run, the ones it was still processing, which are not recorded.
   */
  processing: number
  /** Attempts made again after an error (5xx, network, timeout; API calls, uploads and TUS chunks alike). */
  retries: number
  /** The slowest pace of API calls (a minute) that Wix's 429s brought the run to; `undefined`: never refused. */
  slowestPerMinute: number | undefined
}

export interface EngineEvents {
  /** A file finished (any outcome). */
  onHosted?: (asset: HostedAsset, local: LocalAsset) => void
  onUploadStart?: (local: LocalAsset) => void
  /** A retry, or Wix's rate limit slowing the run down (`counters` have the totals). */
  onSetback?: (setback: Setback) => void
  /** Something the user should know that fails nothing (the cache folder cannot be written); said once. */
  onWarning?: (message: string) => void
}

export interface Engine {
  readonly options: ResolvedOptions
  readonly lockfile: Lockfile
  readonly counters: Readonly<EngineCounters>
  /** Hashes and types one file (the stat cache skips unchanged ones). */
  inspect(path: string): Promise<LocalAsset>
  /** Hashes and types many files; the ones the stat cache knows cost a stat each. */
  inspectAll(paths: readonly string[], fingerprint?: TreeFingerprint, events?: HashEvents): Promise<Inspected>
  /** The lockfile's entry for a file's content, recorded for its path; no network, no waiting. */
  reuse(local: LocalAsset): HostedAsset | undefined
  /** Makes one file hosted: its lock entry, from the lockfile or after an adoption or upload. */
  host(local: LocalAsset): Promise<HostedAsset>
  /** What `host` would do, without uploading or writing: `'upload'` | `'adopt'` | `'reuse'`. */
  plan(local: LocalAsset, remote: boolean): Promise<'upload' | 'adopt' | 'reuse'>
  /** The Media Manager client, loaded on first use: a build with a complete lockfile never loads it. */
  client(): Promise<MediaClient>
  readonly remote: RemoteIndex
  /**
   * The project's files are `paths` (a whole scan): the stat cache forgets every other path at the
   * next flush (deleted, renamed or newly excluded files).
   */
  retainCache(paths: readonly string[]): void
  /** Writes the lockfile's pending changes and the stat cache. */
  flush(): Promise<void>
}

export interface EngineSetup extends EngineEvents {
  signal?: AbortSignal
}

const FLUSH_EVERY_MS = 200

export async function createEngine(options: ResolvedOptions, setup: EngineSetup = {}): Promise<Engine> {
  const { signal } = setup
  const counters: EngineCounters = {
    uploaded: 0, uploadedBytes: 0, reused: 0, adopted: 0, failed: 0, requests: 0, processing: 0, retries: 0, slowestPerMinute: undefined,
  }
  const [lockfile, statCache]: [Lockfile, StatCache] = await Promise.all([
    openLockfile(options.lockfile, options.siteId, toProjectPath(options.root, options.lockfile), options.root),
    loadStatCache(options.cacheDir),
  ])
  let client: Promise<MediaClient> | undefined
  const getClient = () => (client ??= import('../client/client.ts').then(({ createMediaClient }) => createMediaClient({
    apiBaseUrl: options.apiBaseUrl,
    apiKey: options.apiKey,
    siteId: options.siteId,
    dispatcher: options.dispatcher,
    timeoutMs: options.timeout,
    retry: { ...DEFAULT_RETRY_POLICY, attempts: options.attempts },
    requestsPerMinute: options.requestsPerMinute,
    onRequest: () => {
      counters.requests++
    },
    onSetback: (setback) => {
      if (setback.kind === 'retry') counters.retries++
      else counters.slowestPerMinute = Math.min(counters.slowestPerMinute ?? Number.POSITIVE_INFINITY, setback.callsPerMinute)
      setup.onSetback?.(setback)
    },
  })))
  const remote = createRemoteIndex(getClient, options.folder, signal)
  const transfers = pLimit(options.concurrency)
  const inspector = createInspector(options, statCache)
  const inFlight = new Map<string, Promise<HostedAsset>>()

  let cacheWarned = false
  let flushTimer: NodeJS.Timeout | undefined
  let flushError: unknown
  const scheduleFlush = () => {
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined
      lockfile.flush().catch((error: unknown) => {
        flushError = error
      })
    }, FLUSH_EVERY_MS)
  }

  const owners = createPathOwners(lockfile)
  const withPath = (entry: LockEntry, path: string): LockEntry =>
    entry.paths.includes(path) ? entry : { ...entry, paths: [...entry.paths, path].sort() }

  function record(local: LocalAsset, entry: LockEntry, outcome: Outcome): HostedAsset {
    const existing = lockfile.get(local.hash)
    const merged = existing ? withPath(existing, local.path) : entry
    // A frozen run changes nothing in the lockfile, not even the paths of its entries (CI must not dirty the tree).
    if (merged !== existing && !options.frozen) {
      owners.claim(local.path, local.hash)
      lockfile.set(local.hash, merged)
      scheduleFlush()
    }
    const asset = { path: local.path, hash: local.hash, entry: merged, outcome }
    setup.onHosted?.(asset, local)
    return asset
  }

  /**
   * A file that changed while it uploaded left other bytes in the Media Manager, labelled with the
   * hash it had before: the label is corrected when the bytes sent are known (the next sync adopts
   * them if the file stays so), the upload trashed otherwise, so that no one adopts it under the old
   * hash. Then the error goes on.
   */
  async function disown(api: MediaClient, error: unknown): Promise<never> {
    if (error instanceof ChangedDuringUpload) {
      const { uploaded, sentSha256 } = error
      // Not stopped by the run's signal: a Ctrl-C during the upload must not leave the old label on these bytes.
      const trash = () => api.deleteFiles([uploaded.id], false)
      await (sentSha256 ? api.updateLabels(uploaded.id, [hashLabel(sentSha256)]).catch(trash) : trash()).catch(() => undefined)
    }
    throw error
  }

  async function uploadOrAdopt(local: LocalAsset): Promise<HostedAsset> {
    const fileName = basename(local.path)
    const describe = { mimeType: local.mimeType, mediaType: local.mediaType, size: local.size, fileName, paths: [local.path] }
    const found = await remote.find(local.hash, local.size)
    if (found) {
      const ready = options.waitForReady === false ? found : await waitUntilReady(await getClient(), found, options.waitForReady, signal)
      counters.adopted++
      return record(local, entryFromDescriptor(ready, describe), 'adopted')
    }
    const api = await getClient()
    // Checked when the upload's turn comes, however long it queued: another process (a second
    // sync, a parallel build) may have recorded the file since this run read the lockfile.
    const turn = await transfers(async (): Promise<{ recorded: LockEntry } | { uploaded: FileDescriptor }> => {
      await lockfile.refresh()
      const recorded = lockfile.get(local.hash)
      if (recorded) return { recorded }
      // Over a limit of the user's (maxDuration): refused here rather than after a long upload.
      await checkDuration(local, options, setup.onWarning)
      setup.onUploadStart?.(local)
      const uploaded = await uploadFile(api, {
        file: { path: local.absolutePath, size: local.size, mimeType: local.mimeType, fileName, sha256: local.hash },
        projectPath: local.path,
        labels: [hashLabel(local.hash)],
        folder: options.folder,
        resumableThreshold: options.resumableThreshold,
        signal,
      }).catch((error: unknown) => disown(api, error))
      return { uploaded }
    })
    if ('recorded' in turn) {
      counters.reused++
      return record(local, turn.recorded, 'reused')
    }
    const { uploaded } = turn
    let ready = uploaded
    if (options.waitForReady !== false) {
      counters.processing++
      try {
        ready = await waitUntilReady(api, uploaded, options.waitForReady, signal)
      } catch (error) {
        // Stopped while Wix processes it, it stays counted: uploaded, not recorded.
        if (!signal?.aborted) counters.processing--
        throw error
      }
      counters.processing--
    }
    // Counted once recorded: an upload stopped while Wix processes it is not in the lockfile (the next sync adopts it).
    counters.uploaded++
    counters.uploadedBytes += local.size
    return record(local, entryFromDescriptor(ready, describe), 'uploaded')
  }

  const engine: Engine = {
    options,
    lockfile,
    counters,
    client: getClient,
    remote,
    inspect: inspector.inspect,
    inspectAll: inspector.inspectAll,
    reuse(local) {
      const known = lockfile.get(local.hash)
      if (!known) return undefined
      counters.reused++
      return record(local, known, 'reused')
    },
    async host(local) {
      const known = engine.reuse(local)
      if (known) return known
      const block = uploadBlock(options)
      if (block) throw blockedUploadError(options, block, [local.path])
      const shared = inFlight.get(local.hash)
      const flight = shared ?? uploadOrAdopt(local).finally(() => inFlight.delete(local.hash))
      if (!shared) inFlight.set(local.hash, flight)
      try {
        const first = await flight
        if (!shared) return first
        // Same bytes under another path: one upload, both paths recorded.
        counters.reused++
        return record(local, first.entry, 'reused')
      } catch (error) {
        counters.failed++
        throw isWixMediaError(error) ? error.forFile(local.path) : error
      }
    },
    async plan(local, useRemote) {
      if (lockfile.get(local.hash)) return 'reuse'
      if (useRemote && (await remote.find(local.hash, local.size))) return 'adopt'
      return 'upload'
    },
    retainCache: statCache.retain,
    async flush() {
      if (flushTimer) clearTimeout(flushTimer)
      flushTimer = undefined
      // The stat cache only saves work: one that cannot be written fails nothing, and is said once.
      const [, cacheError] = await Promise.all([lockfile.flush(), statCache.save().then(() => undefined, (error: unknown) => error)])
      if (cacheError && !cacheWarned) {
        cacheWarned = true
        const folder = toProjectPath(options.root, options.cacheDir) || '.'
        setup.onWarning?.(`the cache folder ${folder} cannot be written (${(cacheError as NodeJS.ErrnoException).code ?? (cacheError as Error).message}): ` +
          'the next sync reads and hashes every file again. Make it writable, or point `cacheDir` at a folder that is')
      }
      if (flushError) {
        const error = flushError
        flushError = undefined
        if (lockfile.pending > 0) throw error
      }
    },
  }
  return engine
}
