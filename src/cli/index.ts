#!/usr/bin/env node
/** `wix-media`: the command-line face of unplugin-wix-media. */
import { runEmulator } from './commands/emulator.ts'
import { runPrune } from './commands/prune.ts'
import { runStatus } from './commands/status.ts'
import { runSync } from './commands/sync.ts'
import { runVerify } from './commands/verify.ts'
import { exitCodeFor, EXIT } from './common.ts'
import { createOutput } from './output.ts'
import { UsageError } from './usage-error.ts'

const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<number> }> = {
  sync: { summary: 'upload new or changed media and write the lockfile (prebuild)', run: runSync },
  status: { summary: 'show what sync would do; writes nothing', run: runStatus },
  verify: { summary: 'check that every lockfile entry exists and is READY', run: runVerify },
  prune: { summary: 'drop unused lockfile entries; --remote finds orphaned uploads', run: runPrune },
  emulator: { summary: 'run a local Media Manager emulator', run: runEmulator },
}

const usage = `Usage: wix-media <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`).join('\n')}

Run \`wix-media <command> --help\` for a command's options.`

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name ? 0 : 2
  }
  const command = COMMANDS[name]
  if (!command) throw new UsageError(`unknown command "${name}"`)
  return command.run(args)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`wix-media: ${(error as Error).message}\nRun \`wix-media --help\` for usage.`)
      process.exitCode = EXIT.USAGE
      return
    }
    try {
      // A failure before the command could report (a bad lockfile or config) still answers --json.
      const json = process.argv.includes('--json')
      process.exitCode = exitCodeFor(error, createOutput({ json, quiet: false, verbose: false }))
    } catch {
      console.error(`wix-media: ${(error as Error).stack ?? String(error)}`)
      process.exitCode = EXIT.FAILED
    }
  },
)
