/**
 * A whole-project run over a list of files: inspect (hash) them with bounded parallelism, host each
 * one, keep the lockfile's `paths` true to the tree, and report. A failing file does not stop the
 * others; every finished upload is recorded before the run returns.
 */
import { access } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Engine, LocalAsset } from './engine.ts'
import { asFileError, type WixMediaError } from './errors.ts'
import { createTreeFingerprint, saveLastSync } from './last-sync.ts'

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
  requests: number
  durationMs: number
  /**
   * The files were exactly as the last clean sync left them: this run stat'ed them and read neither
   * the lockfile nor the stat cache (`wix-media sync`; see src/core/last-sync.ts).
   */
  fromLastSync: boolean
}

/**
 * Each lockfile entry's `paths` as the tree has them now: scanned paths with other content leave
 * it, scanned paths with its content join it, unscanned paths stay while the file exists.
 */
export async function currentPaths(engine: Engine, assets: readonly LocalAsset[]): Promise<Map<string, string[]>> {
  const scanned = new Map<string, string>()
  const byHash = new Map<string, string[]>()
  for (const asset of assets) {
    scanned.set(asset.path, asset.hash)
    const paths = byHash.get(asset.hash)
    if (paths) paths.push(asset.path)
    else byHash.set(asset.hash, [asset.path])
  }
  const out = new Map<string, string[]>()
  for (const [hash, entry] of engine.lockfile.entries()) {
    const found = byHash.get(hash) ?? []
    // The usual case, and the whole of a no-change run: the entry lists exactly the scanned paths.
    if (found.length === entry.paths.length && entry.paths.every((path) => scanned.get(path) === hash)) {
      out.set(hash, entry.paths)
      continue
    }
    const kept: string[] = []
    for (const path of entry.paths) {
      const current = scanned.get(path)
      if (current !== undefined) {
        if (current === hash) kept.push(path)
      } else if (await access(resolve(engine.options.root, path)).then(() => true, () => false)) {
        kept.push(path)
      }
    }
    out.set(hash, [...new Set([...kept, ...found])].sort())
  }
  return out
}

const samePaths = (current: string[], recorded: string[]) =>
  current === recorded || current.join('\n') === [...recorded].sort().join('\n')

/** Writes {@link currentPaths} into the lockfile; returns the hashes no file uses any more. */
async function reconcilePaths(engine: Engine, assets: readonly LocalAsset[]): Promise<string[]> {
  const stale: string[] = []
  for (const [hash, paths] of await currentPaths(engine, assets)) {
    const entry = engine.lockfile.get(hash)!
    if (!samePaths(paths, entry.paths)) engine.lockfile.set(hash, { ...entry, paths })
    if (paths.length === 0) stale.push(hash)
  }
  return stale
}

/**
 * Whether another sync of `assets` would find nothing to do in the lockfile as it is now, which is
 * not always as this run left it: a flush merges what other processes wrote meanwhile.
 */
async function nothingLeft(engine: Engine, assets: readonly LocalAsset[]): Promise<boolean> {
  if (engine.lockfile.pending > 0 || !assets.every((asset) => engine.lockfile.get(asset.hash))) return false
  for (const [hash, paths] of await currentPaths(engine, assets)) if (!samePaths(paths, engine.lockfile.get(hash)!.paths)) return false
  return true
}

export interface Plan {
  /** Files that are not in the lockfile: to upload, or to adopt from the managed folder. */
  work: { path: string; action: 'upload' | 'adopt' }[]
  unchanged: number
  errors: WixMediaError[]
  /** Lockfile hashes that no file uses. */
  stale: string[]
}

/** What a sync would do, with no upload and no write. `remote`: look for adoptable files too. */
export async function planFiles(engine: Engine, paths: readonly string[], remote: boolean): Promise<Plan> {
  const { assets, errors } = await engine.inspectAll(paths)
  const work: Plan['work'] = []
  let unchanged = 0
  for (const asset of assets) {
    const action = await engine.plan(asset, remote)
    if (action === 'reuse') unchanged++
    else work.push({ path: asset.path, action })
  }
  const stale = [...await currentPaths(engine, assets)].filter(([, kept]) => kept.length === 0).map(([hash]) => hash)
  return { work, unchanged, errors, stale }
}

export async function syncFiles(
  engine: Engine,
  paths: readonly string[],
  hooks: { onInspected?: (assets: readonly LocalAsset[]) => void } = {},
): Promise<SyncReport> {
  const started = performance.now()
  const fingerprint = createTreeFingerprint()
  const { assets, errors } = await engine.inspectAll(paths, fingerprint)
  hooks.onInspected?.(assets)
  const before = { ...engine.counters }
  // Files the lockfile has are settled here and now; only the others wait on the network.
  const missing = assets.filter((asset) => !engine.reuse(asset))
  await Promise.all(missing.map(async (asset) => {
    try {
      await engine.host(asset)
    } catch (error) {
      errors.push(asFileError(error, asset.path))
    }
  }))
  const stale = await reconcilePaths(engine, assets)
  await engine.flush()
  if (errors.length === 0 && await nothingLeft(engine, assets)) await saveLastSync(engine, paths, fingerprint.digest(), stale)
  errors.sort((a, b) => ((a.file ?? '') < (b.file ?? '') ? -1 : 1))
  return {
    files: paths.length,
    uploaded: engine.counters.uploaded - before.uploaded,
    uploadedBytes: engine.counters.uploadedBytes - before.uploadedBytes,
    reused: engine.counters.reused - before.reused,
    adopted: engine.counters.adopted - before.adopted,
    errors,
    stale,
    requests: engine.counters.requests - before.requests,
    durationMs: Math.round(performance.now() - started),
    fromLastSync: false,
  }
}
