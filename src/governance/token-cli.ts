import { parseArgs } from 'node:util';
import type { Caller } from './policy.js';
import { isRole } from './roles.js';
import type { TokenService } from './token.service.js';

/** Tokens read per page by `list`. */
const CLI_PAGE = 500;

export const TOKEN_CLI_USAGE = `usage:
  npm run token -- create --name <principal> --role VIEWER|CONTRIBUTOR|REVIEWER|ADMIN
  npm run token -- list
  npm run token -- revoke <token id | principal name>`;

/** The caller that CLI-made changes are recorded under in the event log. */
export const CLI_CALLER: Pick<Caller, 'name'> = { name: 'cli' };

/**
 * `npm run token` without the process around it: parses `argv` (after `--`),
 * runs the command against `tokens` and returns what to print. Throws an Error
 * whose message is the usage on bad arguments.
 */
export async function runTokenCommand(argv: string[], tokens: TokenService): Promise<string> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: 'string' }, role: { type: 'string' } },
        strict: true,
      });
      if (!values.name || !values.role || !isRole(values.role)) throw new Error(TOKEN_CLI_USAGE);
      const created = await tokens.createToken(CLI_CALLER, values.name, values.role);
      return [
        `created token ${created.id} for principal "${created.principal.name}" (${created.principal.role})`,
        `token (shown once, store it now): ${created.token}`,
      ].join('\n');
    }
    case 'list': {
      const rows = [];
      for (let after: string | null = null; ;) {
        const page = await tokens.listTokens({ first: CLI_PAGE, after });
        rows.push(...page);
        if (page.length < CLI_PAGE) break;
        after = page.at(-1)!.id;
      }
      if (rows.length === 0) return 'no tokens';
      return rows
        .map((r) =>
          [r.id, r.name, r.role, r.createdAt, r.revokedAt ? `revoked ${r.revokedAt} by ${r.revokedBy}` : 'live'].join(
            '\t',
          ),
        )
        .join('\n');
    }
    case 'revoke': {
      const [ref] = rest;
      if (!ref || rest.length !== 1) throw new Error(TOKEN_CLI_USAGE);
      const revoked = await tokens.revokeTokens(CLI_CALLER, ref);
      return revoked.map((r) => `revoked token ${r.id} of principal "${r.name}" (${r.role})`).join('\n');
    }
    default:
      throw new Error(TOKEN_CLI_USAGE);
  }
}
