import { appendFileSync } from 'node:fs';
import Mocha from 'mocha';

/**
 * mocha's spec reporter that also appends this run's totals, as one JSON line, to the file named
 * by MOCHA_TOTALS_FILE (scripts/test.sh adds them up over all runs). Without that variable it is
 * the plain spec reporter.
 */
export default class TotalsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const file = process.env.MOCHA_TOTALS_FILE;
    if (!file) return;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      appendFileSync(file, `${JSON.stringify({ passes, failures, pending })}\n`);
    });
  }
}
