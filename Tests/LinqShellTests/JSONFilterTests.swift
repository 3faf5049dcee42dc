import LinqCore
import LinqJSON
import Testing

@testable import LinqShell

/// `--filter`: the grammar (with the column of each mistake) and how each form evaluates, as jq.
@Suite struct JSONFilterTests {
    static let body: JSONValue = [
        "chats": [
            ["id": "c1", "is_group": true, "n": 3, "service": "iMessage", "handles": [["handle": "+1555"]]],
            ["id": "c2", "is_group": false, "n": 10, "service": "SMS", "handles": []],
            ["id": "c3", "is_group": false, "n": .null, "service": "iMessage"],
        ],
        "next_cursor": "2",
    ]

    func run(_ filter: String, on value: JSONValue = body) throws -> [JSONValue] {
        try JSONFilter(filter).apply(to: value).values
    }

    @Test func pathsIndexesAndIteration() throws {
        #expect(try run(".") == [Self.body])
        #expect(try run(".next_cursor") == ["2"])
        #expect(try run(".chats[0].id") == ["c1"])
        #expect(try run(".chats[-1].id") == ["c3"])
        #expect(try run(".chats[5]") == [.null])
        #expect(try run(".chats[].id") == ["c1", "c2", "c3"])
        #expect(try run(".chats[0].handles[0].handle") == ["+1555"])
        #expect(try run(#".["next_cursor"]"#) == ["2"])
        #expect(try run(#"."next_cursor""#) == ["2"])
        #expect(try run(".[]", on: ["a": 1, "b": 2]) == [1, 2])
        #expect(try run(".[1]", on: ["x", "y"]) == ["y"])
        #expect(try run(".missing.deeper") == [.null])
        #expect(try run(".chats[] | .id") == ["c1", "c2", "c3"])
        #expect(try run("(.chats[0]).id") == ["c1"])
    }

    @Test func selectComparesAndCombines() throws {
        #expect(try run(#".chats[] | select(.service == "iMessage") | .id"#) == ["c1", "c3"])
        #expect(try run(#".chats[] | select(.service != "iMessage") | .id"#) == ["c2"])
        #expect(try run(".chats[] | select(.is_group == false) | .id") == ["c2", "c3"])
        #expect(try run(".chats[] | select(.n >= 10) | .id") == ["c2"])
        #expect(try run(".chats[] | select(.n < 5) | .id") == ["c1", "c3"], "null sorts before numbers, as in jq")
        #expect(try run(".chats[] | select(.n == null) | .id") == ["c3"])
        #expect(try run(".chats[] | select(.is_group or .n > 5) | .id") == ["c1", "c2"])
        #expect(try run(#".chats[] | select(.is_group == false and .service == "SMS") | .id"#) == ["c2"])
        #expect(try run(".chats[] | select(.is_group | not) | .id") == ["c2", "c3"])
        #expect(try run("1.0 == 1") == [true])
        #expect(try run(#""a" < "b""#) == [true])
        #expect(try run(#"null < false and false < true and true < 0 and 0 < """#) == [true])
        #expect(try run(#".chats < .next_cursor"#) == [false], "arrays sort after strings")
    }

    @Test func lengthKeysAndMap() throws {
        #expect(try run(".chats | length") == [3])
        #expect(try run(".next_cursor | length") == [1])
        #expect(try run(".missing | length") == [0])
        #expect(try run(".chats[0] | keys") == [["handles", "id", "is_group", "n", "service"]])
        #expect(try run(".chats[0] | keys_unsorted") == [["id", "is_group", "n", "service", "handles"]])
        #expect(try run(".chats | keys") == [[0, 1, 2]])
        #expect(try run(".chats | map(.id)") == [["c1", "c2", "c3"]])
        #expect(try run(".chats | map(select(.is_group)) | length") == [1])
        #expect(try run("-3 | length") == [3])
    }

    @Test func aMissingMemberIsNullAndSaysWhatThereIs() throws {
        let result = try JSONFilter(".chat").apply(to: Self.body)
        #expect(result.values == [.null])
        #expect(result.miss == "no member 'chat' (there are: chats, next_cursor)")
        #expect(try JSONFilter(".chats[] | select(.id == \"zz\")").apply(to: Self.body).values.isEmpty)
    }

    @Test func valuesThatDoNotFitAreErrors() {
        func failure(_ filter: String, on value: JSONValue = JSONFilterTests.body) -> String? {
            do {
                _ = try JSONFilter(filter).apply(to: value)
                return nil
            } catch let error as FilterFailure {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(failure(".chats.id") == #"cannot index an array with "id""#)
        #expect(failure(".next_cursor[0]") == #"cannot index a string ("2") with 0"#)
        #expect(failure(".next_cursor[]") == #".[]: cannot iterate over a string ("2")"#)
        #expect(failure(".chats[0].is_group | length") == "length: a boolean (true) has no length")
        #expect(failure(".next_cursor | map(.x)") == #"map: cannot iterate over a string ("2")"#)
        #expect(failure(".next_cursor | keys") == #"keys: a string ("2") has no keys"#)
    }

    /// The column of the mistake and what was expected there.
    @Test(arguments: [
        (".chats[", 8, "expected ']', a number or a string after '[', found the end"),
        (".chats[x]", 8, "expected ']', a number or a string after '[', found 'x'"),
        (".chats[1", 9, "expected ']' to close the '[', found the end"),
        (".a[1:2]", 5, "slices ([a:b]) are not supported"),
        (#"select(.a = "b")"#, 11, "expected '==' to compare"),
        ("select(.a == 1", 15, "expected ')' to close select(, found the end"),
        (".a |", 5, "found the end"),
        (".a .b", 4, "expected '|', an operator or the end, found '.'"),
        ("lenght", 1, "unknown function 'lenght'; did you mean 'length'?"),
        ("chats", 1, "a member is written .chats"),
        ("..", 2, "'..' (every value, recursively) is not supported"),
        (#".a == "b"#, 7, "expected '\"' to close the string that starts here"),
        ("", 1, "expected a filter such as . or .field, found nothing"),
        (".a == 1.2.3", 7, "expected a number, found '1.2.3'"),
        ("map .a", 5, "expected '(' after map, found '.'"),
    ])
    func mistakesNameTheirColumn(filter: String, column: Int, message: String) {
        do {
            _ = try JSONFilter(filter)
            Issue.record("'\(filter)' parsed")
        } catch {
            #expect(error.column == column, "\(filter): \(error)")
            #expect(error.message.contains(message), "\(filter): \(error)")
        }
    }

    @Test func aBadFilterIsAOneLineUsageErrorBeforeAnythingIsSent() {
        do {
            _ = try BoundCall.bind(
                operation: APICatalog.operation(id: "chat.list"), defaultNumber: nil, ["--filter", ".chats[0"])
            Issue.record("bound")
        } catch {
            #expect(error.kind == .usage)
            #expect(
                error.message
                    == "--filter '.chats[0' at column 9: expected ']' to close the '[', found the end (help filters)")
            #expect(error.details.isEmpty)
        }
    }
}
