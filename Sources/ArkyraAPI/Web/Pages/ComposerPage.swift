import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/compose`: one text for the chosen channels (and, for any of them, a text of its own),
/// thread items after it, a time in the viewer's zone, and schedule, draft or post now. The form goes to the same PostService as
/// `POST /api/v1/.../posts`, so every platform rule is the API's; its field errors are shown beside the
/// field they name and what was typed is kept. Images and videos are picked from the library's newest files.
/// composer.js keeps a local draft, counts and previews each channel's text, and adds thread items. A post
/// that repeats what its channel already has close in time is saved with the API's duplicate warning,
/// which the calendar then shows.
struct ComposerPage {
    let pages: WebPages

    struct Draft {
        var channels: Set<String> = []
        var content = ""
        var thread: [String] = []
        var publishAt = ""
        /// Library files on the first item, in the order ticked.
        var media: [String] = []
        /// A channel's own text instead of `content`, by channel id (lowercased).
        var overrides: [String: String] = [:]
        /// Seconds each thread item waits after the one before it, as the form sent them.
        var delays: [String] = []
        /// Library files on each thread item, as ticked.
        var threadMedia: [[String]] = []
        /// Tags as typed, comma-separated.
        var tags = ""
        /// `day` or `week` to repeat every day or week; empty for once.
        var repeats = ""
        /// A signature id, `none`, or empty for the organization's default.
        var signature = ""

        /// The text channel `id` gets.
        func content(for id: String) -> String {
            overrides[id.lowercased()].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 } ?? content
        }

        /// The draft as a saved set keeps it (the sets' JSON is the editor's own: this composer's fields).
        var asSet: JSONValue {
            .object([
                "content": .string(content), "thread": .array(thread.map(JSONValue.string)), "channels": .array(channels.sorted().map(JSONValue.string)),
                "overrides": .object(overrides.mapValues(JSONValue.string)), "tags": .string(tags),
            ])
        }

        /// What of a saved set this composer understands (a set another editor saved may hold other fields).
        mutating func fill(from set: JSONValue) {
            guard case .object(let fields) = set else { return }
            if case .string(let text)? = fields["content"] { content = text }
            if case .array(let items)? = fields["thread"] { thread = items.compactMap { if case .string(let text) = $0 { text } else { nil } } }
            if case .array(let ids)? = fields["channels"] { channels = Set(ids.compactMap { if case .string(let id) = $0 { id.lowercased() } else { nil } }) }
            if case .object(let texts)? = fields["overrides"] { overrides = texts.compactMapValues { if case .string(let text) = $0 { text } else { nil } } }
            if case .string(let text)? = fields["tags"] { tags = text }
        }
    }

    /// How many of the library's newest files the picker offers.
    static let pickerSize = 24
    /// The waits a thread item may have after the item before it, in seconds.
    static let delays = [0, 300, 900, 3600, 86_400]

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("compose") { request, context in
            let member = try await pages.member(context, .writePosts)
            var draft = Draft()
            let zone = CalendarPage.timeZone(request)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            // The next full hour, on the day the calendar was showing when that day is later than today; at the
            // time the calendar offered (`time=HH:MM`, a free slot) when that is still ahead.
            var start = calendar.date(bySetting: .minute, value: 0, of: Date().addingTimeInterval(3600)) ?? Date()
            let query = request.uri.queryParameters
            let slot = query["time"].flatMap { try? ClockTimes.minutes(String($0)) }?.first
            if let day = query["date"].flatMap({ CalendarGrid.Day(String($0)) }),
               let chosen = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day,
                                                              hour: slot.map { $0 / 60 } ?? calendar.component(.hour, from: start), minute: slot.map { $0 % 60 } ?? 0)),
               chosen > (slot == nil ? start : Date()) {
                start = chosen
            }
            draft.publishAt = Self.wallTime(start, calendar)
            if let channel = request.uri.queryParameters["channel"] { draft.channels = [String(channel)] }
            return try await page(request, member: member, draft: draft, errors: [:], general: nil, notice: pages.done(request),
                                  startingFrom: query["set"].flatMap { UUID(uuidString: String($0)) })
        }
        group.post("compose") { request, context in
            let member = try await pages.member(context, .writePosts)
            let form = try await pages.form(request, context)
            let zone = CalendarPage.timeZone(request)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let chosen = form.all("channel").filter { !$0.isEmpty }
            let media = form.all("media").filter { !$0.isEmpty }
            var overrides: [String: String] = [:]
            for field in form.fields where field.name.hasPrefix("override:") && !field.value.isEmpty {
                overrides[field.name.dropFirst("override:".count).lowercased()] = field.value
            }
            let draft = Draft(channels: Set(chosen), content: form["content"] ?? "", thread: form.all("thread"), publishAt: form["publish_at"] ?? "",
                              media: media, overrides: overrides, delays: form.all("thread_delay"),
                              threadMedia: form.all("thread").indices.map { form.all("thread_media_\($0 + 1)").filter { !$0.isEmpty } },
                              tags: form["tags"] ?? "", repeats: form["repeat"] ?? "", signature: form["signature"] ?? "")
            // Each item with its delay and files; empty items are left out.
            let kept = draft.thread.indices.filter { !draft.thread[$0].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            let items = kept.map { index in
                PostRepository.ThreadItem(content: draft.thread[index], delaySeconds: draft.delays.indices.contains(index) ? Int(draft.delays[index]) ?? -1 : 0)
            }
            let itemMedia = kept.map { draft.threadMedia.indices.contains($0) ? draft.threadMedia[$0] : [] }
            let tags = draft.tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if form["mode"] == "set" {
                // Saved as a set to start from later, not scheduled.
                let name = (form["set_name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard (1...100).contains(name.count) else {
                    return try await page(request, member: member, draft: draft, errors: ["set_name": [pages.renderer.text("compose_set_name_needed", request)]],
                                          general: nil, status: .unprocessableContent)
                }
                let content: String
                do {
                    // The API's rules for a set (its JSON at most 64 KiB).
                    content = try TemplateRoutes.checked(name: name, content: draft.asSet).1 ?? "{}"
                } catch let error as APIError {
                    let error = pages.renderer.localized(error, request)
                    return try await page(request, member: member, draft: draft, errors: [:], general: error.fields?.values.joined(separator: "; ") ?? error.message,
                                          status: error.status)
                }
                let set = try await pages.database.withConnection { connection in
                    try await pages.posts.templates.createSet(organizationID: member.id, name: name, content: content, createdBy: context.userID, on: connection)
                }
                return WebSessionMiddleware.redirect(to: "/app/\(member.id.uuidString.lowercased())/compose?set=\(set.id.uuidString.lowercased())&done=set_saved")
            }
            let mode = PostService.PublishMode(rawValue: form["mode"] ?? "schedule") ?? .schedule
            let publishAt = Self.instant(draft.publishAt, calendar).map(ISO8601Timestamp.format) ?? ""
            do {
                let created = try await pages.posts.schedule(PostService.ScheduleRequest(
                    organizationID: member.id,
                    variants: chosen.map { PostService.Variant(
                        integrationID: $0, content: draft.content(for: $0), thread: items,
                        media: media, threadMedia: itemMedia
                    ) },
                    publishAt: publishAt, timeZone: zone.identifier,
                    recurrence: draft.repeats.isEmpty ? nil : PostService.RecurrenceInput(unit: draft.repeats, every: 1),
                    mode: mode, tags: tags, signature: draft.signature.isEmpty ? nil : draft.signature,
                    userID: context.userID, origin: context.origin(request)
                ))
                let day = created.first?.publishAt.map { CalendarGrid.day(of: $0, calendar).text } ?? ""
                let duplicates = try await pages.posts.duplicateWarnings(for: created).count
                return WebSessionMiddleware.redirect(to: "/app/\(member.id.uuidString.lowercased())/calendar?date=\(day)&saved=1" + (duplicates > 0 ? "&duplicates=\(duplicates)" : ""))
            } catch let error as APIError {
                let error = pages.renderer.localized(error, request)
                let (errors, general) = Self.placeErrors(error, channels: chosen, overridden: Set(chosen.indices.filter { draft.overrides[chosen[$0].lowercased()] != nil }))
                return try await page(request, member: member, draft: draft, errors: errors, general: general, status: error.status)
            }
        }
    }

    /// The composer with `draft`, or with the saved set `startingFrom` filled in when it is one of the organization's.
    private func page(_ request: Request, member: WebPages.MemberPage, draft: Draft, errors: [String: [String]], general: String?,
                      notice: String? = nil, startingFrom setID: UUID? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let sets = try await pages.posts.templates.sets(organizationID: member.id, client: pages.database)
        var draft = draft
        if let set = sets.first(where: { $0.id == setID }) { draft.fill(from: set.content) }
        let channels = try await pages.integrations.list(organizationID: member.id)
        let thread = draft.thread.isEmpty ? [""] : draft.thread
        let t = pages.renderer.assets.catalogue.table(pages.renderer.language(request))
        let signatures = try await pages.posts.templates.signatures(organizationID: member.id, client: pages.database)
        let repeats: [[String: Any]] = ["", "day", "week"].map { unit in
            ["value": unit, "label": t["compose_repeat_\(unit.isEmpty ? "once" : unit)"] ?? unit, "selected": unit == draft.repeats]
        }
        var signatureChoices: [[String: Any]] = [
            ["value": "", "label": t["compose_signature_default"] ?? "", "selected": draft.signature.isEmpty],
            ["value": "none", "label": t["compose_signature_none"] ?? "", "selected": draft.signature == "none"],
        ]
        for signature in signatures {
            let id = signature.id.uuidString.lowercased()
            signatureChoices.append(["value": id, "label": signature.name, "selected": id == draft.signature.lowercased()])
        }
        let knownTags = try await pages.posts.tagNames(organizationID: member.id)
        let (files, _) = try await pages.media.media.list(organizationID: member.id, filter: .init(perPage: Self.pickerSize), client: pages.database)
        let library = try await pages.media.json(files.filter { $0.processing != "failed" }).map { file in
            PageRenderer.values([
                "id": file.id.uuidString.lowercased(), "name": file.name, "preview": pages.sitePath(file.kind == .image ? file.url : file.thumbnailURL),
                "alt": file.alt ?? file.name,
                "checked": draft.media.contains { $0.lowercased() == file.id.uuidString.lowercased() },
            ])
        }
        let values: [String: Any] = [
            "nav_compose": true,
            "channels": channels.filter { $0.state != .disabled }.map { channel in
                let id = channel.id.uuidString.lowercased()
                let overrideErrors = errors["override:\(id)"] ?? []
                return PageRenderer.values([
                    "id": id, "name": channel.name, "username": channel.username, "provider": channel.provider, "avatar": channel.avatarURL,
                    "provider_name": pages.providers.provider(for: channel.provider)?.displayName,
                    "checked": draft.channels.contains(id) || draft.channels.contains(channel.id.uuidString),
                    "refresh_needed": channel.state == .refreshNeeded,
                    "override": draft.overrides[id], "override_errors": overrideErrors, "override_invalid": !overrideErrors.isEmpty,
                    "override_open": draft.overrides[id] != nil || !overrideErrors.isEmpty,
                ])
            },
            "no_channels": channels.isEmpty,
            "channels_link": "/app/\(member.id.uuidString.lowercased())/channels",
            "content": draft.content,
            "library": library, "has_library": !library.isEmpty,
            "media_link": "/app/\(member.id.uuidString.lowercased())/media",
            "public_url": pages.publicURL,
            "thread": thread.enumerated().map { index, text in
                let delay = draft.delays.indices.contains(index) ? draft.delays[index] : "0"
                let delays: [[String: Any]] = Self.delays.map { seconds in
                    ["seconds": seconds, "label": t["compose_delay_\(seconds)"] ?? "\(seconds)", "selected": String(seconds) == delay]
                }
                let itemErrors: [String] = errors["thread[\(index)]"] ?? []
                let ticked = Set((draft.threadMedia.indices.contains(index) ? draft.threadMedia[index] : []).map { $0.lowercased() })
                let files: [[String: Any]] = library.map { file in
                    file.merging(["checked": ticked.contains(file["id"] as? String ?? "")]) { _, new in new }
                }
                return ["index": index + 1, "text": text, "errors": itemErrors, "invalid": !itemErrors.isEmpty, "delays": delays,
                        "files": files, "has_media": !ticked.isEmpty] as [String: Any]
            },
            "tags": draft.tags,
            "known_tags": knownTags,
            "sets": sets.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name] }, "has_sets": !sets.isEmpty,
            "errors_set_name": errors["set_name"] ?? [], "invalid_set_name": errors["set_name"] != nil,
            "repeats": repeats,
            "signatures": signatureChoices,
            "invalid_tags": errors["tags"] != nil, "errors_tags": errors["tags"] ?? [], "errors_repeat": errors["repeat"] ?? [], "errors_signature": errors["signature"] ?? [],
            "publish_at": draft.publishAt,
            "time_zone": CalendarPage.name(CalendarPage.timeZone(request)),
            "errors_channels": errors["channels"] ?? [],
            "errors_content": errors["content"] ?? [],
            "errors_publish_at": errors["publish_at"] ?? [],
            "invalid_channels": errors["channels"] != nil,
            "invalid_content": errors["content"] != nil,
            "invalid_publish_at": errors["publish_at"] != nil,
        ].merging(PageRenderer.values(["error": general, "notice": notice])) { own, _ in own }
        return pages.renderer.render("compose", values, request: request, viewer: member.viewer, title: pages.renderer.text("nav_compose", request), status: status)
    }

    /// The API's field paths (`variants[1].thread[0].content`) placed on the form's fields; the channel a
    /// variant error belongs to is named (each channel has its own rules).
    /// `overridden`: the variants (by index) written with a text of their own, whose content errors go beside that text.
    static func placeErrors(_ error: APIError, channels: [String], overridden: Set<Int> = []) -> (fields: [String: [String]], general: String?) {
        guard let fields = error.fields, !fields.isEmpty else { return ([:], error.message) }
        var placed: [String: [String]] = [:]
        var general: [String] = []
        for (path, message) in fields.sorted(by: { $0.key < $1.key }) {
            if path == "publish_at" || path == "time_zone" {
                placed["publish_at", default: []].append(message)
            } else if path == "tags" || path == "recurrence" || path.hasPrefix("recurrence.") || path == "signature_id" {
                placed[path == "tags" ? "tags" : path == "signature_id" ? "signature" : "repeat", default: []].append(message)
            } else if path == "variants" || path.hasSuffix(".integration_id") {
                placed["channels", default: []].append(message)
            } else if let range = path.range(of: #"^variants\[(\d+)\]\.(.*)$"#, options: .regularExpression) {
                let text = String(path[range])
                let index = Int(text.dropFirst("variants[".count).prefix { $0.isNumber }) ?? 0
                let rest = String(text.drop { $0 != "]" }.dropFirst(2))
                let channelNote = channels.indices.contains(index) && channels.count > 1 ? "(\(index + 1)) " : ""
                if rest == "content", overridden.contains(index), channels.indices.contains(index) {
                    placed["override:\(channels[index].lowercased())", default: []].append(message)
                } else if rest.hasPrefix("thread["), let item = Int(rest.dropFirst("thread[".count).prefix { $0.isNumber }) {
                    placed["thread[\(item)]", default: []].append(channelNote + message)
                } else if rest == "content" || rest.hasPrefix("media") || rest == "thread" {
                    placed["content", default: []].append(channelNote + message)
                } else {
                    general.append("\(path): \(message)")
                }
            } else {
                general.append("\(path): \(message)")
            }
        }
        return (placed, general.isEmpty ? nil : general.joined(separator: "; "))
    }

    /// `2026-12-08T09:30` (what `<input type=datetime-local>` sends) in the zone; nil when it is not one.
    static func instant(_ wallTime: String, _ calendar: Calendar) -> Date? {
        let parts = wallTime.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 5 || parts.count == 6 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    static func wallTime(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }
}
