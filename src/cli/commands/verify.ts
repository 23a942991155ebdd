/** `wix-media verify`: every lockfile entry still exists in the Media Manager and is READY. */
import { existsSync } from 'node:fs'
import { createEngine } from '../../core/engine.ts'
import { WixMediaError } from '../../core/errors.ts'
import { dropBroken, FIXED_BY_DROPPING, verifyLockfile, type VerifyProblem } from '../../core/verify.ts'
import { commonUsageWithout, EXIT, prepare, UPLOAD_FLAGS } from '../common.ts'
import { count } from '../output.ts'

/** Common flags that mean nothing to verify, which never uploads: refused, and left out of the help. */
const NOT_FOR_VERIFY = UPLOAD_FLAGS('verify')

export const usage = `Usage: wix-media verify [options]

Checks every lockfile entry against the Media Manager: the file exists, is not in the trash, is
READY, has the recorded size, and is the entry's content (its hash label and URL agree). Exit code
0 when all are fine, 3 when some are not.

\`sync\` trusts the lockfile and does not ask the Media Manager again, so it does not notice a file
deleted there: run verify for that (in CI, on a schedule).

Options:
  --fix                 drop the entries of missing, trashed, failed and different files, so
                        that the next \`wix-media sync\` uploads them again (then the exit code
                        is 0, unless pending files are left)
${commonUsageWithout(NOT_FOR_VERIFY)}`

export async function runVerify(args: string[]): Promise<number> {
  const prepared = await prepare(args, { fix: { type: 'boolean' } }, usage, { refuse: NOT_FOR_VERIFY, globs: false })
  if (prepared === 'help') return EXIT.OK
  const { options, output, values } = prepared
  // Nothing to check is no "all fine": a CI job run from the wrong folder must not pass.
  if (!existsSync(options.lockfile)) {
    throw new WixMediaError('WIX_MEDIA_CONFIG', 'verify found no lockfile to check', {
      file: options.lockfile,
      hint: 'Run it from the project root, or pass --root and --lockfile; a project that has not synced yet has nothing to verify',
    })
  }
  const engine = await createEngine(options, { onWarning: output.warn })
  const { checked, problems } = await verifyLockfile(engine)
  for (const problem of problems) output.info(`${problem.problem.padEnd(13)} ${problem.id} (${problem.paths.join(', ') || 'no paths'})`)
  const dropped = values.fix ? await dropBroken(engine, problems) : []
  const left = problems.filter((problem) => !dropped.includes(problem))
  output.info(`verify: ${count(checked, 'entry', 'entries')} checked, ${problems.length} with problems${hint(problems, dropped)}`)
  output.json({ checked, problems, ...(values.fix && { dropped: dropped.map((problem) => problem.hash) }) })
  return left.length > 0 ? EXIT.OUT_OF_DATE : EXIT.OK
}

/** What to do about the problems found (or what --fix did about them). */
function hint(problems: readonly VerifyProblem[], dropped: readonly VerifyProblem[]): string {
  if (dropped.length > 0) {
    const pending = problems.length > dropped.length ? '; pending files are still processing: run verify again later' : ''
    return `; dropped ${count(dropped.length, 'entry', 'entries')}: run \`wix-media sync\` to upload ${dropped.length === 1 ? 'its file' : 'their files'} again${pending}`
  }
  if (problems.some((problem) => FIXED_BY_DROPPING.has(problem.problem))) {
    return ' (run `wix-media verify --fix` to drop the entries of the missing, trashed, failed or different files, ' +
      'then `wix-media sync` to upload them again; a trashed file can instead be restored from the Media Manager\'s trash)'
  }
  return problems.length > 0 ? ' (pending files are still processing: run verify again later)' : ''
}
