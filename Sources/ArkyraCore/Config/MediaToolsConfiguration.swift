/// Where the media tools are (the worker processes media with them).
package struct MediaToolsConfiguration: Sendable {
    package var ffmpeg: String
    package var ffprobe: String

    package init(ffmpeg: String = "ffmpeg", ffprobe: String = "ffprobe") {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
    }

    /// Reads `ARKYRA_FFMPEG_PATH` and `ARKYRA_FFPROBE_PATH` (names are looked up on `PATH`).
    package init(reader: EnvironmentReader) {
        self.init(ffmpeg: reader.string("ARKYRA_FFMPEG_PATH", default: "ffmpeg"), ffprobe: reader.string("ARKYRA_FFPROBE_PATH", default: "ffprobe"))
    }
}
