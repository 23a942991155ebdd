/**
 * The record of the last sync that left nothing to do, so that the next sync of the same tree can
 * tell it has nothing to do from a stat of each file, without reading the lockfile or the stat
 * cache (git's index spares `git status` the same way). The record holds a digest of everything
 * such a sync's outcome depends on:
 * - every scanned path, in scan order, with the size, mtime, ctime and inode it had before it was
 *   hashed (the stat cache trusts the same fields for a file's hash);
 * - the lockfile's stamp as that sync read or wrote it, and the lockfile paths outside the scan it
 *   kept because their files exist (they must still exist);
 * - the options that decide it: root, lockfile, site.
 * The checks that need no hash (a file, a hosted format, not empty, under its size limit) run again
 * on every file. Any difference or doubt means a full sync, which writes a new record when it ends
 * clean. Like the stat cache, it lives in `cacheDir`, is local, and only ever saves work.
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

/** A digest of many files' stats, in the order they are added. */
export interface TreeFingerprint {
  add(path: string, stats: Stats): void
  digest(): string
}

export function createTreeFingerprint(): TreeFingerprint {
  // Paths joined once and the numbers as raw doubles: formatting 40,000 numbers as text, or
  // 10,000 small hash updates, would cost as much as the stats themselves.
  const paths: string[] = []
  const numbers: number[] = []
  return {
    add(path, stats) {
      paths.push(path)
      numbers.push(stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino)
    },
    digest: () => createHash('sha256').update(paths.join('\0')).update(new Float64Array(numbers)).digest('hex'),
  }
}

/** What a sync that found nothing to do would report. */
export interface Unchanged {
  files: number
  /** Lockfile hashes no file uses (as the last sync found them). */
  stale: string[]
}

export interface LastSync {
  /** Whether `paths` (a fresh scan) and their files are exactly as the last clean sync left them. */
  unchanged(paths: readonly string[]): Unchanged | undefined
}

/** 1: the first format. A record of another version is ignored. */
const VERSION = 1

interface SavedRecord {
  version: number
  /** The options the outcome depends on. */
  key: string
  lockfile: FileStamp | null
  files: number
  tree: string
  outside: string[]
  stale: string[]
}

const recordFile = (options: ResolvedOptions) => join(options.cacheDir, 'last-sync.json')
const keyOf = (options: ResolvedOptions) => JSON.stringify([options.root, options.lockfile, options.siteId ?? null])

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
    unchanged(paths) {
      if (paths.length !== record.files) return undefined
      const lockfile = statSync(options.lockfile, { throwIfNoEntry: false })
      if (lockfile ? !record.lockfile || !sameStamp(stampOf(lockfile), record.lockfile) : record.lockfile !== null) return undefined
      if (!record.outside.every((path) => existsSync(resolve(options.root, path)))) return undefined
      const check = createFileCheck(options)
      const fingerprint = createTreeFingerprint()
      try {
        for (const path of paths) fingerprint.add(path, check(path).stats)
      } catch {
        return undefined // a full sync reports it
      }
      return fingerprint.digest() === record.tree ? { files: record.files, stale: record.stale } : undefined
    },
  }
}

/**
 * Records a sync that ended clean: every file of `paths` hosted, and the lockfile, as written (or
 * read) and stamped, such that another sync of them would change nothing (`settled`, from
 * src/core/reconcile.ts). `tree` is the digest of the files' stats as they were inspected. A
 * record that cannot be written is left out: it only saves work.
 */
export async function saveLastSync(engine: Engine, paths: readonly string[], tree: string, settled: Reconciled): Promise<void> {
  const { options, lockfile } = engine
  if (lockfile.stamp === undefined) return
  const record: SavedRecord = {
    version: VERSION,
    key: keyOf(options),
    lockfile: lockfile.stamp,
    files: paths.length,
    tree,
    outside: [...settled.outside].sort(),
    stale: [...settled.stale],
  }
  const file = recordFile(options)
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await mkdir(options.cacheDir, { recursive: true })
    await writeFile(temp, JSON.stringify(record))
    await rename(temp, file)
  } catch {
    // Not written: the next sync is a full one.
    await rm(temp, { force: true }).catch(() => {})
  }
}
