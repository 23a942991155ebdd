/**
 * The unplugin factory: hooks only, each calling the engine through the host. Thin bundler entries
 * (`src/vite.ts`, …) wrap it.
 *
 * - load: an import of a media file (default, `?url`, a cache-buster, dynamic) becomes `export default "<hosted url>"`
 *   (under webpack and Rspack, an `asset/source` module whose text is the URL); another query stays
 *   with the bundler, with a warning.
 * - transform: CSS `url()` / `image-set()` and JS `new URL('./x.png', import.meta.url)` are rewritten.
 * - Vite's transformIndexHtml: media attributes (`src`, `srcset`, `poster`, `href`, media `<meta>`…) in HTML entries are rewritten.
 * - Vite's config: a PostCSS plugin rewrites the `url()`s only Vite's CSS plugin sees (`@import`ed
 *   stylesheets, preprocessor partials); see `vite-css.ts`.
 * - buildEnd: the lockfile is written, one summary line is logged, unhostable files fail the build.
 */
import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { UnpluginFactory } from 'unplugin'
import { isWixMediaError, WixMediaError } from '../core/errors.ts'
import { HOSTED_ID } from '../core/media-types.ts'
import { nodeTooOld } from '../core/node-floor.ts'
import { checkOptionNames } from '../core/option-names.ts'
import { createHost, type Host, type PluginLogger } from './host.ts'
import { createInstanceOptions } from './instance-options.ts'
import { KNOWN_OPTIONS, type WixMediaPluginOptions } from './options.ts'
import { asksForContent, fragmentOf, hostsQuery, isMarkedHosted, splitQuery, TEXT_QUERY } from './query.ts'
import { rewriteCss, rewriteHtml, rewriteImportMetaUrls, type Resolution, type UrlResolver } from './rewrite.ts'
import { mediaPostcssPlugin, postcssWithPlugin } from './vite-css.ts'
import { typeHostedMediaAsUrls } from './webpack-like.ts'

/** What the plugin uses of a webpack or Rspack compiler. */
interface BundlerCompiler {
  getInfrastructureLogger(name: string): { info(message: string): void; warn(message: string): void }
  options: { context?: string }
}

const PLUGIN_NAME = 'unplugin-wix-media'

const CSS_ID = /\.(?:css|scss|sass|less|styl|stylus|pcss|postcss|sss)(?:\?.*)?$/
const SCRIPT_ID = /\.(?:[cm]?[jt]sx?|vue|svelte|astro)(?:\?.*)?$/
const NODE_MODULES = /[\\/]node_modules[\\/]/

function consoleLogger(): PluginLogger {
  return {
    info: (message) => process.stderr.write(`[${PLUGIN_NAME}] ${message}\n`),
    warn: (message) => process.stderr.write(`[${PLUGIN_NAME}] warning: ${message}\n`),
  }
}

export const unpluginFactory: UnpluginFactory<WixMediaPluginOptions | undefined> = (rawOptions = {}, meta) => {
  // unplugin's esbuild adapter appends a map as a `//#` comment, which is not CSS: no map for CSS there.
  const cssMaps = meta.framework !== 'esbuild'
  const webpackLikeBundler = meta.framework === 'webpack' || meta.framework === 'rspack'
  const tooOld = nodeTooOld()
  if (tooOld) throw new WixMediaError('WIX_MEDIA_CONFIG', tooOld, { hint: 'Run the build on a current Node (the LTS)' })
  checkOptionNames(rawOptions, KNOWN_OPTIONS, 'the plugin options')
  const instance = createInstanceOptions(rawOptions)
  /** The options, the config file's among them: every hook that uses them awaits this first. */
  const ready = () => instance.ready().catch(failBuild)
  /** Where a reference starting with `/` points: the bundler's root, or (no such thing) the plugin's. */
  const serverRoot = () => instance.bundlerRoot ?? instance.options.root
  /**
   * How the bundler reads `url(@/x.png)`: Vite's `resolve.alias` (Vite applies them to CSS `url()`
   * and `new URL()` out of the plugin's sight), webpack's and Rspack's resolver.
   */
  let resolution: Resolution = {}
  let logger: PluginLogger = consoleLogger()
  let serving = false
  let host: Host | undefined
  const getHost = () => (host ??= createHost(instance.options, instance.settings, logger))
  async function urlFor(absolutePath: string): Promise<string | undefined> {
    if (serving) return instance.settings.dev === 'lockfile' ? getHost().lockedUrlFor(absolutePath) : undefined
    return getHost().urlFor(absolutePath)
  }
  /** What the rewrite step asks: in a build, the hosted URL; in `dev: 'lockfile'`, the locked one. */
  const resolver: UrlResolver = {
    wants: (path) => getHost().wants(path),
    urlFor,
    keptLocal: (path, query) => getHost().keptLocal(path, query),
    keptByBundler: (path, why) => getHost().keptByBundler(path, why),
  }
  /** A dev server with `dev: 'local'` (the default) leaves every reference to the bundler. */
  const passive = () => serving && instance.settings.dev === 'local'

  /** webpack and Rspack alike: their logger, their context as the root, hosted imports typed as URLs, their resolver. */
  const webpackLike = (compiler: BundlerCompiler) => {
    const native = compiler.getInfrastructureLogger(PLUGIN_NAME)
    logger = { info: (message) => native.info(message), warn: (message) => native.warn(message) }
    instance.setBundlerRoot(compiler.options.context)
    resolution = typeHostedMediaAsUrls(compiler, PLUGIN_NAME, meta.framework, resolver, ready)
  }

  const failBuild = (error: unknown): never => {
    throw isWixMediaError(error) ? new Error(`[${PLUGIN_NAME}] ${error.message}`, { cause: error }) : error
  }

  return {
    name: PLUGIN_NAME,
    enforce: 'pre',

    async buildStart() {
      await ready()
      if (meta.framework === 'rollup' || meta.framework === 'rolldown') {
        // Rollup's context logs through its onLog (it adds the `[plugin …]` prefix itself); Rolldown
        // surfaces warnings but not info, so its summary line stays on stderr.
        const context = this as unknown as { info(message: string): void; warn(message: string): void }
        const stderr = consoleLogger()
        logger = {
          info: meta.framework === 'rollup' ? (message) => context.info(message) : stderr.info,
          warn: (message) => context.warn(message),
        }
      }
      if (instance.settings.prewarm && !serving) {
        const { scanFiles } = await import('../core/scan.ts')
        // Start every upload now; each import awaits its own (single-flight) result later. A scan
        // that fails (a folder it cannot read) leaves the files to their imports, as without prewarm.
        const paths = await scanFiles(instance.options).catch((error: unknown) => {
          logger.warn(`prewarm skipped: ${(error as Error).message}`)
          return []
        })
        for (const path of paths) getHost().prewarm(resolve(instance.options.root, path))
      }
    },

    load: {
      filter: { id: { include: [HOSTED_ID] } },
      async handler(id) {
        await ready()
        const { path, query } = splitQuery(id)
        if (passive()) return undefined
        if (!hostsQuery(query)) {
          // `?w=300`: another plugin's, or the bundler's, which emits the file; `?raw` and the like ask for its content.
          if (!asksForContent(query) && resolver.wants(path)) resolver.keptLocal(path, query.split('#', 1)[0]!)
          return undefined
        }
        // webpack and Rspack: only a request the plugin marked (webpack-like.ts) is hosted; the
        // others are the project's rules' (a loader, `asset/inline`, `fallback: 'local'`).
        if (webpackLikeBundler && !isMarkedHosted(query)) return undefined
        if (!resolver.wants(path)) return undefined
        try {
          const url = await urlFor(path)
          if (url === undefined) return undefined
          // `./sprite.svg?url#icon`: the fragment stays on the hosted URL, as Vite keeps it on its own.
          const hosted = `${url}${fragmentOf(query)}`
          // webpack and Rspack type the module `asset/source` (webpack-like.ts): its text is the URL,
          // which the bundler hands to every kind of consumer as a string, as it does for its own
          // assets: an `import`'s default, a `require()`, css-loader's `new URL(require(…))`.
          return webpackLikeBundler ? hosted : `export default ${JSON.stringify(hosted)}`
        } catch (error) {
          return failBuild(error)
        }
      },
    },

    transform: {
      filter: { id: { include: [CSS_ID, SCRIPT_ID], exclude: [NODE_MODULES, TEXT_QUERY] } },
      async handler(code, id) {
        await ready()
        if (passive()) return undefined
        const { path } = splitQuery(id)
        try {
          if (CSS_ID.test(id)) {
            const css = await rewriteCss(code, path, serverRoot(), resolver, resolution)
            return css && (cssMaps ? css : { code: css.code, map: null })
          }
          if (!code.includes('import.meta.url')) return undefined
          return await rewriteImportMetaUrls(code, path, serverRoot(), resolver, resolution)
        } catch (error) {
          return failBuild(error)
        }
      },
    },

    async buildEnd() {
      if (!host) return
      // The next build of this instance (watch mode, rebuilds) starts afresh: files may have changed.
      const current = host
      host = undefined
      try {
        await current.finish()
      } catch (error) {
        failBuild(error)
      }
      if (!serving) logger.info(current.summary())
    },

    vite: {
      config: {
        // Last, so that a `css.postcss` another plugin sets is kept too.
        order: 'post',
        async handler(config, env) {
          // Vite resolves its root so too; `configResolved` has the final word.
          instance.setBundlerRoot(resolve(config.root ?? '.'))
          await ready()
          if (env.command === 'serve' && (env.isPreview || instance.settings.dev === 'local')) return undefined
          const postcss = await postcssWithPlugin(config, mediaPostcssPlugin(PLUGIN_NAME, async (value, file, stylesheet) => {
            await ready()
            const { path } = splitQuery(file)
            // What the transform leaves alone, this leaves alone too: a stylesheet imported as text, and node_modules.
            if (passive() || TEXT_QUERY.test(stylesheet) || NODE_MODULES.test(path)) return undefined
            try {
              return (await rewriteCss(value, path, serverRoot(), resolver, resolution))?.code
            } catch (error) {
              return failBuild(error)
            }
          }))
          return postcss && { css: { postcss } }
        },
      },
      async configResolved(config) {
        serving = config.command === 'serve'
        instance.setBundlerRoot(config.root)
        resolution = { aliases: config.resolve.alias }
        await ready()
        logger = {
          info: (message) => config.logger.info(`[${PLUGIN_NAME}] ${message}`, { timestamp: true }),
          warn: (message) => config.logger.warn(`[${PLUGIN_NAME}] ${message}`, { timestamp: true }),
        }
      },
      transformIndexHtml: {
        order: 'pre',
        async handler(html, context) {
          await ready()
          if (passive()) return html
          try {
            return await rewriteHtml(html, context.filename, serverRoot(), resolver)
          } catch (error) {
            return failBuild(error)
          }
        },
      },
    },

    rollup: {
      // Rollup's resolver keeps the query in the path (`./x.svg?url` is not a file), so the plugin
      // resolves relative media imports with a query itself; the other bundlers strip queries.
      async resolveId(source, importer) {
        await ready()
        const { path, query } = splitQuery(source)
        if (!importer || !query || !hostsQuery(query) || !/^\.\.?\//.test(path)) return undefined
        const file = resolve(dirname(splitQuery(importer).path), path)
        if (!getHost().wants(file)) return undefined
        return (await stat(file).then((stats) => stats.isFile(), () => false)) ? `${file}${query}` : undefined
      },
    },

    webpack: webpackLike,
    rspack: webpackLike,
  }
}
