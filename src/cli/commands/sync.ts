/** `wix-media sync [globs…]`: upload what is new or changed, write the lockfile, print a summary. */
import { planProject, syncProject, type ProjectSetup } from '../../core/project.ts'
import { COMMON_USAGE, errorJson, EXIT, hasCredentials, prepare } from '../common.ts'
import { printPlan } from './status.ts'
import { createProgress, formatBytes, formatDuration } from '../output.ts'

export const usage = `Usage: wix-media sync [globs…] [options]

Scans the project's media (globs, or \`include\` from the config), hashes them, uploads what the
lockfile does not have yet (adopting files this tool already uploaded), and writes the lockfile.

Options:
  --dry-run             show what would be uploaded; change nothing
${COMMON_USAGE}`

export async function runSync(args: string[]): Promise<number> {
  const prepared = await prepare(args, { 'dry-run': { type: 'boolean' } }, usage)
  if (prepared === 'help') return EXIT.OK
  const { options, output, values } = prepared
  const dryRun = Boolean(values['dry-run'])
  const progress = createProgress(output)
  const onScanned: ProjectSetup['onScanned'] = (paths, walked) =>
    output.detail(`${paths.length} media files under ${options.root}${walked ? '' : ' (no walk: every folder is as the last sync found it)'}`)
  if (dryRun) return printPlan(await planProject(options, hasCredentials(options), { onScanned }), output, 'sync --dry-run')
  const setup: ProjectSetup = {
    onScanned,
    onHosted: (asset, local) => {
      if (asset.outcome !== 'reused') output.detail(`${asset.outcome.padEnd(8)} ${asset.path} → ${asset.entry.url}`)
      progress.advance(local.size)
    },
    onInspected: (assets) => progress.start(assets.length, assets.reduce((sum, asset) => sum + asset.size, 0)),
  }
  const report = await syncProject(options, setup)
  progress.end()
  for (const error of report.errors) output.error(error)
  if (report.fromLastSync) output.detail('Every file is as the last sync left it (checked by their stats)')
  output.info(
    `${report.uploaded} uploaded (${formatBytes(report.uploadedBytes)}), ${report.adopted} adopted, ${report.reused} unchanged` +
    `${report.errors.length ? `, ${report.errors.length} failed` : ''} in ${formatDuration(report.durationMs)}` +
    `${report.stale.length ? `; ${report.stale.length} lockfile entries no file uses (wix-media prune)` : ''}`,
  )
  output.json({ ...report, errors: report.errors.map(errorJson) })
  if (report.errors.length === 0) return EXIT.OK
  return report.errors.every((error) => error.code === 'WIX_MEDIA_FROZEN') ? EXIT.OUT_OF_DATE : EXIT.FAILED
}
