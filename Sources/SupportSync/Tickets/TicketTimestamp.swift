import Foundation

/// A ticket's `created_at`: RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Fractional seconds (`.f` to nine digits) are accepted: common platforms
/// write milliseconds, and refusing them would leave such tickets out of git
/// altogether. Nothing else is: the `T` and `Z` are upper case (as the
/// platform writes them), no offset other than `Z` (the path is by UTC
/// month and must be obvious from the text), no leap second (`:60`).
/// Only the text is checked; it is kept as written.
public struct TicketTimestamp: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// The parts of `text`, or nil when it is not a `created_at` as above.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SS is 19 bytes; then an optional fraction, then Z.
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        for (index, character) in separators where bytes[index] != character.asciiValue! { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte.isASCIIDigit else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        let fraction = bytes[19..<(bytes.count - 1)]
        if !fraction.isEmpty {
            guard fraction.first == UInt8(ascii: "."), (2...10).contains(fraction.count),
                fraction.dropFirst().allSatisfy(\.isASCIIDigit)
            else { return nil }
        }
        guard (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// `2026/11`: the folder below `tickets/` a ticket of this time lives in.
    public var folder: String {
        Self.padded(year, 4) + "/" + Self.padded(month, 2)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z of `text`, a time as above;
    /// digits past the millisecond are dropped, never rounded up.
    public static func milliseconds(_ text: String) -> Int64? {
        guard let time = TicketTimestamp(text) else { return nil }
        var millisecond = 0
        let fraction = Array(text.utf8.dropFirst(20).dropLast())
        for index in 0..<3 {
            millisecond = millisecond * 10 + (index < fraction.count ? Int(fraction[index] - UInt8(ascii: "0")) : 0)
        }
        return time.secondsSince1970 * 1000 + Int64(millisecond)
    }

    /// Seconds since 1970-01-01T00:00:00Z, in the proleptic Gregorian calendar.
    public var secondsSince1970: Int64 {
        // Days from the civil date (H. Hinnant's algorithm), years counted from March.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + Int64(hour) * 3_600 + Int64(minute) * 60 + Int64(second)
    }

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `date` as ISO 8601 writes a UTC time to the second
    /// (`2026-11-20T09:15:00Z`, fractions dropped). A date outside the years
    /// 1 to 9999 (a commit may claim any) is written by Foundation instead.
    public static func text(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds >= -62_135_596_800, seconds < 253_402_300_800 else { return date.formatted(.iso8601) }
        let whole = Int(seconds)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let civil = CivilDate(days: days)
        let rest = whole - days * 86_400
        return padded(civil.year, 4) + "-" + padded(civil.month, 2) + "-" + padded(civil.day, 2) + "T"
            + padded(rest / 3_600, 2) + ":" + padded(rest % 3_600 / 60, 2) + ":" + padded(rest % 60, 2) + "Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension UInt8 {
    fileprivate var isASCIIDigit: Bool { (0x30...0x39).contains(self) }
}

extension TicketTimestamp: Comparable {
    /// By time, to the second.
    public static func < (lhs: TicketTimestamp, rhs: TicketTimestamp) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }
}
