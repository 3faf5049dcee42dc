extension ResponseShapes {
    /// The error envelope of every 4xx/5xx answer, as the API reference documents it (§A.7); the SDK
    /// has no model for it. Optional members may also be `null`, which the reference leaves open.
    ///
    ///     {"success": false, "error": {"status": 400, "code": 1002, "message": "…", "doc_url": "…",
    ///      "retry_after": 30}, "trace_id": "2eff…"}
    static let errorEnvelope: Shape = .object(
        ObjectShape([
            ShapeField(name: "success", shape: .boolean, required: false, nullable: true),
            ShapeField(
                name: "error",
                shape: .object(
                    ObjectShape([
                        ShapeField(name: "status", shape: .integer, required: true, nullable: false),
                        ShapeField(name: "code", shape: .integer, required: true, nullable: false),
                        ShapeField(name: "message", shape: .string, required: true, nullable: false),
                        ShapeField(name: "doc_url", shape: .string, required: false, nullable: true),
                        ShapeField(name: "retry_after", shape: .integer, required: false, nullable: true),
                    ])), required: true, nullable: false),
            ShapeField(name: "trace_id", shape: .string, required: false, nullable: true),
        ]))
}
