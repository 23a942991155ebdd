/** `wix-media prune`: drop lockfile entries no file uses; `--remote` finds the managed folder's orphans. */
import { createEngine } from '../../core/engine.ts'
import { prune } from '../../core/prune.ts'
import { scanFiles } from '../../core/scan.ts'
import { UsageError } from '../usage-error.ts'
import { commonUsageWithout, errorJson, EXIT, prepare, scanNotes, UPLOAD_FLAGS } from '../common.ts'
import { count } from '../output.ts'

/** Common flags that mean nothing to prune, which never uploads: refused, and left out of the help. */
const NOT_FOR_PRUNE = UPLOAD_FLAGS('prune')

export const usage = `Usage: wix-media prune [globs…] [options]

Drops lockfile entries that no project file uses any more (globs narrow the files scanned; entries
whose recorded files exist outside them are kept). With --remote, also lists the files in the
managed Media Manager folder that no entry in use holds; with --remote --yes, moves them to the
Media Manager's trash (never deleted for good). --remote refuses to run when the lockfile is
missing or no project file uses its entries: every file in the folder would look like an orphan.

Options:
  --dry-run             show what would be dropped and trashed; change nothing
  --remote              also look for orphans in the managed folder (listed only, unless --yes)
  --yes                 with --remote: move the orphans to the trash
  --max-delete <n>      refuse to trash more than n files (default 100)
  --min-age <hours>     only files uploaded at least this long ago are orphans (default 24):
                        a build on another branch may have uploaded files its lockfile not yet merged
${commonUsageWithout(NOT_FOR_PRUNE)}`

export async function runPrune(args: string[]): Promise<number> {
  const prepared = await prepare(args, {
    'dry-run': { type: 'boolean' },
    remote: { type: 'boolean' },
    yes: { type: 'boolean' },
    'max-delete': { type: 'string' },
    'min-age': { type: 'string' },
  }, usage, { refuse: NOT_FOR_PRUNE })
  if (prepared === 'help') return EXIT.OK
  const { options, output, values } = prepared
  const maxDelete = values['max-delete'] === undefined ? 100 : Number(values['max-delete'])
  if (!Number.isInteger(maxDelete) || maxDelete < 0) throw new UsageError(`--max-delete expects a whole number ≥ 0, got "${String(values['max-delete'])}"`)
  const minAgeHours = values['min-age'] === undefined ? 24 : Number(values['min-age'])
  if (!(minAgeHours >= 0)) throw new UsageError(`--min-age expects a number of hours ≥ 0, got "${String(values['min-age'])}"`)
  const dryRun = Boolean(values['dry-run'])
  const remote = Boolean(values.remote)
  // --yes confirms the trash step, which only --remote has: alone, it would look like it did something.
  if (values.yes && !remote) throw new UsageError('--yes only applies with --remote (it confirms moving the managed folder\'s orphans to the trash): add --remote, or leave --yes out')
  const trash = remote && Boolean(values.yes)
  // The walk waits on the disk while the lockfile is parsed.
  const [engine, paths] = await Promise.all([createEngine(options, { onWarning: output.warn }), scanFiles(options)])
  for (const note of await scanNotes(options, paths)) output.info(note)
  const result = await prune(engine, paths, { dryRun, remote, trash, maxDelete, minAgeMs: minAgeHours * 3_600_000 })
  output.fileErrors(result.errors)
  if (result.errors.length > 0) {
    output.info('prune: nothing changed, because some files could not be read')
    output.json({ dryRun, ...result, errors: result.errors.map(errorJson) })
    return EXIT.FAILED
  }
  const verb = dryRun ? 'would drop' : 'dropped'
  for (const hash of result.dropped) output.detail(`${verb} ${hash}`)
  const label = result.trashed ? 'trashed' : trash && dryRun ? 'would trash' : 'orphan '
  for (const orphan of result.orphans) output.info(`${label} ${orphan.id} (${orphan.displayName})`)
  // What was done is said even when the trash step failed after the entries were dropped.
  if (result.trashError) output.error(result.trashError)
  output.info(`prune: ${verb} ${count(result.dropped.length, 'lockfile entry', 'lockfile entries')}` +
    (remote ? `; ${count(result.orphans.length, 'orphan', 'orphans')} in ${options.folder}${orphansFate(result, trash, dryRun, maxDelete)}` : '') +
    (result.tooYoung > 0 ? `; ${count(result.tooYoung, 'file', 'files')} no entry uses left alone, younger than --min-age ${minAgeHours} h` : ''))
  const { trashError, ...report } = result
  output.json({ dryRun, ...report, errors: trashError ? [errorJson(trashError)] : [] })
  return trashError ? EXIT.FAILED : EXIT.OK
}

/** The end of the summary line: what became of the orphans, or what would. */
function orphansFate(result: { orphans: unknown[]; trashed: boolean; trashError?: unknown }, trash: boolean, dryRun: boolean, maxDelete: number): string {
  if (result.orphans.length === 0) return ''
  if (!trash) return ' (add --yes to move them to the trash)'
  if (dryRun) return result.orphans.length > maxDelete ? ` would not be moved to the trash: more than --max-delete ${maxDelete}` : ' would be moved to the trash'
  return result.trashed ? ' moved to the trash' : ' NOT moved to the trash (the error above says why; run prune --remote --yes again once it is fixed)'
}
