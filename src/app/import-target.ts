// `vctp import-sqlite` copies into PostgreSQL only. Checked before anything is opened: opening a
// SQLite database_url creates and migrates that file, which a refused import must not do.
import { VctpError } from '../core/errors.js';
import { loadRuntimeSettings, type RuntimeOptions } from './runtime.js';

export async function assertImportTarget(options: RuntimeOptions): Promise<void> {
  // Quiet: the run that follows loads the settings again and logs their warnings once.
  const { settings, loaded } = await loadRuntimeSettings({ ...options, quiet: true });
  if (settings.database_driver !== 'postgres') {
    throw new VctpError(
      'config',
      `settings.database_driver is ${settings.database_driver} (${loaded.path}): vctp import-sqlite copies a SQLite database into PostgreSQL; ` +
        'set database_driver: postgres and database_url to the PostgreSQL database to import into. Nothing was changed.',
    );
  }
}
