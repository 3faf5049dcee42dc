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
            #expect(script.stdout.contains("--keep-going"), "\(shell)")
        }
    }
}
