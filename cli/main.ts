import { run } from './program';

// exitCode, not exit(): a pipe (`postflow … --json | jq`) gets all of stdout before the process ends.
void run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
