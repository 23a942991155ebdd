/**
 * `url()`s that Vite's CSS plugin alone sees: those of stylesheets pulled in with `@import` (and the
 * Sass / Less partials it compiles).
 *
 * Vite inlines `@import`s inside its own CSS plugin (`vite:css`): postcss-import resolves them with
 * Vite's internal resolver and reads the files from disk, so no plugin hook ever sees an imported
 * file. Vite then resolves each `url()` of the merged stylesheet with that same internal resolver
 * (alias and node resolution only: no plugin's `resolveId`) and emits the file as an asset, or
 * inlines it as `data:`, before any later hook could tell which placeholder stands for which file.
 *
 * The one place in that pipeline open to a plugin is PostCSS: a PostCSS plugin placed after
 * postcss-import (which Vite puts first) sees the merged tree, each declaration still knowing the
 * file it was written in (`source.input.file`, which Vite's own rewriter uses too), and runs before
 * Vite's url rewriter (which Vite adds last, and which leaves absolute URLs alone). Vite takes
 * PostCSS plugins from `css.postcss` or, when that is not an object, from the project's PostCSS
 * config file; so the plugin joins an inline config, or loads the file's config the way Vite does
 * (postcss-load-config, the same version Vite bundles) and hands Vite both as one inline config.
 */
import { resolve } from 'node:path'
import type { UserConfig } from 'vite'

type PostcssOptions = Exclude<NonNullable<NonNullable<UserConfig['css']>['postcss']>, string>
type AcceptedPlugin = NonNullable<PostcssOptions['plugins']>[number]

/** What the plugin uses of a PostCSS declaration and tree. */
interface CssDeclaration {
  value: string
  source?: { input: { file?: string } }
}
interface CssTree {
  source?: { input: { file?: string } }
  walkDecls(callback: (declaration: CssDeclaration) => void): void
}

/**
 * A declaration value's new text, given the file it was written in and the stylesheet being compiled
 * (the module id, query included, that `@import`ed that file); `undefined` leaves it as it is.
 */
export type DeclarationRewriter = (value: string, file: string, stylesheet: string) => Promise<string | undefined>

const MEDIA_FUNCTION = /\b(?:url|image-set)\(/i

/**
 * The PostCSS plugin: every declaration with a `url()` or `image-set()` gets `rewrite`'s value. It
 * runs on `Once`, before Vite's rewriter in every Vite version (Vite ran its rewriter on `Once` up
 * to 8.2.1, and on `OnceExit` since), and again on `OnceExit` for declarations that other PostCSS
 * plugins add late; a declaration already rewritten holds no local reference any more, so the
 * second pass costs a walk and no lookup.
 */
export function mediaPostcssPlugin(name: string, rewrite: DeclarationRewriter): AcceptedPlugin {
  async function rewriteTree(tree: CssTree): Promise<void> {
    const stylesheet = tree.source?.input.file
    if (!stylesheet) return
    const edits: Promise<void>[] = []
    tree.walkDecls((declaration) => {
      const file = declaration.source?.input.file
      if (!file || !MEDIA_FUNCTION.test(declaration.value)) return
      edits.push(rewrite(declaration.value, file, stylesheet).then((value) => {
        if (value !== undefined) declaration.value = value
      }))
    })
    await Promise.all(edits)
  }
  return { postcssPlugin: name, Once: rewriteTree, OnceExit: rewriteTree }
}

/** No PostCSS config anywhere: postcss-load-config's own words, which Vite checks for too. */
const NO_CONFIG = 'No PostCSS Config found'

/**
 * The `css.postcss` a Vite `config` hook returns so that `plugin` runs in Vite's CSS pipeline, with
 * the project's own PostCSS config kept; `undefined` when Vite does not run PostCSS (the
 * `lightningcss` transformer). An inline `css.postcss` gets `plugin` appended (Vite concatenates the
 * arrays); otherwise the config file that Vite would load (searched from `root`, or from the path
 * `css.postcss` names, up to the workspace root) is loaded here and returned inline with `plugin` last.
 */
export async function postcssWithPlugin(config: UserConfig, plugin: AcceptedPlugin): Promise<PostcssOptions | undefined> {
  if (config.css?.transformer === 'lightningcss') return undefined
  const inline = config.css?.postcss
  if (typeof inline === 'object') return { plugins: [plugin] }
  const root = resolve(config.root ?? '')
  const searchPath = typeof inline === 'string' ? inline : root
  const [{ default: loadConfig }, { searchForWorkspaceRoot }] = await Promise.all([import('postcss-load-config'), import('vite')])
  const found = await loadConfig({}, searchPath, { stopDir: searchForWorkspaceRoot(root) }).catch((error: unknown) => {
    if (error instanceof Error && error.message.includes(NO_CONFIG)) return undefined
    throw new Error(`Failed to load the PostCSS config (searched from ${searchPath}): ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  })
  return { ...found?.options, plugins: [...(found?.plugins ?? []), plugin] }
}
