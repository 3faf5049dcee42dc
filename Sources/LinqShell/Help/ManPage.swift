import LinqCore

/// `linq --man`: the manual page (troff), made from the same tables as `help` — every command of
/// the shell with its summary, the exit statuses, the environment and the files — so it never
/// drifts from the program. `scripts/install` writes it to `share/man/man1/linq.1`.
public enum ManPage {
    /// The page; `options` is the command line's own option help (from the argument parser).
    public static func render(options: String) -> String {
        let page = header(options: options) + commandsSection() + exitStatusSection() + closingSections()
        return page.joined(separator: "\n") + "\n"
    }

    /// The title and NAME to OPTIONS (`options` as given), up to the COMMANDS heading.
    private static func header(options: String) -> [String] {
        [
            ".TH LINQ 1 \"\" \"linq \(LinqConfiguration.version)\" \"User Commands\"",
            ".SH NAME",
            "linq \\- interactive shell and script runner for the Linq Partner API V3",
            ".SH SYNOPSIS",
            ".B linq",
            "[\\fIoptions\\fR] [\\fIFILE.linq\\fR | \\fICOMMAND\\fR ...]",
            ".br",
            ".B linq",
            "\\-c \\fI'COMMAND; COMMAND'\\fR ...",
            ".br",
            ".B linq run",
            "[\\fIoptions\\fR] \\fIFILE\\fR | \\-",
            ".br",
            ".B linq emulator",
            "[\\-\\-port \\fIN\\fR] [\\-\\-state \\fIFILE\\fR]",
            ".SH DESCRIPTION",
            escape(
                "With no arguments linq opens a prompt that keeps session state (key, base URL, default number, variables, the last response). The same commands run from .linq scripts, -c and stdin, and as one-shot arguments (linq card get). With no API key it starts a built-in emulator of the API on a loopback port, so it works with no account and no network."
            ),
            ".PP",
            escape(
                "A first word that names an existing file (or contains a / or ends in .linq) is a script; otherwise, if it is a command's first word, it and the rest are one command line."
            ),
            ".SH OPTIONS",
        ] + optionEntries(options) + [".SH COMMANDS"]
    }

    /// The OPTIONS of the argument parser's help as man entries: `.TP`, the option in bold, its
    /// description as one paragraph (the help's own line breaks are the terminal's, not the page's).
    static func optionEntries(_ help: String) -> [String] {
        var entries: [(option: String, text: String)] = []
        var inOptions = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("OPTIONS:") {
                inOptions = true
                continue
            }
            guard inOptions else { continue }
            if !line.hasPrefix(" ") { if !line.isEmpty { break } else { continue } }
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("-") {
                // `  -c, --command <command> Run …`: the spellings and value names, then the help.
                let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
                let option = words.prefix { $0.hasPrefix("-") || $0.hasPrefix("<") || $0.hasSuffix(">") }
                entries.append((option.joined(separator: " "), words.dropFirst(option.count).joined(separator: " ")))
            } else if !entries.isEmpty {
                entries[entries.count - 1].text += (entries[entries.count - 1].text.isEmpty ? "" : " ") + trimmed
            }
        }
        return entries.flatMap { [".TP", ".B " + escape($0.option), escape($0.text)] }
    }

    /// COMMANDS: every command of the shell with its summary, group by group (groups sorted).
    private static func commandsSection() -> [String] {
        var page: [String] = []
        var groups: [CommandGroup: [CommandSpec]] = [:]
        for spec in CommandRegistry.all { groups[spec.group, default: []].append(spec) }
        for group in groups.keys.sorted() {
            page.append(".SS \(escape(group.title))")
            for spec in groups[group]! {
                page.append(".TP")
                page.append(".B \(escape(spec.name))")
                page.append(escape(spec.summary))
            }
        }
        return page
    }

    /// EXIT STATUS: every status with its meaning.
    private static func exitStatusSection() -> [String] {
        var page = [".SH EXIT STATUS"]
        for status in ExitStatus.allCases {
            page.append(".TP")
            page.append(".B \(status.code)")
            page.append(escape(status.meaning))
        }
        return page
    }

    /// ENVIRONMENT, FILES and SEE ALSO.
    private static func closingSections() -> [String] {
        [
            ".SH ENVIRONMENT",
            ".TP", ".B \(LinqConfiguration.apiKeyVariable)", "The API key (never printed, logged or saved in history).",
            ".TP", ".B \(LinqConfiguration.baseURLVariable)", "The API base URL.",
            ".TP", ".B NO_COLOR", "Never colour output.",
            ".TP", ".B PAGER", "The pager for long help (on a terminal).",
            ".TP", ".BR VISUAL \", \" EDITOR", "The editor of Ctrl-X Ctrl-E.",
            ".SH FILES",
            ".TP", ".I $XDG_STATE_HOME/linq/history",
            "The prompt's history (mode 0600; lines holding a key are never saved).",
            ".TP", ".I $XDG_STATE_HOME/linq/emulator.sqlite",
            "The built-in emulator's state (SQLite), shared by every shell.",
            ".TP", ".I $XDG_CONFIG_HOME/linq/profiles.json", "Saved profiles.",
            ".SH SEE ALSO",
            "In the shell: help, help scripts, help variables, help errors, help CODE.",
        ]
    }

    /// Text made safe for troff: backslashes doubled, a leading dot or quote escaped.
    static func escape(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { part -> String in
            var line = String(part).replacingOccurrences(of: "\\", with: "\\e")
            line = line.replacingOccurrences(of: "-", with: "\\-")
            if line.hasPrefix(".") || line.hasPrefix("'") { line = "\\&" + line }
            return line
        }.joined(separator: "\n")
    }
}
