/**
 * Turns a `JSON.parse` failure into a line and column the editor can mark.
 * Engines word it differently: V8 says "at position 17" or "(line 2 column 5)",
 * Firefox "at line 2 column 5 of the JSON data", Safari nothing: then we fall
 * back to the end of the text.
 */

/** Where a JSON text stops being valid, 1-based. */
export interface JsonSyntaxError { line: number; column: number; offset: number; message: string }

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 }
}

/** The character offset of a 1-based line and column. */
function offsetAt(text: string, line: number, column: number): number {
  const lines = text.split('\n')
  let offset = 0
  for (let index = 0; index < line - 1 && index < lines.length; index++) offset += lines[index]!.length + 1
  return Math.min(text.length, offset + column - 1)
}

/** The error text without the engine's location suffix, capitalised. */
function tidy(message: string): string {
  const bare = message
    .replace(/^JSON\.parse: /, '')
    .replace(/,? ?\(?(at )?line \d+ column \d+( of the JSON data)?\)?/i, '')
    .replace(/ in JSON at position \d+.*$/i, '')
    .replace(/ at position \d+.*$/i, '')
    .trim()
  return bare.charAt(0).toUpperCase() + bare.slice(1)
}

/**
 * Parses `text`; on failure says where (line, column) and why.
 *
 * @example
 * parseJsonText('{\n  "a": 1,\n}')
 * // → { ok: false, error: { line: 3, column: 1, offset: 11, message: '…' } }
 */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError } {
  try {
    return { ok: true, value: JSON.parse(text) }
  }
  catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const lineColumn = /line (\d+) column (\d+)/i.exec(message)
    const position = /position (\d+)/i.exec(message)
    let offset = text.length
    if (lineColumn) offset = offsetAt(text, Number(lineColumn[1]), Number(lineColumn[2]))
    else if (position) offset = Number(position[1])
    else if (!text.trim()) return { ok: false, error: { line: 1, column: 1, offset: 0, message: 'The template is empty: write a JSON object such as {}' } }
    return { ok: false, error: { ...lineColumnAt(text, offset), offset, message: tidy(message) || 'Invalid JSON' } }
  }
}
