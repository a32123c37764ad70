/// An optional time (milliseconds since the epoch) kept in eight bytes: `Int64.min`, a moment
/// no RFC 3339 timestamp can name, stands for none. A Swift `Int64?` takes nine bytes, which
/// the next field's alignment makes sixteen; the episodes a rebuild holds by the hundred
/// thousand carry several.
@propertyWrapper
struct PackedTime: Sendable {
    private var raw: Int64

    init(wrappedValue: Int64?) { raw = wrappedValue ?? .min }

    var wrappedValue: Int64? {
        get { raw == .min ? nil : raw }
        set { raw = newValue ?? .min }
    }
}
