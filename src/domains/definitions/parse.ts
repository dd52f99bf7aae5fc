/**
 * A workflow file's TOML as phases, each field checked with the same limits as the write
 * operation's input. Loaded by a refresh's scan when it runs (definitions/ops.ts), not with
 * the domain: a thread that only reads phases loads neither the TOML parser nor zod.
 *
 * @example
 * ```ts
 * parseWorkflow('[[phase]]\ntask = "build"\n');   // { phases: [{ task: 'build', rule: '', dependsOn: '', retry: 0, template: '' }] }
 * ```
 */
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from '../common.ts';
import { MAX_TEMPLATE_LENGTH, type LoadedPhase } from './schema.ts';

/**
 * PostgreSQL's text holds no NUL character (only TOML's `\u0000` escape makes one): a
 * field with one fails its own file, on every backend alike.
 */
const NO_NUL = [(v: string) => !v.includes('\0'), 'must not contain a NUL character'] as const;

// The same limits as the write op's input, so that an oversized field fails its own file only.
const phaseToml = z.object({
  task: z.string().trim().min(1).max(MAX_ID_LENGTH).refine(...NO_NUL),
  rule: z.string().max(MAX_TEXT_LENGTH).refine(...NO_NUL).default(''),
  dependsOn: z.string().max(MAX_TEXT_LENGTH).refine(...NO_NUL).optional(),
  depends_on: z.string().max(MAX_TEXT_LENGTH).refine(...NO_NUL).optional(),
  retry: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  template: z.string().max(MAX_TEMPLATE_LENGTH).refine(...NO_NUL).default(''),
});

const workflowToml = z.object({ phase: z.array(z.unknown()).default([]) });

/** The phases of one file, or the reason it cannot be loaded (a message naming the phase and field). */
export function parseWorkflow(text: string): { phases: LoadedPhase[] } | { error: string } {
  let document: unknown;
  try {
    document = parseToml(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return { error: `toml: ${(error as Error).message.split('\n')[0]!.slice(0, 1000)}` };
  }
  const workflow = workflowToml.safeParse(document);
  if (!workflow.success) return { error: 'phase: expected an array of [[phase]] tables' };
  const phases: LoadedPhase[] = [];
  const tasks = new Set<string>();
  for (const [index, raw] of workflow.data.phase.entries()) {
    const result = phaseToml.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      return { error: `phase ${index + 1}: ${issue.path.join('.') || 'phase'}: ${issue.message}` };
    }
    const { task, rule, dependsOn, depends_on: dependsOnSnake, retry, template } = result.data;
    // (file_path, task) is the table's key: a task twice in one file cannot be stored.
    if (tasks.has(task)) return { error: `phase ${index + 1}: duplicate task ${task}` };
    tasks.add(task);
    phases.push({ task, rule, dependsOn: (dependsOn ?? dependsOnSnake ?? '').trim(), retry, template });
  }
  return { phases };
}
