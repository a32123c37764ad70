/// Shell completion scripts made from the command table: commands, then each command's
/// options and first-argument choices, then file names.
enum Completion {
    /// The script for `shell` (`bash` or `zsh`), or nil for another shell.
    static func script(for shell: String, _ commands: [Command]) -> String? {
        switch shell {
        case "bash": return bash(commands)
        case "zsh": return zsh(commands)
        default: return nil
        }
    }

    static func bash(_ commands: [Command]) -> String {
        let cases = commands.map { c in
            "        \(c.name)) words=\"\((c.choices + c.options + ["--help"]).joined(separator: " "))\" ;;"
        }.joined(separator: "\n")
        return """
        # bash completion for waymark (waymark completion bash > /etc/bash_completion.d/waymark)
        _waymark() {
            local cur="${COMP_WORDS[COMP_CWORD]}" words
            if [ "$COMP_CWORD" -eq 1 ]; then
                COMPREPLY=($(compgen -W "\((commands.map(\.name) + ["help", "completion", "--version", "--help"]).joined(separator: " "))" -- "$cur"))
                return
            fi
            case "${COMP_WORDS[1]}" in
        \(cases)
                help) words="\(commands.map(\.name).joined(separator: " "))" ;;
                completion) words="bash zsh" ;;
                *) words="" ;;
            esac
            if [[ "$cur" == -* || "${COMP_WORDS[1]}" == help || "${COMP_WORDS[1]}" == completion ]]; then
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
            fi
        }
        complete -o filenames -F _waymark waymark
        """
    }

    static func zsh(_ commands: [Command]) -> String {
        let describe = commands.map { "'\($0.name):\($0.summary.replacingOccurrences(of: "'", with: ""))'" }.joined(separator: " ")
        let cases = commands.map { c in
            "    \(c.name)) _arguments \((c.options + ["--help"]).map { "'\($0)[]'" }.joined(separator: " "))\(c.choices.isEmpty ? "" : " '1:kind:(\(c.choices.joined(separator: " ")))'") '*:file:_files' ;;"
        }.joined(separator: "\n")
        return """
        #compdef waymark
        # zsh completion for waymark (waymark completion zsh > "${fpath[1]}/_waymark")
        _waymark() {
          if (( CURRENT == 2 )); then
            local -a cmds; cmds=(\(describe) 'help:show a command'"'"'s help' 'completion:print a completion script')
            _describe 'command' cmds
            return
          fi
          shift words; (( CURRENT-- ))
          case "$words[1]" in
        \(cases)
            help) _values 'command' \(commands.map(\.name).joined(separator: " ")) ;;
            completion) _values 'shell' bash zsh ;;
          esac
        }
        _waymark "$@"
        """
    }
}
