/**
 * The one list parser of every search filter: MLflow's SearchUtils._parse_list_from_sql_token,
 * which evaluates the parenthesis as a Python literal (ast.literal_eval). Python string syntax
 * applies: escapes, adjacent-literal concatenation, a trailing comma; every element must be a
 * string. (MLflow 2.x also dropped elements that were not str.islower(); 3.x keeps them, and so
 * do we.)
 */
import { invalidParameter } from '../protocol/errors.js';

const ILL_FORMED = 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.';

/** `('a', "b")` → ['a', 'b']. */
export function parseStringList(raw: string): string[] {
  const src = raw.slice(1, -1);
  if (/^\s*$/.test(src)) throw invalidParameter('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  const literal = String.raw`'(?:\\[\s\S]|[^'\\\n])*'|"(?:\\[\s\S]|[^"\\\n])*"`;
  const element = new RegExp(String.raw`\s*((?:(?:${literal})\s*)+)(,|$)`, 'y');
  const items: string[] = [];
  for (let pos = 0; !/^\s*$/.test(src.slice(pos)); ) {
    element.lastIndex = pos;
    const m = element.exec(src);
    if (!m) {
      const other = /\s*(?:[+-]?(?:\d[\d_]*\.?\d*|\.\d+)(?:e[+-]?\d+)?j?|True|False|None)\s*(?:,|$)/iy;
      other.lastIndex = pos;
      throw invalidParameter(
        other.test(src)
          ? `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${raw}`
          : ILL_FORMED,
      );
    }
    items.push([...m[1]!.matchAll(new RegExp(literal, 'g'))].map((l) => unescapePython(l[0].slice(1, -1))).join(''));
    pos = element.lastIndex;
    if (m[2] === '') break;
  }
  return items;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** The escapes of a Python string literal, decoded as ast.literal_eval does. */
function unescapePython(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (whole, esc: string) => {
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) return simple;
    if (/^[xuU]./.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    if (/^[xuUN]$/.test(esc)) throw invalidParameter(ILL_FORMED); // truncated escape: a SyntaxError in Python
    return whole; // Python keeps unknown escapes verbatim
  });
}
