import type { ReactNode } from 'react';

/**
 * The Markdown of model cards, rendered as React elements (never as HTML
 * strings, so nothing a card says can run in the page): headings,
 * paragraphs, lists, tables, fenced code, quotes; bold, italics, code and
 * http(s)/mailto links inline. Anything else shows as text.
 */
export function Markdown({ source }: { source: string }) {
  return <div className="markdown">{blocks(source.replace(/\r\n?/g, '\n').split('\n'))}</div>;
}

function blocks(lines: string[]): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  const key = () => out.length;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^```/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i]!)) body.push(lines[i++]!);
      i++;
      out.push(
        <pre key={key()}>
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // Card sections are h3 in the page; headings inside a section start below that.
      const level = Math.min(6, heading[1]!.length + 3);
      const H = `h${level}` as 'h4';
      out.push(<H key={key()}>{inline(heading[2]!)}</H>);
      i++;
      continue;
    }
    if (/^\|.*\|\s*$/.test(line) && i + 1 < lines.length && /^\|?\s*:?-{3,}/.test(lines[i + 1]!)) {
      const header = cells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && /^\|.*\|\s*$/.test(lines[i]!)) rows.push(cells(lines[i++]!));
      out.push(
        <table key={key()} className="md-table">
          <thead>
            <tr>
              {header.map((h, j) => (
                <th key={j} scope="col">
                  {inline(h)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, k) => (
              <tr key={k}>
                {header.map((_, j) => (
                  <td key={j}>{inline(r[j] ?? '')}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>,
      );
      continue;
    }
    if (/^\s*[-*]\s+/.test(line) || /^\s*\d+\.\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && (ordered ? /^\s*\d+\.\s+/ : /^\s*[-*]\s+/).test(lines[i]!)) {
        items.push(lines[i]!.replace(ordered ? /^\s*\d+\.\s+/ : /^\s*[-*]\s+/, ''));
        i++;
      }
      const L = ordered ? 'ol' : 'ul';
      out.push(
        <L key={key()}>
          {items.map((it, j) => (
            <li key={j}>{inline(it)}</li>
          ))}
        </L>,
      );
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i]!)) quoted.push(lines[i++]!.replace(/^>\s?/, ''));
      out.push(<blockquote key={key()}>{blocks(quoted)}</blockquote>);
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      lines[i]!.trim() !== '' &&
      !/^(#{1,6}\s|```|>|\s*[-*]\s+|\s*\d+\.\s+|\|)/.test(lines[i]!)
    )
      para.push(lines[i++]!);
    if (para.length === 0) para.push(lines[i++]!);
    out.push(<p key={key()}>{inline(para.join(' '))}</p>);
  }
  return out;
}

/** Table cells of a `| a | b |` row; `\|` is a literal bar. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && inner[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (inner[i] === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += inner[i];
  }
  out.push(cur.trim());
  return out;
}

const SAFE_URL = /^(https?:|mailto:)/i;
const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(_[^_]+_|\*[^*]+\*)|(\[[^\]]+\]\([^)\s]+\))/;

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const tok = m[0];
    const k = out.length;
    if (m[1]) out.push(<code key={k}>{tok.slice(1, -1)}</code>);
    else if (m[2]) out.push(<strong key={k}>{inline(tok.slice(2, -2))}</strong>);
    else if (m[3]) out.push(<em key={k}>{inline(tok.slice(1, -1))}</em>);
    else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(tok)!;
      out.push(
        SAFE_URL.test(link[2]!) ? (
          <a key={k} href={link[2]} rel="noopener noreferrer" target="_blank">
            {link[1]}
          </a>
        ) : (
          tok
        ),
      );
    }
    rest = rest.slice(m.index + tok.length);
  }
  return out;
}

/**
 * The top-level fields of a card's YAML header (Pedigree writes scalars as
 * JSON-quoted strings and lists as `- item` lines): what the Hugging Face
 * layout shows beside the card. Nested blocks (model-index) are skipped.
 */
export function frontMatter(markdown: string): Record<string, string | string[]> {
  const m = /^---\n([\s\S]*?)\n---/.exec(markdown);
  if (!m) return {};
  const out: Record<string, string | string[]> = {};
  let list: string | null = null;
  for (const line of m[1]!.split('\n')) {
    const field = /^([A-Za-z_][A-Za-z0-9_-]*):\s*(.*)$/.exec(line);
    if (field) {
      list = null;
      const value = field[2]!;
      if (value === '') {
        list = field[1]!;
        out[list] = [];
      } else if (value !== '[]' && value !== '{}') out[field[1]!] = unquote(value);
      else out[field[1]!] = [];
      continue;
    }
    const item = /^- (.*)$/.exec(line);
    if (item && list && Array.isArray(out[list])) (out[list] as string[]).push(unquote(item[1]!));
    else if (!line.startsWith(' ')) list = null;
  }
  return out;
}

function unquote(v: string): string {
  try {
    return v.startsWith('"') ? (JSON.parse(v) as string) : v;
  } catch {
    return v;
  }
}
