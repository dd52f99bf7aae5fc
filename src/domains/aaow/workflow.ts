/**
 * The aaow workflow definition, declared here with the same shape as aaow's own
 * `Workflow` type so that values pass between the two without casts. flowstore
 * stores it as an opaque JSON document and never looks inside.
 *
 * @example
 * ```ts
 * const definition: Workflow = { root: { type: 'group', label: 'main', nodes: {}, edges: [],
 *   entryPoint: 'a', exitPoint: 'b', inputType: { type: 'string' }, outputType: { type: 'string' } } };
 * ```
 */
export interface Workflow {
  root: WorkflowNodeGroup;
  typedefs?: Record<string, WorkflowNodeMessageType>;
}

type Described = Partial<Record<string, { description: string; type: WorkflowNodeMessageType }>>;

export type WorkflowNodeMessageType =
  | { type: 'string' }
  | { type: 'enum'; value: string[] }
  | { type: 'array'; of: WorkflowNodeMessageType }
  | { type: 'optional'; of: WorkflowNodeMessageType }
  | { type: 'object'; value: Described }
  | { type: 'taggedUnion'; value: Described }
  | { type: 'ref'; ref: string };

export interface WorkflowNodeBase {
  inputType: WorkflowNodeMessageType;
  outputType: WorkflowNodeMessageType;
}

export interface WorkflowContext {
  items: Record<string, WorkflowContextItem>;
}

export type WorkflowContextItem =
  | { type: 'data'; value: unknown }
  | { type: 'nodeRef'; nodeId: string }
  | { type: 'workflowRef'; workflowId: string }
  | { type: 'streamOperator'; operator: WorkflowStreamOperator };

export interface WorkflowNodeGroup extends WorkflowNodeBase {
  type: 'group';
  label: string;
  nodes: Partial<Record<string, WorkflowNode>>;
  edges: WorkflowEdge[];
  entryPoint: string;
  exitPoint: string;
  context?: WorkflowContext;
}

export interface WorkflowNodeLLM extends WorkflowNodeBase {
  type: 'llm';
  maxRetries: number;
  systemPrompt?: string;
  availableTools?: WorkflowTool[];
  reviewers?: WorkflowNodeLLMReviewer[];
  requiresHumanReview?: boolean;
}

export interface WorkflowNodeLLMReviewer {
  systemPrompt?: string;
  availableTools?: WorkflowTool[];
}

export type WorkflowTool =
  | { type: 'requestIncreaseMaxRetries' | 'logIncident' }
  | { type: 'custom'; name: string; overridedInput?: unknown };

export type WorkflowNodeTransformFn =
  | { type: 'if'; path?: string[]; branches: Record<string, WorkflowNodeTransformFn> }
  | { type: 'map'; path?: string[]; fn: WorkflowNodeTransformFn }
  | { type: 'with'; path: string[]; fn: WorkflowNodeTransformFn }
  | { type: 'get'; path?: string[] }
  | { type: 'object'; value: Partial<Record<string, WorkflowNodeTransformFn>> }
  | { type: 'taggedUnion'; tag: string; value: Partial<Record<string, WorkflowNodeTransformFn>> }
  | { type: 'const'; value: unknown };

export interface WorkflowNodeTransform extends WorkflowNodeBase {
  type: 'transform';
  fn: WorkflowNodeTransformFn;
}

export interface WorkflowNodeCallWorkflow extends WorkflowNodeBase {
  type: 'callWorkflow';
  workflowRef: string;
  inputMapping?: WorkflowNodeTransformFn;
  outputMapping?: WorkflowNodeTransformFn;
  requiresApproval?: boolean;
}

export interface WorkflowNodeStream extends WorkflowNodeBase {
  type: 'stream';
  source: WorkflowStreamSource;
  operators?: WorkflowStreamOperator[];
}

export interface WorkflowNodeGenerator extends WorkflowNodeBase {
  type: 'generator';
  generatorFn: string;
  contextAccess?: string[];
}

export type WorkflowStreamSource =
  | { type: 'node'; nodeId: string }
  | { type: 'external'; sourceFn: string }
  | { type: 'merge'; nodeIds: string[] };

export type WorkflowStreamOperator =
  | { type: 'map' | 'filter'; fn: WorkflowNodeTransformFn }
  | { type: 'merge'; streams: string[] }
  | { type: 'debounce' | 'throttle'; ms: number }
  | { type: 'take' | 'skip'; count: number }
  | { type: 'scan'; fn: WorkflowNodeTransformFn; initialValue?: unknown }
  | { type: 'distinct' }
  | { type: 'distinctUntilChanged' };

export type WorkflowNode =
  | WorkflowNodeGroup
  | WorkflowNodeLLM
  | WorkflowNodeTransform
  | WorkflowNodeCallWorkflow
  | WorkflowNodeStream
  | WorkflowNodeGenerator;

export interface WorkflowEdge {
  from: string;
  to: string;
  previousNodeMessageOutputFieldName?: string;
  messageInputFieldName?: string;
  description: string;
}
