import LinqCore

// TEMPORARY (timeline branch only): stands in for the copy-as-code generators until they merge.
extension CopyAs {
    static let languages = ["curl", "httpie"]
    static func command(
        _ tool: String, for request: HTTPRequestData, operation: APIOperation?, session: Session, secrets: Set<String>
    ) -> String {
        command(tool, for: request, session: session, secrets: secrets)
    }
}
