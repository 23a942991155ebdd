/**
 * The lock that serializes lockfile writes across processes: `<file>.lock`, created exclusively and
 * holding the writer's pid. A lock left by a killed run (its process gone, or older than 15 s) is
 * taken over; a live one is waited for, up to 30 s.
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, rm, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { WixMediaError } from './errors.ts'

const LOCK_STALE_MS = 15_000
const LOCK_WAIT_MS = 30_000

const lockError = (label: string, reason: string, hint: string, cause?: unknown) =>
  new WixMediaError('WIX_MEDIA_LOCKFILE', reason, { file: label, hint, cause })

/** Whether the lock's holder (the pid it names) no longer runs on this machine: a killed sync. */
async function holderIsGone(lock: string): Promise<boolean> {
  const pid = Number(await readFile(lock, 'utf8').catch(() => ''))
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Removes a stale lock, but only the one that was judged stale: it is moved aside first if it is
 * still the same file (inode), so that two waiters that both judged it stale cannot remove the
 * fresh lock one of them has just made.
 */
async function takeOver(lock: string, staleInode: number): Promise<void> {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`
  try {
    if ((await stat(lock)).ino !== staleInode) return
    await rename(lock, aside)
    await rm(aside, { force: true })
  } catch {
    // Another waiter took it over first; try again for the lock.
  }
}

/**
 * Runs `work` holding `<file>.lock`, created exclusively; a lock older than 15 s, or whose process
 * is gone (a killed run), is taken over.
 */
export async function withFileLock<T>(file: string, label: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`
  const deadline = Date.now() + LOCK_WAIT_MS
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      const handle = await open(lock, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(label, 'the lockfile cannot be locked', 'Check the folder\'s permissions', error)
      const held = await stat(lock).catch(() => undefined)
      const age = held ? Date.now() - held.mtimeMs : 0
      if (held && (age > LOCK_STALE_MS || await holderIsGone(lock))) await takeOver(lock, held.ino)
      else if (Date.now() > deadline) throw lockError(label, `another process has held ${lock} for ${Math.round(age / 1000)} s`, 'If no other wix-media process runs, delete the .lock file')
      else await sleep(wait + Math.random() * wait)
    }
  }
  try {
    return await work()
  } finally {
    await rm(lock, { force: true })
  }
}
