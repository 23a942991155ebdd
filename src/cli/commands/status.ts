/** `wix-media status [globs…]`: what a sync would do, with no writes; the exit code says whether work remains. */
import type { ResolvedOptions } from '../../core/options.ts'
import { planProject } from '../../core/project.ts'
import type { Plan } from '../../core/sync.ts'
import { COMMON_USAGE, errorJson, EXIT, hasCredentials, prepare, scanNotes } from '../common.ts'
import type { Output } from '../output.ts'

export const usage = `Usage: wix-media status [globs…] [options]

Shows what \`wix-media sync\` would do: files to upload, files to adopt from the Media Manager
(with credentials), and lockfile entries no file uses. Writes nothing. Exit code 0 when the
lockfile is up to date, 3 when work remains.

Options:
${COMMON_USAGE}`

/** The `--verbose` line about a scan: how many files, and whether it walked. */
export const scannedDetail = (options: ResolvedOptions, output: Output) => (paths: readonly string[], walked: boolean): void =>
  output.detail(`${paths.length} media files under ${options.root}${walked ? '' : ' (no walk: every folder is as the last sync found it)'}`)

/** `status` and `sync --dry-run`: the plan, with a note when the scan found nothing where the user pointed. */
export async function planScanned(options: ResolvedOptions, remote: boolean, output: Output): Promise<Plan> {
  let scanned: readonly string[] = []
  const detail = scannedDetail(options, output)
  const plan = await planProject(options, remote, {
    onScanned: (paths, walked) => {
      scanned = paths
      detail(paths, walked)
    },
  })
  for (const note of await scanNotes(options, scanned)) output.info(note)
  return plan
}

export function printPlan(plan: Plan, output: Output, title: string): number {
  for (const item of plan.work) output.info(`${item.action === 'upload' ? 'upload' : 'adopt '}  ${item.path}`)
  for (const hash of plan.stale) output.info(`stale   ${hash.slice(0, 12)}… (no file uses it; wix-media prune)`)
  output.fileErrors(plan.errors)
  const uploads = plan.work.filter((item) => item.action === 'upload').length
  const moved = plan.pathUpdates > 0 ? `, ${plan.pathUpdates} with paths to update (files copied, moved or removed)` : ''
  output.info(`${title}: ${uploads} to upload, ${plan.work.length - uploads} to adopt, ${plan.unchanged} unchanged, ${plan.stale.length} stale${moved}`)
  output.json({ work: plan.work, unchanged: plan.unchanged, stale: plan.stale, pathUpdates: plan.pathUpdates, errors: plan.errors.map(errorJson) })
  if (plan.errors.length > 0) return EXIT.FAILED
  return plan.work.length > 0 || plan.stale.length > 0 || plan.pathUpdates > 0 ? EXIT.OUT_OF_DATE : EXIT.OK
}

export async function runStatus(args: string[]): Promise<number> {
  const prepared = await prepare(args, {}, usage)
  if (prepared === 'help') return EXIT.OK
  const { options, output } = prepared
  const remote = hasCredentials(options)
  if (!remote) output.detail('No credentials: files missing from the lockfile are shown as uploads (adoption is not checked)')
  return printPlan(await planScanned(options, remote, output), output, 'status')
}
