import Crypto
import Foundation

/// What the emulated video service (video.bsky.app) remembers: upload jobs, which turn into blobs on the
/// account's PDS once "processed", and how long processing takes (set through the control API).
actor BlueskyVideoState {
    struct Job: Sendable {
        var id: String
        var did: String
        var sha256: String
        var size: Int
        var mimeType: String
        var createdAt: Date
        /// The blob on the PDS once the job completed.
        var blobCID: String?
        var error: String?
    }

    private(set) var jobs: [Job] = []
    private(set) var processingSeconds: TimeInterval = 2
    private var processingError: String?

    func setProcessing(seconds: TimeInterval, error: String?) {
        processingSeconds = seconds
        processingError = error
    }

    /// A new job for the bytes, or the job that already has them (the service answers that one with 409).
    func submit(did: String, bytes: Data, mimeType: String, now: Date) -> (job: Job, existed: Bool) {
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        if let existing = jobs.first(where: { $0.did == did && $0.sha256 == digest }) { return (existing, true) }
        let job = Job(id: BlueskyState.randomBase32(20), did: did, sha256: digest, size: bytes.count, mimeType: mimeType, createdAt: now)
        jobs.append(job)
        return (job, false)
    }

    /// The job as it stands now; once processing time passed it completes (its blob added to the PDS) or fails.
    func settle(id: String, pds: BlueskyState, now: Date) async -> Job? {
        guard let index = jobs.firstIndex(where: { $0.id == id }) else { return nil }
        var job = jobs[index]
        guard job.blobCID == nil, job.error == nil, now.timeIntervalSince(job.createdAt) >= processingSeconds else { return job }
        if let failure = processingError {
            job.error = failure
        } else {
            job.blobCID = await pds.addBlob(did: job.did, mimeType: "video/mp4", size: job.size).cid
        }
        jobs[index] = job
        return job
    }

    func uploadedToday(by did: String, now: Date) -> (videos: Int, bytes: Int) {
        let today = jobs.filter { $0.did == did && now.timeIntervalSince($0.createdAt) < 86_400 }
        return (today.count, today.reduce(0) { $0 + $1.size })
    }

    func reset() {
        jobs = []
        processingSeconds = 2
        processingError = nil
    }
}
