import { openStore } from '../../store/open-store.js';
import { loadCliSettings, type GlobalOptions } from '../runtime.js';
import { stdoutOutput } from '../output.js';

export async function dbMigrateCommand(globals: GlobalOptions): Promise<void> {
  const { loaded } = await loadCliSettings(globals);
  const store = await openStore(loaded.settings, { migrate: true });
  await store.close();
  stdoutOutput(false).write(`schema of ${store.description} is up to date`);
}
