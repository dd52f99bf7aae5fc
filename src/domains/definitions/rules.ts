/**
 * Validation of one phase on its own: the messages that need no other phase. The
 * "parent task not found" check needs every loaded phase and runs in SQL after a
 * refresh (`recomputeStatus` in statements.ts, given {@link STATUS_NO_PARENT}), between
 * the errors and the warnings computed here.
 *
 * @example
 * ```ts
 * checkPhase({ task: 'a:b', rule: 'cron=0 0 30 2 *', dependsOn: '', retry: 0 });
 * // { error: 'no valid rule found: cron=0 0 30 2 *', warning: '' }
 * ```
 */
import { isGoDuration, isValidCron } from './cron.ts';

import { MAX_RECOMMENDED_RETRY } from './limits.ts';

export { MAX_RECOMMENDED_RETRY } from './limits.ts';

export const STATUS_BLANK = 'invalid phase: rule and dependsOn are blank';
export const STATUS_NO_RULE = 'no valid rule found: ';
export const STATUS_NO_PARENT = 'parent task not found: ';
export const STATUS_IGNORED_RULE = 'ignored rule: ';
export const STATUS_RETRY = 'warning: retry count exceeds recommended limit';

/** Rule keys that make a phase start on its own (without a parent). */
const TRIGGERS = ['cron', 'files'];

export interface PhaseFields {
  readonly rule: string;
  readonly dependsOn: string;
  readonly retry: number;
}

/** `error` outranks a missing parent, which outranks `warning`; each is `''` when there is none. */
export interface PhaseCheck {
  readonly error: string;
  readonly warning: string;
}

/** The rule as URI query parameters, or undefined when it is not a well-formed query string. */
export function parseRule(rule: string): URLSearchParams | undefined {
  // URLSearchParams accepts broken escapes silently; a rule with one is malformed.
  for (const part of rule.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(rule);
}

function ruleIsValid(params: URLSearchParams, hasParent: boolean): boolean {
  if (params.getAll('cron').some((c) => !isValidCron(c))) return false;
  if (params.getAll('offset').some((o) => !isGoDuration(o.trim()))) return false;
  if (params.getAll('files').some((f) => f.trim() === '')) return false;
  return hasParent || TRIGGERS.some((key) => params.has(key));
}

export function checkPhase(phase: PhaseFields): PhaseCheck {
  const rule = phase.rule.trim();
  const hasParent = phase.dependsOn.trim() !== '';
  if (rule === '' && !hasParent) return { error: STATUS_BLANK, warning: '' };
  let warning = phase.retry > MAX_RECOMMENDED_RETRY ? STATUS_RETRY : '';
  if (rule !== '') {
    const params = parseRule(rule);
    if (!params || !ruleIsValid(params, hasParent)) return { error: STATUS_NO_RULE + phase.rule, warning: '' };
    // A phase with a parent starts when the parent finishes; its own schedule never fires.
    if (hasParent && params.has('cron')) warning = STATUS_IGNORED_RULE + phase.rule;
  }
  return { error: '', warning };
}
