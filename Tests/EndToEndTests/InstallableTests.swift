import Foundation
import TestSupport
import Testing

/// Issue 14: `linq card get …` is a one-shot command unless a file of that name exists; the man
/// page and the shell completions `scripts/install` writes come from the binary itself.
@Suite(.ownThread) struct InstallableTests {
    @Test func commandWordsRunAsOneShotAndFilesAsScripts() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let oneShot = try LinqBinary.run(
            ["--output", "json", "card", "get"], environment: env)
        #expect(oneShot.status == 0, "\(oneShot.stderr)")
        #expect(oneShot.stdout.hasPrefix("{\"contact_cards\":"), "\(oneShot.stdout)")
        let quoted = try LinqBinary.run(
            ["card", "create", "--first", "Two Words", "--number", "+15551230002", "--pick", ".first_name"],
            environment: env)
        #expect(quoted.stdout == "Two Words\n", "arguments keep their spaces: \(quoted.stderr)")
        let mistyped = try LinqBinary.run(["card", "gte"], environment: env)
        #expect(mistyped.status == 2)
        #expect(mistyped.stderr.contains("did you mean 'card get'"), "\(mistyped.stderr)")
        // A file named like a command is a script: the file wins, as documented.
        writeTextFile(home.file("card"), "echo from the file\n")
        let file = try LinqBinary.run(["card"], environment: env, directory: home.path)
        #expect(file.stdout == "from the file\n", "\(file.stderr)")
        let missing = try LinqBinary.run(["nosuch.linq"], environment: env)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nosuch.linq"))
    }

    /// `scripts/install --uninstall` (before or after PREFIX) removes exactly what it installs;
    /// a second PREFIX or an unknown option is refused before anything is built.
    @Test func uninstallRemovesExactlyTheInstalledFilesAndBadArgumentsAreRefused() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/install").path
        let prefix = TempDirectory()
        defer { prefix.remove() }
        let installed = [
            "bin/linq", "share/bash-completion/completions/linq", "share/zsh/site-functions/_linq",
            "share/fish/vendor_completions.d/linq.fish", "share/man/man1/linq.1",
        ]
        let env = ["PATH": "/usr/bin:/bin", "HOME": prefix.path]
        for arguments in [[prefix.path, "--uninstall"], ["--uninstall", prefix.path]] {
            for file in installed + ["bin/other-tool"] {
                try FileManager.default.createDirectory(
                    atPath: prefix.file((file as NSString).deletingLastPathComponent), withIntermediateDirectories: true
                )
                writeTextFile(prefix.file(file), "x")
            }
            let result = try LinqBinary.runExecutable(script, arguments, environment: env)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            for file in installed { #expect(!FileManager.default.fileExists(atPath: prefix.file(file)), "\(file)") }
            #expect(FileManager.default.fileExists(atPath: prefix.file("bin/other-tool")), "only linq's files go")
        }
        let two = try LinqBinary.runExecutable(script, ["a", "b"], environment: env)
        #expect(two.status == 2)
        #expect(two.stderr.contains("one PREFIX only"), "\(two.stderr)")
        let unknown = try LinqBinary.runExecutable(script, ["--prefix=x"], environment: env)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown option '--prefix=x'"), "\(unknown.stderr)")
    }

    @Test func theManPageAndCompletionsComeFromTheBinary() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let man = try LinqBinary.run(["--man"], environment: env)
        #expect(man.status == 0)
        #expect(man.stdout.hasPrefix(".TH LINQ 1"))
        for needle in [".SH EXIT STATUS", ".B card create", ".B webhook listen", ".B 130", "LINQ_API_V3_API_KEY"] {
            #expect(man.stdout.contains(needle), "\(needle)")
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = try LinqBinary.run(["--generate-completion-script", shell], environment: env)
            #expect(script.status == 0)
            #expect(script.stdout.contains("linq --complete"), "\(shell): the binary answers")
        }
    }

    /// The installed completions know the shell's commands, verbs, flags, enum values and
    /// `.linq` files (issue 18, item 5): bash runs the script `scripts/install` writes.
    @Test(arguments: [
        ("ca", ["card", "capability"]), ("de", ["demo.linq"]), ("card cr", ["create"]),
        ("card create --fir", ["--first"]), ("message send X --effect conf", ["confetti"]),
        ("--output ", ["pretty", "json", "jsonl", "yaml", "table", "raw", "quiet"]), ("run ", ["demo.linq"]),
        ("--kee", ["--keep-going"]),
    ])
    func bashCompletesFromTheCommandTable(_ typed: String, _ expected: [String]) throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        writeTextFile(home.file("demo.linq"), "card get\n")
        let script = home.file("linq.bash")
        writeTextFile(script, try LinqBinary.run(["--generate-completion-script", "bash"], environment: env).stdout)
        let bin = URL(fileURLWithPath: LinqBinary.path).deletingLastPathComponent().path
        let words = ["linq"] + typed.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let quoted = words.map { "'" + $0 + "'" }.joined(separator: " ")
        let program = """
            source '\(script)'
            cd '\(home.path)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            _linq
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        var environment = env
        environment["PATH"] = bin + ":/usr/bin:/bin"
        let result = try LinqBinary.runExecutable("/bin/bash", ["-c", program], environment: environment)
        let offered = result.stdout.split(separator: "\n").map(String.init)
        // The completion function hides the binary's stderr: when it offered nothing, ask the
        // binary directly, so that a failure says what the binary did.
        var direct = ""
        if offered.isEmpty {
            let asked = try LinqBinary.run(
                ["--complete", "--"] + Array(words.dropFirst()), environment: environment, directory: home.path)
            direct = " (linq --complete directly: status \(asked.status), out \(asked.stdout), err \(asked.stderr))"
        }
        #expect(offered.sorted() == expected.sorted(), "\(typed) → \(offered) \(result.stderr)\(direct)")
    }

    /// Every option `linq --help` lists is completed.
    @Test func everyOptionOfTheHelpIsCompleted() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let help = try LinqBinary.run(["--help"], environment: env).stdout
        let offered = Set(
            try LinqBinary.run(["--complete", "--", "--"], environment: env).stdout.split(separator: "\n"))
        let listed = Set(help.matches(of: /--[a-z][a-z-]+/).map { String($0.output) })
        #expect(!listed.isEmpty)
        #expect(listed.subtracting(offered.map(String.init)).isEmpty, "\(listed.subtracting(offered.map(String.init)))")
    }
}
