// Placeholder signature for the textfile exporter (being written); see publisher.ts.
import type { MetricsPublisher } from './publisher.js';

export function textfilePublisher(directory: string): MetricsPublisher {
  return {
    async publish() {
      throw new Error(`metrics textfiles into ${directory} are not written yet`);
    },
  };
}
