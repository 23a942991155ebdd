/**
 * A run over a list of files: inspect (hash) them with bounded parallelism, host each one, keep
 * the lockfile's `paths` true to the tree (src/core/reconcile.ts), and report. A failing file does
 * not stop the others; every finished upload is recorded before the run returns. A run that ends
 * with nothing left to do records so for the next (src/core/last-sync.ts).
 */
import type { Engine, LocalAsset } from './engine.ts'
import { asFileError, isWixMediaError, WixMediaError } from './errors.ts'
import type { HashEvents } from './inspect.ts'
import { forgetLastSync, saveLastSync } from './last-sync.ts'
import { createTreeFingerprint } from './tree-fingerprint.ts'
import { applyPaths, pathUpdates, reconcile } from './reconcile.ts'
import type { Observed } from './scan.ts'

export interface SyncReport {
  files: number
  uploaded: number
  uploadedBytes: number
  reused: number
  adopted: number
  /** Files that could not be hosted, each error naming its file. */
  errors: WixMediaError[]
  /** Lockfile hashes that no scanned file has any more (`wix-media prune` drops them). */
  stale: string[]
  /**
   * Files uploaded that Wix was still processing when the run stopped (interrupted): not recorded,
   * and not in `uploaded`; the next sync finds them in the managed folder and adopts them.
   */
  processing: number
  requests: number
  /** Attempts made again after an error (5xx, network, timeout). */
  retries: number
  /**
   * The slowest pace of API calls (a minute) that Wix's rate limit (429s) brought the engine to,
   * over its life (one run, in the CLI); `null`: never refused.
   */
  slowestPerMinute: number | null
  durationMs: number
  /**
   * The files were exactly as the last clean sync left them: this run stat'ed them and read neither
   * the lockfile nor the stat cache (`wix-media sync`; see src/core/last-sync.ts).
   */
  fromLastSync: boolean
}

export interface Plan {
  /**
   * Files that are not in the lockfile: to upload, or to adopt from the managed folder; one path
   * per content (the other paths with the same bytes count as `unchanged`, as sync reuses them).
   */
  work: { path: string; action: 'upload' | 'adopt' }[]
  unchanged: number
  errors: WixMediaError[]
  /** Lockfile hashes that no file uses. */
  stale: string[]
  /** Entries in use whose recorded paths sync would update (a file copied, moved or removed). */
  pathUpdates: number
}

/** What a sync would do, with no upload and no write. `remote`: look for adoptable files too. */
export async function planFiles(engine: Engine, paths: readonly string[], remote: boolean): Promise<Plan> {
  const { assets, errors } = await engine.inspectAll(paths)
  const work: Plan['work'] = []
  let unchanged = 0
  // As sync counts: one upload (or adoption) per content; its other paths reuse it.
  const planned = new Set<string>()
  for (const asset of assets) {
    const action = planned.has(asset.hash) ? 'reuse' : await engine.plan(asset, remote)
    if (action === 'reuse') {
      unchanged++
    } else {
      planned.add(asset.hash)
      work.push({ path: asset.path, action })
    }
  }
  const reconciled = await reconcile(engine, assets)
  return { work, unchanged, errors, stale: reconciled.stale, pathUpdates: pathUpdates(engine, reconciled).length }
}

/**
 * Writes the lockfile; one that cannot be written (a read-only checkout, a lock that cannot be
 * taken) joins the run's errors, saying what it leaves unrecorded, so that the report still says
 * what was uploaded: the next sync adopts those files instead of uploading them again.
 */
async function flushInto(engine: Engine, errors: WixMediaError[]): Promise<void> {
  try {
    await engine.flush()
  } catch (error) {
    // A lockfile that cannot be written, or that another process re-rooted meanwhile (WIX_MEDIA_CONFIG).
    if (!isWixMediaError(error, 'WIX_MEDIA_LOCKFILE') && !isWixMediaError(error, 'WIX_MEDIA_CONFIG')) throw error
    const left = engine.lockfile.pending
    errors.push(new WixMediaError(error.code, `${error.reason}; ${left} ${left === 1 ? 'change is' : 'changes are'} not recorded ` +
      '(files uploaded by this run are adopted by the next sync, not uploaded again)', { file: error.file, hint: error.hint, cause: error }))
  }
}

/** What a sync says as it goes, besides the engine's events. */
export interface SyncHooks extends HashEvents {
  /** Every file is hashed, before any upload. */
  onInspected?: (assets: readonly LocalAsset[]) => void
  /** The lockfile has the rest: `missing` are the files that need the network (an upload, or an adoption). */
  onPlanned?: (missing: readonly LocalAsset[]) => void
}

export async function syncFiles(
  engine: Engine,
  paths: readonly string[],
  hooks: SyncHooks & {
    /** What the scan that found `paths` read (src/core/scan.ts), so that the next sync may not need to walk. */
    observed?: readonly Observed[]
  } = {},
): Promise<SyncReport> {
  const started = performance.now()
  const fingerprint = createTreeFingerprint()
  const { assets, errors } = await engine.inspectAll(paths, fingerprint, hooks)
  hooks.onInspected?.(assets)
  const before = { ...engine.counters }
  // Files the lockfile has are settled here and now; only the others wait on the network.
  const missing = assets.filter((asset) => !engine.reuse(asset))
  hooks.onPlanned?.(missing)
  await Promise.all(missing.map(async (asset) => {
    try {
      await engine.host(asset)
    } catch (error) {
      errors.push(asFileError(error, asset.path))
    }
  }))
  const reconciled = await reconcile(engine, assets)
  // A frozen run leaves the lockfile as it is (its paths too), and no record that says it is up to date.
  const { frozen } = engine.options
  if (!frozen) applyPaths(engine, reconciled)
  await flushInto(engine, errors)
  // A run that failed somewhere leaves no record, and drops the last one: the next sync looks afresh.
  if (errors.length > 0) await forgetLastSync(engine.options)
  else if (!frozen) await saveLastSync(engine, assets, fingerprint, reconciled, hooks.observed)
  errors.sort((a, b) => ((a.file ?? '') < (b.file ?? '') ? -1 : 1))
  return {
    files: paths.length,
    uploaded: engine.counters.uploaded - before.uploaded,
    uploadedBytes: engine.counters.uploadedBytes - before.uploadedBytes,
    reused: engine.counters.reused - before.reused,
    adopted: engine.counters.adopted - before.adopted,
    errors,
    stale: reconciled.stale,
    processing: engine.counters.processing,
    requests: engine.counters.requests - before.requests,
    retries: engine.counters.retries - before.retries,
    slowestPerMinute: engine.counters.slowestPerMinute ?? null,
    durationMs: Math.round(performance.now() - started),
    fromLastSync: false,
  }
}
