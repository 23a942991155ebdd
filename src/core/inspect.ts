/**
 * Inspecting project files: stat, type and size checks, and the content hash, with the stat cache
 * sparing the read of unchanged files. A file the cache knows is inspected synchronously (a stat
 * and a lookup, a few µs), so that a run over ten thousand unchanged files costs no more than their
 * stats; only files to hash wait on the disk, a bounded number at a time.
 */
import { statSync, type Stats } from 'node:fs'
import pLimit from 'p-limit'
import { asFileError, WixMediaError } from './errors.ts'
import { sha256File } from './hash.ts'
import { extensionOf, formatOf, type MediaType } from './media-types.ts'
import type { ResolvedOptions } from './options.ts'
import { isRacy } from './file-stamp.ts'
import { projectPaths } from './project-path.ts'
import type { StatCache } from './stat-cache.ts'
import type { TreeFingerprint } from './tree-fingerprint.ts'

/** A project file, hashed and typed, before any network. */
export interface LocalAsset {
  /** Project-relative, `/`-separated. */
  path: string
  absolutePath: string
  hash: string
  size: number
  mimeType: string
  mediaType: MediaType
}

export interface Inspected {
  /** In the order of the paths given. */
  assets: LocalAsset[]
  errors: WixMediaError[]
}

export interface Inspector {
  /** Hashes and types one file. */
  inspect(path: string): Promise<LocalAsset>
  /**
   * Every path: the unchanged ones at once, the others hashed with bounded parallelism.
   * `fingerprint` gets each file's stats as they were before its content was hashed.
   */
  inspectAll(paths: readonly string[], fingerprint?: TreeFingerprint, events?: HashEvents): Promise<Inspected>
}

/** What a run shows while files are read for hashing (the stat cache spares unchanged ones). */
export interface HashEvents {
  /** `files` files of `bytes` bytes must be read (called only when there are any). */
  onHashing?: (files: number, bytes: number) => void
  /** One of them is hashed (or failed to read). */
  onHashed?: (bytes: number) => void
}

/** Files read for hashing at once: enough to keep the disk and both cores busy. */
const HASH_PARALLELISM = 16

/** A project file as a stat and its name tell it: what hashing and the checks before any upload need. */
interface CheckedFile {
  path: string
  absolutePath: string
  stats: Stats
  /** When the stats were taken (ms since the epoch). */
  at: number
  mimeType: string
  mediaType: MediaType
}

/**
 * Stats a project file and checks what can be known without reading it: it is a file, of a format
 * the Media Manager hosts, not empty, and under its media type's size limit. Throws `WIX_MEDIA_FILE`.
 */
function createFileCheck(options: ResolvedOptions): (path: string) => CheckedFile {
  const absolute = projectPaths(options.root)

  return (path) => {
    const absolutePath = absolute(path)
    const fileError = (reason: string, hint: string, cause?: unknown) => new WixMediaError('WIX_MEDIA_FILE', reason, { file: path, hint, cause })
    // A synchronous stat is a few µs; the promise one queues on the thread pool and costs 5× as much.
    let stats: Stats
    const at = Date.now()
    try {
      stats = statSync(absolutePath)
    } catch (error) {
      throw fileError(`cannot be read (${(error as NodeJS.ErrnoException).code})`, 'Check that the file exists and is readable', error)
    }
    if (!stats.isFile()) throw fileError('is not a file', 'Exclude it from `include`')
    const format = formatOf(extensionOf(path))
    if (!format) throw fileError('is not a format the Media Manager hosts', 'Exclude it from `include`, or convert it')
    const { mime: mimeType, mediaType } = format
    if (stats.size === 0) throw fileError('is empty (Wix refuses empty files: ZERO_FILE_SIZE)', 'Remove it or exclude it')
    const limit = options.maxFileSize[mediaType]
    if (stats.size > limit) {
      throw fileError(`is ${stats.size} bytes, over the ${limit}-byte limit for ${mediaType} files`,
        'Compress it, exclude it, or raise `maxFileSize` if your Wix plan allows larger files')
    }
    return { path, absolutePath, stats, at, mimeType, mediaType }
  }
}

export function createInspector(options: ResolvedOptions, statCache: StatCache): Inspector {
  const hashing = pLimit(HASH_PARALLELISM)
  const check = createFileCheck(options)

  /** What can be known without reading the file: a finished asset, or what hashing needs. */
  function look(path: string, fingerprint?: TreeFingerprint): LocalAsset | { stats: Stats; at: number; rest: Omit<LocalAsset, 'hash'> } {
    const { absolutePath, stats, at, mimeType, mediaType } = check(path)
    fingerprint?.add(path, stats, at)
    const hash = statCache.get(path, stats)
    if (hash) return { path, absolutePath, hash, size: stats.size, mimeType, mediaType }
    return { stats, at, rest: { path, absolutePath, size: stats.size, mimeType, mediaType } }
  }

  async function hashed(found: { stats: Stats; at: number; rest: Omit<LocalAsset, 'hash'> }): Promise<LocalAsset> {
    const { stats, at, rest } = found
    const hash = await hashing(() => sha256File(rest.absolutePath, stats.size)).catch((error: NodeJS.ErrnoException) => {
      throw new WixMediaError('WIX_MEDIA_FILE', `cannot be read (${error.code})`, { file: rest.path, hint: 'Check that the file is readable', cause: error })
    })
    // A file that changed within a timestamp tick of its stat may change again unseen: hashed next time too.
    if (!isRacy(stats, at)) statCache.set(rest.path, stats, hash)
    return { ...rest, hash }
  }

  return {
    async inspect(path) {
      const found = look(path)
      return 'hash' in found ? found : hashed(found)
    },
    async inspectAll(paths, fingerprint, events = {}) {
      const slots: (LocalAsset | undefined)[] = new Array(paths.length)
      const failed: (WixMediaError | undefined)[] = new Array(paths.length)
      const toRead: { index: number; found: Parameters<typeof hashed>[0] }[] = []
      paths.forEach((path, index) => {
        try {
          const found = look(path, fingerprint)
          if ('hash' in found) slots[index] = found
          else toRead.push({ index, found })
        } catch (error) {
          failed[index] = asFileError(error, path)
        }
      })
      if (toRead.length > 0) events.onHashing?.(toRead.length, toRead.reduce((sum, { found }) => sum + found.rest.size, 0))
      await Promise.all(toRead.map(({ index, found }) => hashed(found).then(
        (asset) => { slots[index] = asset },
        (error: unknown) => { failed[index] = asFileError(error, paths[index]!) },
      ).finally(() => events.onHashed?.(found.rest.size))))
      return {
        assets: slots.filter((asset) => asset !== undefined),
        errors: failed.filter((error) => error !== undefined),
      }
    },
  }
}
