/**
 * webpack and Rspack: a media file the plugin hosts must become a module whose value is its URL,
 * whatever the project's rules say. With the usual `{ test: /\.png$/, type: 'asset/resource' }`
 * rule, the bundler would otherwise emit the file and point the bundle at that local copy. A
 * module's type is chosen synchronously from the rules, before the plugin's (async) load runs; so,
 * in `beforeResolve`, where the upload of the file starts, the request of a file that will be hosted
 * gets a marker query, and a last rule types marked modules `asset/source` (the last matching rule's
 * `type` wins): the load hook gives the URL as the module's text, and the bundler hands it to every
 * consumer as a string, as it does its own assets (an `import`'s default, a `require()`, css-loader's
 * `new URL(require(…))` for the url()s of `@import`ed stylesheets, which the transform never sees).
 * Files that stay local (`fallback: 'local'`) are left to the project's rules, and so are the files
 * those rules give to a loader or make `asset/inline` or `asset/source` (webpack-rules.ts).
 */
import { dirname, isAbsolute, resolve } from 'node:path'
import { fragmentOf, HOSTED_QUERY, hostsQuery, isMarkedHosted, splitQuery } from './query.ts'
import type { Resolution, UrlResolver } from './rewrite.ts'
import { keptByRules } from './webpack-rules.ts'

interface ResolveData {
  context?: string
  request?: string
  contextInfo?: { issuer?: string }
  dependencyType?: string
}

interface Resolver {
  resolve(context: object, path: string, request: string, resolveContext: object, callback: (error: unknown, result?: string | false) => void): void
}

/** What this needs of a webpack or Rspack compiler. */
interface WebpackLikeCompiler {
  options: { module: { rules: unknown[] } }
  resolverFactory: { get(type: string, options?: object): Resolver }
  hooks: {
    normalModuleFactory: {
      tap(name: string, fn: (factory: { hooks: { beforeResolve: { tapPromise(name: string, fn: (data: ResolveData) => Promise<undefined>): void } } }) => void): void
    }
  }
}

/**
 * Returns, for the rewrite step, the bundler's resolver (its `resolve.alias` included: css-loader
 * and Rspack's CSS resolve `url(@/x.png)` with it, after the plugin's transform has seen the
 * stylesheet, so the plugin resolves such a specifier itself and hosts the file there), and what
 * the project's rules keep local.
 */
export function typeHostedMediaAsUrls(
  compiler: unknown, name: string, bundlerName: string, host: UrlResolver, ready: () => Promise<unknown>,
): Resolution {
  const bundler = compiler as WebpackLikeCompiler
  // The project's rules as they are now: unplugin's own are among them, the marker's rule is not.
  const rules = [...bundler.options.module.rules]
  const kept = (file: string, query: string, issuer: string | undefined, dependency: string | undefined) =>
    keptByRules(rules, { resource: file, query, issuer, dependency }, bundlerName)
  bundler.options.module.rules.push({ resourceQuery: new RegExp(`[?&]${HOSTED_QUERY}(?:&|$)`), type: 'asset/source' })
  let resolver: Resolver | undefined
  const resolveFile = (context: string, request: string) => new Promise<string | undefined>((done) => {
    resolver ??= bundler.resolverFactory.get('normal', { dependencyType: 'esm' })
    resolver.resolve({}, context, request, {}, (error, result) => done(error || !result ? undefined : splitQuery(result).path))
  })
  bundler.hooks.normalModuleFactory.tap(name, (factory) => {
    factory.hooks.beforeResolve.tapPromise(name, async (data) => {
      const { context, request } = data
      if (!context || !request || request.includes('!')) return undefined
      // The options (the config file's among them) decide what `host` wants.
      await ready()
      const { path, query } = splitQuery(request)
      if (!hostsQuery(query) || isMarkedHosted(query)) return undefined
      // A cheap look at the extension first (an alias resolves elsewhere, but keeps its extension).
      if (!host.wants(isAbsolute(path) ? path : resolve(context, path))) return undefined
      const file = await resolveFile(context, path)
      if (!file || !host.wants(file)) return undefined
      const fragment = fragmentOf(query)
      const search = query.slice(0, query.length - fragment.length)
      const why = kept(file, search, data.contextInfo?.issuer, data.dependencyType)
      if (why) {
        host.keptByBundler(file, why)
        return undefined
      }
      // A failed upload is marked too: the load hook, which awaits the same (memoized) result, reports it.
      const hosted = await host.urlFor(file).then((url) => url !== undefined, () => true)
      // The marker joins the query, before a `#fragment`.
      if (hosted) data.request = `${path}${search ? `${search}&` : '?'}${HOSTED_QUERY}${fragment}`
      return undefined
    })
  })
  return {
    resolve: (specifier, importer) => resolveFile(dirname(importer), specifier),
    // A stylesheet's `url()` or a `new URL()`: what the rules would do with it as a `url` dependency of its importer.
    bundlerKeeps: (file, query, importer) => kept(file, query, importer, 'url'),
  }
}
