/// Bounded tables of recent failures, shared by the limiters.

/// A map bounded at `capacity` entries with O(1) work per use: two
/// generations, the older (least recently used half) dropped whole when the
/// recent one is half full. A flood of distinct keys (addresses, logins)
/// cannot grow memory; a key used again moves to the recent generation.
struct BoundedTable<Value> {
    let capacity: Int
    private var recent: [String: Value] = [:]
    private var older: [String: Value] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { recent.count + older.count }

    func get(_ key: String) -> Value? {
        recent[key] ?? older[key]
    }

    mutating func take(_ key: String) -> Value? {
        recent.removeValue(forKey: key) ?? older.removeValue(forKey: key)
    }

    mutating func set(_ key: String, _ value: Value) {
        older.removeValue(forKey: key)
        recent[key] = value
        if recent.count >= max(1, capacity / 2) {
            older = recent
            recent = [:]
        }
    }

    mutating func remove(_ key: String) {
        recent.removeValue(forKey: key)
        older.removeValue(forKey: key)
    }
}

/// Failure times per key, oldest first, at most `keep` per key, in a
/// `BoundedTable`: the one bounded failure table of `GuessingLimiter` and
/// `SignInLimiter`. Not thread-safe; each limiter holds it under its lock.
struct FailureTable {
    private var table: BoundedTable<[Double]>

    init(capacity: Int) {
        table = BoundedTable(capacity: capacity)
    }

    mutating func record(_ key: String, now: Double, window: Double, keep: Int) {
        var times = (table.take(key) ?? []).filter { $0 > now - window }
        times.append(now)
        if times.count > keep { times.removeFirst(times.count - keep) }
        table.set(key, times)
    }

    /// Seconds until one more failure is allowed; 0 when under the limit.
    func wait(for key: String, now: Double, window: Double, limit: Int) -> Double {
        let times = (table.get(key) ?? []).filter { $0 > now - window }
        guard times.count >= limit else { return 0 }
        // The oldest of the last `limit` failures must leave the window.
        return times[times.count - limit] + window - now
    }

    mutating func remove(_ key: String) {
        table.remove(key)
    }

    var count: Int { table.count }
}
