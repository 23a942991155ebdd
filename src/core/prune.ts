/**
 * Pruning: lockfile entries that no project file uses are dropped; with `remote`, files in the
 * managed folder that carry our hash label but are in no lockfile entry are moved to the trash.
 */
import type { FileDescriptor } from '../client/wire.ts'
import type { Engine } from './engine.ts'
import { WixMediaError } from './errors.ts'
import { applyPaths, reconcile } from './reconcile.ts'

export interface PruneResult {
  /** Lockfile hashes dropped (or that would be, in a dry run). */
  dropped: string[]
  /** Managed-folder files moved to the trash (or that would be). */
  orphans: { id: string; displayName: string }[]
  errors: WixMediaError[]
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
  if (errors.length > 0) return { dropped: [], orphans: [], errors }
  const reconciled = await reconcile(engine, assets)
  let orphans: FileDescriptor[] = []
  if (options.remote) {
    const lockedIds = new Set([...reconciled.paths].filter(([, used]) => used.length > 0).map(([hash]) => engine.lockfile.get(hash)!.id))
    const bornBefore = Date.now() - options.minAgeMs
    orphans = (await engine.remote.labelled())
      .filter((file) => !lockedIds.has(file.id) && Date.parse(file.createdDate) <= bornBefore)
    if (options.trash && !options.dryRun && orphans.length > options.maxDelete) {
      throw new WixMediaError('WIX_MEDIA_VALIDATION', `${orphans.length} files would be moved to the trash, more than --max-delete ${options.maxDelete}`, {
        hint: 'Check that the lockfile is complete (wix-media sync), then raise --max-delete if this is intended',
      })
    }
  }
  if (!options.dryRun) {
    applyPaths(engine, reconciled, true)
    await engine.flush()
    if (options.trash && orphans.length > 0) await (await engine.client()).deleteFiles(orphans.map((file) => file.id))
  }
  return { dropped: reconciled.stale, orphans: orphans.map((file) => ({ id: file.id, displayName: file.displayName })), errors }
}
