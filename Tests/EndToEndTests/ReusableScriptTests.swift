import Foundation
import TestSupport
import Testing

/// Reusable scripts through the real binary (issue 23, items 4 and 5): `include FILE name=value`
/// nested two deep from a subfolder, with variables of its own and `export`; variables from a
/// `.env`-style file with `--vars` and `vars FILE`; `--echo --type-speed` inside an include.
@Suite(.ownThread) struct ReusableScriptTests {
    @Test func includeTakesArgumentsKeepsItsLetsAndExports() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        mkdir(f.home.file("steps"), 0o755)
        mkdir(f.home.file("steps/inner"), 0o755)
        let main = f.write(
            "main.linq",
            """
            let mine = top
            include steps/greet.linq who=Ann 'title=Dr No'
            echo "caller: mine=$mine got=$got"
            echo $inner
            """)
        _ = f.write(
            "steps/greet.linq",
            """
            echo "greet: who=$who title=$title mine=$mine"
            let inner = hidden
            let mine = overwritten
            include inner/count.linq n=2
            echo "greet: counted=$counted n-leaked=${env:NOPE:-no}"
            let got = $counted
            export got
            """)
        _ = f.write(
            "steps/inner/count.linq",
            """
            echo "count: n=$n who=$who"
            let counted = $n
            let scratch = 1
            export counted
            """)
        let result = try f.run(["--fresh", main])
        #expect(
            result.stdout == """
                greet: who=Ann title=Dr No mine=top
                count: n=2 who=Ann
                greet: counted=2 n-leaked=no
                caller: mine=top got=2

                """, "\(result.stderr)")
        // The caller does not see the included script's own lets.
        #expect(result.status == 2)
        #expect(result.stderr.contains("main.linq:4"), "\(result.stderr)")
        #expect(result.stderr.contains("undefined variable $inner"), "\(result.stderr)")

        // Two deep, the inner script's unexported let stays inside it too.
        _ = f.write("peek.linq", "include steps/inner/count.linq n=5 who=Bo\necho \"$counted\"\necho $scratch\n")
        let peek = try f.run([f.home.file("peek.linq")])
        #expect(peek.stdout == "count: n=5 who=Bo\n5\n", "\(peek.stderr)")
        #expect(peek.stderr.contains("undefined variable $scratch"), "\(peek.stderr)")

        // A bad argument is a usage error naming it; so is exporting what is not bound.
        #expect(try f.run(["-c", "include steps/greet.linq 9x=1"]).stderr.contains("not '9x=1'"))
        let export = try f.run(["-c", "export nothing"])
        #expect(export.status == 2 && export.stderr.contains("$nothing"), "\(export.stderr)")
    }

    static let env = """
        # the demo's variables
        export first="Ann \\"the\\" \\nLee"
        surname='O$Brien # not a comment'

        plain = hello world   # a comment
        """

    @Test func varsFileThroughTheFlagAndTheCommand() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        mkdir(f.home.file("demo"), 0o755)
        let env = f.write("demo/demo.env", Self.env)
        let show = #"echo "[$first] [$surname] [$plain]""#
        let expected = "[Ann \"the\" \nLee] [O$Brien # not a comment] [hello world]\n"
        let flag = try f.run(["--fresh", "--vars", env, "-c", show])
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(flag.stdout == expected)
        // `vars FILE` relative to the script's folder, run from elsewhere.
        let script = f.write("demo/show.linq", "vars demo.env\n\(show)\n")
        let command = try f.run(["run", script], directory: "/")
        #expect(command.status == 0, "\(command.stderr)")
        #expect(command.stdout == expected)
        // -v wins over --vars.
        let override = try f.run(["--vars", env, "-v", "plain=mine", "-c", "echo $plain"])
        #expect(override.stdout == "mine\n", "\(override.stderr)")

        // A malformed line: one line, FILE:LINE, exit 2, nothing run.
        let bad = f.write("bad.env", "ok=1\n# fine\nnot a pair\n")
        let refused = try f.run(["--vars", bad, "-c", "echo ran"])
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("bad.env:3:"), "\(refused.stderr)")
        let unclosed = f.write("open.env", "a='x\n")
        let viaCommand = try f.run(["-c", "vars \(unclosed)"])
        #expect(viaCommand.status == 2)
        #expect(viaCommand.stderr.contains("open.env:1:") && viaCommand.stderr.contains("not closed"))
    }

    @Test func echoAndTypeSpeedApplyInsideAnInclude() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        // 60 characters typed at 25 ms each take 1.5 s; the including line alone about 0.5 s.
        let long = "echo " + String(repeating: "x", count: 55)
        _ = f.write("inner.linq", long + "\n")
        let main = f.write("main.linq", "include inner.linq\n")
        let started = Date()
        let result = try f.run(["--fresh", "--echo", "--type-speed", "25", main])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("> include inner.linq\n"), "\(result.stdout)")
        #expect(result.stdout.contains("> \(long)\n" + String(repeating: "x", count: 55)), "\(result.stdout)")
        #expect(elapsed >= 1.5, "the included command was typed out too (\(elapsed) s)")
    }
}
