import LinqCore

/// Writes a run's assertions and failed commands as TAP 13 or JUnit XML.
public enum ReportFormat: String, Sendable, CaseIterable {
    case tap, junit

    /// The report text for `log`, naming the suite after `suite` (the script's file name).
    public func render(_ log: RunLog, suite: String) -> String {
        switch self {
        case .tap: Self.tap(log)
        case .junit: Self.junit(log, suite: suite)
        }
    }

    static func title(_ entry: RunLog.Entry) -> String {
        (entry.location.map { "\($0): " } ?? "") + (entry.kind == .command ? "command failed: " : "") + entry.name
    }

    static func tap(_ log: RunLog) -> String {
        var lines = ["TAP version 13", "1..\(log.entries.count)"]
        for (i, entry) in log.entries.enumerated() {
            let title = title(entry).replacingOccurrences(of: "#", with: "\\#").replacingOccurrences(
                of: "\n", with: " ")
            lines.append("\(entry.passed ? "ok" : "not ok") \(i + 1) - \(title)")
            if !entry.passed && !entry.details.isEmpty {
                lines.append("  ---")
                for detail in entry.details {
                    let parts = detail.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 {
                        lines.append(
                            "  \(String(parts[0]).trimmingCharacters(in: " ")): \(yamlQuote(String(parts[1]).trimmingCharacters(in: " ")))"
                        )
                    } else {
                        lines.append("  message: \(yamlQuote(detail))")
                    }
                }
                lines.append("  ...")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func yamlQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func junit(_ log: RunLog, suite: String) -> String {
        let failures = log.entries.filter { !$0.passed }.count
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites tests="\#(log.entries.count)" failures="\#(failures)">"#,
            #"  <testsuite name="\#(xml(suite))" tests="\#(log.entries.count)" failures="\#(failures)">"#,
        ]
        for entry in log.entries {
            let name = xml(title(entry))
            if entry.passed {
                lines.append(#"    <testcase classname="\#(xml(suite))" name="\#(name)"/>"#)
            } else {
                lines.append(#"    <testcase classname="\#(xml(suite))" name="\#(name)">"#)
                let message = xml(entry.details.first ?? "failed")
                lines.append(
                    #"      <failure message="\#(message)">\#(xml(entry.details.joined(separator: "\n")))</failure>"#)
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
