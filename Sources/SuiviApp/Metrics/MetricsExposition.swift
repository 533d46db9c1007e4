import Foundation

/// Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then one
/// `name{label="value",...} number` line per series.
enum MetricsExposition {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(_ snapshot: Metrics.Snapshot) -> String {
        var out = Output()

        out.family("suivi_build_info", "gauge", "Suivi's version; always 1.")
        out.sample("suivi_build_info", [("version", snapshot.version)], 1)

        out.family("suivi_process_start_time_seconds", "gauge", "When the server started, in seconds since the Unix epoch.")
        out.sample("suivi_process_start_time_seconds", [], snapshot.startTime.timeIntervalSince1970)

        out.family("suivi_submissions_received_total", "counter",
                   "OpenRosa submissions by form and outcome (created, duplicate, conflict, rejected, error).")
        for (form, counts) in snapshot.forms {
            for outcome in Metrics.SubmissionOutcome.allCases {
                out.sample("suivi_submissions_received_total", [("form", form), ("outcome", outcome.rawValue)],
                           Double(counts.outcomes[outcome.index]))
            }
        }

        out.family("suivi_submissions_flagged_total", "counter",
                   "New records stored with answers flagged for review, by form.")
        for (form, counts) in snapshot.forms {
            out.sample("suivi_submissions_flagged_total", [("form", form)], Double(counts.flagged))
        }

        out.family("suivi_http_requests_total", "counter",
                   "HTTP requests answered, by method, route pattern and status; requests matching no route under route=\"unmatched\".")
        for route in snapshot.routes {
            for (status, count) in route.statuses.sorted(by: { $0.key < $1.key }) {
                out.sample("suivi_http_requests_total",
                           [("method", route.method), ("route", route.pattern), ("status", String(status))], Double(count))
            }
        }
        for (key, count) in snapshot.unmatched {
            out.sample("suivi_http_requests_total",
                       [("method", key.method), ("route", "unmatched"), ("status", String(key.status))], Double(count))
        }

        out.family("suivi_http_request_duration_seconds", "histogram",
                   "Time from a complete request reaching its handler to its response, by route pattern.")
        for route in snapshot.routes where route.duration.count > 0 {
            out.histogram("suivi_http_request_duration_seconds",
                          [("method", route.method), ("route", route.pattern)], route.duration)
        }

        out.family("suivi_submission_queue_depth", "gauge",
                   "Records handed to the group commit and not yet answered (queued or being committed).")
        out.sample("suivi_submission_queue_depth", [], Double(snapshot.queueDepth))

        out.family("suivi_group_commit_batch_size", "histogram", "Records per group-commit transaction.")
        out.histogram("suivi_group_commit_batch_size", [], snapshot.batchSizes)

        return out.text
    }

    private struct Output {
        var text = ""

        mutating func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            text += name
            if !labels.isEmpty {
                text += "{" + labels.map { "\($0.0)=\"\(MetricsExposition.escape($0.1))\"" }.joined(separator: ",") + "}"
            }
            text += " \(MetricsExposition.number(value))\n"
        }

        mutating func histogram(_ name: String, _ labels: [(String, String)], _ histogram: Histogram) {
            var cumulative = 0
            for (index, bound) in histogram.bounds.enumerated() {
                cumulative += histogram.counts[index]
                sample(name + "_bucket", labels + [("le", MetricsExposition.number(bound))], Double(cumulative))
            }
            sample(name + "_bucket", labels + [("le", "+Inf")], Double(histogram.count))
            sample(name + "_sum", labels, histogram.sum)
            sample(name + "_count", labels, Double(histogram.count))
        }
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a decimal point; others in Swift's shortest exact form.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
