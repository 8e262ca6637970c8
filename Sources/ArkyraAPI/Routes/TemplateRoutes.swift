import ArkyraCore
import Foundation
import Hummingbird
import PostgresNIO

/// `/api/v1/organizations/:organization/{sets,signatures}`: saved editor presets and signatures (editor+ to
/// change them, viewer+ to read).
struct TemplateRoutes {
    let organizations: OrganizationService
    let templates: TemplateRepository
    let database: Database
    let maxBodyBytes: Int

    struct SetBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String?
        var content: JSONValue?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, content }
    }

    struct SignatureBody: StrictDecodable {
        typealias Fields = CodingKeys
        var name: String?
        var text: String?
        var isDefault: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, text
            case isDefault = "is_default"
        }
    }

    struct SetList: Encodable { var sets: [PostSet] }
    struct SignatureList: Encodable { var signatures: [Signature] }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("sets") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(SetList(sets: try await templates.sets(organizationID: organization.id, client: database)))
        }
        group.post("sets") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SetBody.self, from: request, maxBytes: maxBodyBytes)
            guard let name = body.name, let content = body.content else {
                throw APIError.validation([body.name == nil ? "name" : "content": "is required"])
            }
            let (checkedName, text) = try Self.checked(name: name, content: content)
            let created = try await database.withConnection { connection in
                try await templates.createSet(organizationID: organization.id, name: checkedName!, content: text!, createdBy: context.userID, on: connection)
            }
            return try JSONBody.response(created, status: .created)
        }
        group.patch("sets/:set") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SetBody.self, from: request, maxBytes: maxBodyBytes)
            let (name, text) = try Self.checked(name: body.name, content: body.content)
            let updated = try await database.withConnection { connection in
                try await templates.updateSet(id: try Self.id(context, "set"), organizationID: organization.id, name: name, content: text, on: connection)
            }
            guard let updated else { throw APIError.notFound("set") }
            return try JSONBody.response(updated)
        }
        group.delete("sets/:set") { _, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let deleted = try await database.withConnection { try await templates.deleteSet(id: try Self.id(context, "set"), organizationID: organization.id, on: $0) }
            if !deleted { throw APIError.notFound("set") }
            return Response(status: .noContent)
        }
        group.get("signatures") { _, context in
            let organization = try await organizations.authorize(.readContent, in: context)
            return try JSONBody.response(SignatureList(signatures: try await templates.signatures(organizationID: organization.id, client: database)))
        }
        group.post("signatures") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SignatureBody.self, from: request, maxBytes: maxBodyBytes)
            guard let name = body.name, let text = body.text else { throw APIError.validation([body.name == nil ? "name" : "text": "is required"]) }
            try Self.checkSignature(name: name, text: text)
            let created = try await database.inTransaction(logger: context.logger) { connection in
                try await templates.createSignature(organizationID: organization.id, name: name, text: text, isDefault: body.isDefault ?? false, on: connection)
            }
            return try JSONBody.response(created, status: .created)
        }
        group.patch("signatures/:signature") { request, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let body = try await JSONBody.decode(SignatureBody.self, from: request, maxBytes: maxBodyBytes)
            try Self.checkSignature(name: body.name, text: body.text)
            let updated = try await database.inTransaction(logger: context.logger) { connection in
                try await templates.updateSignature(id: try Self.id(context, "signature"), organizationID: organization.id, name: body.name, text: body.text,
                                                    isDefault: body.isDefault, on: connection)
            }
            guard let updated else { throw APIError.notFound("signature") }
            return try JSONBody.response(updated)
        }
        group.delete("signatures/:signature") { _, context in
            let organization = try await organizations.authorize(.writePosts, in: context)
            let deleted = try await database.withConnection {
                try await templates.deleteSignature(id: try Self.id(context, "signature"), organizationID: organization.id, on: $0)
            }
            if !deleted { throw APIError.notFound("signature") }
            return Response(status: .noContent)
        }
    }

    static func id(_ context: AuthenticatedContext, _ name: String) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require(name)) else { throw APIError.notFound(name) }
        return id
    }

    /// The name and the content as JSON text, each when given; 422 naming what is wrong.
    static func checked(name: String?, content: JSONValue?) throws -> (String?, String?) {
        var fields: [String: String] = [:]
        let name = name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, !(1...100).contains(name.count) { fields["name"] = "must be 1 to 100 characters" }
        let text = try content.map { try $0.text() }
        if let text, text.utf8.count > 64 * 1024 { fields["content"] = "must be at most 64 KiB of JSON" }
        if case .object = content {} else if content != nil { fields["content"] = "must be a JSON object" }
        guard fields.isEmpty else { throw APIError.validation(fields) }
        return (name, text)
    }

    static func checkSignature(name: String?, text: String?) throws {
        var fields: [String: String] = [:]
        if let name, !(1...100).contains(name.trimmingCharacters(in: .whitespaces).count) { fields["name"] = "must be 1 to 100 characters" }
        if let text, !(1...1000).contains(text.count) { fields["text"] = "must be 1 to 1000 characters" }
        guard fields.isEmpty else { throw APIError.validation(fields) }
    }
}
