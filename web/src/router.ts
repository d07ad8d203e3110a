import { useEffect, useState } from 'react';

/**
 * Hash routes (#/models/NAME): model names may contain "." and "/", which a
 * path router would confuse with files; the hash never reaches the server.
 * Every page and filter lives in the route, so any view can be shared as a link.
 */
export type Route =
  | { page: 'models' }
  | { page: 'model'; name: string }
  | { page: 'version'; name: string; version: number }
  | { page: 'lineage'; id: string; direction?: string; depth?: number; expand: Record<string, number> }
  | { page: 'inbox' }
  | { page: 'request'; id: string }
  | { page: 'search'; query: SearchQuery }
  | { page: 'deployments'; at: string | null }
  | { page: 'verify' }
  | { page: 'webhooks' }
  | { page: 'analytics' };

/** The search page's whole state: filters, and the cursors of the pages before this one. */
export interface SearchQuery {
  model: string;
  stage: string;
  tagKey: string;
  tagValue: string;
  metric: string;
  op: string;
  value: string;
  /** Cursors of the pages walked so far: the page shown is after the last. */
  cursors: string[];
}

export const EMPTY_SEARCH: SearchQuery = {
  model: '',
  stage: '',
  tagKey: '',
  tagValue: '',
  metric: '',
  op: 'GTE',
  value: '',
  cursors: [],
};

export function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const q = new URLSearchParams(cut < 0 ? '' : raw.slice(cut + 1));
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  if (parts[0] === 'models' && parts.length > 1) {
    const name = parts.slice(1).join('/');
    const v = Number(q.get('version'));
    return Number.isInteger(v) && v > 0 ? { page: 'version', name, version: v } : { page: 'model', name };
  }
  if (parts[0] === 'lineage' && parts[1]) {
    const depth = Number(q.get('depth'));
    const expand: Record<string, number> = {};
    for (const e of (q.get('expand') ?? '').split(',').filter(Boolean)) {
      const [g, n] = e.split('~');
      if (g && Number(n) > 0) expand[g] = Number(n);
    }
    return {
      page: 'lineage',
      id: parts.slice(1).join('/'),
      direction: q.get('direction') ?? undefined,
      depth: depth || undefined,
      expand,
    };
  }
  if (parts[0] === 'inbox') return { page: 'inbox' };
  if (parts[0] === 'requests' && parts[1]) return { page: 'request', id: parts[1] };
  if (parts[0] === 'search') {
    return {
      page: 'search',
      query: {
        model: q.get('model') ?? '',
        stage: q.get('stage') ?? '',
        tagKey: q.get('tag') ?? '',
        tagValue: q.get('tagValue') ?? '',
        metric: q.get('metric') ?? '',
        op: q.get('op') ?? 'GTE',
        value: q.get('value') ?? '',
        cursors: (q.get('pages') ?? '').split(',').filter(Boolean),
      },
    };
  }
  if (parts[0] === 'deployments') return { page: 'deployments', at: q.get('at') };
  if (parts[0] === 'verify') return { page: 'verify' };
  if (parts[0] === 'webhooks') return { page: 'webhooks' };
  if (parts[0] === 'analytics') return { page: 'analytics' };
  return { page: 'models' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const withQuery = (path: string, q: URLSearchParams) => {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export const href = {
  models: () => '#/models',
  model: (name: string) => `#/models/${name.split('/').map(encodeURIComponent).join('/')}`,
  version: (name: string, version: number) => `${href.model(name)}?version=${version}`,
  lineage: (id: string, direction?: string, depth?: number, expand: Record<string, number> = {}) => {
    const q = new URLSearchParams();
    if (direction) q.set('direction', direction);
    if (depth) q.set('depth', String(depth));
    const ex = Object.entries(expand).map(([g, n]) => `${g}~${n}`);
    if (ex.length) q.set('expand', ex.join(','));
    return withQuery(`#/lineage/${encodeURIComponent(id)}`, q);
  },
  inbox: () => '#/inbox',
  request: (id: string) => `#/requests/${encodeURIComponent(id)}`,
  search: (s: SearchQuery) => {
    const q = new URLSearchParams();
    if (s.model) q.set('model', s.model);
    if (s.stage) q.set('stage', s.stage);
    if (s.tagKey) q.set('tag', s.tagKey);
    if (s.tagKey && s.tagValue) q.set('tagValue', s.tagValue);
    if (s.metric) {
      q.set('metric', s.metric);
      q.set('op', s.op);
      if (s.value) q.set('value', s.value);
    }
    if (s.cursors.length) q.set('pages', s.cursors.join(','));
    return withQuery('#/search', q);
  },
  deployments: (at?: string | null) => (at ? `#/deployments?at=${encodeURIComponent(at)}` : '#/deployments'),
  verify: () => '#/verify',
  webhooks: () => '#/webhooks',
  analytics: () => '#/analytics',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Sets the document title for the page shown: "<what> · Pedigree". */
export function useTitle(...parts: (string | null | undefined | false)[]) {
  const title = [...parts.filter(Boolean), 'Pedigree'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
