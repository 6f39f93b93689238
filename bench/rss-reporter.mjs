// Preloaded into a benchmarked process: on exit, writes its peak resident set size (KiB) to the
// file named by VIGIL_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.VIGIL_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
