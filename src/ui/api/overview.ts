/** The overview: counts per domain, file sizes, migrations, and the live samples' history. */
import type { Handler, Routes } from './context.ts';

export const overview: Handler = async ({ store, sampler }) => {
  const [migrations] = await Promise.all([store.migrations()]);
  return {
    path: store.path,
    readOnly: store.readOnly,
    migrations: migrations.map((m) => ({ version: m.version, name: m.name, appliedAt: m.appliedAt })),
    latest: sampler.latest() ?? null,
  };
};

export const samples: Handler = async ({ sampler }) => ({ samples: sampler.history() });

export const routes: Routes = { '/api/overview': overview, '/api/samples': samples };
