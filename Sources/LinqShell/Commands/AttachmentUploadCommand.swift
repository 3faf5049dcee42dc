import LinqCore
import LinqJSON

/// `attachment upload FILE [--content-type TYPE] [--filename NAME]`: creates the attachment with
/// the file's content type and size, PUTs the bytes to the returned `upload_url` with the
/// `required_headers`, then shows the attachment. Large files get a progress line on stderr.
enum AttachmentUploadCommand {
    static let file = CommandParameter.positional("file", type: .file, completion: .file, help: "the local file")
    static let contentType = CommandParameter.flag(
        "content-type", aliases: ["type"], type: .enumeration(APICatalog.contentTypes),
        default: "from the file's extension", help: "the MIME type")
    static let filename = CommandParameter.flag(
        "filename", aliases: ["name"], type: .string, default: "the file's name", completion: .none,
        help: "the name recipients see")

    static let commands: [CommandSpec] = [upload]

    static let upload = CommandSpec(
        ["attachment", "upload"],
        aliases: [APICatalog.resource(named: "attachment")?.aliases ?? [], ["up", "put"]],
        group: .api(order: APICatalog.resources.firstIndex { $0.name == "attachment" } ?? 0, resource: "attachment"),
        summary: "Upload a local file and get an attachment id to send as media",
        details: """
            Creates the attachment with the file's content type (from its extension, or --content-type) \
            and size, PUTs the bytes to the returned upload_url with its required headers, then shows \
            the attachment. Send it with: message send CHAT --attachment ID.
            """,
        parameters: [file, contentType, filename],
        examples: ["attachment upload README.md --content-type text/markdown"],
        run: run)

    /// Content types by file extension (the common ones; others need --content-type).
    static let types: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "heic": "image/heic",
        "heif": "image/heif", "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp", "mp4": "video/mp4",
        "mov": "video/quicktime", "m4v": "video/x-m4v", "3gp": "video/3gpp", "mp3": "audio/mpeg", "m4a": "audio/x-m4a",
        "caf": "audio/x-caf", "wav": "audio/x-wav", "aiff": "audio/x-aiff", "aac": "audio/aac", "amr": "audio/amr",
        "pdf": "application/pdf", "pkpass": "application/vnd.apple.pkpass", "txt": "text/plain", "md": "text/markdown",
        "vcf": "text/vcard", "rtf": "text/rtf", "csv": "text/csv", "html": "text/html", "ics": "text/calendar",
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "epub": "application/epub+zip",
        "xml": "text/xml", "json": "application/json", "zip": "application/zip", "gz": "application/x-gzip",
    ]

    /// The API takes pre-uploaded attachments up to 100 MB (larger is `400/5005`).
    static let maxBytes = 100_000_000

    /// Creates the attachment, uploads the bytes, shows the attachment. The file is checked (a
    /// regular file, its size, its content type) before a byte of it is read.
    static func run(_ context: CommandContext) throws(ShellError) {
        let file = context.resolvePath(context.arguments.required(Self.file))
        let size = try LocalFile.check(file, what: "attachments", maxBytes: maxBytes).size
        let name = context.arguments[Self.filename] ?? (file.split(separator: "/").last.map(String.init) ?? file)
        let type = try contentType(of: name, given: context.arguments[Self.contentType])
        let create = APICatalog.operation(id: "attachment.create")
        let call = BoundCall(
            operation: create,
            arguments: ["filename": .string(name), "content_type": .string(type), "size_bytes": .int(size)])
        guard let created = try context.fetch(context.prepare(call), idempotent: false, operation: create),
            let json = created.json, let uploadURL = json["upload_url"]?.stringValue,
            let id = json["attachment_id"]?.stringValue
        else {
            if context.isDryRun { return }
            throw ShellError(.request, "the attachment was created but the response has no upload_url or attachment_id")
        }
        let bytes = try LocalFile.read(file, what: "attachments", maxBytes: maxBytes)
        guard bytes.count == size else {
            throw ShellError.usage("\(file) changed while it was being uploaded (\(size) → \(bytes.count) bytes)")
        }
        try upload(bytes, named: name, answer: json, to: uploadURL, context: context)
        context.remember(id, as: .attachment)
        let get = APICatalog.operation(id: "attachment.get")
        try context.perform(BoundCall(operation: get, arguments: ["attachmentId": .string(id)]))
    }

    /// The content type: as given, or from the file name's extension; one the API takes.
    static func contentType(of name: String, given: String?) throws(ShellError) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        guard let type = given ?? types[ext] else {
            throw ShellError.usage(
                "cannot tell the content type of '\(name)': add --content-type, e.g. --content-type image/png")
        }
        guard APICatalog.contentTypes.contains(type) else {
            throw ShellError.usage(
                "unsupported content type '\(type)'" + DidYouMean.hint(for: type, in: APICatalog.contentTypes))
        }
        return type
    }

    /// PUTs the bytes to the upload URL with the headers the create answer requires; a start and
    /// an end line for files of 1 MB or more.
    static func upload(
        _ bytes: [UInt8], named name: String, answer json: JSONValue, to uploadURL: String, context: CommandContext
    ) throws(ShellError) {
        var headers: [HTTPHeader] = []
        for member in json["required_headers"]?.objectValue ?? [:] {
            if let value = member.value.stringValue { headers.append(HTTPHeader(member.key, value)) }
        }
        let method = json["http_method"]?.stringValue ?? "PUT"
        let large = bytes.count >= 1 << 20
        if large { context.err("uploading \(name) (\(megabytes(bytes.count)))…\n") }
        let upload = HTTPRequestData(method: method, url: uploadURL, headers: headers, body: bytes)
        let timeouts = LinqConfiguration.Timeouts(
            total: .seconds(600), connect: context.environment.baseConfiguration.timeouts.connect)
        let started = ContinuousClock.now
        switch Blocking.send(upload, through: context.environment.transport, timeouts: timeouts) {
        case .failure(let error):
            throw ShellError(.request, "the upload of \(name) failed: \(error)")
        case .success(let response) where !(200..<300).contains(response.status):
            let body = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw ShellError(.request, "the upload of \(name) failed: HTTP \(response.status) \(body)")
        case .success:
            guard large else { return }
            let elapsed = ContinuousClock.now - started
            let tenths = Int(elapsed / .milliseconds(100))
            context.err(
                "uploaded \(megabytes(bytes.count)) in \(tenths == 0 ? "<0.1" : String(Double(tenths) / 10)) s\n")
        }
    }

    static func megabytes(_ count: Int) -> String {
        let mb = Double(count) / 1_048_576
        return "\(Double(Int(mb * 10)) / 10) MB"
    }
}
