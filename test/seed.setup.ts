// Every test starts its own seeded sequence (test/random.ts) and prints the seed when it fails.
import { beforeEach } from 'vitest';
import { reseed, TEST_SEED } from './random';

beforeEach((context) => {
  reseed(context.task.fullName);
  context.onTestFailed(() => {
    console.error(
      `\n  seed ${TEST_SEED}: replay with TEST_SEED=${TEST_SEED} npx vitest run ${context.task.file.filepath}\n`,
    );
  });
});
