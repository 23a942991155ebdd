/** Checking the lockfile against the Media Manager: every entry still exists, is READY, and is the same size. */
import type { FileDescriptor } from '../client/wire.ts'
import type { Engine } from './engine.ts'
import { isWixMediaError } from './errors.ts'

export interface VerifyProblem {
  hash: string
  id: string
  paths: string[]
  problem: 'missing' | 'trashed' | 'pending' | 'failed' | 'size-mismatch'
}

const BATCH = 100

export async function verifyLockfile(engine: Engine, signal?: AbortSignal): Promise<{ checked: number; problems: VerifyProblem[] }> {
  const entries = engine.lockfile.entries()
  const client = await engine.client()
  const found = new Map<string, FileDescriptor>()
  for (let i = 0; i < entries.length; i += BATCH) {
    const ids = entries.slice(i, i + BATCH).map(([, entry]) => entry.id)
    try {
      for (const file of await client.getFiles(ids, signal)) found.set(file.id, file)
    } catch (error) {
      if (!isWixMediaError(error, 'WIX_MEDIA_NOT_FOUND')) throw error
      // One unknown id fails the whole batch: ask for each one to find out which.
      for (const id of ids) {
        try {
          found.set(id, await client.getFile(id, signal))
        } catch (single) {
          if (!isWixMediaError(single, 'WIX_MEDIA_NOT_FOUND')) throw single
        }
      }
    }
  }
  const problems: VerifyProblem[] = []
  for (const [hash, entry] of entries) {
    const file = found.get(entry.id)
    const problem: VerifyProblem['problem'] | undefined =
      !file || file.state === 'DELETED' ? 'missing'
        : file.parentFolderId === 'trash-root' ? 'trashed'
          : file.operationStatus === 'FAILED' ? 'failed'
            : file.operationStatus === 'PENDING' ? 'pending'
              : Number(file.sizeInBytes) !== entry.size ? 'size-mismatch'
                : undefined
    if (problem) problems.push({ hash, id: entry.id, paths: entry.paths, problem })
  }
  return { checked: entries.length, problems }
}
