/** `wix-media prune`: drop lockfile entries no file uses; `--remote` finds the managed folder's orphans. */
import { createEngine } from '../../core/engine.ts'
import { prune } from '../../core/prune.ts'
import { scanFiles } from '../../core/scan.ts'
import { UsageError } from '../usage-error.ts'
import { COMMON_USAGE, errorJson, EXIT, prepare } from '../common.ts'

export const usage = `Usage: wix-media prune [globs…] [options]

Drops lockfile entries that no project file uses any more. With --remote, also lists the files in
the managed Media Manager folder that no lockfile entry uses; with --remote --yes, moves them to
the Media Manager's trash (never deleted for good).

Options:
  --dry-run             show what would be dropped; change nothing
  --remote              also look for orphans in the managed folder (listed only, unless --yes)
  --yes                 with --remote: move the orphans to the trash
  --max-delete <n>      refuse to trash more than n files (default 100)
  --min-age <hours>     only files uploaded at least this long ago are orphans (default 24):
                        a build on another branch may have uploaded files its lockfile not yet merged
${COMMON_USAGE}`

export async function runPrune(args: string[]): Promise<number> {
  const prepared = await prepare(args, {
    'dry-run': { type: 'boolean' },
    remote: { type: 'boolean' },
    yes: { type: 'boolean' },
    'max-delete': { type: 'string' },
    'min-age': { type: 'string' },
  }, usage)
  if (prepared === 'help') return EXIT.OK
  const { options, output, values } = prepared
  const maxDelete = values['max-delete'] === undefined ? 100 : Number(values['max-delete'])
  if (!Number.isInteger(maxDelete) || maxDelete < 0) throw new UsageError(`--max-delete expects a whole number ≥ 0, got "${String(values['max-delete'])}"`)
  const minAgeHours = values['min-age'] === undefined ? 24 : Number(values['min-age'])
  if (!(minAgeHours >= 0)) throw new UsageError(`--min-age expects a number of hours ≥ 0, got "${String(values['min-age'])}"`)
  const dryRun = Boolean(values['dry-run'])
  const remote = Boolean(values.remote)
  const trash = remote && Boolean(values.yes)
  // The walk waits on the disk while the lockfile is parsed.
  const [engine, paths] = await Promise.all([createEngine(options), scanFiles(options)])
  const result = await prune(engine, paths, { dryRun, remote, trash, maxDelete, minAgeMs: minAgeHours * 3_600_000 })
  for (const error of result.errors) output.error(error)
  if (result.errors.length > 0) {
    output.info('prune: nothing changed, because some files could not be read')
    output.json({ ...result, errors: result.errors.map(errorJson) })
    return EXIT.FAILED
  }
  const verb = dryRun ? 'would drop' : 'dropped'
  for (const hash of result.dropped) output.detail(`${verb} ${hash}`)
  for (const orphan of result.orphans) output.info(`${trash && !dryRun ? 'trashed' : 'orphan '} ${orphan.id} (${orphan.displayName})`)
  output.info(`prune: ${verb} ${result.dropped.length} lockfile entries` +
    (remote ? `; ${result.orphans.length} orphans in ${options.folder}${trash && !dryRun ? ' moved to the trash' : ' (add --yes to move them to the trash)'}` : ''))
  output.json({ dryRun, ...result, errors: [] })
  return EXIT.OK
}
