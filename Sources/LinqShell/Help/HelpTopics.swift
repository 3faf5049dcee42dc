import LinqCore

/// Help pages that are not commands: `help variables`, `help scripts`, `help errors`,
/// `help settings`, `help exit-codes`, and `help CODE` for any Linq error code.
struct HelpTopic: Sendable {
    var name: String
    var summary: String
    var text: @Sendable () -> String
    /// Other words that find it (`help output` finds `filters`).
    var aliases: [String] = []
}

enum HelpTopics {
    static let all: [HelpTopic] = [
        HelpTopic(
            name: "variables", summary: "$last, $status, $NAME.path, ${env:VAR}, -v name=value", text: { variables }),
        HelpTopic(name: "scripts", summary: ".linq files: lines, ';', comments, failures, reports", text: { scripts }),
        HelpTopic(
            name: "errors", summary: "How failures print, the Linq error codes (help 2014 explains one)",
            text: { errors }),
        HelpTopic(
            name: "settings", summary: "What set/unset/show change, and where values come from", text: { settings }),
        HelpTopic(
            name: "exit-codes", summary: "0 ok, 1 API/network, 2 usage, 3 assertion, 4 taped, 130 interrupted",
            text: { exitCodes }),
        HelpTopic(
            name: "filters", summary: "--output json/jsonl/yaml/table, --filter (a jq subset), --columns, the pager",
            text: { filters }, aliases: ["output", "formats", "format", "table", "yaml", "jsonl", "pager", "jq"]),
        HelpTopic(name: "chat-bot", summary: "The rule file of chat open --peer bot --rules FILE", text: { chatBot }),
    ]

    static func topic(named name: String) -> HelpTopic? {
        let lower = name.lowercased()
        return all.first {
            $0.name == lower || ($0.name.hasSuffix("s") && $0.name.dropLast() == lower) || $0.aliases.contains(lower)
        }
    }

    static let variables = """
        Variables

          $last                 the last response's JSON (after any command that got one)
          $status               its HTTP status
          $number $base_url $profile   the session's settings (never the key; -v overrides)
          $NAME                 a variable bound with let NAME = …, -v NAME=VALUE or --vars FILE
          $NAME.field[0].other  a path into a variable's JSON; [-1] is the last element
          ${NAME}               braces, when text follows: "${NAME}s"
          ${env:VAR}            an environment variable (an error if unset)
          ${env:VAR:-default}   an environment variable, or the default when unset or empty

        Each reference expands to exactly one argument, whatever it holds (no word splitting).
        Inside double quotes references expand; inside single quotes nothing does.
        An undefined variable or a missing path is an error that names it, raised before
        anything is sent. `show` lists the variables defined.

        let card = card create --first Ann      binds the response
        let id = $card.id                       binds a value (keeps its JSON type)
        let n = 3                               binds text or JSON
        echo $card.first_name $status
        """

    static let scripts = """
        Scripts (.linq files)

        A script is lines of the same commands as the prompt, run by the same interpreter:
          linq run demo.linq      (or: linq demo.linq, a #!/usr/bin/env linq shebang, or stdin)
          linq -c 'card get; expect status 200'

          ;           separates commands on one line
          # comment   an unquoted # at the start of a word runs to the end of the line
          \\           at the end of a line continues it on the next; so does an open
                      quote, { or [ (JSON over several lines; the prompt shows …>)
          source F    runs another file (paths in a script are relative to it; ~ is home)
          include F name=value …   runs F with variables of its own: $name inside; its lets
                      stay inside unless it says export NAME (help include)
          vars F      binds name=value lines of a .env-style file (so does linq --vars F)
          run -       reads the script from stdin

        Any line ends (LF, CRLF, CR) and a UTF-8 BOM are fine; a line that is not UTF-8 is
        reported with its column. A run stops at the first failure and exits with its status
        (help exit-codes); --keep-going runs on and reports them all, also between the
        ;-separated commands of one line. An API error followed at once by expect status …
        or expect error … is claimed by it (shown as (expected)). Ctrl-C — also at pause or
        a --step prompt — stops the run (130). A summary line ends every file run; --report
        tap F and --report junit F (repeatable) write reports.

        Demos: --quiet prints only errors, echoes and assertions; let prints one line;
        --fresh (or emulator reset) starts the emulator from its seed, --stage NAME from
        the snapshot emulator snapshot save NAME made; --echo prints each
        command, --type-speed MS types it out, --step waits (Enter runs, s skips, q quits);
        --dry-run prints requests and curl lines instead of sending. record FILE … record
        stop turns a session into a script that replays on a fresh emulator.
        linq run F --rehearse keeps every answer and awaited event in F.tape; linq run F
        --perform runs live and plays the taped answer (marked ┊ tape) when a step fails
        unlike the rehearsal, runs over --step-budget (5s) or misses its event; exit 4 then,
        unless --allow-tape.
        See: help let, help expect, help try, help variables.
        """

    static let errors = """
        Errors

        An API error prints one block on stderr: the HTTP status, the Linq code and message, a
        hint (what to do next), the docs page and the trace id to quote to Linq support:

          error: 409 Conflict · Linq 2014: A contact card already exists for this phone number
            hint:  The card is already set up: change it with `card update` (PATCH), not `card create`.
            docs:  https://docs.linqapp.com/error/codes/2xxx/2014/
            trace: 7f3e…

        A mistake in the line itself (unknown command or flag, a bad value) is caught before
        anything is sent and names what would be right. `last` prints the last failure again;
        `expect error CODE` checks one in a script; `try COMMAND` expects one.

        Codes: 1xxx the request is wrong · 2xxx auth, ownership, state · 3xxx upstream ·
        4xxx limits and availability · 5xxx internal. help CODE (e.g. help 2014) explains one.
        """

    static var settings: String {
        var lines = ["Settings", ""]
        for setting in Setting.allCases {
            lines.append("  " + setting.name.padding(to: 10) + setting.summary)
        }
        lines += [
            "",
            "set NAME VALUE changes one for this session; unset NAME returns it to its starting value;",
            "show lists the values and their sources. At start: flag > environment > profile > default.",
            "Environment: LINQ_API_V3_API_KEY, LINQ_API_V3_BASE_URL, LINQ_NUMBER, LINQ_PROFILE, NO_COLOR.",
        ]
        return lines.joined(separator: "\n")
    }

    static var exitCodes: String {
        var lines = ["Exit status (scripts, -c, stdin)", ""]
        for status in ExitStatus.allCases { lines.append("  " + String(status.code).padding(to: 5) + status.meaning) }
        lines.append("")
        lines.append("With --keep-going the first failure decides the status; exit N ends with N.")
        return lines.joined(separator: "\n")
    }

    /// `help 2014`: meaning, status, what to do, docs.
    static func code(_ code: Int) -> String? {
        guard let info = ErrorCatalog.info(code) else { return nil }
        var lines = ["Linq error \(info.code)" + (info.status.map { " (HTTP \($0))" } ?? "")]
        lines.append("")
        lines.append((info.documentedMessage ? "message:  " : "meaning:  ") + info.message)
        for seen in info.alsoSeen { lines.append("also:     " + seen) }
        lines.append("what to do: " + info.hint)
        lines.append("docs:     " + info.docURL)
        return lines.joined(separator: "\n")
    }
}
