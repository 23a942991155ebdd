/**
 * One plugin instance's options: those given to the plugin over the project's `wix-media.config.*`,
 * with the bundler's root as the default root, resolved again as each of them becomes known.
 */
import { resolve } from 'node:path'
import { loadConfig } from '../core/config-file.ts'
import { resolveOptions, type ResolvedOptions } from '../core/options.ts'
import { KNOWN_OPTIONS, resolvePluginSettings, type ResolvedPluginSettings, type WixMediaPluginOptions } from './options.ts'

export interface InstanceOptions {
  readonly options: ResolvedOptions
  readonly settings: ResolvedPluginSettings
  /** The bundler's root (Vite's `root`, webpack's `context`), once known: what `/src/x.png` in CSS or HTML starts from. */
  readonly bundlerRoot: string | undefined
  /** The bundler said where its root is. */
  setBundlerRoot(root: string | undefined): void
  /**
   * Reads the config file, once, from the root known by then (the plugin's, else the bundler's,
   * then the current folder); every hook that uses the options awaits it first.
   */
  ready(): Promise<void>
}

/** `given`: the options passed to the plugin (names already checked). */
export function createInstanceOptions(given: WixMediaPluginOptions): InstanceOptions {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as WixMediaPluginOptions
  let fromFile: WixMediaPluginOptions = {}
  let bundlerRoot: string | undefined
  let settings = resolvePluginSettings(defined)
  let options = resolveOptions(defined)
  /** The options given over the file's; the root: given, else the file's, else the bundler's. */
  const resolveAll = () => {
    const merged: WixMediaPluginOptions = { ...fromFile, ...defined }
    merged.root ??= bundlerRoot
    settings = resolvePluginSettings(merged)
    options = resolveOptions(merged)
  }
  let read: Promise<void> | undefined
  return {
    get options() {
      return options
    },
    get settings() {
      return settings
    },
    get bundlerRoot() {
      return bundlerRoot
    },
    setBundlerRoot(root) {
      bundlerRoot = root
      resolveAll()
    },
    ready: () => (read ??= (async () => {
      if (defined.configFile === false) return
      const cwd = process.cwd()
      const root = defined.root ?? bundlerRoot
      const found = await loadConfig<WixMediaPluginOptions>({
        cwd, explicit: defined.configFile, folders: root === undefined ? [cwd] : [resolve(cwd, root), cwd], known: KNOWN_OPTIONS,
      })
      fromFile = found.options
      resolveAll()
    })()),
  }
}
