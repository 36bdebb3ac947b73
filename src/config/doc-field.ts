/**
 * The value at `key` of a document as written (a parsed YAML or JSON value, not yet checked by the
 * schema): undefined unless `o` is a plain object. For the checks that read the file as written (the
 * warnings, the agents' parts, the defaults one key takes from another).
 */
export function docField(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>)[key] : undefined;
}
