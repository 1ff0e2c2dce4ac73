// POSIX shell quoting. Every argument of a remote command goes through here, so
// user input reaches the remote shell as one literal word and executes nothing.

/** Quotes one argument: wrapped in single quotes, embedded single quotes closed and escaped. */
export function quote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Builds a command line from a program and its arguments, each quoted. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quote).join(' ');
}
