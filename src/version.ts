/** Reported by serverInfo and in logs; bump with package.json. */
export const PEDIGREE_VERSION = '0.1.0';
