import LinqCore
import Testing

/// Runs `body` and returns the `LinqError` it throws, recording an issue if it succeeds.
func linqError<T>(
    _ body: () async throws(LinqError) -> T, sourceLocation: SourceLocation = #_sourceLocation
) async -> LinqError? {
    do throws(LinqError) {
        _ = try await body()
        Issue.record("expected a LinqError, got success", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
