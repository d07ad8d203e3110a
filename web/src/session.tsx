import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { gql, token } from './api';

/** The signed-in principal, and the root fields its role may call (the server's policy table, not the dashboard's). */
export interface Viewer {
  name: string;
  role: 'VIEWER' | 'CONTRIBUTOR' | 'REVIEWER' | 'ADMIN';
  allowedFields: string[];
}

interface Session {
  viewer: Viewer | null;
  /** Still asking the server who we are. */
  loading: boolean;
  /**
   * True when the server would accept a call of this mutation by this principal's role (finer rules are still the
   * server's).
   */
  can(mutation: string): boolean;
}

const SessionContext = createContext<Session>({ viewer: null, loading: true, can: () => false });

const VIEWER = 'query Viewer { viewer { name role allowedFields } }';

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ viewer: Viewer | null; loading: boolean }>({
    viewer: null,
    loading: !!token.get(),
  });
  useEffect(() => {
    if (!token.get()) return;
    let live = true;
    gql<{ viewer: Viewer | null }>(VIEWER).then(
      (d) => live && setState({ viewer: d.viewer, loading: false }),
      () => live && setState({ viewer: null, loading: false }),
    );
    return () => {
      live = false;
    };
  }, []);
  const allowed = new Set(state.viewer?.allowedFields ?? []);
  return (
    <SessionContext.Provider value={{ ...state, can: (m) => allowed.has(`Mutation.${m}`) }}>
      {children}
    </SessionContext.Provider>
  );
}

export const useSession = () => useContext(SessionContext);
