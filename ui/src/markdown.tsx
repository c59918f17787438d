/**
 * A small Markdown renderer that builds virtual DOM nodes, never HTML strings: text is always
 * text, so a description cannot inject markup or script. Covers what model descriptions use:
 * headings, paragraphs, lists, fenced code, block quotes, inline code, bold, italic and links
 * (http, https, mailto and in-page links only; anything else renders as plain text).
 */
import type { ComponentChildren, VNode } from 'preact';

const SAFE_LINK = /^(https?:\/\/|mailto:|#)/i;

function inline(text: string, key = 0): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  // Order matters: code spans first (their content is literal), then links, bold, italic.
  const re = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*]+)\*|_([^_]+)_/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let k = key;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={k++}>{m[1]}</code>);
    else if (m[2] !== undefined) {
      const href = m[3] as string;
      out.push(
        SAFE_LINK.test(href) ? (
          <a key={k++} href={href} rel="noopener noreferrer nofollow" target={href.startsWith('#') ? undefined : '_blank'}>
            {inline(m[2], k * 100)}
          </a>
        ) : (
          m[0]
        ),
      );
    } else if (m[4] !== undefined || m[5] !== undefined) out.push(<strong key={k++}>{inline((m[4] ?? m[5]) as string, k * 100)}</strong>);
    else out.push(<em key={k++}>{inline((m[6] ?? m[7]) as string, k * 100)}</em>);
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ source }: { source: string }): VNode {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: VNode[] = [];
  let i = 0;
  let key = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (/^\s*$/.test(line)) {
      i++;
      continue;
    }
    const fence = /^```/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i] as string)) body.push(lines[i++] as string);
      i++;
      blocks.push(
        <pre key={key++}>
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min((heading[1] as string).length + 2, 6);
      const Tag = `h${level}` as 'h3';
      blocks.push(<Tag key={key++}>{inline(heading[2] as string)}</Tag>);
      i++;
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: ComponentChildren[] = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i] as string)) {
        items.push(<li key={items.length}>{inline((lines[i] as string).replace(/^\s*([-*+]|\d+[.)])\s+/, ''))}</li>);
        i++;
      }
      blocks.push(ordered ? <ol key={key++}>{items}</ol> : <ul key={key++}>{items}</ul>);
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quote: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i] as string)) quote.push((lines[i++] as string).replace(/^>\s?/, ''));
      blocks.push(<blockquote key={key++}>{inline(quote.join(' '))}</blockquote>);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !/^\s*$/.test(lines[i] as string) && !/^(```|#{1,6}\s|>|\s*([-*+]|\d+[.)])\s)/.test(lines[i] as string)) {
      para.push(lines[i++] as string);
    }
    if (para.length === 0) para.push(lines[i++] as string);
    blocks.push(<p key={key++}>{inline(para.join(' '))}</p>);
  }
  return <div class="markdown">{blocks}</div>;
}
