/**
 * `nuxt-guard/verify` must load in a plain Node service: from its entry
 * (modules/guard/runtime/verify.ts, built to dist/runtime/verify.js) every
 * runtime import, followed through the sources, is a relative file of the
 * core, a `node:` builtin or jose — never nuxt, h3, nitro, vue, `#imports`
 * or the `#guard` alias (which only Nuxt resolves). Type-only imports are
 * erased from the built file and are not followed. The package's `exports`
 * and `typesVersions` name the built entry.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ENTRY = resolve(ROOT, 'modules/guard/runtime/verify.ts')

/** The module specifiers a file imports or re-exports at run time. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const found: string[] = []
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause
      const typeOnly = clause?.isTypeOnly || (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every(element => element.isTypeOnly))
      if (!typeOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text)
    }
    else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const named = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : undefined
      const typeOnly = statement.isTypeOnly || (named !== undefined && named.length > 0 && named.every(element => element.isTypeOnly))
      if (!typeOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text)
    }
  }
  return found
}

/** Every file and every bare specifier reachable from `entry` at run time. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), `${specifier}.ts`))
      else packages.add(specifier)
    }
  }
  visit(entry)
  return { files: [...files].map(file => file.slice(ROOT.length)), packages: [...packages].sort() }
}

describe('nuxt-guard/verify', () => {
  it('imports nothing but core files, node: builtins and jose', () => {
    const { files, packages } = importGraph(ENTRY)
    expect(files.every(file => file === 'modules/guard/runtime/verify.ts' || file.startsWith('modules/guard/runtime/core/'))).toBe(true)
    expect(files).toContain('modules/guard/runtime/core/tokens/verify-guard-token.ts')
    expect(packages.filter(name => !name.startsWith('node:') && name !== 'jose')).toEqual([])
  })

  it('the walk would catch a framework import (it follows re-exports and skips only type-only ones)', () => {
    expect(runtimeImports(resolve(ROOT, 'modules/guard/runtime/server/utils/guard-middleware.ts'))).toContain('h3')
    expect(runtimeImports(ENTRY)).toEqual(['./core/tokens/verify-guard-token'])
  })

  it('is a subpath export of the package, with its types', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'))
    expect(pkg.exports['./verify']).toEqual({ types: './dist/runtime/verify.d.ts', import: './dist/runtime/verify.js' })
    expect(pkg.typesVersions['*'].verify).toEqual(['./dist/runtime/verify.d.ts'])
  })
})
