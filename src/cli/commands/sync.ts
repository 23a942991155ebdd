/** `wix-media sync [globs…]`: upload what is new or changed, write the lockfile, print a summary. */
import { createEngine } from '../../core/engine.ts'
import { scanFiles } from '../../core/scan.ts'
import { planFiles, syncFiles } from '../../core/sync.ts'
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
  if (prepared === 'help') {
    console.log(usage)
    return EXIT.OK
  }
  const { options, output, values } = prepared
  const dryRun = Boolean(values['dry-run'])
  const progress = createProgress(output)
  // The walk waits on the disk while the lockfile is parsed.
  const [paths, engine] = await Promise.all([
    scanFiles(options),
    createEngine(dryRun ? { ...options, frozen: true } : options, {
      onHosted: (asset, local) => {
        if (asset.outcome !== 'reused') output.detail(`${asset.outcome.padEnd(8)} ${asset.path} → ${asset.entry.url}`)
        progress.advance(local.size)
      },
    }),
  ])
  output.detail(`${paths.length} media files under ${options.root}`)
  if (dryRun) return printPlan(await planFiles(engine, paths, hasCredentials(options)), output, 'sync --dry-run')
  const report = await syncFiles(engine, paths, {
    onInspected: (assets) => progress.start(assets.length, assets.reduce((sum, asset) => sum + asset.size, 0)),
  })
  progress.end()
  for (const error of report.errors) output.error(error)
  output.info(
    `${report.uploaded} uploaded (${formatBytes(report.uploadedBytes)}), ${report.adopted} adopted, ${report.reused} unchanged` +
    `${report.errors.length ? `, ${report.errors.length} failed` : ''} in ${formatDuration(report.durationMs)}` +
    `${report.stale.length ? `; ${report.stale.length} lockfile entries no file uses (wix-media prune)` : ''}`,
  )
  output.json({ ...report, errors: report.errors.map(errorJson) })
  if (report.errors.length === 0) return EXIT.OK
  return report.errors.every((error) => error.code === 'WIX_MEDIA_FROZEN') ? EXIT.OUT_OF_DATE : EXIT.FAILED
}
