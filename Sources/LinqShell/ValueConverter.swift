import LinqCore
import LinqJSON

/// Turns argument text into typed JSON values, with messages that say what would be right
/// (`spelled` is how the argument is named in them: `--first`, `<seconds>`).
enum ValueConverter {
    static func convert(_ text: String, type: ParameterType, spelled flag: String, validate: Bool) throws(ShellError)
        -> JSONValue
    {
        // A dry run's placeholder for a value a response would have given (`<$card.id>`).
        if text.hasPrefix("<$") && text.hasSuffix(">") { return .string(text) }
        switch type {
        case .integer:
            guard let n = Int(text) else {
                if !validate { return .string(text) }
                throw ShellError.usage("\(flag) must be an integer, not '\(text)'")
            }
            return .int(n)
        case .number:
            guard Double(text) != nil, (try? JSONValue.parse(text))?.doubleValue != nil else {
                if !validate { return .string(text) }
                throw ShellError.usage("\(flag) must be a number, not '\(text)'")
            }
            return .number(text)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default:
                if !validate { return .string(text) }
                throw ShellError.usage("\(flag) must be true or false, not '\(text)'")
            }
        case .phoneNumber:
            if validate && !PhoneNumber.isE164(text) {
                throw ShellError.usage(
                    "\(flag) '\(text)' is not an E.164 number: write + and the country code and digits, e.g. "
                        + PhoneNumber.suggestion(for: text) + " (or add --no-validate to send it anyway)")
            }
            return .string(text)
        case .handle:
            if validate && !PhoneNumber.isE164(text) && !(text.contains("@") && text.contains(".")) {
                throw ShellError.usage(
                    "\(flag) '\(text)' is neither an E.164 number (+15551234567) nor an email address")
            }
            return .string(text)
        case .url:
            if validate && !(text.hasPrefix("https://") || text.hasPrefix("http://")) {
                throw ShellError.usage(
                    "\(flag) must be an http(s) URL, e.g. https://example.com/photo.jpg, not '\(text)'")
            }
            return .string(text)
        case .enumeration(let values):
            if validate && !values.contains(text) {
                throw ShellError.usage(DidYouMean.notOneOf("\(flag)", text, values))
            }
            return .string(text)
        case .array(let element):
            var items: [JSONValue] = []
            for piece in text.split(separator: ",", omittingEmptySubsequences: true) {
                items.append(try convert(String(piece), type: element, spelled: flag, validate: validate))
            }
            return .array(items)
        case .json:
            do {
                return try JSONValue.parse(text)
            } catch {
                if !validate { return .string(text) }
                let hint =
                    text.hasPrefix("{") || text.hasPrefix("[")
                    ? "; quote JSON in single quotes so its double quotes stay: \(flag) '{\"key\":\"value\"}'" : ""
                throw ShellError.usage("\(flag) must be JSON: \(error)\(hint)")
            }
        case .string, .identifier, .file:
            return .string(text)
        }
    }
}

/// E.164 checks and a friendly correction.
public enum PhoneNumber {
    /// `+`, a non-zero digit, then 1–14 more digits.
    public static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0")
        else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// What the user probably meant: digits kept, a `+1` added to 10-digit numbers.
    public static func suggestion(for text: String) -> String {
        let digits = text.filter(\.isNumber)
        if digits.count == 10 { return "+1" + digits }
        if digits.count >= 11 && digits.count <= 15 { return "+" + digits }
        return "+15551234567"
    }
}

extension APIParameter {
    /// The shortest way to write the flag (`first` rather than `first-name`).
    public var preferredSpelling: String {
        spellings.min { $0.count < $1.count } ?? flag
    }
}
