import { badInput } from '../errors.js';

/**
 * A prompt is a registered model of kind PROMPT whose versions are templates
 * (MLflow's prompt registry). These are MLflow's markers for one; the models
 * service gives every prompt its tag, version registration checks a prompt
 * version's source, and the tag rules keep both markers fixed.
 */

/** MLflow's placeholders for a prompt version's source (its client sends one; its server refuses others). */
export const PROMPT_SOURCES = ['prompt-template', 'dummy-source'];
/** MLflow's tags for a prompt (on the model) and its template (on each version). */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';
export const PROMPT_TEXT_TAG = 'mlflow.prompt.text';

/**
 * Tags that are a model's kind or a prompt version's content: fixed at
 * creation, since the kind decides what the model's versions are and the
 * template is what the version's checksum covers.
 */
export function assertNotFixedTag(key: string): void {
  if (key === PROMPT_TAG)
    throw badInput(`the tag ${PROMPT_TAG} is the model's kind, fixed when it was created`, { field: 'key' });
  if (key === PROMPT_TEXT_TAG)
    throw badInput(
      `the tag ${PROMPT_TEXT_TAG} is the prompt version's template, fixed when it was registered (register a new version)`,
      { field: 'key' },
    );
}
