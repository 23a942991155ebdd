/** Checking the lockfile against the Media Manager: every entry still exists, is READY, and is the same size. */
import type { FileDescriptor } from '../client/wire.ts'
import type { Engine } from './engine.ts'
import { isWixMediaError } from './errors.ts'
import { hashFromLabels } from './record.ts'

export interface VerifyProblem {
  hash: string
  id: string
  paths: string[]
  /**
   * `not-this-file`: the Media Manager file holds other content than the entry's hash (its hash
   * label names another one), or the entry's URL is not that file's (a bad hand merge or edit).
   */
  problem: 'missing' | 'trashed' | 'pending' | 'failed' | 'size-mismatch' | 'not-this-file'
}

const BATCH = 100

/**
 * The problems that dropping the entry fixes: the next sync uploads the file again (a trashed,
 * failed or different file in the Media Manager is not adopted). A pending file only needs time.
 */
export const FIXED_BY_DROPPING: ReadonlySet<VerifyProblem['problem']> = new Set(['missing', 'trashed', 'failed', 'size-mismatch', 'not-this-file'])

/** Drops the lockfile entries of `problems` that {@link FIXED_BY_DROPPING} covers, and writes the lockfile. */
export async function dropBroken(engine: Engine, problems: readonly VerifyProblem[]): Promise<VerifyProblem[]> {
  const dropped = problems.filter((problem) => FIXED_BY_DROPPING.has(problem.problem))
  for (const { hash } of dropped) engine.lockfile.delete(hash)
  if (dropped.length > 0) await engine.flush()
  return dropped
}

/**
 * The entry does not describe this Media Manager file: the file's hash label (every file this tool
 * uploads carries one) names other content, or the file's URL is not the entry's.
 */
function notThisFile(hash: string, url: string, file: FileDescriptor): boolean {
  const labelled = hashFromLabels(file.labels)
  return (labelled !== undefined && labelled !== hash) || (file.url !== undefined && file.url !== '' && file.url !== url)
}

/**
 * Wix said that this file does not exist (not: that the call went nowhere). http.ts already makes a
 * 404 without that rule a config error; the rule is checked here too, as this is what drops entries.
 */
const isGone = (error: unknown) => isWixMediaError(error, 'WIX_MEDIA_NOT_FOUND') && error.rule === 'RESOURCE_NOT_FOUND'

export async function verifyLockfile(engine: Engine, signal?: AbortSignal): Promise<{ checked: number; problems: VerifyProblem[] }> {
  const entries = engine.lockfile.entries()
  const client = await engine.client()
  const found = new Map<string, FileDescriptor>()
  for (let i = 0; i < entries.length; i += BATCH) {
    const ids = entries.slice(i, i + BATCH).map(([, entry]) => entry.id)
    try {
      for (const file of await client.getFiles(ids, signal)) found.set(file.id, file)
    } catch (error) {
      if (!isGone(error)) throw error
      // One unknown id fails the whole batch: ask for each one to find out which.
      for (const id of ids) {
        try {
          found.set(id, await client.getFile(id, signal))
        } catch (single) {
          if (!isGone(single)) throw single
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
                : notThisFile(hash, entry.url, file) ? 'not-this-file'
                  : undefined
    if (problem) problems.push({ hash, id: entry.id, paths: entry.paths, problem })
  }
  return { checked: entries.length, problems }
}
