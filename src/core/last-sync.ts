/**
 * The record of the last sync that left nothing to do, so that the next sync of the same tree can
 * tell it has nothing to do from a stat of each file, without reading the lockfile or the stat
 * cache, and most often without walking the tree (git's index and untracked cache spare `git
 * status` the same way). The record holds digests of everything such a sync's outcome depends on:
 * - the listing: every folder the walk read (or tried to: a pattern's missing base folder), and
 *   every `.gitignore` it applied, with the stats they had before they were read (adding, removing
 *   or renaming an entry changes a folder's mtime), and the paths the walk found; when these stats
 *   are all the same, so is the list of files;
 * - every scanned path, in scan order, with the size, mtime, ctime and inode it had before it was
 *   hashed (the stat cache trusts the same fields for a file's hash);
 * - the lockfile's stamp as that sync read or wrote it, and the lockfile paths outside the scan it
 *   kept because their files exist (they must still exist);
 * - the options that decide it: root, include, exclude, lockfile, site.
 * The checks that need no hash (a file, a hosted format, not empty, under its size limit) run on
 * every file again. Stats too fresh to trust (src/core/stat-cache.ts `isRacy`) are not recorded: a
 * racy listing makes the next sync walk, a racy file leaves no record. Any difference or doubt
 * means a walk or a full sync, which writes a new record when it ends clean. Like the stat cache,
 * it lives in `cacheDir`, is local, and only ever saves work.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, statSync, type Stats } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Engine } from './engine.ts'
import { createFileCheck } from './inspect.ts'
import { sameStamp, stampOf, type FileStamp } from './lockfile.ts'
import type { ResolvedOptions } from './options.ts'
import type { Reconciled } from './reconcile.ts'
import type { Observed, Scan } from './scan.ts'
import { isRacy } from './stat-cache.ts'

/** A digest of many files' stats, in the order they are added. */
export interface TreeFingerprint {
  /** `at`: when the stats were taken; no `stats`: there was no such file. */
  add(path: string, stats: Stats | undefined, at: number): void
  digest(): string
  /** Some stats were too fresh to be trusted later. */
  readonly racy: boolean
}

export function createTreeFingerprint(): TreeFingerprint {
  // Paths joined once and the numbers as raw doubles: formatting 40,000 numbers as text, or
  // 10,000 small hash updates, would cost as much as the stats themselves.
  const paths: string[] = []
  const numbers: number[] = []
  let racy = false
  return {
    add(path, stats, at) {
      paths.push(path)
      if (!stats) {
        numbers.push(-1, -1, -1, -1)
        return
      }
      numbers.push(stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino)
      if (!racy && isRacy(stats, at)) racy = true
    },
    digest: () => createHash('sha256').update(paths.join('\0')).update(new Float64Array(numbers)).digest('hex'),
    get racy() {
      return racy
    },
  }
}

/** The digest of a scan's folders and `.gitignore` files (each once, by path). */
function listingFingerprint(observed: readonly Observed[]): TreeFingerprint {
  const byPath = new Map(observed.map((entry) => [entry.path, entry]))
  const fingerprint = createTreeFingerprint()
  for (const path of [...byPath.keys()].sort()) {
    const { stats, at } = byPath.get(path)!
    fingerprint.add(path, stats, at)
  }
  return fingerprint
}

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

/** 2: the listing, and the scan options in the key. A record of another version is ignored. */
const VERSION = 2

interface SavedRecord {
  version: number
  /** The options the outcome depends on. */
  key: string
  /** The scan's folders and `.gitignore` files (`observed`), their digest, and the paths found. */
  listing: { observed: string[]; digest: string; paths: string[] } | null
  lockfile: FileStamp | null
  files: number
  tree: string
  outside: string[]
  stale: string[]
}

const recordFile = (options: ResolvedOptions) => join(options.cacheDir, 'last-sync.json')
const keyOf = (options: ResolvedOptions) =>
  JSON.stringify([options.root, options.include, options.exclude, options.lockfile, options.siteId ?? null])

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
      const observed = observeAgain(options, listing.observed)
      return listingFingerprint(observed).digest() === listing.digest ? { paths: listing.paths, observed } : undefined
    },
    unchanged(paths) {
      if (paths.length !== record.files) return undefined
      const lockfile = statSync(options.lockfile, { throwIfNoEntry: false })
      if (lockfile ? !record.lockfile || !sameStamp(stampOf(lockfile), record.lockfile) : record.lockfile !== null) return undefined
      if (!record.outside.every((path) => existsSync(resolve(options.root, path)))) return undefined
      const check = createFileCheck(options)
      const fingerprint = createTreeFingerprint()
      try {
        for (const path of paths) {
          const { stats, at } = check(path)
          fingerprint.add(path, stats, at)
        }
      } catch {
        return undefined // a full sync reports it
      }
      return fingerprint.digest() === record.tree ? { files: record.files, stale: record.stale } : undefined
    },
    async relist(scan) {
      const listing = listingOf(scan.observed, scan.paths)
      if (listing || record.listing) await writeRecord(options, { ...record, listing })
    },
  }
}

/** New stats of the folders and files a scan read (or tried to). */
function observeAgain(options: ResolvedOptions, paths: readonly string[]): Observed[] {
  return paths.map((path) => {
    const at = Date.now()
    return { path, stats: statSync(resolve(options.root, path), { throwIfNoEntry: false }), at }
  })
}

/** The record of a scan's listing, unless some of it is too fresh to be trusted. */
function listingOf(observed: readonly Observed[] | undefined, paths: readonly string[]): SavedRecord['listing'] {
  const fingerprint = observed && listingFingerprint(observed)
  if (!fingerprint || fingerprint.racy) return null
  return { observed: [...new Set(observed.map((entry) => entry.path))].sort(), digest: fingerprint.digest(), paths: [...paths] }
}

/** Writes the record atomically; a record that cannot be written is left out (it only saves work). */
async function writeRecord(options: ResolvedOptions, record: SavedRecord): Promise<void> {
  const file = recordFile(options)
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await mkdir(options.cacheDir, { recursive: true })
    await writeFile(temp, JSON.stringify(record))
    await rename(temp, file)
  } catch {
    await rm(temp, { force: true }).catch(() => {})
  }
}

/**
 * Records a sync that ended clean: every file of `paths` hosted, and the lockfile, as written (or
 * read) and stamped, such that another sync of them would change nothing (`settled`, from
 * src/core/reconcile.ts). `tree` has the files' stats as they were inspected; `observed`, when
 * `paths` is a whole scan, what the scan read.
 */
export async function saveLastSync(
  engine: Engine,
  paths: readonly string[],
  tree: TreeFingerprint,
  settled: Reconciled,
  observed: readonly Observed[] | undefined,
): Promise<void> {
  const { options, lockfile } = engine
  if (lockfile.stamp === undefined || tree.racy) return
  await writeRecord(options, {
    version: VERSION,
    key: keyOf(options),
    // Stats from before each folder was read: any change since, the sync's own lockfile write
    // included, makes the next sync walk (and record what it finds).
    listing: listingOf(observed, paths),
    lockfile: lockfile.stamp,
    files: paths.length,
    tree: tree.digest(),
    outside: [...settled.outside].sort(),
    stale: [...settled.stale],
  })
}
