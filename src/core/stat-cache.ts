/**
 * A local, git-ignored cache of `path → (size, mtime, ctime, inode) → sha256`, so that a warm run
 * does not read unchanged files. It only ever saves work: a fresh clone (new mtimes) re-hashes, and
 * nothing is decided from mtimes across machines. A file's version is its stamp (file-stamp.ts).
 */
import type { Stats } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic-write.ts'
import { sameStamp, stampOf, type FileStamp } from './file-stamp.ts'

interface Entry extends FileStamp {
  hash: string
}

export interface StatCache {
  get(relativePath: string, stats: Stats): string | undefined
  set(relativePath: string, stats: Stats, hash: string): void
  /**
   * Writes the cache if this run added to it (atomically). Entries this run did not touch are kept:
   * a build that imports a few files must not cost the next full sync its warm cache.
   */
  save(): Promise<void>
  /**
   * Forgets every path but `paths`, the files of a whole-project scan: deleted, renamed and newly
   * excluded files would otherwise stay in the cache for good.
   */
  retain(paths: readonly string[]): void
}

/** 2: entries gained `ctimeMs`. A cache of another version is ignored (the files are hashed again). */
const VERSION = 2

export async function loadStatCache(cacheDir: string): Promise<StatCache> {
  const file = join(cacheDir, 'stat-cache.json')
  let previous = new Map<string, Entry>()
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { version?: number; entries?: Record<string, Entry> }
    if (data.version === VERSION && data.entries) previous = new Map(Object.entries(data.entries))
  } catch {
    // Missing or unreadable: start empty; the cache only saves work.
  }
  const next = new Map<string, Entry>()
  let changed = false
  return {
    get(path, stats) {
      // What this run set wins over the loaded file: a long-lived plugin asks again without a save between.
      const entry = next.get(path) ?? previous.get(path)
      if (!entry || !sameStamp(entry, stats)) return undefined
      return entry.hash
    },
    set(path, stats, hash) {
      next.set(path, { ...stampOf(stats), hash })
      changed = true
    },
    retain(paths) {
      const kept = new Set(paths)
      for (const entries of [previous, next]) {
        for (const path of entries.keys()) {
          if (kept.has(path)) continue
          entries.delete(path)
          changed = true
        }
      }
    },
    async save() {
      if (!changed) return
      const entries = [...new Map([...previous, ...next])].sort(([a], [b]) => (a < b ? -1 : 1))
      // Two engines in one process (client and SSR builds) may save at once: each to its own temp file.
      await writeFileAtomic(file, JSON.stringify({ version: VERSION, entries: Object.fromEntries(entries) }))
      previous = new Map(entries)
      changed = false
    },
  }
}
