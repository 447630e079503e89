/** Progress goes to stderr, so stdout stays free for a summary a script could read. */
export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
