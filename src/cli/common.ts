/** What the project commands share: their flags, the config they load, and exit codes. */
import { statSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { loadConfig } from '../core/config-file.ts'
import { isWixMediaError, WixMediaError } from '../core/errors.ts'
import { closest } from '../core/option-names.ts'
import { narrowTo, resolveOptions, type ResolvedOptions, type WixMediaOptions } from '../core/options.ts'
import { KNOWN_OPTIONS } from '../plugin/options.ts'
import { createOutput, type Output } from './output.ts'
import { UsageError } from './usage-error.ts'

/** Exit codes, documented in the README. */
export const EXIT = {
  OK: 0,
  /** Something failed: an upload, a network call, a file. */
  FAILED: 1,
  /** The command was called wrongly, or the config is invalid. */
  USAGE: 2,
  /** The lockfile does not match the files (status: work remains; verify: problems; --frozen: missing entries). */
  OUT_OF_DATE: 3,
  /** Stopped by Ctrl-C (SIGINT: 128 + 2, as shells report it); what finished is recorded. */
  INTERRUPTED: 130,
} as const

export const COMMON_FLAGS = {
  config: { type: 'string' },
  root: { type: 'string' },
  lockfile: { type: 'string' },
  folder: { type: 'string' },
  concurrency: { type: 'string' },
  frozen: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

export const COMMON_USAGE = `  --config <file>       config file (default: wix-media.config.{ts,mts,mjs,js,json} in the current folder)
  --root <dir>          project root (default: the current folder)
  --lockfile <file>     lockfile path (default: wix-media.lock.json)
  --folder <path>       Media Manager folder the tool owns (default: /unplugin-wix-media)
  --concurrency <n>     uploads in flight at once (default: 6)
  --frozen              fail instead of uploading when a file is missing from the lockfile
  --json                machine-readable result on stdout (human output stays on stderr)
  -q, --quiet           only errors
  -v, --verbose         more detail (sync: one line per file)
  -h, --help            show this help

Environment: WIX_API_KEY, WIX_SITE_ID, WIX_API_BASE_URL (default https://www.wixapis.com).`

type Flags = NonNullable<ParseArgsConfig['options']>

/** Common flags that mean nothing to a command that never uploads (prune, verify): refused, with why. */
export const UPLOAD_FLAGS = (command: string): Record<string, string> => ({
  frozen: `--frozen does not apply to ${command} (it forbids uploads, and ${command} never uploads)`,
  concurrency: `--concurrency does not apply to ${command} (it limits uploads, and ${command} never uploads)`,
})

/** COMMON_USAGE without the lines of `flags` (the ones a command refuses). */
export function commonUsageWithout(flags: Record<string, string>): string {
  return COMMON_USAGE.split('\n').filter((line) => !Object.keys(flags).some((flag) => line.trimStart().startsWith(`--${flag} `))).join('\n')
}

export interface PrepareSettings {
  /** Common flags this command refuses, with why (see {@link UPLOAD_FLAGS}). */
  refuse?: Record<string, string>
  /** The command takes globs (`sync [globs…]`). @default true */
  globs?: boolean
}

/** Parses flags (printing `usage` for --help), loads the config, and resolves the options once. */
export async function prepare<const F extends Flags>(args: string[], extra: F, usage: string, settings: PrepareSettings = {}) {
  const known = { ...COMMON_FLAGS, ...extra }
  let parsed
  try {
    parsed = parseArgs({ args, options: known, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs' own message suggests `-- "--rooot"`; a misspelled flag wants its right spelling.
    const flag = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(--?[^']+)'/.exec((error as Error).message)?.[1] : undefined
    if (!flag) throw error
    const near = closest(flag.replace(/^-+/, ''), Object.keys(known))
    throw new UsageError(`unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}\n\n${usage}`)
  }
  const { values, positionals } = parsed
  const flags = values as Record<string, string | boolean | string[] | undefined>
  if (flags.help) {
    console.log(usage)
    return 'help' as const
  }
  if (flags.quiet && flags.verbose) throw new UsageError(`--quiet and --verbose contradict each other: pick one\n\n${usage}`)
  for (const [flag, why] of Object.entries(settings.refuse ?? {})) if (flags[flag] !== undefined) throw new UsageError(why)
  if (settings.globs === false && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}": this command takes no globs\n\n${usage}`)
  const output = createOutput({ json: Boolean(flags.json), quiet: Boolean(flags.quiet), verbose: Boolean(flags.verbose) })
  const cwd = process.cwd()
  const { options: fromConfig } = await loadConfig({ cwd, explicit: flags.config as string | undefined, known: KNOWN_OPTIONS })
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency)
  if (concurrency !== undefined && !Number.isInteger(concurrency)) throw new UsageError(`--concurrency expects a whole number, got "${String(flags.concurrency)}"\n\n${usage}`)
  const overrides: WixMediaOptions = {
    ...(flags.root !== undefined && { root: flags.root as string }),
    ...(flags.lockfile !== undefined && { lockfile: flags.lockfile as string }),
    ...(flags.folder !== undefined && { folder: flags.folder as string }),
    ...(concurrency !== undefined && { concurrency }),
    ...(flags.frozen !== undefined && { frozen: flags.frozen as boolean }),
  }
  const resolved = resolveOptions({ root: cwd, ...fromConfig, ...overrides })
  // Globs on the command line narrow `include`; they do not replace it (`sync 'img/**'` is img's media, not its every file).
  const options = positionals.length > 0 ? narrowTo(resolved, positionals) : resolved
  if (!statSync(options.root, { throwIfNoEntry: false })?.isDirectory()) {
    // A mistyped root would scan nothing and pass (`--frozen` too), and leave a cache folder there.
    throw new WixMediaError('WIX_MEDIA_CONFIG', 'the project root is not a folder (it does not exist, or is a file)', {
      file: options.root,
      hint: 'Check --root, or `root` in the config (relative to the config file)',
    })
  }
  return { values: flags, options, output }
}

/** Characters that make a glob of a file name that has them (`img/(2).png`): escape them with `\\` to mean themselves. */
const GLOB_SYNTAX = /[()[\]{}*?!+@]/

/**
 * What to say when a scan found nothing where the user pointed: each command-line glob that
 * matches no media file or, without globs, no media file at all under the root.
 */
export async function scanNotes(options: ResolvedOptions, paths: readonly string[]): Promise<string[]> {
  if (options.only) {
    const { default: picomatch } = await import('picomatch')
    return options.only
      .filter((glob) => {
        const matches = picomatch(glob, { dot: true, nocase: true })
        return !paths.some((path) => matches(path))
      })
      .map((glob) => `note: "${glob}" matches no media file under ${options.root}` +
        (GLOB_SYNTAX.test(glob) ? ' (in a glob, ( ) [ ] { } * ? ! are patterns: put a \\ before one to match it in a file name)' : ''))
  }
  return paths.length > 0 ? [] : [`note: no media file under ${options.root} matches \`include\` (${options.include.join(', ')}), minus \`exclude\` and .gitignore`]
}

/** Prints a failure and maps it to an exit code. */
export function exitCodeFor(error: unknown, output: Output): number {
  if (isWixMediaError(error)) {
    output.error(error)
    output.json({ errors: [errorJson(error)] })
    if (error.code === 'WIX_MEDIA_CONFIG') return EXIT.USAGE
    if (error.code === 'WIX_MEDIA_FROZEN') return EXIT.OUT_OF_DATE
    return EXIT.FAILED
  }
  throw error
}

export function errorJson(error: WixMediaError) {
  return { code: error.code, file: error.file, message: error.message, status: error.status, requestId: error.requestId, rule: error.rule }
}

export function hasCredentials(options: ResolvedOptions): boolean {
  return Boolean(options.apiKey && options.siteId)
}
