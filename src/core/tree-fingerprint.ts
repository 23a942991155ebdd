/**
 * Digests of many files' stats (size, mtime, ctime, inode) and of their paths, in the order given:
 * how the last sync's record (last-sync.ts) tells that nothing changed without keeping every stat.
 * The numbers are hashed as raw doubles and the paths joined once: formatting 40,000 numbers as
 * text, or 10,000 small hash updates, would cost as much as the stats themselves.
 */
import { createHash } from 'node:crypto'
import { statSync, type Stats } from 'node:fs'
import { isRacy } from './file-stamp.ts'

export interface TreeDigest {
  paths: string
  stats: string
}

export interface TreeFingerprint {
  /** `at`: when the stats were taken; no `stats`: there was no such file. */
  add(path: string, stats: Stats | undefined, at: number): void
  digest(): TreeDigest
  /** Some stats were too fresh to be trusted later (`isRacy`). */
  readonly racy: boolean
}

const FIELDS = 4

export const digestPaths = (paths: readonly string[]): string => createHash('sha256').update(paths.join('\0')).digest('hex')

const digestStats = (numbers: Float64Array): string => createHash('sha256').update(numbers).digest('hex')

export function createTreeFingerprint(): TreeFingerprint {
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
    digest: () => ({ paths: digestPaths(paths), stats: digestStats(new Float64Array(numbers)) }),
    get racy() {
      return racy
    },
  }
}

/**
 * The stats digest that {@link createTreeFingerprint} would make of `paths` as they are now, or
 * `undefined` as soon as one is missing. A stat each and nothing else: the fast path of a sync.
 * `pathOf` gives the path to stat; the loop never yields (see `pathsForSyncStats`, project-path.ts).
 */
export function currentStatsDigest(paths: readonly string[], pathOf: (path: string) => string): string | undefined {
  const numbers = new Float64Array(paths.length * FIELDS)
  for (let index = 0; index < paths.length; index++) {
    const stats = statSync(pathOf(paths[index]!), { throwIfNoEntry: false })
    if (!stats) return undefined
    const at = index * FIELDS
    numbers[at] = stats.size
    numbers[at + 1] = stats.mtimeMs
    numbers[at + 2] = stats.ctimeMs
    numbers[at + 3] = stats.ino
  }
  return digestStats(numbers)
}
