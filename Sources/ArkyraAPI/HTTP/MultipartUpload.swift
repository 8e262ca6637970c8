import ArkyraCore
import Hummingbird
import NIOCore

/// Reads an upload from a `multipart/form-data` request: the part named `file` streams into a staging file,
/// the other parts (small text fields such as `name` and `alt`) are collected.
struct MultipartUpload {
    var file: MediaStaging.File
    /// The file part's own name (`filename=`).
    var filename: String?
    var fields: [String: String]

    static let maximumFieldBytes = 4096

    /// - Throws: 400 for a body that is not multipart or has no `file` part, 413 for a file over its kind's
    ///   limit (as soon as the limit is crossed; the partial file is deleted), 415 for a format ARKYRA does not take.
    static func read(_ request: Request, staging: () async throws -> MediaStaging, limits: MediaLimits) async throws -> MultipartUpload {
        guard let contentType = request.headers[.contentType], let boundary = MultipartParser.boundary(contentType: contentType) else {
            throw APIError(.unsupportedMediaType, "multipart_required", "send the file as multipart/form-data with a part named file")
        }
        // A body plainly over the largest limit is refused before a byte of it is read.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maxBytes + 64 * 1024 {
            throw tooLarge(.tooLarge(limit: limits.maxBytes, kind: nil))
        }
        var parser = MultipartParser(boundary: boundary)
        var staged: MediaStaging?
        var file: MediaStaging.File?
        var filename: String?
        var fields: [String: String] = [:]
        var field: (name: String, bytes: ByteBuffer)?
        do {
            for try await chunk in request.body {
                for event in try parser.feed(chunk) {
                    switch event {
                    case .partStart(let part):
                        if part.name == "file", file == nil, staged == nil {
                            staged = try await staging()
                            filename = part.filename
                        } else {
                            field = (part.name ?? "", ByteBuffer())
                        }
                    case .partData(var data):
                        if let staged {
                            try await staged.write(data)
                        } else if field != nil {
                            guard field!.bytes.readableBytes + data.readableBytes <= maximumFieldBytes else {
                                throw APIError(.badRequest, "invalid_multipart", "the form field \(field!.name) is longer than \(maximumFieldBytes) bytes")
                            }
                            field!.bytes.writeBuffer(&data)
                        }
                    case .partEnd:
                        if let current = staged {
                            file = try await current.finish()
                            staged = nil
                        } else if let done = field {
                            if !done.name.isEmpty { fields[done.name] = String(buffer: done.bytes) }
                            field = nil
                        }
                    }
                }
            }
            try parser.finish()
        } catch {
            await staged?.discard()
            if let file { await MediaStaging.remove(file) }
            throw describe(error)
        }
        guard let file else { throw APIError(.badRequest, "file_missing", "the form has no part named file", fields: ["file": "is required"]) }
        return MultipartUpload(file: file, filename: filename, fields: fields)
    }

    /// The client's error for what went wrong while reading.
    static func describe(_ error: any Error) -> any Error {
        switch error {
        case let refusal as MediaStaging.Refusal:
            if case .tooLarge = refusal { return tooLarge(refusal) }
            return APIError(.unsupportedMediaType, "unsupported_media", "the file \(refusal.message)", fields: ["file": refusal.message])
        case let failure as MultipartParser.Failure:
            let reason = switch failure {
            case .endedEarly: "the body ended before the closing boundary"
            case .headersTooLong: "a part's headers are longer than 8 KiB"
            case .malformedHeaders: "a part's headers are malformed"
            case .tooManyParts: "the form has more than \(MultipartParser.maximumParts) parts"
            }
            return APIError(.badRequest, "invalid_multipart", reason)
        default:
            return error
        }
    }

    static func tooLarge(_ refusal: MediaStaging.Refusal) -> APIError {
        APIError(.contentTooLarge, "file_too_large", refusal.message, fields: ["file": refusal.message])
    }
}
