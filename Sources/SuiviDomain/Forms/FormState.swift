/// Where a form is in its life, as ODK Central names it: `open` forms are
/// listed to phones and take records; `closing` ones are no longer listed
/// but still take records already started; `closed` ones refuse records.
public enum FormState: String, Sendable, CaseIterable, Codable {
    case open, closing, closed

    /// Phones see the form in their form list.
    public var isListed: Bool { self == .open }
    /// Records of this form are accepted.
    public var acceptsRecords: Bool { self != .closed }
}
