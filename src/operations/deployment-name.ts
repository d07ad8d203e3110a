import { badInput } from '../errors.js';

const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/:]{0,199}$/;

/**
 * The one rule for a deployment's name, on every path that names one:
 * recording a deployment, logging the predictions it served, and looking it up.
 * 1–200 of letters, digits and `. _ - / :`, starting with a letter or digit.
 */
export function assertDeploymentName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || !DEPLOYMENT_NAME.test(value)) {
    throw badInput(
      `${field} must be a deployment name: 1–200 of letters, digits and . _ - / :, starting with a letter or digit; got ${JSON.stringify(String(value).slice(0, 80))}`,
      { field },
    );
  }
  return value;
}
