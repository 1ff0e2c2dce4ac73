// `vnfm completion bash|zsh`: shell completion scripts made from the program's own
// command tree (commander has none built in), so every command and flag any part of the
// CLI declares is completed without a list kept by hand. The scripts complete
// subcommands, flags, the choices of a flag that has them (-o table|wide|json|yaml),
// and file names after any other flag that takes a value.
import { Argument, type Command, type Option } from 'commander';

interface Node {
  /** Subcommand names from the program down, space-separated ('' for the program). */
  path: string;
  subs: string[];
  flags: string[];
  /** The flags that take a value here (the word after one is its value, not a subcommand). */
  values: string[];
}

/** Names a script can hold unquoted; anything else is left out rather than escaped. */
const SAFE = /^[A-Za-z0-9_.:=-]+$/;

const flagsOf = (options: readonly Option[]) =>
  options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f && SAFE.test(f));
const takingValue = (options: readonly Option[]) => options.filter((o) => o.required || o.optional);

/** Every command of the tree with its subcommands and flags, the program's flags counted everywhere. */
function nodes(program: Command): Node[] {
  const globals = program.options;
  const out: Node[] = [];
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.map((c) => c.name()).filter((n) => SAFE.test(n));
    const options = cmd === program ? globals : [...cmd.options, ...globals];
    out.push({
      path,
      subs,
      flags: [...new Set([...flagsOf(options), '--help'])],
      values: [...new Set(flagsOf(takingValue(options)))],
    });
    for (const c of cmd.commands) if (SAFE.test(c.name())) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(program, '');
  return out;
}

/** The `case "$prev"` arms of the flags that have choices (`arm` writes one: its flags, its choices). */
function choiceArms(program: Command, arm: (flags: string, choices: string) => string): string {
  const seen = new Map<string, string>();
  const walk = (cmd: Command) => {
    for (const o of takingValue(cmd.options)) {
      const choices = o.argChoices?.filter((c) => SAFE.test(c));
      if (choices?.length) for (const f of flagsOf([o])) seen.set(f, choices.join(' '));
    }
    for (const c of cmd.commands) walk(c);
  };
  walk(program);
  return [...seen].map(([flag, choices]) => arm(flag, choices)).join('\n');
}

/**
 * `_<name>_subs PATH`, `_<name>_flags PATH`, `_<name>_values PATH`: the subcommands, the
 * flags and the flags taking a value of the command at PATH, echoed. Valid bash and zsh.
 */
function lookups(program: Command): string {
  const all = nodes(program);
  const fn = (suffix: string, pick: (n: Node) => string[]) =>
    [
      `_${program.name()}_${suffix}() {`,
      '  case "$1" in',
      ...all.map((n) => `    "${n.path}") echo "${pick(n).join(' ')}" ;;`),
      '  esac',
      '}',
    ].join('\n');
  return [fn('subs', (n) => n.subs), fn('flags', (n) => n.flags), fn('values', (n) => n.values)].join('\n');
}

/**
 * The body of the loop over the words before the cursor (the same text in bash and zsh):
 * the value of a flag that takes one is skipped, a subcommand name extends $cmdpath.
 */
function wordStep(name: string, word: string): string {
  return [
    `    w="\${${word}}"`,
    '    if ((skip)); then skip=0; continue; fi',
    `    if [[ " $(_${name}_values "$cmdpath") " == *" $w "* ]]; then skip=1; continue; fi`,
    '    case "$w" in (-*) continue ;; esac',
    `    if [[ " $(_${name}_subs "$cmdpath") " == *" $w "* ]]; then cmdpath="\${cmdpath:+$cmdpath }$w"; fi`,
  ].join('\n');
}

/** Whether $prev is a flag of the command at $cmdpath that takes a value. */
const prevTakesValue = (name: string) => `[[ " $(_${name}_values "$cmdpath") " == *" $prev "* ]]`;

export function bashCompletion(program: Command): string {
  const name = program.name();
  const choices = choiceArms(
    program,
    (flag, list) => `    ${flag}) COMPREPLY=($(compgen -W "${list}" -- "$cur")); return ;;`,
  );
  return `# bash completion for ${name} (made by \`${name} completion bash\`)
# Load it with: source <(${name} completion bash)
${lookups(program)}
_${name}() {
  local cur prev w i cmdpath="" skip=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
${wordStep(name, 'COMP_WORDS[i]')}
  done
  case "$prev" in
${choices}
  esac
  if ${prevTakesValue(name)}; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_${name}_flags "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_${name}_subs "$cmdpath")" -- "$cur"))
    if ((\${#COMPREPLY[@]} == 0)); then COMPREPLY=($(compgen -f -- "$cur")); fi
  fi
}
complete -o filenames -F _${name} ${name}
`;
}

export function zshCompletion(program: Command): string {
  const name = program.name();
  const choices = choiceArms(program, (flag, list) => `    (${flag}) compadd -- ${list}; return ;;`);
  // zsh's $path is PATH's array: the command path is $cmdpath here too.
  return `#compdef ${name}
# zsh completion for ${name} (made by \`${name} completion zsh\`)
# Load it with: source <(${name} completion zsh)   (after compinit)
${lookups(program)}
_${name}() {
  local w i cmdpath="" skip=0
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
  for ((i = 2; i < CURRENT; i++)); do
${wordStep(name, 'words[i]')}
  done
  case "$prev" in
${choices}
  esac
  if ${prevTakesValue(name)}; then _files; return; fi
  if [[ "$cur" == -* ]]; then
    compadd -- \${=$(_${name}_flags "$cmdpath")}
  else
    local -a found
    found=(\${=$(_${name}_subs "$cmdpath")})
    if ((\${#found} > 0)); then compadd -- "\${found[@]}"; else _files; fi
  fi
}
if (( \${+functions[compdef]} )); then compdef _${name} ${name}; fi
`;
}

export function addCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(vnfm completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
}
