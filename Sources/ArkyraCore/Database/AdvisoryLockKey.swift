/// The PostgreSQL advisory lock keys ARKYRA takes, in one list so that no two uses share a key by accident.
/// Each is "ARKYRA" in ASCII followed by a number.
package enum AdvisoryLockKey {
    /// Replicas starting together apply migrations one at a time.
    package static let migrations: Int64 = 0x41524B59_5241_01
    /// The cron replica holding it leads.
    package static let cronLeader: Int64 = 0x41524B59_5241_02
}
