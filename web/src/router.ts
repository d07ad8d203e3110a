import { useEffect, useState } from 'react';

/**
 * Hash routes (#/models/NAME): model names may contain "." and "/", which a
 * path router would confuse with files; the hash never reaches the server.
 */
export type Route =
  | { page: 'models' }
  | { page: 'model'; name: string }
  | { page: 'lineage'; id: string; direction?: string; depth?: number }
  | { page: 'analytics' };

export function parse(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(query);
  if (parts[0] === 'models' && parts.length > 1) return { page: 'model', name: parts.slice(1).join('/') };
  if (parts[0] === 'lineage' && parts[1]) {
    const depth = Number(q.get('depth'));
    return { page: 'lineage', id: parts.slice(1).join('/'), direction: q.get('direction') ?? undefined, depth: depth || undefined };
  }
  if (parts[0] === 'analytics') return { page: 'analytics' };
  return { page: 'models' };
}

export const href = {
  models: () => '#/models',
  model: (name: string) => `#/models/${name.split('/').map(encodeURIComponent).join('/')}`,
  lineage: (id: string, direction?: string, depth?: number) => {
    const q = new URLSearchParams();
    if (direction) q.set('direction', direction);
    if (depth) q.set('depth', String(depth));
    const s = q.toString();
    return `#/lineage/${encodeURIComponent(id)}${s ? `?${s}` : ''}`;
  },
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
