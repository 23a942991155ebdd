/** Vite builds for the plugin's tests: one `vite build` with the plugin, its log recorded, not printed. */
import { join } from 'node:path'
import { expect } from 'vitest'
import { build, type InlineConfig, type Logger } from 'vite'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import wixMedia from '../../src/vite.ts'

export interface Logs {
  info: string[]
  warn: string[]
  error: string[]
}

/** A Vite logger that records instead of printing. */
export function recordingLogger(): { logger: Logger; logs: Logs } {
  const logs: Logs = { info: [], warn: [], error: [] }
  const logger: Logger = {
    info: (message) => void logs.info.push(message),
    warn: (message) => void logs.warn.push(message),
    warnOnce: (message) => void logs.warn.push(message),
    error: (message) => void logs.error.push(message),
    clearScreen: () => {},
    hasErrorLogged: () => false,
    hasWarned: false,
  }
  return { logger, logs }
}

/** Only the plugin's own lines, without Vite's timestamp. */
export function pluginLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.includes('[unplugin-wix-media]')).map((line) => line.slice(line.indexOf('[unplugin-wix-media]')))
}

/**
 * One `vite build` of `root` with the plugin (which takes its root from Vite unless `options` says)
 * into `<root>/dist` (or `extra.build.outDir`); `extra` is merged into the inline config.
 */
export async function viteBuild(root: string, options: WixMediaPluginOptions, extra: InlineConfig = {}): Promise<{ dist: string; logs: Logs }> {
  const { logger, logs } = recordingLogger()
  const outDir = extra.build?.outDir ?? 'dist'
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    customLogger: logger,
    plugins: [wixMedia(options)],
    ...extra,
    build: { emptyOutDir: true, ...extra.build, outDir },
  })
  return { dist: join(root, outDir), logs }
}

/** The error of a `vite build` that must fail, with the logs. */
export async function failingViteBuild(root: string, options: WixMediaPluginOptions): Promise<{ error: Error; logs: Logs }> {
  const { logger, logs } = recordingLogger()
  const error = await build({ root, configFile: false, logLevel: 'warn', customLogger: logger, plugins: [wixMedia(options)] })
    .then(() => new Error('the build succeeded'), (caught: unknown) => caught as Error)
  expect(error.message).not.toBe('the build succeeded')
  return { error, logs }
}
