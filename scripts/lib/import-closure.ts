/**
 * The import closure of an Edge Function and the layout rule built on it: `supabase/functions/`
 * holds only what the deployed functions import, and nothing they import lives outside it (the
 * Supabase CLI bundles a function with only `supabase/functions/` in view).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'

/** Every import specifier of a module: static, `import type`, `export ... from` and `import()`. */
export function importSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true)
  return info.importedFiles.map((file) => file.fileName)
}

/** One import that the rule refuses, with the module that makes it. */
export interface LayoutViolation {
  module: string
  problem: string
}

/** The closure of modules reachable from `entries` by relative imports, and what leaves it. */
export interface ImportClosure {
  modules: Set<string>
  /** Relative imports that resolve outside `root`, or to no file. */
  violations: LayoutViolation[]
  /** Bare specifiers (import-map names, `npm:`, `node:`) and the modules using them. */
  bareSpecifiers: Map<string, string[]>
}

/** Follows relative imports from `entries` (absolute paths), staying inside `root`. */
export function importClosure(entries: string[], root: string): ImportClosure {
  const modules = new Set<string>()
  const violations: LayoutViolation[] = []
  const bareSpecifiers = new Map<string, string[]>()
  const pending = [...entries]
  while (pending.length > 0) {
    const module = pending.pop() as string
    if (modules.has(module)) continue
    modules.add(module)
    for (const specifier of importSpecifiers(readFileSync(module, 'utf8'))) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
        bareSpecifiers.set(specifier, [...(bareSpecifiers.get(specifier) ?? []), module])
        continue
      }
      const target = resolve(dirname(module), specifier)
      if (!isInside(target, root)) {
        violations.push({ module, problem: `imports ${specifier}, outside ${root}` })
      } else if (!existsSync(target)) {
        violations.push({ module, problem: `imports ${specifier}, which does not exist` })
      } else if (/\.(ts|js|mjs)$/.test(target)) {
        pending.push(target)
      }
    }
  }
  return { modules, violations, bareSpecifiers }
}

function isInside(path: string, root: string): boolean {
  const fromRoot = relative(root, path)
  return fromRoot !== '' && !fromRoot.startsWith('..') && !fromRoot.startsWith(sep)
}

function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) return typeScriptFiles(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

/** Modules under `supabase/functions/` that no function needs to have there. */
const ASIDE = [
  /\.test\.ts$/,
  // Loaded before the function by `deno run --preload` to apply the Edge Runtime's limits locally.
  /\/edge-runtime-restrictions\.ts$/,
]

/**
 * Checks the rule on a functions folder (`supabase/functions/`): every function's `index.ts`
 * closure stays inside it, resolves its bare imports through the function's own `deno.json`
 * (`npm:` and `node:` specifiers need none), and every other module there (tests and the
 * preload aside) is in some function's closure.
 */
export function functionsLayoutViolations(functionsDir: string): LayoutViolation[] {
  const root = resolve(functionsDir)
  const functions = readdirSync(root).filter((name) =>
    !name.startsWith('_') && existsSync(join(root, name, 'index.ts'))
  )
  const violations: LayoutViolation[] = []
  const reached = new Set<string>()
  for (const name of functions) {
    const closure = importClosure([join(root, name, 'index.ts')], root)
    violations.push(...closure.violations)
    for (const module of closure.modules) reached.add(module)
    const importMap = functionImportMap(join(root, name, 'deno.json'))
    for (const [specifier, users] of closure.bareSpecifiers) {
      if (/^(npm|node|jsr):/.test(specifier) || isMapped(specifier, importMap)) continue
      for (const module of users) {
        violations.push({
          module,
          problem: `imports ${specifier}, which ${name}/deno.json does not map`,
        })
      }
    }
  }
  for (const module of typeScriptFiles(root)) {
    if (reached.has(module) || ASIDE.some((pattern) => pattern.test(module))) continue
    violations.push({
      module,
      problem: 'is not imported by any function: move it out of supabase/functions/',
    })
  }
  return violations.map(({ module, problem }) => ({ module: relative(root, module), problem }))
}

/** A function's `deno.json` import map. */
function functionImportMap(denoJson: string): Map<string, string> {
  if (!existsSync(denoJson)) return new Map()
  const config = JSON.parse(readFileSync(denoJson, 'utf8')) as { imports?: Record<string, string> }
  return new Map(Object.entries(config.imports ?? {}))
}

/**
 * True when the import map resolves the specifier: an exact name, a `prefix/` entry, or a
 * subpath of an `npm:` package entry (`zod/mini` through `"zod": "npm:zod@4"`), as Deno does.
 */
function isMapped(specifier: string, importMap: Map<string, string>): boolean {
  if (importMap.has(specifier)) return true
  for (const [name, target] of importMap) {
    if (name.endsWith('/') && specifier.startsWith(name)) return true
    if (target.startsWith('npm:') && specifier.startsWith(`${name}/`)) return true
  }
  return false
}
