import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';

/*
 * Loaded before the test files of every mocha run (.mocharc.json "file"). It also means a run
 * whose globs match no file yet (mocha 12 exits 1 on "No test files found") is simply empty.
 */

// Safety net: whatever a test started through @fooddelivery/stack and did not stop is stopped here,
// so a failed suite never leaves servers running (mocha "exit" would otherwise orphan them).
after(async function () {
  this.timeout(60_000);
  await stopAll();
});

// A run cut short (Ctrl-C, a CI timeout) stops its servers too.
stopAllOnSignals();
