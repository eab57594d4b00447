/**
 * Postgres array literals (`{"a","b"}`) for query parameters cast to an array type.
 *
 * Why not pass JS arrays: postgres.js serializes an array parameter with the array serializers
 * it fetches when a connection opens; a query sent on a fresh connection while another fetch is
 * still in flight can go out as `7,14,30` ("malformed array literal") — which happened once the
 * scorer started reading while it loads the model. A literal is text, sent as is.
 */

/** The array literal of `values`, every element double-quoted and escaped. */
export function arrayLiteral(values: readonly (string | number)[]): string {
  const elements = values.map((value) =>
    `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  )
  return `{${elements.join(',')}}`
}
