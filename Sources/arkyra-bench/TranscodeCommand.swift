import ArgumentParser
import ArkyraCore
import Foundation
import Synchronization

/// The worker's transcode of a video (probe, then H.264/AAC MP4 with progress), for timing beside ffmpeg
/// run directly with the same arguments.
struct TranscodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transcode", abstract: "Probe and transcode a video as the media queue does.")

    @Option(help: "The video to transcode.") var input: String
    @Option(help: "Where to write the MP4.") var output: String
    @Flag(help: "Print ffmpeg's arguments (one per line) instead of transcoding.") var printArguments = false

    func run() async throws {
        let tools = try MediaTools(configuration: MediaToolsConfiguration())
        let probe = try await tools.probe(input, kind: .video)
        if printArguments {
            for argument in MediaTools.mp4Arguments(of: input, probe: probe, to: output) { print(argument) }
            return
        }
        let updates = ProgressCount()
        try await tools.mp4(of: input, probe: probe, to: output) { _ in updates.increment() }
        print("progress updates: \(updates.value)")
    }
}

/// Counts progress callbacks.
private final class ProgressCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
