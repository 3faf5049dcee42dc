import LinqJSON

/// Attachments (reference §D.12): create with a presigned upload URL on this emulator, the upload itself (PUT /_uploads/{id}), get, delete.
enum AttachmentRoutes {
    static let routes: [Route] = []

    /// `PUT /_uploads/{attachmentId}`: receives the bytes of a created attachment (the URL handed out
    /// as `upload_url`). Called with the store locked, without authentication.
    static func upload(
        _ request: EmulatorRequest, path: String, store: inout EmulatorStore, now: Double, traceID: String
    ) -> EmulatorResponse {
        EmulatorResponse(status: 404)
    }

    /// Adds this resource's seed records (see `SeedData`).
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
