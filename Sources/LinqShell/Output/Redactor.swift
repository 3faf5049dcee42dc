import LinqCore
import LinqJSON

/// Presenter redaction (`set redact on`, `--redact`): what a screen shows of phone numbers,
/// email addresses and secrets. Phone numbers keep their first digit and last four
/// (`+1•••••••0001`, also `%2B1•••••••0001` in a URL), emails their domain (`•••@example.com`),
/// secrets their last four (`whsec_…wxyz`, `Bearer …wxyz`). Secrets are known by their shape
/// (`whsec_…`, `Bearer …`), by the name they are given (`"signing_secret": "…"`, `token: …`,
/// `api_key=…`), or by being known already (`secrets`: the session's keys and every value seen
/// under a secret's name). Ids and UUIDs are never touched; colour sequences are kept.
///
/// Pure text in, text out: the shell applies it where output reaches a screen (`RedactingSink`).
public struct Redactor: Sendable {
    /// Values masked wherever they appear (at least `Redaction.minimumLength` characters).
    public var secrets: Set<String>

    public init(secrets: Set<String> = []) { self.secrets = secrets }

    /// `text` as a screen may show it, and the secret values found under a secret's name (so
    /// that a caller can mask them where they appear without it).
    public func redact(_ text: String) -> (text: String, found: Set<String>) {
        var text = text
        if !secrets.isEmpty { text = Redaction.masked(text, secrets: secrets) }
        var scanner = RedactionScanner(Array(text.utf8))
        scanner.run()
        return (String(decoding: scanner.output, as: UTF8.self), scanner.found)
    }

    /// `text` as a screen may show it.
    public func callAsFunction(_ text: String) -> String { redact(text).text }

    /// `text` with its secrets masked (known ones, and those known by shape or name), phone
    /// numbers and emails kept: what a file that must hold no secret may keep (a tape).
    public func maskingSecretsOnly(_ text: String) -> String {
        var text = text
        if !secrets.isEmpty { text = Redaction.masked(text, secrets: secrets) }
        var scanner = RedactionScanner(Array(text.utf8))
        scanner.secretsOnly = true
        scanner.run()
        return String(decoding: scanner.output, as: UTF8.self)
    }

    /// A JSON value as a screen may show it (for layouts that measure values before printing,
    /// such as tables): strings under a secret's name masked whole, other strings redacted as
    /// text; the secrets found are added to `found`.
    public func redact(_ value: JSONValue, found: inout Set<String>) -> JSONValue {
        switch value {
        case .string(let text):
            let (redacted, more) = redact(text)
            found.formUnion(more)
            return .string(redacted)
        case .array(let items):
            return .array(items.map { redact($0, found: &found) })
        case .object(let members):
            var redacted: [JSONMember] = []
            for member in members.members {
                if Redactor.isSecretName(member.key), case .string(let secret) = member.value,
                    !secret.contains("…"), !secret.contains("•")
                {
                    if secret.count >= Redaction.minimumLength { found.insert(secret) }
                    redacted.append(JSONMember(member.key, .string(Redactor.maskSecret(secret))))
                } else {
                    redacted.append(JSONMember(member.key, redact(member.value, found: &found)))
                }
            }
            return .object(JSONObject(redacted))
        default:
            return value
        }
    }

    // MARK: Masks

    /// `+1•••••••0001`: the sign, the first digit and the last four, bullets between.
    public static func maskPhone(_ number: String) -> String {
        let digits = Array(number.drop { !$0.isNumber })
        let prefix = String(number.prefix { !$0.isNumber })
        guard digits.count > 5 else { return number }
        return prefix + String(digits[0]) + String(repeating: "•", count: digits.count - 5)
            + String(digits.suffix(4))
    }

    /// `•••@example.com`.
    public static func maskEmail(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@") else { return email }
        return "•••" + email[at...]
    }

    /// `…wxyz` (`…••••` for 8 characters or fewer), after a known prefix (`whsec_…wxyz`).
    public static func maskSecret(_ secret: String) -> String {
        for prefix in secretPrefixes where secret.hasPrefix(prefix) && secret.count > prefix.count {
            return prefix + Redaction.mask(String(secret.dropFirst(prefix.count)))
        }
        return Redaction.mask(secret)
    }

    /// Prefixes that make a word a secret whatever it is called.
    static let secretPrefixes = ["whsec_"]

    /// Whether a member, header or parameter named `name` holds a secret (`signing_secret`,
    /// `token`, `api_key`, `Authorization`, `client-secret`, …).
    public static func isSecretName(_ name: String) -> Bool {
        let name = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if ["secret", "token", "password", "api_key", "apikey", "authorization", "bearer"].contains(name) {
            return true
        }
        return ["_secret", "_token", "_password", "_api_key", "_apikey"].contains { name.hasSuffix($0) }
    }
}
