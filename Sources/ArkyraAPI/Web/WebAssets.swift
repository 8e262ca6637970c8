import Foundation
import Hummingbird
import Mustache
import NIOCore

/// What the web app is made of, read once at start from the API's resource bundle (`Web/Assets`): the
/// Mustache templates, the language catalogues and the static files (styles, scripts, icons), the latter
/// kept in memory with their ETags (they are a few kilobytes each).
package struct WebAssets: Sendable {
    let templates: MustacheLibrary
    let catalogue: Catalogue
    let files: [String: StaticFile]

    struct StaticFile: Sendable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
    }

    enum LoadError: Error, CustomStringConvertible {
        case bundleMissing
        case template(String)
        var description: String {
            switch self {
            case .bundleMissing: "the web app's assets are not in the API's resource bundle (arkyra_ArkyraAPI.resources next to the binary)"
            case .template(let reason): "a web template does not parse: \(reason)"
            }
        }
    }

    /// The assets in the API's bundle, read on first use. A build without them cannot serve its pages, so
    /// it stops at once with what is missing rather than serving half a site.
    package static let bundled: WebAssets = {
        do {
            return try load()
        } catch {
            fatalError("\(error)")
        }
    }()

    /// Where the bundle keeps them.
    static var folder: URL? { Bundle.module.url(forResource: "Assets", withExtension: nil) }

    static func load() throws -> WebAssets {
        guard let folder else { throw LoadError.bundleMissing }
        return try load(from: folder)
    }

    static func load(from folder: URL) throws -> WebAssets {
        let templates: MustacheLibrary
        do {
            templates = MustacheLibrary(templates: try Self.templates(in: folder.appendingPathComponent("templates")))
        } catch {
            throw LoadError.template("\(error)")
        }
        return WebAssets(
            templates: templates,
            catalogue: try Catalogue.load(from: folder.appendingPathComponent("locales")),
            files: Self.staticFiles(in: folder.appendingPathComponent("static"))
        )
    }

    private static func templates(in folder: URL) throws -> [String: MustacheTemplate] {
        var templates: [String: MustacheTemplate] = [:]
        for name in (try FileManager.default.contentsOfDirectory(atPath: folder.path)) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        return templates
    }

    private static func staticFiles(in folder: URL) -> [String: StaticFile] {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml",
                     "html": "text/html; charset=utf-8", "webmanifest": "application/manifest+json", "png": "image/png"]
        var files: [String: StaticFile] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                  let type = types[(name as NSString).pathExtension] else { continue }
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            files[name] = StaticFile(body: ByteBuffer(bytes: data), contentType: type, etag: "\"\(String(hash, radix: 16))\"")
        }
        return files
    }
}
