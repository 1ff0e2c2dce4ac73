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
}

/** Names a script can hold unquoted; anything else is left out rather than escaped. */
const SAFE = /^[A-Za-z0-9_.:=-]+$/;

const flagsOf = (options: readonly Option[]) =>
  options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f && SAFE.test(f));

function nodes(program: Command): Node[] {
  const globals = flagsOf(program.options);
  const out: Node[] = [];
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.map((c) => c.name()).filter((n) => SAFE.test(n));
    const own = cmd === program ? [] : flagsOf(cmd.options);
    out.push({ path, subs, flags: [...new Set([...own, ...globals, '--help'])] });
    for (const c of cmd.commands) if (SAFE.test(c.name())) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(program, '');
  return out;
}

/** Every option of the tree that takes a value, with its choices if it has them. */
function valueOptions(program: Command): { flags: string[]; choices?: string[] }[] {
  const seen = new Map<string, { flags: string[]; choices?: string[] }>();
  const walk = (cmd: Command) => {
    for (const o of cmd.options) {
      if (!o.required && !o.optional) continue;
      const flags = flagsOf([o]);
      const choices = o.argChoices?.filter((c) => SAFE.test(c));
      for (const f of flags) seen.set(f, { flags: [f], ...(choices?.length ? { choices } : {}) });
    }
    for (const c of cmd.commands) walk(c);
  };
  walk(program);
  return [...seen.values()];
}

/**
 * `_<name>_subs PATH` and `_<name>_flags PATH`: the subcommands and flags of the command at
 * PATH, echoed. The same text is valid bash and zsh.
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
  return `${fn('subs', (n) => n.subs)}\n${fn('flags', (n) => n.flags)}`;
}

/** The `case "$prev"` arms of the flags with choices (`arm` writes one), and the pattern of every flag taking a value. */
function valueArms(program: Command, arm: (flags: string, choices: string) => string) {
  const values = valueOptions(program);
  return {
    choiceArms: values
      .filter((v) => v.choices)
      .map((v) => arm(v.flags.join('|'), v.choices!.join(' ')))
      .join('\n'),
    takesValue: values.map((v) => v.flags.join('|')).join('|'),
  };
}

/**
 * The body of the loop over the words before the cursor (the same text in bash and zsh):
 * a flag's value is skipped, a subcommand name extends $cmdpath.
 */
function wordStep(name: string, word: string, takesValue: string): string {
  return [
    `    w="\${${word}}"`,
    '    if ((skip)); then skip=0; continue; fi',
    '    case "$w" in',
    `    (${takesValue}) skip=1; continue ;;`,
    '    (-*) continue ;;',
    '    esac',
    `    subs=" $(_${name}_subs "$cmdpath") "`,
    '    if [[ "$subs" == *" $w "* ]]; then cmdpath="${cmdpath:+$cmdpath }$w"; fi',
  ].join('\n');
}

export function bashCompletion(program: Command): string {
  const name = program.name();
  const { choiceArms, takesValue } = valueArms(
    program,
    (flags, choices) => `    ${flags}) COMPREPLY=($(compgen -W "${choices}" -- "$cur")); return ;;`,
  );
  return `# bash completion for ${name} (made by \`${name} completion bash\`)
# Load it with: source <(${name} completion bash)
${lookups(program)}
_${name}() {
  local cur prev w i cmdpath="" skip=0 subs
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
${wordStep(name, 'COMP_WORDS[i]', takesValue)}
  done
  case "$prev" in
${choiceArms}
    ${takesValue}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
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
  const { choiceArms, takesValue } = valueArms(
    program,
    (flags, choices) => `    (${flags}) compadd -- ${choices}; return ;;`,
  );
  // zsh's $path is PATH's array: the command path is $cmdpath here too.
  return `#compdef ${name}
# zsh completion for ${name} (made by \`${name} completion zsh\`)
# Load it with: source <(${name} completion zsh)   (after compinit)
${lookups(program)}
_${name}() {
  local w i cmdpath="" skip=0 subs
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
  for ((i = 2; i < CURRENT; i++)); do
${wordStep(name, 'words[i]', takesValue)}
  done
  case "$prev" in
${choiceArms}
    (${takesValue}) _files; return ;;
  esac
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
