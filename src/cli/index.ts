#!/usr/bin/env node
/** `wix-media`: the command-line face of unplugin-wix-media. */
import { exitCodeFor, EXIT } from './common.ts'
import { nodeTooOld } from '../core/node-floor.ts'
import { createOutput } from './output.ts'
import { UsageError } from './usage-error.ts'

type Run = (args: string[]) => Promise<number>

/** Each command is loaded when it runs: `sync` does not pay for the emulator's HTTP server, nor the reverse. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Run> }> = {
  sync: {
    summary: 'upload new or changed media and write the lockfile (prebuild)',
    load: async () => (await import('./commands/sync.ts')).runSync,
  },
  status: { summary: 'show what sync would do; writes nothing', load: async () => (await import('./commands/status.ts')).runStatus },
  verify: { summary: 'check that every lockfile entry exists and is READY', load: async () => (await import('./commands/verify.ts')).runVerify },
  prune: {
    summary: 'drop unused lockfile entries; --remote finds orphaned uploads',
    load: async () => (await import('./commands/prune.ts')).runPrune,
  },
  emulator: { summary: 'run a local Media Manager emulator', load: async () => (await import('./commands/emulator.ts')).runEmulator },
}

const usage = `Usage: wix-media <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`).join('\n')}

Run \`wix-media <command> --help\` for a command's options; \`wix-media --version\` prints the version.`

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name ? 0 : 2
  }
  if (name === '--version' || name === '-V') {
    console.log((await import('../core/package-version.ts')).packageVersion())
    return 0
  }
  const command = COMMANDS[name]
  if (!command) throw new UsageError(`unknown command "${name}"`)
  const tooOld = nodeTooOld()
  if (tooOld) {
    console.error(`wix-media: ${tooOld}. Install a current Node (the LTS), or run it with \`npx -p node@22 wix-media …\``)
    return EXIT.USAGE
  }
  const run = await command.load()
  return run(args)
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
