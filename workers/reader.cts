/**
 * What Piscina loads in a reader thread, in CommonJS on purpose. Piscina require()s its
 * worker file before it tries import(), and require() of an ES module takes Node's
 * synchronous module loader, which on Node 22 aborts the whole process (`FATAL ERROR:
 * v8::Module::IsGraphAsync must be used on an instantiated module`) when the thread is
 * terminated while that loader instantiates the graph, as closing a store does to a reader
 * still starting. require() of this file touches no ES module: it hands Piscina a promise
 * of the task handler, which import() fulfils through Node's asynchronous loader, the one
 * every ES worker entry point takes. Piscina awaits it before the thread counts as ready;
 * if it rejects, the thread fails to start as before.
 */
// Before anything compiles: reader.ts and what it loads come from Node's compile cache once there.
require('node:module').enableCompileCache();
module.exports = import('./reader.ts').then((reader) => reader.default);
