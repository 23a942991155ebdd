/**
 * Writing a file whole or not at all: the lockfile, the stat cache, the last sync's record and the
 * emulator's state are all written this way, so that a crash or Ctrl-C never leaves half a file.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Writes `text` to a temp file beside `file` (unique per process and call: two writers in one
 * process may write at once), then renames it over `file`, keeping the mode `file` had (a
 * group-writable lockfile in a shared checkout stays so). Creates the folder when needed; a write
 * that fails removes its temp file and throws.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const mode = (await stat(file).catch(() => undefined))?.mode
    await mkdir(dirname(file), { recursive: true })
    await writeFile(temp, text)
    // Set after the write: a mode given to writeFile goes through the umask.
    // Best effort: some filesystems (SMB, some FUSE mounts) refuse chmod, and the write matters more.
    if (mode !== undefined) await chmod(temp, mode & 0o7777).catch(() => undefined)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {})
    throw error
  }
}
