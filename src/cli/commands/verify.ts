/** `wix-media verify`: every lockfile entry still exists in the Media Manager and is READY. */
import { createEngine } from '../../core/engine.ts'
import { verifyLockfile } from '../../core/verify.ts'
import { COMMON_USAGE, EXIT, prepare } from '../common.ts'

export const usage = `Usage: wix-media verify [options]

Checks every lockfile entry against the Media Manager: the file exists, is not in the trash, is
READY, and has the recorded size. Exit code 0 when all are fine, 3 when some are not.

Options:
${COMMON_USAGE}`

export async function runVerify(args: string[]): Promise<number> {
  const prepared = await prepare(args, {}, usage)
  if (prepared === 'help') return EXIT.OK
  const { options, output } = prepared
  const engine = await createEngine(options)
  const { checked, problems } = await verifyLockfile(engine)
  for (const problem of problems) output.info(`${problem.problem.padEnd(13)} ${problem.id} (${problem.paths.join(', ') || 'no paths'})`)
  output.info(`verify: ${checked} entries checked, ${problems.length} with problems${problems.length ? ' (wix-media sync re-uploads missing files once their entries are removed with prune, or the lockfile is deleted)' : ''}`)
  output.json({ checked, problems })
  return problems.length > 0 ? EXIT.OUT_OF_DATE : EXIT.OK
}
