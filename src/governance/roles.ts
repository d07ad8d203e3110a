/**
 * Roles, weakest first. They are cumulative: a role may do everything the
 * roles before it may (a REVIEWER may also register versions, an ADMIN may
 * also approve). Which role each operation needs is in ./policy.ts.
 */
export const Role = {
  VIEWER: 'VIEWER',
  CONTRIBUTOR: 'CONTRIBUTOR',
  REVIEWER: 'REVIEWER',
  ADMIN: 'ADMIN',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = [Role.VIEWER, Role.CONTRIBUTOR, Role.REVIEWER, Role.ADMIN];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` grants at least what `required` grants. */
export function hasRole(role: Role | null | undefined, required: Role): boolean {
  return role != null && ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** A principal: who a token speaks for. Events record `name` as their actor. */
export interface Principal {
  name: string;
  role: Role;
}
