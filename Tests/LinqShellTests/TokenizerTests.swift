import LinqShell
import Testing

@Suite struct TokenizerTests {
    func words(_ line: String) throws -> [[String]] {
        try Tokenizer.split(line).map { $0.map { $0.literal ?? $0.display } }
    }

    @Test func splitsOnWhitespaceAndSemicolons() throws {
        #expect(
            try words("card create  --first John; card get") == [
                ["card", "create", "--first", "John"], ["card", "get"],
            ])
        #expect(try words("  ;; ") == [])
        #expect(try words("") == [])
    }

    @Test func quotesAndEscapes() throws {
        #expect(try words(#"a 'b c' "d \"e\" \\ f" g\ h 'it'\''s'"#) == [["a", "b c", #"d "e" \ f"#, "g h", "it's"]])
        #expect(try words(#""semi;colon" 'hash#x' x#y"#) == [["semi;colon", "hash#x", "x#y"]])
        #expect(try words("''") == [[""]])
        #expect(try words("--first Zoë 😀") == [["--first", "Zoë", "😀"]])
    }

    @Test func commentsRunToTheEndOfTheLine() throws {
        #expect(try words("card get # all cards; not a command") == [["card", "get"]])
        #expect(try words("# only a comment") == [])
    }

    @Test func variablesAreSeparatePartsExceptInSingleQuotes() throws {
        let line = try Tokenizer.split(#"x $last.contact_cards[0].first_name "id=${env:HOME:-/}" '$literal' \$x $"#)[0]
        #expect(line[1].parts == [.variable("last.contact_cards[0].first_name")])
        #expect(line[2].parts == [.text("id="), .variable("env:HOME:-/")])
        #expect(line[3].literal == "$literal")
        #expect(line[4].literal == "$x")
        #expect(line[5].literal == "$")
    }

    @Test(arguments: [
        ("card create --first 'John", "unterminated single quote", 21),
        ("echo \"abc", "unterminated double quote", 6),
        ("echo abc\\", "a backslash ends the line", 9),
        ("echo ${x", "unterminated ${", 6),
    ])
    func errorsNameTheProblemAndColumn(line: String, message: String, column: Int) {
        #expect {
            try Tokenizer.split(line)
        } throws: { error in
            guard let error = error as? TokenizeError else { return false }
            return error.message.contains(message) && error.column == column
        }
    }

    @Test func quoteRoundTrips() throws {
        for text in ["plain", "two words", "it's", "", "a;b", "$x", "Zoë"] {
            #expect(try Tokenizer.split("x " + Tokenizer.quote(text))[0][1].literal == text)
        }
    }
}

@Suite struct DidYouMeanTests {
    @Test func suggestsCloseSpellings() {
        #expect(DidYouMean.suggestions(for: "creat", in: ["create", "get", "update"]) == ["create"])
        #expect(DidYouMean.suggestions(for: "frist", in: ["first", "last", "number"]) == ["first"])
        #expect(DidYouMean.suggestions(for: "xyz", in: ["create", "get"]).isEmpty)
        #expect(DidYouMean.suggestions(for: "upd", in: ["create", "get", "update"]) == ["update"])
        #expect(DidYouMean.distance("kitten", "sitting") == 3)
        #expect(DidYouMean.distance("ab", "ba") == 1)
    }
}
