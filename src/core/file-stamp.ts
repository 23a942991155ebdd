/**
 * A file's version as its stats tell it (size, mtime, ctime, inode: the ctime because no tool can
 * set it, where `cp -p` and `rsync -t` restore the mtime), and when those stats are too fresh to
 * be trusted later (git's "racily clean" entries): a file changed within the filesystem's timestamp
 * tick of being looked at may change again in that tick and keep every field but the size. The stat
 * cache, the lockfile's stamp and the last sync's record all rest on this.
 */
import type { Stats } from 'node:fs'

/** Which version of a file was read or written: equal stamps, same bytes (as far as stats can tell). */
export interface FileStamp {
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
}

export const stampOf = (stats: FileStamp): FileStamp => ({ size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino })

export const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino

/**
 * Whether `stats`, taken at `at` (ms since the epoch), are too fresh to be trusted later: the file
 * changed within the filesystem's timestamp tick of being looked at, so a change right after could
 * leave every field as it is (git's "racily clean" entries). Whole-second timestamps (FAT, HFS+,
 * some network filesystems) get 2 s; others, whose clocks tick every 1–16 ms, get 50 ms.
 */
export function isRacy(stats: Pick<Stats, 'ctimeMs'>, at: number): boolean {
  // Every change sets the ctime to the filesystem's "now", and no tool can set it otherwise.
  const tick = stats.ctimeMs % 1000 === 0 ? 2000 : RACY_MS
  return at - stats.ctimeMs < tick
}

/** How long after its last change a file's stats are trusted, on filesystems with sub-second timestamps. */
export const RACY_MS = 50
