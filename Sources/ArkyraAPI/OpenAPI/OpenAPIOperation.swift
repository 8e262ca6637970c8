/// One route as the OpenAPI description lists it.
struct OpenAPIOperation: Sendable {
    enum Security: Sendable {
        case none, bearer, apiKey
    }

    struct Query: Sendable {
        var name: String
        var schema: JSONSchema
        var required = false
    }

    var method: String
    /// The route in the router's notation (`/api/v1/posts/:post`).
    var path: String
    var summary: String
    var tag: String
    var security: Security
    var query: [Query] = []
    var body: JSONSchema?
    /// The body's media type: JSON, or a multipart form (uploads).
    var bodyType = "application/json"
    /// Status → response schema (nil: no body).
    var responses: [Int: JSONSchema?]

    /// `/api/v1/posts/:post` → `/api/v1/posts/{post}`.
    var openAPIPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
    }

    var json: [String: Any] {
        var parameters: [[String: Any]] = path.split(separator: "/").filter { $0.hasPrefix(":") }.map { part in
            let name = String(part.dropFirst())
            let schema: JSONSchema = ["handle", "token", "upload", "file"].contains(name) ? .text : .uuid
            return ["name": name, "in": "path", "required": true, "schema": schema.json]
        }
        parameters += query.map { ["name": $0.name, "in": "query", "required": $0.required, "schema": $0.schema.json] }
        var responses: [String: Any] = [:]
        for (status, schema) in self.responses {
            var response: [String: Any] = ["description": Self.describe(status)]
            if let schema { response["content"] = ["application/json": ["schema": schema.json]] }
            responses[String(status)] = response
        }
        responses["default"] = [
            "description": "an error: 400 malformed, 401 unauthenticated, 403 forbidden, 404 not found, 409 conflict, 413 too large, 422 invalid, 429 rate limited, 503 a backing service is down",
            "content": ["application/json": ["schema": JSONSchema.ref("Error").json]],
        ]
        var operation: [String: Any] = [
            "summary": summary, "tags": [tag], "operationId": "\(method.lowercased())\(openAPIPath)",
            "responses": responses,
        ]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body { operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body.json]]] }
        switch security {
        case .none: operation["security"] = [[String: [String]]]()
        case .bearer: operation["security"] = [["bearer": [String]()]]
        case .apiKey: operation["security"] = [["apiKey": [String]()]]
        }
        return operation
    }

    static func describe(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "created"
        case 204: "done, no body"
        case 101: "switching to WebSocket"
        case 426: "a WebSocket upgrade is required"
        case 503: "unhealthy"
        default: "status \(status)"
        }
    }
}
