import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /media/files/ORGANIZATION/FILE?expires=…&signature=…`: files of the local storage, for whoever holds a URL the
/// API signed (browsers, and platforms that fetch media from a URL). A wrong or expired signature is 403.
struct MediaFileRoutes {
    let storage: LocalFileStorage

    func add(to router: Router<AppRequestContext>) {
        let files = FileIO()
        router.get("media/files/:organization/:file") { request, context in
            let key = "\(try context.parameters.require("organization"))/\(try context.parameters.require("file"))"
            let query = request.uri.queryParameters
            guard let expires = query["expires"].flatMap({ Int($0) }), let signature = query["signature"].map(String.init),
                  storage.verify(key: key, expires: expires, signature: signature)
            else { throw APIError(.forbidden, "invalid_signature", "this media URL is not valid or has expired") }
            let path = try storage.path(of: key)
            let format = MediaFormat.allCases.first { key.hasSuffix(".\($0.fileExtension)") }
            var headers: HTTPFields = [
                .contentType: format?.mimeType ?? "application/octet-stream",
                .cacheControl: "private, max-age=3600",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                .contentDisposition: "inline",
            ]
            if let size = try await storage.size(of: key) { headers[.contentLength] = String(size) } else { throw APIError.notFound("file") }
            return Response(status: .ok, headers: headers, body: try await files.loadFile(path: path, context: context))
        }
    }
}
