import Foundation

/// What ffprobe says about a media file: the first video stream's size, codec and rotation, the first audio
/// stream's codec, the duration and the container. Parsed from `ffprobe -print_format json -show_streams
/// -show_format`; pure.
package struct MediaProbe: Sendable, Equatable {
    package var width: Int
    package var height: Int
    /// nil for still images.
    package var durationMs: Int?
    package var videoCodec: String
    package var audioCodec: String?
    /// Degrees clockwise the picture is to be turned for display (0, 90, 180, 270).
    package var rotation: Int
    /// ffprobe's container names (`mov,mp4,m4a,3gp,3g2,mj2`, `png_pipe`, ...).
    package var container: String

    /// The size as displayed (width and height swapped for a quarter turn).
    package var displayWidth: Int { rotation % 180 == 0 ? width : height }
    package var displayHeight: Int { rotation % 180 == 0 ? height : width }

    package init(width: Int, height: Int, durationMs: Int?, videoCodec: String, audioCodec: String?, rotation: Int, container: String) {
        self.width = width
        self.height = height
        self.durationMs = durationMs
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
        self.rotation = rotation
        self.container = container
    }

    /// Why ffprobe's answer cannot be used.
    package struct Unreadable: Error, Equatable, CustomStringConvertible {
        package var description: String
    }

    private struct Output: Decodable {
        struct Stream: Decodable {
            var codec_type: String?
            var codec_name: String?
            var width: Int?
            var height: Int?
            var duration: String?
            var tags: [String: String]?
            var side_data_list: [SideData]?
        }
        struct SideData: Decodable {
            var rotation: Double?
        }
        struct Format: Decodable {
            var format_name: String?
            var duration: String?
        }
        var streams: [Stream]?
        var format: Format?
    }

    /// Reads ffprobe's JSON; `kind` says whether a duration is expected.
    /// - Throws: ``Unreadable`` when there is no picture with a size (or, for a video, no duration).
    package static func parse(_ json: Data, kind: MediaKind) throws -> MediaProbe {
        guard let output = try? JSONDecoder().decode(Output.self, from: json) else { throw Unreadable(description: "ffprobe's answer is not JSON") }
        guard let video = output.streams?.first(where: { $0.codec_type == "video" }), let width = video.width, let height = video.height,
              width > 0, height > 0, let codec = video.codec_name
        else { throw Unreadable(description: "no picture in the file") }
        var durationMs: Int?
        if kind == .video {
            guard let seconds = (output.format?.duration ?? video.duration).flatMap(Double.init), seconds > 0 else {
                throw Unreadable(description: "the video has no duration")
            }
            durationMs = Int((seconds * 1000).rounded())
        }
        // Newer ffmpeg reports a display matrix (counter-clockwise degrees); older ones a `rotate` tag (clockwise).
        var rotation = 0
        if let matrix = video.side_data_list?.compactMap(\.rotation).first {
            rotation = Int(-matrix.rounded())
        } else if let tag = video.tags?["rotate"].flatMap(Int.init) {
            rotation = tag
        }
        rotation = ((rotation % 360) + 360) % 360
        return MediaProbe(
            width: width, height: height, durationMs: durationMs, videoCodec: codec,
            audioCodec: output.streams?.first(where: { $0.codec_type == "audio" })?.codec_name, rotation: rotation, container: output.format?.format_name ?? ""
        )
    }
}
