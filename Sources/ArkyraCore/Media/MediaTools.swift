import Foundation
import Synchronization

/// ffprobe and ffmpeg as ARKYRA uses them: probe a file, take a thumbnail, make a JPEG of an image, transcode
/// a video to H.264/AAC MP4. Each run has a deadline; a failure says what ffmpeg said.
package struct MediaTools: Sendable {
    package let ffmpeg: String
    package let ffprobe: String

    /// The largest side of derived images and videos: platforms take nothing larger (Instagram 1440, X 4096
    /// for images; 1920 for most video).
    package static let maximumImageSide = 4096
    package static let maximumVideoSide = 1920
    /// The side of thumbnails.
    package static let thumbnailSide = 480

    package init(ffmpeg: String, ffprobe: String) {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
    }

    /// The tools from `configuration`, found on `PATH` when named without a folder.
    /// - Throws: ``ConfigurationError`` when either cannot be found.
    package init(configuration: MediaToolsConfiguration) throws {
        guard let ffmpeg = Subprocess.locate(configuration.ffmpeg) else {
            throw ConfigurationError(key: "ARKYRA_FFMPEG_PATH", problem: "names no executable ('\(configuration.ffmpeg)'); install ffmpeg (apt-get install ffmpeg)")
        }
        guard let ffprobe = Subprocess.locate(configuration.ffprobe) else {
            throw ConfigurationError(key: "ARKYRA_FFPROBE_PATH", problem: "names no executable ('\(configuration.ffprobe)'); install ffmpeg (apt-get install ffmpeg)")
        }
        self.init(ffmpeg: ffmpeg, ffprobe: ffprobe)
    }

    /// A run that failed; `message` is ffmpeg's last words.
    package struct Failed: Error, CustomStringConvertible {
        package var tool: String
        package var message: String
        package var description: String { "\(tool) failed: \(message)" }

        package init(tool: String, message: String) {
            self.tool = tool
            self.message = message
        }
    }

    package func probe(_ path: String, kind: MediaKind) async throws -> MediaProbe {
        let outcome = try await Subprocess.run(ffprobe, ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", path], deadline: .seconds(30))
        guard outcome.status == 0 else { throw Failed(tool: "ffprobe", message: Self.lastLine(outcome.errorTail)) }
        return try MediaProbe.parse(outcome.output, kind: kind)
    }

    /// A JPEG at most ``thumbnailSide`` wide: the frame at `atMs` (by default one second in, or the middle of
    /// shorter videos; never past the end), or the image.
    package func thumbnail(of path: String, probe: MediaProbe, at atMs: Int? = nil, to output: String) async throws {
        var arguments = ["-v", "error", "-y"]
        if let duration = probe.durationMs {
            let chosen = atMs.map { min($0, max(0, duration - 100)) } ?? min(1000, duration / 2)
            arguments += ["-ss", String(format: "%.3f", Double(chosen) / 1000)]
        }
        arguments += ["-i", path, "-frames:v", "1", "-vf", "scale='min(\(Self.thumbnailSide),iw)':-2", "-q:v", "4", "-f", "image2", output]
        try await run(arguments, deadline: .seconds(60))
    }

    /// The image as a baseline JPEG, no side over ``maximumImageSide`` (the first frame of an animation).
    package func jpeg(of path: String, to output: String) async throws {
        let side = Self.maximumImageSide
        try await run(["-v", "error", "-y", "-i", path, "-frames:v", "1",
                       "-vf", "scale='min(\(side),iw)':'min(\(side),ih)':force_original_aspect_ratio=decrease,format=yuvj420p",
                       "-q:v", "2", "-f", "image2", output], deadline: .seconds(60))
    }

    /// The video as H.264 (yuv420p, at most ``maximumVideoSide``) with AAC audio in an MP4 that can play while it
    /// downloads; `progress` gets whole percents as ffmpeg reports them.
    package func mp4(of path: String, probe: MediaProbe, to output: String, progress: @escaping @Sendable (Int) -> Void) async throws {
        let durationUs = Double(probe.durationMs ?? 0) * 1000
        // Generous: ten times real time, at least two minutes.
        let deadline = Duration.seconds(max(120, (probe.durationMs ?? 0) / 100))
        let last = LastPercent()
        try await run(Self.mp4Arguments(of: path, probe: probe, to: output), deadline: deadline) { line in
            guard durationUs > 0, line.hasPrefix("out_time_us="), let done = Double(line.dropFirst("out_time_us=".count)) else { return }
            let percent = max(0, min(99, Int(done / durationUs * 100)))
            if last.advance(to: percent) { progress(percent) }
        }
        progress(100)
    }

    /// ffmpeg's arguments for ``mp4(of:probe:to:progress:)`` (the benchmark runs ffmpeg with them directly).
    package static func mp4Arguments(of path: String, probe: MediaProbe, to output: String) -> [String] {
        let side = maximumVideoSide
        var arguments = ["-v", "error", "-y", "-nostats", "-progress", "pipe:1", "-i", path,
                         "-vf", "scale='min(\(side),iw)':'min(\(side),ih)':force_original_aspect_ratio=decrease:force_divisible_by=2",
                         "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
        arguments += probe.audioCodec == nil ? ["-an"] : ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]
        return arguments + ["-f", "mp4", output]
    }

    private func run(_ arguments: [String], deadline: Duration, onLine: (@Sendable (String) -> Void)? = nil) async throws {
        let outcome = try await Subprocess.run(ffmpeg, arguments, deadline: deadline, onLine: onLine)
        guard outcome.status == 0 else { throw Failed(tool: "ffmpeg", message: Self.lastLine(outcome.errorTail)) }
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map { String($0.prefix(300)) } ?? "no message"
    }
}

/// The percent last reported, so each is reported once.
private final class LastPercent: Sendable {
    private let value = Mutex(-1)
    func advance(to percent: Int) -> Bool {
        value.withLock { last in
            guard percent > last else { return false }
            last = percent
            return true
        }
    }
}
