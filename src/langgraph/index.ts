/**
 * `flowstore/langgraph`: a LangGraph checkpointer (`FlowstoreSaver`) and long-term memory
 * store (`FlowstoreStore`) on flowstore. Needs `@langchain/langgraph-checkpoint` (≥ 1.2),
 * an optional peer dependency that `flowstore` itself never loads.
 *
 * @example
 * ```ts
 * import { FlowstoreSaver, FlowstoreStore } from 'flowstore/langgraph';
 * const checkpointer = await FlowstoreSaver.open({ path: './agents.db' });
 * const graph = workflow.compile({ checkpointer, store: new FlowstoreStore(checkpointer.store) });
 * ```
 */
export { FlowstoreSaver } from './saver.ts';
export { FlowstoreStore, type FlowstoreGetOperation, type FlowstorePutOperation, type FlowstoreSearchOperation } from './memory-store.ts';
export {
  DEFAULT_ITEM_TTL_MINUTES, DEFAULT_LIST_PAGE_SIZE, DEFAULT_REFRESH_ON_READ, type FlowstoreSaverOptions, type FlowstoreStoreOptions,
} from './options.ts';
export { DEFAULT_NAMESPACES_LIMIT, DEFAULT_SEARCH_LIMIT, FILTER_OPERATORS, MAX_TTL_MINUTES } from '../domains/langgraph/items-schema.ts';
export type { PruneResult } from '../domains/langgraph/schema.ts';
export { FlowstoreError, isFlowstoreError, type ErrorCode } from '../errors.ts';
