/**
 * Pruning: lockfile entries that no project file uses are dropped; with `remote`, files in the
 * managed folder that carry our hash label but are in no entry that a project file uses are moved
 * to the trash. A remote prune refuses to run without such an entry (no lockfile, an empty one, or
 * one whose paths are not under the root): every file of the folder would look like an orphan.
 */
import { access } from 'node:fs/promises'
import type { FileDescriptor } from '../client/wire.ts'
import type { Engine } from './engine.ts'
import { isWixMediaError, WixMediaError } from './errors.ts'
import { applyPaths, reconcile } from './reconcile.ts'

export interface PruneResult {
  /** Lockfile hashes dropped (or that would be, in a dry run). */
  dropped: string[]
  /** Managed-folder files that no entry in use holds: moved to the trash (with `trash`), or only listed. */
  orphans: { id: string; displayName: string }[]
  /** The orphans are in the trash now (`trash`, no dry run, and the call succeeded). */
  trashed: boolean
  /** Managed-folder files no entry in use holds, left alone as younger than `minAgeMs` (another branch's build may record them). */
  tooYoung: number
  /** Files that could not be read: then nothing changed. */
  errors: WixMediaError[]
  /** Moving the orphans to the trash failed, after the lockfile entries were dropped. */
  trashError?: WixMediaError
}

export async function prune(
  engine: Engine,
  paths: readonly string[],
  options: {
    /** Only report: drop nothing, trash nothing. */
    dryRun: boolean
    /** Look for orphans in the managed folder. */
    remote: boolean
    /** Move the orphans to the trash (otherwise they are only reported). */
    trash: boolean
    maxDelete: number
    /**
     * Only files created at least this long ago (ms) count as orphans: another branch's build may
     * have uploaded a file whose lockfile is not merged yet.
     */
    minAgeMs: number
  },
): Promise<PruneResult> {
  const { assets, errors } = await engine.inspectAll(paths)
  if (errors.length > 0) return { dropped: [], orphans: [], trashed: false, tooYoung: 0, errors }
  const reconciled = await reconcile(engine, assets)
  // The files are there, but none where the lockfile says: the root is most likely not the one the
  // lockfile's paths are relative to (a subfolder with --lockfile ../…). Dropping, rewriting paths and
  // trashing from there would hit the project's own entries. (A lockfile that records its `root` is
  // refused from another root when it is opened; this guess covers the ones written before.)
  const atRecordedPath = assets.some((asset) => engine.lockfile.get(asset.hash)?.paths.includes(asset.path))
  if (reconciled.paths.size > 0 && !atRecordedPath && reconciled.outside.size === 0) {
    const found = assets.length === 0
      ? `it finds no media file under ${engine.options.root}, and none of the paths the lockfile ${engine.lockfile.path} records exists there`
      : `none of the ${assets.length} files under ${engine.options.root} is at a path the lockfile ${engine.lockfile.path} records`
    throw new WixMediaError('WIX_MEDIA_CONFIG', `prune refused: ${found}, so the lockfile's paths are probably relative to another folder`, {
      hint: 'Run it from the project root, or pass --root <project folder>; if the files moved, run `wix-media sync` first (it records their new paths); ' +
        'if the project has no media any more, delete the lockfile',
    })
  }
  let orphans: FileDescriptor[] = []
  let tooYoung = 0
  if (options.remote) {
    const lockedIds = new Set([...reconciled.paths].filter(([, used]) => used.length > 0).map(([hash]) => engine.lockfile.get(hash)!.id))
    // (Entries none of which is in use were refused above, as a wrong root.)
    if (lockedIds.size === 0) throw await nothingLockedError(engine)
    const bornBefore = Date.now() - options.minAgeMs
    const unlocked = (await engine.remote.labelled()).filter((file) => !lockedIds.has(file.id))
    orphans = unlocked.filter((file) => Date.parse(file.createdDate) <= bornBefore)
    tooYoung = unlocked.length - orphans.length
    if (options.trash && !options.dryRun && orphans.length > options.maxDelete) {
      throw new WixMediaError('WIX_MEDIA_VALIDATION', `${orphans.length} files would be moved to the trash, more than --max-delete ${options.maxDelete}`, {
        hint: 'Check that the lockfile is complete (wix-media sync), then raise --max-delete if this is intended',
      })
    }
  }
  const listed = orphans.map((file) => ({ id: file.id, displayName: file.displayName }))
  const result: PruneResult = { dropped: reconciled.stale, orphans: listed, trashed: false, tooYoung, errors }
  if (options.dryRun) return result
  applyPaths(engine, reconciled, true)
  await engine.flush()
  if (options.trash && orphans.length > 0) {
    try {
      await (await engine.client()).deleteFiles(orphans.map((file) => file.id))
      result.trashed = true
    } catch (error) {
      // The entries are dropped already: report that along with the failure.
      if (!isWixMediaError(error)) throw error
      result.trashError = error
    }
  }
  return result
}

/**
 * Why a remote prune must not run: no lockfile, or one without entries, so "in no lockfile entry"
 * would be every file of the managed folder, other projects' included.
 */
async function nothingLockedError(engine: Engine): Promise<WixMediaError> {
  const { lockfile, options } = engine
  const why = await access(lockfile.path).then(() => `the lockfile ${lockfile.path} has no entries`, () => `there is no lockfile at ${lockfile.path}`)
  return new WixMediaError('WIX_MEDIA_CONFIG', `prune --remote refused: ${why}, so every file in the managed folder ${options.folder} would count as an orphan, other projects' files included`, {
    hint: 'Run it from the project root, or pass --root <project folder> and --lockfile <its lockfile>; ' +
      'a project that has not synced yet has nothing to prune (wix-media sync writes the lockfile)',
  })
}
