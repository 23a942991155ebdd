/**
 * The record of the last sync that left nothing to do, so that the next sync of the same tree can
 * tell it has nothing to do from a stat of each file, without reading the lockfile or the stat
 * cache, and most often without walking the tree (git's index and untracked cache spare `git
 * status` the same way). The record holds what such a sync's outcome depends on:
 * - the listing: every folder the walk read (or tried to: a pattern's missing base folder), and
 *   every `.gitignore` it applied, with the stats they had before they were read (adding, removing
 *   or renaming an entry changes a folder's mtime), and the paths the walk found; when these stats
 *   are all the same, so is the list of files;
 * - digests of every scanned path, in scan order, and of the size, mtime, ctime and inode each file
 *   had before it was hashed (the stat cache trusts the same fields for a file's hash);
 * - per extension, the type the files were hosted as and the largest size: the checks before any
 *   upload (format, size limit) hold again when the type and the limit are still the same;
 * - the lockfile's stamp as that sync read or wrote it, and the lockfile paths outside the scan it
 *   kept because their files exist (they must still exist);
 * - the options that decide it: root, include, exclude, the command line's globs, lockfile, site;
 *   and this tool's version.
 * Stats too fresh to trust (`isRacy`, file-stamp.ts) are not recorded: a racy listing makes the
 * next sync walk, a racy file leaves no record. Any difference means a walk or a full sync, which
 * writes a new record when it ends clean. Like the stat cache, the record lives in `cacheDir`, is
 * local, and only ever saves work.
 */
import { existsSync, statSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { writeFileAtomic } from './atomic-write.ts'
import type { Engine, LocalAsset } from './engine.ts'
import { pathsForSyncStats } from './project-path.ts'
import { sameStamp, stampOf, type FileStamp } from './file-stamp.ts'
import { extensionOf, formatOf, type MediaType } from './media-types.ts'
import type { ResolvedOptions } from './options.ts'
import { packageVersion } from './package-version.ts'
import type { Reconciled } from './reconcile.ts'
import { observe, type Observed, type Scan } from './scan.ts'
import { createTreeFingerprint, currentStatsDigest, digestPaths, type TreeDigest, type TreeFingerprint } from './tree-fingerprint.ts'

/** What a sync that found nothing to do would report. */
export interface Unchanged {
  files: number
  /** Lockfile hashes no file uses (as the last sync found them). */
  stale: string[]
}

export interface LastSync {
  /** The scan, without a walk, when every folder and `.gitignore` it depends on is as recorded. */
  listed(): Scan | undefined
  /** Whether `paths` (a scan) and their files are exactly as the last clean sync left them. */
  unchanged(paths: readonly string[]): Unchanged | undefined
  /** Keeps the listing of a walk that found the files `unchanged`, so that the next sync need not walk. */
  relist(scan: Scan): Promise<void>
}

/** 4: dot folders are scanned. A record of another version is ignored. */
const VERSION = 4

interface SavedRecord {
  version: number
  /** The options the outcome depends on. */
  key: string
  /** The scan's folders and `.gitignore` files (`observed`), their digest, and the paths found. */
  listing: { observed: string[]; digest: TreeDigest; paths: string[] } | null
  lockfile: FileStamp | null
  files: number
  tree: TreeDigest
  /** Per extension: `[extension, mimeType, mediaType, largest size]`. */
  types: [string, string, MediaType, number][]
  outside: string[]
  stale: string[]
}

const recordFile = (options: ResolvedOptions) => join(options.cacheDir, 'last-sync.json')
const keyOf = (options: ResolvedOptions) =>
  JSON.stringify([packageVersion(), options.root, options.include, options.exclude, options.only ?? null, options.lockfile, options.siteId ?? null])
const sameDigest = (a: TreeDigest, b: TreeDigest) => a.paths === b.paths && a.stats === b.stats

/** The last clean sync's record, when there is one for these options. */
export async function loadLastSync(options: ResolvedOptions): Promise<LastSync | undefined> {
  let record: SavedRecord
  try {
    record = JSON.parse(await readFile(recordFile(options), 'utf8')) as SavedRecord
  } catch {
    return undefined
  }
  if (record.version !== VERSION || record.key !== keyOf(options)) return undefined
  return {
    listed() {
      const { listing } = record
      if (!listing) return undefined
      const observed = listing.observed.map((path) => observe(path, resolve(options.root, path)))
      return sameDigest(listingFingerprint(observed).digest(), listing.digest) ? { paths: listing.paths, observed } : undefined
    },
    unchanged(paths) {
      if (paths.length !== record.files) return undefined
      const lockfile = statSync(options.lockfile, { throwIfNoEntry: false })
      if (lockfile ? !record.lockfile || !sameStamp(stampOf(lockfile), record.lockfile) : record.lockfile !== null) return undefined
      if (!record.outside.every((path) => existsSync(resolve(options.root, path)))) return undefined
      // The same files with the same stats: the checks need only the types and limits again.
      for (const [extension, mimeType, mediaType, largest] of record.types) {
        const format = formatOf(extension)
        if (format?.mime !== mimeType || format.mediaType !== mediaType || largest > options.maxFileSize[mediaType]) return undefined
      }
      // Paths taken from the listing are the recorded ones; a walk's are compared.
      if (paths !== record.listing?.paths && digestPaths(paths) !== record.tree.paths) return undefined
      return currentStatsDigest(paths, pathsForSyncStats(options.root)) === record.tree.stats ? { files: record.files, stale: record.stale } : undefined
    },
    async relist(scan) {
      const listing = listingOf(scan.observed, scan.paths)
      if (listing || record.listing) await writeRecord(options, { ...record, listing })
    },
  }
}

/** A scan's observations, each path once, sorted: the order the listing is recorded and checked in. */
function byPath(observed: readonly Observed[]): Observed[] {
  return [...new Map(observed.map((entry) => [entry.path, entry])).values()].sort((a, b) => (a.path < b.path ? -1 : 1))
}

/** The digests of a scan's folders, links and `.gitignore` files (`observed` in {@link byPath} order). */
function listingFingerprint(observed: readonly Observed[]): TreeFingerprint {
  const fingerprint = createTreeFingerprint()
  for (const { path, stats, at } of observed) fingerprint.add(path, stats, at)
  return fingerprint
}

/** The record of a scan's listing, unless some of it is too fresh to be trusted. */
function listingOf(observed: readonly Observed[] | undefined, paths: readonly string[]): SavedRecord['listing'] {
  const sorted = observed && byPath(observed)
  const fingerprint = sorted && listingFingerprint(sorted)
  if (!sorted || !fingerprint || fingerprint.racy) return null
  return { observed: sorted.map((entry) => entry.path), digest: fingerprint.digest(), paths: [...paths] }
}

/** Per extension, the type its files were hosted as and the largest of them. */
function typesOf(assets: readonly LocalAsset[]): SavedRecord['types'] {
  const types = new Map<string, SavedRecord['types'][number]>()
  for (const asset of assets) {
    const extension = extensionOf(asset.path)
    const seen = types.get(extension)
    if (!seen) types.set(extension, [extension, asset.mimeType, asset.mediaType, asset.size])
    else if (asset.size > seen[3]) seen[3] = asset.size
  }
  return [...types.values()].sort(([a], [b]) => (a < b ? -1 : 1))
}

/** Writes the record; a record that cannot be written is left out (it only saves work). */
async function writeRecord(options: ResolvedOptions, record: SavedRecord): Promise<void> {
  await writeFileAtomic(recordFile(options), JSON.stringify(record)).catch(() => {})
}

/**
 * Records a sync that ended clean: every one of `assets` hosted, and their paths reconciled
 * (`reconciled`, src/core/reconcile.ts) with the lockfile as this run read it and did not need to
 * change. A run that wrote the lockfile leaves no record (its stamp is unknown until read again:
 * too fresh), so the next sync is a full one that writes nothing and records. `tree` has the files'
 * stats as they were inspected; `observed`, when the assets are a whole scan, what the scan read.
 */
export async function saveLastSync(
  engine: Engine,
  assets: readonly LocalAsset[],
  tree: TreeFingerprint,
  reconciled: Reconciled,
  observed: readonly Observed[] | undefined,
): Promise<void> {
  const { options, lockfile } = engine
  if (lockfile.pending > 0 || lockfile.stamp === undefined || tree.racy) return
  const paths = assets.map((asset) => asset.path)
  await writeRecord(options, {
    version: VERSION,
    key: keyOf(options),
    // Stats from before each folder was read: any change since, the sync's own lockfile write
    // included, makes the next sync walk (and record what it finds).
    listing: listingOf(observed, paths),
    lockfile: lockfile.stamp,
    files: paths.length,
    tree: tree.digest(),
    types: typesOf(assets),
    outside: [...reconciled.outside].sort(),
    stale: [...reconciled.stale],
  })
}

/** Drops the record for these options, if there is one. */
export async function forgetLastSync(options: ResolvedOptions): Promise<void> {
  await rm(recordFile(options), { force: true }).catch(() => {})
}
