/** `wix-media emulator`: run the local Media Manager until stopped. */
import { parseArgs } from 'node:util'
import { startEmulator } from '../../emulator/index.ts'
import type { EmulatorOptions } from '../../emulator/index.ts'
import { UsageError } from '../usage-error.ts'

export const usage = `Usage: wix-media emulator [options]

Runs a local Wix Media Manager (REST API, uploads, TUS, static media) until stopped.

Options:
  --port <n>            TCP port, 0 for a free one (default 0)
  --host <addr>         interface to listen on (default 127.0.0.1)
  --api-key <key>       the key with "Manage Media Manager" permission (default emulator-api-key)
  --read-key <key>      a further key that may only read (repeatable)
  --site-id <id>        the site id API calls must send in wix-site-id (default emulator-site)
  --data-dir <dir>      keep files and descriptors there across restarts (default: in memory)
  --public-url <url>    origin to use in media URLs (default: the listening URL)
  --latency <ms>        delay before every answer (default 0)
  --rate-limit <n>      API requests per minute per site, 0 for none (default 0)
  --retry-after <s>     send Retry-After with 429s: seconds, or "auto" (default: none)
  --fail-rate <p>       chance 0-1 that an API or upload request fails with 500/503/429 (default 0)
  --seed <n>            seed for ids and faults, to replay a run (default random)
  --bare-upload-errors  answer the upload host's errors with a status and no body (all the
                        contract promises there; default: Wix's JSON error body)
  -h, --help            show this help`

function number(name: string, value: string | undefined, parse = Number): number | undefined {
  if (value === undefined) return undefined
  const parsed = parse(value)
  if (!Number.isFinite(parsed)) throw new UsageError(`--${name} expects a number, got "${value}"`)
  return parsed
}

export function emulatorOptionsFromArgs(args: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      'read-key': { type: 'string', multiple: true },
      'site-id': { type: 'string' },
      'data-dir': { type: 'string' },
      'public-url': { type: 'string' },
      latency: { type: 'string' },
      'rate-limit': { type: 'string' },
      'retry-after': { type: 'string' },
      'fail-rate': { type: 'string' },
      seed: { type: 'string' },
      'bare-upload-errors': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return 'help'
  const retryAfter = values['retry-after']
  const options: EmulatorOptions = {
    port: number('port', values.port),
    host: values.host,
    apiKey: values['api-key'],
    apiKeys: Object.fromEntries((values['read-key'] ?? []).map((key) => [key, 'read' as const])),
    siteId: values['site-id'],
    dataDir: values['data-dir'],
    publicUrl: values['public-url'],
    latency: number('latency', values.latency),
    rateLimit: number('rate-limit', values['rate-limit']),
    rateLimitRetryAfter: retryAfter === undefined ? undefined : retryAfter === 'auto' ? 'auto' : number('retry-after', retryAfter),
    failRate: number('fail-rate', values['fail-rate']),
    seed: number('seed', values.seed),
    uploadErrorBodies: values['bare-upload-errors'] ? false : undefined,
  }
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as EmulatorOptions
}

export async function runEmulator(args: string[]): Promise<number> {
  const options = emulatorOptionsFromArgs(args)
  if (options === 'help') {
    console.log(usage)
    return 0
  }
  let emulator
  try {
    emulator = await startEmulator(options)
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message)
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`
      const why = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'needs privileges to listen on' : 'is not an address of this machine'
      console.error(`wix-media emulator: ${where} ${why} (${code}). Pick another --port (0 for a free one) or --host`)
      return 1
    }
    if (code === 'EDATADIR') {
      console.error(`wix-media emulator: ${(error as Error).message}`)
      return 2
    }
    throw error
  }
  console.log(`Media Manager emulator listening on ${emulator.url}`)
  console.error(`  site id: ${emulator.siteId}; API base URL: ${emulator.url} (paths under /site-media/v1)`)
  console.error(options.dataDir ? `  data dir: ${options.dataDir}` : '  data in memory (use --data-dir to keep it)')
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await emulator.close()
  return 0
}
