// Preloaded (node --require) into a leakctl run that a test measures: when the process exits it
// writes its own resource usage (peak RSS in KB, processor time in microseconds) to the file
// named by LEAKCTL_TEST_USAGE. The same figures GNU time prints, without needing it installed.
'use strict';
const file = process.env.LEAKCTL_TEST_USAGE;
if (file) {
  process.on('exit', () => {
    const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
    require('node:fs').writeFileSync(file, JSON.stringify({ maxRSS, userCPUTime, systemCPUTime }));
  });
}
