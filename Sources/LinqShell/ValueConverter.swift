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
        if validate && text.isEmpty {
            throw ShellError.usage("\(flag) is empty: give it a value, or leave it out (--no-validate sends it anyway)")
        }
        switch type {
        case .integer, .number, .boolean:
            return try scalar(text, type: type, spelled: flag, validate: validate)
        case .phoneNumber, .handle, .url, .enumeration:
            if validate { try checkText(text, type: type, spelled: flag) }
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

    /// An integer, number or boolean (text as is when it is none and `validate` is off).
    static func scalar(_ text: String, type: ParameterType, spelled flag: String, validate: Bool) throws(ShellError)
        -> JSONValue
    {
        let value: JSONValue?
        let expected: String
        switch type {
        case .integer:
            value = Int(text).map(JSONValue.int)
            expected = "an integer"
        case .number:
            value = Double(text) != nil && (try? JSONValue.parse(text))?.doubleValue != nil ? .number(text) : nil
            expected = "a number"
        default:
            switch text.lowercased() {
            case "true", "yes", "on", "1": value = .bool(true)
            case "false", "no", "off", "0": value = .bool(false)
            default: value = nil
            }
            expected = "true or false"
        }
        if let value { return value }
        if !validate { return .string(text) }
        throw ShellError.usage("\(flag) must be \(expected), not '\(text)'")
    }

    /// Checks text that must have a shape: E.164, a handle, an http(s) URL, one of an enum's values.
    static func checkText(_ text: String, type: ParameterType, spelled flag: String) throws(ShellError) {
        switch type {
        case .phoneNumber where !PhoneNumber.isE164(text):
            throw ShellError.usage(
                "\(flag) '\(text)' is not an E.164 number: write + and the country code and digits, e.g. "
                    + PhoneNumber.suggestion(for: text) + " (or add --no-validate to send it anyway)")
        case .handle where !PhoneNumber.isE164(text) && !(text.contains("@") && text.contains(".")):
            throw ShellError.usage("\(flag) '\(text)' is neither an E.164 number (+15551234567) nor an email address")
        case .url where !(text.hasPrefix("https://") || text.hasPrefix("http://")):
            throw ShellError.usage("\(flag) must be an http(s) URL, e.g. https://example.com/photo.jpg, not '\(text)'")
        case .enumeration(let values) where !values.contains(text):
            throw ShellError.usage(DidYouMean.notOneOf(flag, text, values))
        default: return
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
