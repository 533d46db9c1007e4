import Foundation

/// A monitoring-table row: baseline, milestone and target of one
/// indicator in one département for one phase.
public struct Target: Sendable, Equatable {
    public let id: Int64
    public let phaseID: Int64
    public let indicatorID: String
    public let departementCode: String
    public let baseline: Double
    public let milestone: Double?
    public let target: Double
    public let updatedAt: String

    public init(id: Int64, phaseID: Int64, indicatorID: String, departementCode: String, baseline: Double, milestone: Double?, target: Double, updatedAt: String) {
        self.id = id
        self.phaseID = phaseID
        self.indicatorID = indicatorID
        self.departementCode = departementCode
        self.baseline = baseline
        self.milestone = milestone
        self.target = target
        self.updatedAt = updatedAt
    }
}

/// One value a target had, from `changedAt` on.
public struct TargetChange: Sendable, Equatable {
    public let id: Int64
    public let changedAt: String
    /// The login of the user who made the change; nil for API keys and the command line.
    public let changedBy: String?
    public let baseline: Double
    public let milestone: Double?
    public let target: Double

    public init(id: Int64, changedAt: String, changedBy: String?, baseline: Double, milestone: Double?, target: Double) {
        self.id = id
        self.changedAt = changedAt
        self.changedBy = changedBy
        self.baseline = baseline
        self.milestone = milestone
        self.target = target
    }
}
